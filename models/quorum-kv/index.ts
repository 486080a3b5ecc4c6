/**
 * A replicated key-value store on a consistent-hashing ring, after DeCandia et al., "Dynamo:
 * Amazon's Highly Available Key-value Store" (SOSP 2007), sections 4.2–4.7, and, for its
 * linearizable configuration, Attiya, Bar-Noy & Dolev, "Sharing Memory Robustly in
 * Message-Passing Systems" (JACM 1995), the ABD register (multi-writer, as in Lynch & Shvartsman
 * 1997: a write first queries a quorum for the newest timestamp).
 *
 * Keys live on a ring of virtual tokens (ring.ts); a key's preference list is the first N
 * distinct physical nodes clockwise from its hash. A client sends each put or get to a
 * coordinator, a node of that list (client i starts at its i-th entry and moves on to the next
 * when it gives up on one). The coordinator (a storage
 * node, storage-node.ts) sends the operation to the key's N owners and answers once R of them
 * answered a read, or W acknowledged a write. With R + W > N every read quorum meets every write
 * quorum. Versions (versions.ts) are last-writer-wins timestamps (`versioning=lww`: the
 * coordinator's clock, a per-node counter with the node id breaking ties) or version vectors
 * (`vector`: concurrent puts become siblings that a get returns together and the client's next
 * put resolves). After a read, `readRepair=none` leaves stale replicas alone, `async` sends them
 * the newest version after answering (Dynamo), `sync` writes it back to a write quorum before
 * answering (ABD's second phase, which makes the register linearizable: a value once returned is
 * on a quorum, so no later read can return an older one). `sloppy=true` is Dynamo's sloppy quorum
 * with hinted handoff: when an owner is silent the coordinator asks the next node on the ring,
 * which keeps what it is sent as a hint and hands it over when the owner answers again.
 *
 * What is modelled, and how:
 * - Storage (the versions a node stores, its hints, its clock, the operations it acknowledged)
 *   is on disk: a crash keeps it. What a node coordinates is in memory: a crash forgets it, and
 *   the waiting client times out.
 * - Time is an event: a client's `Timeout` (give up on a coordinator), a coordinator's
 *   `OwnerTimeout` for an operation (ask a stand-in, sloppy quorums only), a stand-in's `HandOver`
 *   (offer a hint to its owner) are environment events the explorer may pick at any step, so a
 *   coordinator may time out on an owner that is merely slow: failure detection is not assumed.
 * - "Reachable" is what answers: a partition or a crash shows only as silence.
 * - Clocks: node s1's clock starts `skew` ticks behind the others'. Under ABD a put's timestamp
 *   is lifted past every timestamp its query read, so skew is harmless; a coordinator that trusts
 *   its own clock (Dynamo's lww) may stamp a later put older than an earlier one.
 * - Clients issue `ops` operations each, one at a time, on `keys` keys; every put writes a value
 *   of its own (`c1.2`: client c1's second operation), so a value read names its put.
 * - Faults: loss, duplication, reordering (the network is unordered), crashes with restart,
 *   partitions, each bounded per run. A message to a crashed node or across a partition waits for
 *   it (the engine's semantics), so only loss loses one; nothing resends a lost Write (Dynamo's
 *   Merkle-tree anti-entropy is not modelled), which is why convergence excuses runs with a loss.
 * - Fairness (for convergence): delivery, restarts, healing and a stand-in's `HandOver` are weakly
 *   fair; client requests and every timeout are not.
 * - Checked against the papers (properties/quorum-kv/, docs/soundness.md section 7): R + W > N
 *   reads, ABD's linearizability, durability of acknowledged writes, preference lists, hinted
 *   handoff's convergence, and ABD's unique tags (`versions-unique`: two values never share a
 *   version), and that a put takes effect once (`one-version-per-put`). The default check's small
 *   pass searches write-all quorums (W = 3, R = 1: every acknowledgement counts) besides R = W = 2.
 *
 * Abstracted away: membership changes while the store runs (joins and leaves are tested on the
 * ring alone, ring.test.ts), Merkle-tree anti-entropy, the transfer of data when ownership
 * changes, wall-clock time, values other than whole-value puts, deletes.
 *
 * Files: messages.ts (the messages, with their directions), versions.ts (timestamps, version
 * vectors, merge), ring.ts (the ring), storage-node.ts (replica, stand-in and coordinator),
 * client.ts (the client and its history observations), mutants.ts (known bugs), and below the
 * wiring: parameters, presets, the cluster and the environment.
 */
import { defineModel, type NodeSpec, type NodeView, type Params, UsageError } from '../../src/index.js';
import { client, type ClientContext, type ClientInput } from './client.js';
import { mutants } from './mutants.js';
import { storageNode, type ReadRepair, type StorageContext, type StorageInput, type Versioning } from './storage-node.js';

export { ownersOf, standInsOf, ringOf } from './storage-node.js';
export type { StorageContext, Op, Hint, Target } from './storage-node.js';
export type { ClientContext } from './client.js';
export { covers, holds, sameSiblings, type Sibling, type Version } from './versions.js';

/** The key names, in order: `keys=2` uses a and b (their preference lists differ in the default cluster). */
export const KEY_NAMES = ['a', 'b', 'c', 'd'] as const;

export const keysOf = (params: Params): string[] => KEY_NAMES.slice(0, Number(params.keys));
export const storageIds = (params: Params): string[] => Array.from({ length: Number(params.nodes) }, (_, i) => `s${i + 1}`);
export const clientIds = (params: Params): string[] => Array.from({ length: Number(params.clients) }, (_, i) => `c${i + 1}`);

