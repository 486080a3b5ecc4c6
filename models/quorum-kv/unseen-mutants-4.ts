/**
 * A fourth batch of bugs written without reading the suite (issue 22, point 4): what a replica
 * keeps through a crash, duplicated requests, read repair racing a write, and client retries. Not
 * in the model's mutants: bench/unseen-4.ts measures how often the default `check` catches them.
 * Written before any measurement (and before exploration changed for issue 22's coverage-guided
 * scheduling), and not adjusted after.
 */
import { enqueueActions } from 'xstate';
import { observe, send, type MutantSpec } from '../../src/index.js';
import { client, coordinatorsOf } from './client.js';
import type { Received, Write } from './messages.js';
import { storageNode, type Hint } from './storage-node.js';
import { merge, sameSiblings } from './versions.js';

/** A duplicated request is re-run unless it is still in progress: the list of acknowledged operations is kept but never consulted. */
const reExecutesDuplicateRequest = storageNode.provide({
  guards: {
    newRequest: ({ context, event }) => {
      const request = event as Received<{ type: 'Put' | 'Get'; op: number }>;
      const id = `${request.from}.${request.op}`;
      return !context.ops.some((o) => o.id === id);
    },
  },
});

/**
 * A read repair's write replaces what the replica stores ("the coordinator just read the newest
 * version") instead of merging with it: a put that reached the replica since the read is overwritten.
 */
const byOwnerAndKey = (x: Hint, y: Hint): number => (x.owner + x.key < y.owner + y.key ? -1 : x.owner + x.key > y.owner + y.key ? 1 : 0);
const repairOverwritesNewer = storageNode.provide({
  actions: {
    storeWrite: enqueueActions(({ context, event, enqueue }) => {
      const e = event as Received<Write>;
      if (e.for === null) {
        const before = context.store[e.key] ?? [];
        const after = e.repair ? [...e.siblings] : merge(before, e.siblings);
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

/** A client that times out on a put sends it again to the next coordinator, as it does a get: the put may be stamped twice. */
const retriesPuts = client.provide({
  guards: {
    mayRetry: ({ context }) => context.pending !== null && context.pending.attempts < coordinatorsOf(context, context.pending.key).length,
  },
});

export const unseenMutants4: Readonly<Record<string, MutantSpec>> = {
  'store-not-persisted': {
    description: 'a replica keeps its store in memory (its hints, clock and acknowledged operations are on disk): a crash loses acknowledged writes',
    breaks: 'acked-write-durable',
    roles: { storage: { persist: ['hints', 'clock', 'done'] } },
  },
  're-executes-duplicate-request': {
    description: 'a coordinator runs a duplicated put again once the first run is acknowledged, stamping it newer than later puts',
    breaks: 'no-lost-write',
    roles: { storage: { machine: reExecutesDuplicateRequest } },
  },
  'repair-overwrites-newer': {
    description: "a read repair's write replaces the replica's versions instead of merging them, overwriting a put that arrived since the read",
    breaks: 'acked-write-durable',
    roles: { storage: { machine: repairOverwritesNewer } },
  },
  'retries-puts': {
    description: 'a client that times out on a put sends it to the next coordinator, so one put may be stamped twice, the second after later puts',
    breaks: 'no-lost-write',
    roles: { client: { machine: retriesPuts } },
  },
};
