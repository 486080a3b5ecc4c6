/**
 * A batch of bugs written without reading the suite (issue 22): reply counting, replica repair,
 * reads and recovery. Not in the model's mutants: the bench's unseen section (bench/unseen.ts)
 * measures how often the default `check` catches them.
 */
import { enqueueActions } from 'xstate';
import { send, type MutantSpec } from '../../src/index.js';
import type { ReadAck, Received, Write, WriteAck } from './messages.js';
import { storageNode, type StorageContext } from './storage-node.js';

const opIdOfRid = (r: string): string => r.slice(0, r.lastIndexOf('.'));

/** The coordinator counts WriteAck messages, not owners: a duplicated acknowledgement counts twice. */
const countsDuplicateAcks = storageNode.provide({
  guards: {
    awaitedAck: ({ context, event }) => {
      const e = event as Received<WriteAck>;
      const op = context.ops.find((o) => o.id === opIdOfRid(e.rid));
      return op !== undefined && op.phase !== 'q' && e.rid.endsWith(`.${op.phase}`);
    },
  },
  actions: {
    recordAck: enqueueActions(({ context, event, enqueue }) => {
      const e = event as Received<WriteAck>;
      const ops = context.ops.map((o) => (o.id === opIdOfRid(e.rid) ? { ...o, acked: [...o.acked, e.for ?? e.from] } : o));
      enqueue.assign({ ops });
    }),
  },
});

/** A replica stores what a Write carries in place of what it holds, without comparing versions. */
const overwritesOnWrite = storageNode.provide({
  actions: {
    storeWrite: enqueueActions(({ context, event, enqueue }) => {
      const e = event as Received<Write>;
      if (e.for === null) enqueue.assign({ store: { ...context.store, [e.key]: e.siblings } });
      else enqueue.assign({ hints: [...context.hints.filter((h) => !(h.owner === e.for && h.key === e.key)), { owner: e.for, key: e.key, siblings: e.siblings }].sort((x, y) => (x.owner + x.key < y.owner + y.key ? -1 : 1)) });
      enqueue.emit(send(e.from, { type: 'WriteAck', rid: e.rid, key: e.key, for: e.for }));
    }),
  },
});

/** The coordinator of a get keeps the first answer it receives and ignores the versions in later ones. */
const keepsFirstAnswer = storageNode.provide({
  actions: {
    recordRead: enqueueActions(({ context, event, enqueue }) => {
      const e = event as Received<ReadAck>;
      const owner = e.for ?? e.from;
      const ops = context.ops.map((o) => {
        if (o.id !== opIdOfRid(e.rid)) return o;
        const siblings = o.f === 'get' && o.answers.length > 0 ? o.answers[0]!.siblings : e.siblings;
        return { ...o, answers: [...o.answers, { owner, siblings }].sort((x, y) => (x.owner < y.owner ? -1 : 1)) };
      });
      enqueue.assign({ ops } as Partial<StorageContext>);
    }),
  },
});

export const unseenMutants2: Readonly<Record<string, MutantSpec>> = {
  'counts-duplicate-acks': {
    description: 'the coordinator counts WriteAck messages, not owners, so a duplicated acknowledgement completes a write quorum',
    breaks: 'acked-write-durable',
    roles: { storage: { machine: countsDuplicateAcks } },
  },
  'overwrites-on-write': {
    description: 'a replica replaces what it stores with what a Write carries, so a late or repeated older Write erases a newer version',
    breaks: 'no-lost-write',
    roles: { storage: { machine: overwritesOnWrite } },
  },
  'keeps-first-answer': {
    description: 'the coordinator of a get takes every later answer to hold what the first one held',
    breaks: 'no-lost-write',
    roles: { storage: { machine: keepsFirstAnswer } },
  },
  'forgets-done-on-restart': {
    description: 'a node does not persist which operations it acknowledged: after a restart it runs a duplicated put again, with a newer timestamp',
    breaks: 'no-lost-write',
    roles: { storage: { persist: ['store', 'hints', 'clock'] } },
  },
};
