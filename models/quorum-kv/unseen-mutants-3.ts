/**
 * A third batch of bugs written without reading the suite (issue 22): hinted handoff, what a
 * restart keeps, and how many acknowledgements a read's write-back waits for. Not in the model's
 * mutants: bench/unseen-3.ts measures how often the default `check` catches them. Written before
 * any measurement, and not adjusted after.
 */
import { enqueueActions } from 'xstate';
import { send, type MutantSpec } from '../../src/index.js';
import type { HandoffAck, Received } from './messages.js';
import { storageNode, type Op, type StorageContext } from './storage-node.js';

/** A stand-in deletes a hint as soon as it offers it, before the owner acknowledged storing it. */
const dropsHintWhenOffered = storageNode.provide({
  actions: {
    offerHint: enqueueActions(({ context, event, enqueue }) => {
      const { owner, key } = event as { owner: string; key: string };
      const hint = context.hints.find((h) => h.owner === owner && h.key === key)!;
      enqueue.assign({ hints: context.hints.filter((h) => h !== hint) });
      enqueue.emit(send(owner, { type: 'Handoff', key, siblings: hint.siblings }));
    }),
  },
});

/** When the owner acknowledges a handoff, the stand-in drops the whole hint, versions that reached it after the offer included. */
const dropsGrownHint = storageNode.provide({
  actions: {
    dropHint: enqueueActions(({ context, event, enqueue }) => {
      const e = event as Received<HandoffAck>;
      enqueue.assign({ hints: context.hints.filter((h) => !(h.owner === e.from && h.key === e.key)), offered: context.offered.filter((o) => o !== `${e.from}/${e.key}`) });
    }),
  },
});

/** A get's write-back (ABD's second phase) answers the client after the first acknowledgement, not a write quorum's. */
const writeBackReady = (ctx: StorageContext): Op | undefined => ctx.ops.find((o) => (o.phase === 'r' && o.acked.length >= 1) || (o.phase === 'w' && o.acked.length >= ctx.W));
const writeBackWaitsForOne = storageNode.provide({
  guards: { writeQuorumReached: ({ context }) => writeBackReady(context) !== undefined },
  actions: {
    finishWrite: enqueueActions(({ context, enqueue }) => {
      const op = writeBackReady(context)!;
      const reply = op.f === 'put' ? { type: 'PutOk', op: op.op, key: op.key, version: op.result[0]!.version } : { type: 'GetOk', op: op.op, key: op.key, siblings: op.result };
      const done = context.done.includes(op.id) ? context.done : [...context.done, op.id].sort();
      enqueue.assign({ ops: context.ops.filter((o) => o.id !== op.id), done });
      enqueue.emit(send(op.client, reply));
    }),
  },
});

export const unseenMutants3: Readonly<Record<string, MutantSpec>> = {
  'drops-hint-when-offered': {
    description: 'a stand-in deletes a hint when it offers it to the owner, before the owner acknowledged storing it',
    breaks: 'acked-write-durable',
    roles: { storage: { machine: dropsHintWhenOffered } },
  },
  'drops-grown-hint': {
    description: 'on a handoff acknowledgement the stand-in drops the whole hint, including versions that reached it after the offer',
    breaks: 'acked-write-durable',
    roles: { storage: { machine: dropsGrownHint } },
  },
  'forgets-clock-on-restart': {
    description: "a node does not persist its clock: after a restart it stamps puts from its initial clock again, older than its earlier ones",
    breaks: 'no-lost-write',
    roles: { storage: { persist: ['store', 'hints', 'done'] } },
  },
  'write-back-waits-for-one': {
    description: "a get's write-back answers the client after one acknowledgement instead of a write quorum",
    breaks: 'no-read-inversion',
    roles: { storage: { machine: writeBackWaitsForOne } },
  },
};
