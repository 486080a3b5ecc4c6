/**
 * A fifth batch of bugs written without reading the suite (issue 22, point 4): the control batch,
 * written on 2026-12-08 before the default `check` was improved for batches 2–4, measured before
 * (bench/unseen-5-before.json) and not adjusted after. A client that takes a stale answer, a
 * replica that compares timestamps without their tie-breaker, acknowledgements matched by key,
 * and a stand-in's acknowledgement counted as its own. Not in the model's mutants:
 * bench/unseen-5.ts measures how often the default `check` catches them.
 */
import { assign, enqueueActions } from 'xstate';
import { observe, send, type MutantSpec } from '../../src/index.js';
import { client } from './client.js';
import type { Received, Write, WriteAck } from './messages.js';
import { storageNode, type Hint, type StorageContext } from './storage-node.js';
import { merge, newestStamp, sameSiblings } from './versions.js';

/**
 * The client matches an answer to its pending operation by kind (a GetOk answers a get) instead
 * of by sequence number. Why a bug: a late or duplicated GetOk of an earlier get (one it retried
 * at another coordinator, or a duplicate on the network) answers its next get with the old value,
 * although a put acknowledged in between wrote a newer one (no-lost-write).
 */
const matchesAnswerByKind = client.provide({
  guards: {
    answersPending: ({ context, event }) => context.pending !== null && context.pending.f === ((event as { type: string }).type === 'PutOk' ? 'put' : 'get'),
  },
});

/**
 * A replica stores a last-writer-wins write only when its timestamp is newer than the one it
 * holds, comparing the counters without the coordinator's id that breaks ties. Why a bug: two
 * coordinators that read the same newest timestamp both stamp the next counter; the replica that
 * first stored one acknowledges the other without storing it, so a put acknowledged by W
 * replicas may be held by fewer, and a later get returns the version the ids order below it
 * (no-lost-write; acked-write-durable).
 */
const byOwnerAndKey = (x: Hint, y: Hint): number => (x.owner + x.key < y.owner + y.key ? -1 : x.owner + x.key > y.owner + y.key ? 1 : 0);
const comparesTimestampsOnly = storageNode.provide({
  actions: {
    storeWrite: enqueueActions(({ context, event, enqueue }) => {
      const e = event as Received<Write>;
      if (e.for === null) {
        const before = context.store[e.key] ?? [];
        const newer = context.versioning !== 'lww' || before.length === 0 || newestStamp(e.siblings) > newestStamp(before);
        const after = newer ? merge(before, e.siblings) : before;
        if (!sameSiblings(before, after)) {
          enqueue.assign({ store: { ...context.store, [e.key]: after } });
          if (e.repair) enqueue.emit(observe({ type: 'Repaired', node: context.id, key: e.key }));
          if (before.length >= 2 && after.length === 1) enqueue.emit(observe({ type: 'Resolved', node: context.id, key: e.key }));
        }
      } else {
        const old = context.hints.find((h) => h.owner === e.for && h.key === e.key);
        const hint: Hint = { owner: e.for, key: e.key, siblings: merge(old?.siblings ?? [], e.siblings) };
        const grown = old === undefined || !sameSiblings(old.siblings, hint.siblings);
        enqueue.assign({
          hints: [...context.hints.filter((h) => h !== old), hint].sort(byOwnerAndKey),
          offered: grown ? context.offered.filter((o) => o !== `${e.for}/${e.key}`) : context.offered,
        });
      }
      enqueue.emit(send(e.from, { type: 'WriteAck', rid: e.rid, key: e.key, for: e.for }));
    }),
  },
});

/**
 * The coordinator matches a WriteAck to the write in progress on the same key, not to the
 * request it answers. Why a bug: the third owner's late acknowledgement of an earlier put of the
 * key (already acknowledged by W) counts for the next put of the key at that coordinator, which
 * is then acknowledged to its client while fewer than W owners hold it (acked-write-durable).
 */
const ackedOpOf = (context: StorageContext, e: Received<WriteAck>) => {
  const owner = e.for ?? e.from;
  return context.ops.find((o) => o.key === e.key && o.phase !== 'q' && !o.acked.includes(owner));
};
const matchesAcksByKey = storageNode.provide({
  guards: { awaitedAck: ({ context, event }) => ackedOpOf(context, event as Received<WriteAck>) !== undefined },
  actions: {
    recordAck: assign(({ context, event }) => {
      const e = event as Received<WriteAck>;
      const op = ackedOpOf(context, e)!;
      const acked = [...op.acked, e.for ?? e.from].sort();
      return { ops: context.ops.map((o) => (o.id === op.id ? { ...op, acked } : o)) };
    }),
  },
});

/**
 * Under a sloppy quorum the coordinator records a stand-in's acknowledgement under the stand-in's
 * name instead of the owner it stands for. Why a bug: when the owner was merely slow, its own
 * acknowledgement and its stand-in's both count, so a put is acknowledged with one owner and one
 * hint for that same owner: fewer than W distinct owners, or their stand-ins, hold it
 * (acked-write-durable; Dynamo counts the first W healthy nodes of the list, each once).
 */
const countsStandInAsItself = storageNode.provide({
  actions: {
    recordAck: assign(({ context, event }) => {
      const e = event as Received<WriteAck>;
      const id = e.rid.slice(0, e.rid.lastIndexOf('.'));
      return { ops: context.ops.map((o) => (o.id === id ? { ...o, acked: o.acked.includes(e.from) ? o.acked : [...o.acked, e.from].sort() } : o)) };
    }),
  },
});

export const unseenMutants5: Readonly<Record<string, MutantSpec>> = {
  'client-matches-answer-by-kind': {
    description: 'a client takes any GetOk as the answer of its pending get (any PutOk of its put), not only the one with its sequence number',
    breaks: 'no-lost-write',
    roles: { client: { machine: matchesAnswerByKind } },
  },
  'compares-timestamps-only': {
    description: "a replica stores a write only when its timestamp's counter is newer, ignoring the coordinator id that breaks ties, yet acknowledges it",
    breaks: 'no-lost-write',
    roles: { storage: { machine: comparesTimestampsOnly } },
  },
  'matches-acks-by-key': {
    description: "the coordinator counts a WriteAck for the write in progress on the same key, so a late acknowledgement of an earlier put counts for the next",
    breaks: 'acked-write-durable',
    roles: { storage: { machine: matchesAcksByKey } },
  },
  'counts-stand-in-as-itself': {
    description: "under a sloppy quorum a stand-in's acknowledgement counts under its own name, so an owner and its stand-in count twice",
    breaks: 'acked-write-durable',
    roles: { storage: { machine: countsStandInAsItself } },
  },
};
