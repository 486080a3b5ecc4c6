/**
 * Known bugs of quorum replication, each a variant of the storage node (the coordinator logic
 * lives there), and the property that must catch it. Most change one field of the node's
 * context at start, as a misconfigured or misbuilt node would have it.
 */
import { enqueueActions, type AnyStateMachine } from 'xstate';
import { replaceContext, type MutantSpec } from '../../src/index.js';
import type { Get, Put, Received } from './messages.js';
import { walk } from './ring.js';
import { initialStorageContext, ringOf, startOpWith, storageNode, storageSetup, type StorageContext, type StorageInput } from './storage-node.js';

/** The storage node with its starting context changed by `change`. */
function withContext(change: (ctx: StorageContext) => Partial<StorageContext>): typeof storageNode {
  return replaceContext(storageNode, ({ input }) => {
    const ctx = initialStorageContext(input);
    return { ...ctx, ...change(ctx) };
  });
}

/** A get is answered after N − W replicas, so R + W = N: a read quorum may miss every replica a put reached. */
const readQuorumTooSmall = withContext((ctx) => ({ R: ctx.replicas - ctx.W }));

/** A put is acknowledged after W − 1 replicas stored it. */
const acksBeforeW = withContext((ctx) => ({ W: ctx.W - 1 }));

/** Stand-ins are used when owners are silent although the configuration promises strict quorums. */
const sloppyAsStrict = withContext(() => ({ sloppy: true }));

/** A get answers without writing back what it read: ABD's second phase skipped. */
const skipsWriteBack = withContext((ctx) => ({ readRepair: ctx.readRepair === 'sync' ? 'none' : ctx.readRepair }));

/** A put is stamped with the coordinator's own clock, not past the timestamps its query read (s1's clock runs `skew` behind). */
const clockBehind = withContext(() => ({ liftsClock: false }));

/** Timestamps without the coordinator's id: two coordinators may stamp the same timestamp, and replicas keep whichever came first. */
const stampsWithoutNodeId = withContext(() => ({ idInStamps: false }));

/**
 * A get's write-back is sent as a new write of the value it read: stamped past the newest
 * timestamp read, as a put is, instead of with the version it read. The value now has two
 * versions, the new one newer than puts that began after the value was overwritten.
 */
const writeBackRestamps = withContext(() => ({ writeBackKeepsVersions: false }));

/**
 * The preference list is the first N *tokens* clockwise from the key, so two virtual nodes of one
 * physical node count as two replicas.
 */
const countsVirtualNodesTwice = storageNode.provide({
  actions: {
    startOp: enqueueActions(({ context, event, enqueue }) => {
      const request = event as Received<Put> | Received<Get>;
      const tokens = walk(ringOf(context.nodes, context.vnodes), request.key)
        .slice(0, context.replicas)
        .map((t) => t.node);
      startOpWith(context, request, tokens, enqueue);
    }),
  },
});

/** A stand-in never offers its hints to their owners: the owners stay without what it stands in for. */
const neverHandsOverHints = storageNode.provide({ guards: { mayOffer: () => false } });

export const mutants: Readonly<Record<string, MutantSpec>> = {
  'read-quorum-too-small': {
    description: 'a get is answered after N − W replicas (R + W ≤ N accepted as a quorum), so it may miss an acknowledged put',
    breaks: 'no-lost-write',
    roles: { storage: { machine: readQuorumTooSmall } },
  },
  'acks-before-w': {
    description: 'the coordinator acknowledges a put once W − 1 replicas stored it',
    breaks: 'acked-write-durable',
    roles: { storage: { machine: acksBeforeW } },
  },
  'sloppy-as-strict': {
    description: 'the coordinator asks stand-ins for silent owners although the quorum is configured strict',
    breaks: 'preference-list',
    roles: { storage: { machine: sloppyAsStrict } },
  },
  'skips-write-back': {
    description: 'a get in ABD answers without writing what it read back to a quorum (new-old inversion)',
    breaks: 'no-read-inversion',
    roles: { storage: { machine: skipsWriteBack } },
  },
  'clock-behind': {
    description: "last-writer-wins with the coordinator's own clock, which runs behind: a later put gets an older timestamp and is lost",
    breaks: 'no-lost-write',
    roles: { storage: { machine: clockBehind } },
  },
  'hints-in-memory': {
    description: 'a stand-in keeps its hints only in memory, so a crash loses writes a sloppy quorum acknowledged',
    breaks: 'acked-write-durable',
    roles: { storage: { persist: ['store', 'clock', 'done'] } },
  },
  'stamps-without-node-id': {
    description: "timestamps without the coordinator's id: concurrent puts may tie, and replicas disagree on which one won",
    breaks: 'versions-unique',
    roles: { storage: { machine: stampsWithoutNodeId } },
  },
  'write-back-restamps': {
    description: "a get's write-back writes the value it read as a new put, with a fresh timestamp, so one put's value carries two versions and may come back over a newer put",
    breaks: 'one-version-per-put',
    roles: { storage: { machine: writeBackRestamps } },
  },
  'counts-virtual-nodes-twice': {
    description: 'the preference list is the first N tokens, so two virtual nodes of one physical node count as two replicas',
    breaks: 'preference-list',
    roles: { storage: { machine: countsVirtualNodesTwice } },
  },
  'never-hands-over-hints': {
    description: 'a stand-in keeps its hints for ever and never hands them over, so the replicas of a key never converge',
    breaks: 'convergence',
    roles: { storage: { machine: neverHandsOverHints } },
  },
};