/** True when every read quorum meets every write quorum among a key's owners. */
export const quorumsOverlap = (params: Params): boolean => Number(params.R) + Number(params.W) > Number(params.replicas);

function cluster(params: Params): NodeSpec[] {
  const nodes = storageIds(params);
  const [replicas, R, W] = [Number(params.replicas), Number(params.R), Number(params.W)];
  if (replicas > nodes.length) throw new UsageError(`replicas=${replicas} needs at least that many nodes (nodes=${nodes.length})`);
  if (R > replicas || W > replicas) throw new UsageError(`R=${R} and W=${W} must be at most replicas=${replicas}`);
  const common = { nodes, vnodes: Number(params.vnodes), replicas };
  const storage = nodes.map((id) => ({
    id,
    role: 'storage',
    input: {
      ...common,
      id,
      R,
      W,
      sloppy: Boolean(params.sloppy),
      versioning: params.versioning as Versioning,
      readRepair: params.readRepair as ReadRepair,
      clock: id === 's1' ? 0 : Number(params.skew),
    } satisfies StorageInput,
  }));
  const clients = clientIds(params).map((id, offset) => ({
    id,
    role: 'client',
    input: { ...common, id, sloppy: Boolean(params.sloppy), vector: params.versioning === 'vector', ops: Number(params.ops), offset } satisfies ClientInput,
  }));
  return [...storage, ...clients];
}

/** A coordinator may time out on any operation; a stand-in may offer any hint it has not offered yet. */
function storageEvents(node: NodeView): { type: string; [k: string]: unknown }[] {
  const ctx = node.context as StorageContext;
  const unoffered = ctx.hints.filter((h) => !ctx.offered.includes(`${h.owner}/${h.key}`));
  return [...ctx.ops.map((op) => ({ type: 'OwnerTimeout', op: op.id })), ...unoffered.map((h) => ({ type: 'HandOver', owner: h.owner, key: h.key }))];
}

/** An idle client may put or get any key; a waiting one may time out. */
function clientEvents(node: NodeView, params: Params): { type: string; key?: string }[] {
  const ctx = node.context as ClientContext;
  if (ctx.pending !== null) return params.timeouts ? [{ type: 'Timeout' }] : [];
  return keysOf(params).flatMap((key) => [
    { type: 'Put', key },
    { type: 'Get', key },
  ]);
}

export default defineModel({
  name: 'quorum-kv',
  title: 'Quorum-replicated key-value store on a consistent-hashing ring (Dynamo, DeCandia et al. 2007; ABD, Attiya, Bar-Noy & Dolev 1995)',
  params: {
    nodes: { default: 5, min: 1, max: 9, description: 'storage nodes on the ring' },
    replicas: { default: 3, min: 1, max: 9, description: 'N: owners of each key (its preference list)' },
    R: { default: 2, min: 1, max: 9, description: 'read quorum: owners that must answer a get' },
    W: { default: 2, min: 1, max: 9, description: 'write quorum: owners that must acknowledge a put' },
    vnodes: { default: 2, min: 1, max: 64, description: 'tokens (virtual nodes) per storage node' },
    clients: { default: 2, min: 1, max: 4, description: 'clients' },
    keys: { default: 2, min: 1, max: KEY_NAMES.length, description: 'keys the clients use (a, b, ...)' },
    ops: { default: 2, min: 0, max: 6, description: 'operations per client' },
    versioning: { default: 'lww', choices: ['lww', 'vector'], description: 'lww: timestamps, last writer wins; vector: version vectors with siblings' },
    readRepair: { default: 'sync', choices: ['none', 'async', 'sync'], description: 'after a get: leave stale replicas, repair them after answering, or write back to a quorum before answering (ABD)' },
    sloppy: { default: false, description: 'sloppy quorum with hinted handoff: stand-ins answer for silent owners' },
    timeouts: { default: true, description: 'clients may time out and give up on a coordinator (false: they wait, for exhaustive search)' },
    skew: { default: 1, min: 0, max: 5, description: "how many ticks s1's clock runs behind the other nodes'" },
  },
  presets: {
    abd: {
      description: 'strict quorums, lww with a query before each put, synchronous write-back: the ABD register, linearizable',
      params: { sloppy: false, readRepair: 'sync', versioning: 'lww' },
    },
    dynamo: {
      description: "Dynamo: sloppy quorum with hinted handoff, asynchronous read repair, lww on the coordinator's clock: available, not linearizable",
      params: { sloppy: true, readRepair: 'async', versioning: 'lww' },
    },
  },
  roles: {
    storage: { machine: storageNode, persist: ['store', 'hints', 'clock', 'done'], environment: storageEvents },
    client: { machine: client, persist: ['seq', 'skip', 'seen'], environment: clientEvents },
  },
  nodes: cluster,
  // Convergence needs a stand-in to hand its hints over (a HandOver that stays possible is taken),
  // and, by default, fair delivery, restarts and healing. Client requests and timeouts are not fair:
  // a client may stop at any time, and a slow owner need not be replaced by a stand-in.
  fairness: { events: { storage: ['HandOver'] } },
  faults: { network: 'unordered', loss: 1, duplicate: 1, crash: 1, partition: 1 },
  // With 7 nodes there are 63 two-way partitions, each its own action: keep them occasional.
  // Timeouts are the way to give up on a coordinator or an owner; keep them rarer than progress.
  exploration: {
    weights: { deliver: 40, env: 10, drop: 2, duplicate: 2, crash: 2, restart: 10, partition: 1, heal: 8 },
    eventWeights: { Put: 6, Get: 6, Timeout: 1, OwnerTimeout: 6, HandOver: 3 },
  },
  mutants,
});
