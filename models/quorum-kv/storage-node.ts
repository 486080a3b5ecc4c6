/**
 * The storage node: a replica of the keys it owns on the ring, a stand-in (hint keeper) for
 * keys it does not own, and the coordinator of the client operations sent to it.
 *
 * As a replica it answers Read with what it stores and merges every Write into its store,
 * which is on disk (persisted) before it answers. As a stand-in it keeps what a sloppy quorum
 * sent it for an unreachable owner as a hint (persisted too, unless a mutant keeps hints only in
 * memory) and, on a `HandOver` event, offers the hint to the owner, dropping it once the owner
 * has stored it. It offers each hint once (and again when the hint has grown, or after a restart:
 * what it offered is in memory), so a fair stand-in hands every hint over while the number of
 * messages stays bounded; a Handoff that is lost leaves its hint until the next restart.
 *
 * As a coordinator (its operations are volatile: a crash forgets them, and the client times
 * out), for each operation it:
 * - sends Read (phase q) or Write (phase w) to the key's preference list;
 * - under a sloppy quorum, on an `OwnerTimeout` for the operation, also asks the next stand-in on the
 *   ring for one owner that has not answered (so the quorum may be met without that owner);
 * - a put under lww with a synchronous write-back (ABD) first reads a quorum and stamps its
 *   version past the newest timestamp it read; otherwise it stamps it with its own clock;
 * - a get, once R owners answered, takes the newest versions they hold; with `readRepair=sync`
 *   it writes them back (phase r) to a write quorum before answering, unless W answers already
 *   held them (ABD's second phase); with `async` it answers at once and sends the newest
 *   versions to the answers that were stale;
 * - answers the client once W owners acknowledged the write (or the write-back).
 * It remembers (on disk) every operation it has started, before it stamps or sends anything, so
 * a duplicated request is never run twice: not after the client was told it is done, and not
 * after a crash made it forget the operation half-way (a second run would stamp the put again,
 * newer than puts that came between, and the value would take effect twice; the client times
 * out instead, and the outcome of its put stays unknown).
 */
import { enqueueActions, setup } from 'xstate';
import { type Effect, observe, send } from '../../src/index.js';
import { rid, type Get, type Handoff, type HandoffAck, type Put, type Read, type ReadAck, type Received, type Write, type WriteAck } from './messages.js';
import { buildRing, preferenceList, standIns, type Ring } from './ring.js';
import { holds, merge, newestStamp, sameSiblings, sortedClock, type Clock, type Sibling, type Version } from './versions.js';

export type Versioning = 'lww' | 'vector';
export type ReadRepair = 'none' | 'async' | 'sync';

/** A replica a coordinator asked: an owner (`for` null) or a stand-in for owner `for`. */
export interface Target {
  readonly node: string;
  readonly for: string | null;
}

/** What one owner (directly, or through its stand-in) answered to a query. */
export interface Answer {
  readonly owner: string;
  readonly siblings: readonly Sibling[];
}

/** One client operation this node coordinates. */
export interface Op {
  /** `<client>.<op>`: the operation's name, and the prefix of its request ids. */
  readonly id: string;
  readonly client: string;
  readonly op: number;
  readonly f: 'put' | 'get';
  readonly key: string;
  readonly value: string | null;
  readonly context: Clock | null;
  readonly phase: 'q' | 'w' | 'r';
  readonly targets: readonly Target[];
  /** Phase q: one answer per owner covered. */
  readonly answers: readonly Answer[];
  /** Phases w and r: the owners covered by an acknowledgement, sorted. */
  readonly acked: readonly string[];
  /** A put: its one new version; a get: the newest versions it read. */
  readonly result: readonly Sibling[];
}

/** Versions of `key` a stand-in keeps for `owner`. */
export interface Hint {
  readonly owner: string;
  readonly key: string;
  readonly siblings: readonly Sibling[];
}

export interface StorageInput {
  readonly id: string;
  readonly nodes: readonly string[];
  readonly vnodes: number;
  readonly replicas: number;
  readonly R: number;
  readonly W: number;
  readonly sloppy: boolean;
  readonly versioning: Versioning;
  readonly readRepair: ReadRepair;
  /** The clock's starting value: s1's clock runs `skew` ticks behind the others'. */
  readonly clock: number;
}

export interface StorageContext extends StorageInput {
  /** A put queries a read quorum and stamps past the newest timestamp it saw (ABD's write). */
  readonly liftsClock: boolean;
  /** Timestamps carry the coordinator's id, so two coordinators never stamp the same version. */
  readonly idInStamps: boolean;
  /** A get's write-back writes what it read with the versions it read (never a new stamp). */
  readonly writeBackKeepsVersions: boolean;
  /** Key → the versions stored (persisted). */
  readonly store: Readonly<Record<string, readonly Sibling[]>>;
  /** Hints kept for unreachable owners (persisted), sorted by owner and key. */
  readonly hints: readonly Hint[];
  /** The last timestamp this node stamped (persisted). */
  readonly clock: number;
  /** Operations this node has started coordinating (persisted), sorted: a duplicate is not run again. */
  readonly done: readonly string[];
  /** Operations in progress (volatile). */
  readonly ops: readonly Op[];
  /** Hints offered to their owners and not yet acknowledged, as `owner/key`, sorted (volatile). */
  readonly offered: readonly string[];
}

type StorageEvent =
  | Received<Put>
  | Received<Get>
  | Received<Read>
  | Received<ReadAck>
  | Received<Write>
  | Received<WriteAck>
  | Received<Handoff>
  | Received<HandoffAck>
  | { type: 'OwnerTimeout'; op: string }
  | { type: 'HandOver'; owner: string; key: string }
  | { type: 'RECOVER' };

// ---- The ring, memoised per cluster --------------------------------------------------------

const rings = new Map<string, Ring>();
/** The ring of a cluster (built once: the nodes and their tokens never change in a run). */
export function ringOf(nodes: readonly string[], vnodes: number): Ring {
  const key = `${vnodes}|${nodes.join(',')}`;
  let ring = rings.get(key);
  if (ring === undefined) rings.set(key, (ring = buildRing(nodes, vnodes)));
  return ring;
}

/** The key's owners, as every node computes them. */
export function ownersOf(ctx: Pick<StorageInput, 'nodes' | 'vnodes' | 'replicas'>, key: string): string[] {
  return preferenceList(ringOf(ctx.nodes, ctx.vnodes), key, ctx.replicas);
}

/** The key's stand-ins, in the order a sloppy quorum asks them. */
export function standInsOf(ctx: Pick<StorageInput, 'nodes' | 'vnodes' | 'replicas'>, key: string): string[] {
  return standIns(ringOf(ctx.nodes, ctx.vnodes), key, ctx.replicas);
}

// ---- Pure helpers: each step of the node is computed on an accumulator, then applied ---------

/** A step in progress: the context so far and the effects emitted so far, in order. */
interface Acc {
  ctx: StorageContext;
  readonly out: Effect[];
}

/** Applies an accumulated step: one assignment of the whole context, then the effects. */
/** What a node's enqueueActions hands over that `apply` uses: assign the context, emit effects. */
export interface Enqueue {
  assign: (c: StorageContext) => void;
  emit: (e: Effect) => void;
}

function apply(acc: Acc, enqueue: Enqueue): void {
  enqueue.assign(acc.ctx);
  for (const e of acc.out) enqueue.emit(e);
}

const opOf = (ctx: StorageContext, id: string): Op | undefined => ctx.ops.find((o) => o.id === id);
const opIdOfRid = (r: string): string => r.slice(0, r.lastIndexOf('.'));
const phaseOfRid = (r: string): string => r.slice(r.lastIndexOf('.') + 1);
const sortedInsert = (list: readonly string[], item: string): string[] => (list.includes(item) ? [...list] : [...list, item].sort());
const hintName = (owner: string, key: string): string => `${owner}/${key}`;
const byOwnerAndKey = (x: Hint, y: Hint): number => (x.owner + x.key < y.owner + y.key ? -1 : x.owner + x.key > y.owner + y.key ? 1 : 0);

function putOp(acc: Acc, op: Op): void {
  const ops = acc.ctx.ops.some((o) => o.id === op.id) ? acc.ctx.ops.map((o) => (o.id === op.id ? op : o)) : [...acc.ctx.ops, op];
  acc.ctx = { ...acc.ctx, ops };
}

/** The request of `op`'s current phase, for one target. */
function requestTo(op: Op, t: Target): Read | Write {
  return op.phase === 'q'
    ? { type: 'Read', rid: rid(op.client, op.op, 'q'), key: op.key, for: t.for }
    : { type: 'Write', rid: rid(op.client, op.op, op.phase), key: op.key, for: t.for, siblings: op.result, repair: op.phase === 'r' };
}

/** Merges versions of `key` into this node's store (on disk), observing a repair or a resolution. */
function storeLocally(acc: Acc, key: string, siblings: readonly Sibling[], repair: boolean): void {
  const before = acc.ctx.store[key] ?? [];
  const after = merge(before, siblings);
  if (sameSiblings(before, after)) return;
  acc.ctx = { ...acc.ctx, store: { ...acc.ctx.store, [key]: after } };
  if (repair) acc.out.push(observe({ type: 'Repaired', node: acc.ctx.id, key }));
  if (before.length >= 2 && after.length === 1) acc.out.push(observe({ type: 'Resolved', node: acc.ctx.id, key }));
}

/**
 * Sends `op`'s current phase to one target. The coordinator's own replica takes part at once,
 * without a message (Dynamo's coordinator is the first replica and writes locally).
 */
function askTarget(acc: Acc, op: Op, t: Target): Op {
  if (t.node !== acc.ctx.id || t.for !== null) {
    acc.out.push(send(t.node, requestTo(op, t)));
    return op;
  }
  if (op.phase === 'q') return recordAnswer(op, acc.ctx.id, acc.ctx.store[op.key] ?? []);
  storeLocally(acc, op.key, op.result, op.phase === 'r');
  return { ...op, acked: sortedInsert(op.acked, acc.ctx.id) };
}

/** Starts `op`'s current phase: every target is asked. */
function runPhase(acc: Acc, op: Op): void {
  let next = op;
  for (const t of op.targets) next = askTarget(acc, next, t);
  putOp(acc, next);
}

function recordAnswer(op: Op, owner: string, siblings: readonly Sibling[]): Op {
  if (op.answers.some((a) => a.owner === owner)) return op;
  return { ...op, answers: [...op.answers, { owner, siblings }].sort((x, y) => (x.owner < y.owner ? -1 : 1)) };
}

/** The owners of `op`'s current phase that no answer or acknowledgement covers yet. */
function uncovered(op: Op): string[] {
  const covered = op.phase === 'q' ? op.answers.map((a) => a.owner) : op.acked;
  return op.targets.filter((t) => t.for === null && !covered.includes(t.node)).map((t) => t.node);
}

/** The new version of a put, and the clock after stamping it. */
function stamp(ctx: StorageContext, op: Op): { version: Version; clock: number } {
  if (ctx.versioning === 'vector') {
    const context = op.context ?? {};
    const clock = Math.max(ctx.clock, context[ctx.id] ?? 0) + 1;
    return { version: { vc: sortedClock({ ...context, [ctx.id]: clock }) }, clock };
  }
  // ABD: past every timestamp a read quorum holds. Otherwise the coordinator's own clock.
  const seen = ctx.liftsClock ? newestStamp(op.answers.flatMap((a) => a.siblings)) : 0;
  const clock = Math.max(ctx.clock, seen) + 1;
  return { version: { ts: clock, by: ctx.idInStamps ? ctx.id : '' }, clock };
}

/** The versions a get read, stamped anew as a put would be (lww only: what a write-back must not do). */
function restamped(acc: Acc, op: Op, result: readonly Sibling[]): Sibling[] {
  if (acc.ctx.versioning !== 'lww') return [...result];
  const s = stamp(acc.ctx, op);
  acc.ctx = { ...acc.ctx, clock: s.clock };
  return result.map((r) => ({ value: r.value, version: s.version }));
}

/** A put moves to its write phase with its new version. */
function writePut(acc: Acc, op: Op): void {
  const s = stamp(acc.ctx, op);
  acc.ctx = { ...acc.ctx, clock: s.clock };
  runPhase(acc, { ...op, phase: 'w', answers: [], result: [{ value: op.value!, version: s.version }] });
}

/** Operation `op` is answered: reply to its client, forget it (it stays among those started). */
function complete(acc: Acc, op: Op): void {
  const reply = op.f === 'put' ? { type: 'PutOk', op: op.op, key: op.key, version: op.result[0]!.version } : { type: 'GetOk', op: op.op, key: op.key, siblings: op.result };
  acc.out.push(send(op.client, reply));
  acc.ctx = { ...acc.ctx, ops: acc.ctx.ops.filter((o) => o.id !== op.id), done: sortedInsert(acc.ctx.done, op.id) };
}

/** Starts coordinating a client's request with `replicas` (the key's preference list). */
export function startOpWith(ctx: StorageContext, request: Received<Put> | Received<Get>, replicas: readonly string[], enqueue: Enqueue): void {
  // On disk before anything is stamped or sent: a duplicate of this request, even after a crash, is not run again.
  const acc: Acc = { ctx: { ...ctx, done: sortedInsert(ctx.done, `${request.from}.${request.op}`) }, out: [] };
  const op: Op = {
    id: `${request.from}.${request.op}`,
    client: request.from,
    op: request.op,
    f: request.type === 'Get' ? 'get' : 'put',
    key: request.key,
    value: request.type === 'Put' ? request.value : null,
    context: request.type === 'Put' ? request.context : null,
    phase: 'q',
    targets: replicas.map((node) => ({ node, for: null })),
    answers: [],
    acked: [],
    result: [],
  };
  // Only ABD's put (lww, lifting the clock) queries before it writes.
  if (op.f === 'put' && !(ctx.liftsClock && ctx.versioning === 'lww')) writePut(acc, op);
  else runPhase(acc, op);
  apply(acc, enqueue);
}

/** The first operation whose current phase has its quorum, if any. */
const readyRead = (ctx: StorageContext): Op | undefined => ctx.ops.find((o) => o.phase === 'q' && o.answers.length >= ctx.R);
const readyWrite = (ctx: StorageContext): Op | undefined => ctx.ops.find((o) => o.phase !== 'q' && o.acked.length >= ctx.W);

// ---- The machine ----------------------------------------------------------------------------

export const storageSetup = setup({
  types: {
    context: {} as StorageContext,
    input: {} as StorageInput,
    events: {} as StorageEvent,
    emitted: {} as Effect,
  },
  guards: {
    /** A request this node neither runs nor has acknowledged (a duplicate is ignored). */
    newRequest: ({ context, event }) => {
      const id = `${(event as Received<Put>).from}.${(event as Received<Put>).op}`;
      return !context.done.includes(id) && opOf(context, id) === undefined;
    },
    /** An answer to the query phase of an operation in progress, from an owner not yet counted. */
    awaitedRead: ({ context, event }) => {
      const e = event as Received<ReadAck>;
      const op = opOf(context, opIdOfRid(e.rid));
      const owner = e.for ?? e.from;
      return op !== undefined && op.phase === 'q' && phaseOfRid(e.rid) === 'q' && !op.answers.some((a) => a.owner === owner);
    },
    /** An acknowledgement of the current write phase, from an owner not yet counted. */
    awaitedAck: ({ context, event }) => {
      const e = event as Received<WriteAck>;
      const op = opOf(context, opIdOfRid(e.rid));
      return op !== undefined && op.phase !== 'q' && phaseOfRid(e.rid) === op.phase && !op.acked.includes(e.for ?? e.from);
    },
    readQuorumReached: ({ context }) => readyRead(context) !== undefined,
    writeQuorumReached: ({ context }) => readyWrite(context) !== undefined,
    /** Sloppy quorum only: an owner of the current phase is silent and a stand-in is left to ask. */
    mayAddStandIn: ({ context, event }) => {
      const op = opOf(context, (event as { op: string }).op);
      if (!context.sloppy || op === undefined) return false;
      const covering = op.targets.filter((t) => t.for !== null).map((t) => t.for);
      const asked = op.targets.map((t) => t.node);
      return uncovered(op).some((o) => !covering.includes(o)) && standInsOf(context, op.key).some((s) => !asked.includes(s));
    },
    /** A hint this stand-in keeps and has not offered since it last changed. */
    mayOffer: ({ context, event }) => {
      const { owner, key } = event as { owner: string; key: string };
      return context.hints.some((h) => h.owner === owner && h.key === key) && !context.offered.includes(hintName(owner, key));
    },
    holdsHint: ({ context, event }) => context.hints.some((h) => h.owner === (event as Received<HandoffAck>).from && h.key === (event as Received<HandoffAck>).key),
  },
  actions: {
    startOp: enqueueActions(({ context, event, enqueue }) => {
      const request = event as Received<Put> | Received<Get>;
      startOpWith(context, request, ownersOf(context, request.key), enqueue);
    }),
    answerRead: enqueueActions(({ context, event, enqueue }) => {
      const e = event as Received<Read>;
      const siblings = e.for === null ? (context.store[e.key] ?? []) : (context.hints.find((h) => h.owner === e.for && h.key === e.key)?.siblings ?? []);
      enqueue.emit(send(e.from, { type: 'ReadAck', rid: e.rid, key: e.key, for: e.for, siblings }));
    }),
    /** Merges a write into the store (or a hint), on disk, then acknowledges it. */
    storeWrite: enqueueActions(({ context, event, enqueue }) => {
      const e = event as Received<Write>;
      const acc: Acc = { ctx: context, out: [] };
      if (e.for === null) storeLocally(acc, e.key, e.siblings, e.repair);
      else {
        const old = context.hints.find((h) => h.owner === e.for && h.key === e.key);
        const hint: Hint = { owner: e.for, key: e.key, siblings: merge(old?.siblings ?? [], e.siblings) };
        acc.ctx = { ...context, hints: [...context.hints.filter((h) => h !== old), hint].sort(byOwnerAndKey) };
        // A hint that grew is offered again, with what it holds now.
        if (old === undefined || !sameSiblings(old.siblings, hint.siblings)) acc.ctx = { ...acc.ctx, offered: acc.ctx.offered.filter((o) => o !== hintName(e.for!, e.key)) };
      }
      acc.out.push(send(e.from, { type: 'WriteAck', rid: e.rid, key: e.key, for: e.for }));
      apply(acc, enqueue);
    }),
    recordRead: enqueueActions(({ context, event, enqueue }) => {
      const e = event as Received<ReadAck>;
      const acc: Acc = { ctx: context, out: [] };
      putOp(acc, recordAnswer(opOf(context, opIdOfRid(e.rid))!, e.for ?? e.from, e.siblings));
      apply(acc, enqueue);
    }),
    recordAck: enqueueActions(({ context, event, enqueue }) => {
      const e = event as Received<WriteAck>;
      const op = opOf(context, opIdOfRid(e.rid))!;
      const acc: Acc = { ctx: context, out: [] };
      putOp(acc, { ...op, acked: sortedInsert(op.acked, e.for ?? e.from) });
      apply(acc, enqueue);
    }),
    /** A query phase has its quorum: a put stamps and writes; a get answers, or writes back first. */
    finishQuery: enqueueActions(({ context, enqueue }) => {
      const op = readyRead(context)!;
      const acc: Acc = { ctx: context, out: [] };
      if (op.f === 'put') writePut(acc, op);
      else {
        const result = merge([], op.answers.flatMap((a) => a.siblings));
        const fresh = op.answers.filter((a) => sameSiblings(a.siblings, result));
        if (context.readRepair === 'sync' && fresh.length < context.W) {
          // ABD: what a get returns must be on a write quorum before anyone is told of it.
          runPhase(acc, { ...op, phase: 'r', result: context.writeBackKeepsVersions ? result : restamped(acc, op, result) });
        } else {
          complete(acc, { ...op, result });
          // Read repair (Dynamo, section 4.6): the stale owners that answered get the newest versions.
          if (context.readRepair === 'async') {
            for (const a of op.answers) {
              if (sameSiblings(a.siblings, result)) continue;
              if (a.owner === context.id) storeLocally(acc, op.key, result, true);
              else acc.out.push(send(a.owner, { type: 'Write', rid: rid(op.client, op.op, 'r'), key: op.key, for: null, siblings: result, repair: true }));
            }
          }
        }
      }
      apply(acc, enqueue);
    }),
    finishWrite: enqueueActions(({ context, enqueue }) => {
      const acc: Acc = { ctx: context, out: [] };
      complete(acc, readyWrite(context)!);
      apply(acc, enqueue);
    }),
    /** Sloppy quorum: ask the next stand-in for the first silent owner without one. */
    addStandIn: enqueueActions(({ context, event, enqueue }) => {
      const op = opOf(context, (event as { op: string }).op)!;
      const covering = op.targets.filter((t) => t.for !== null).map((t) => t.for);
      const owner = uncovered(op).find((o) => !covering.includes(o))!;
      const node = standInsOf(context, op.key).find((s) => !op.targets.some((t) => t.node === s))!;
      const target: Target = { node, for: owner };
      const acc: Acc = { ctx: context, out: [] };
      putOp(acc, askTarget(acc, { ...op, targets: [...op.targets, target] }, target));
      apply(acc, enqueue);
    }),
    offerHint: enqueueActions(({ context, event, enqueue }) => {
      const { owner, key } = event as { owner: string; key: string };
      const hint = context.hints.find((h) => h.owner === owner && h.key === key)!;
      enqueue.assign({ offered: sortedInsert(context.offered, hintName(owner, key)) });
      enqueue.emit(send(owner, { type: 'Handoff', key, siblings: hint.siblings }));
    }),
    storeHandoff: enqueueActions(({ context, event, enqueue }) => {
      const e = event as Received<Handoff>;
      const acc: Acc = { ctx: context, out: [] };
      storeLocally(acc, e.key, e.siblings, false);
      acc.out.push(send(e.from, { type: 'HandoffAck', key: e.key, siblings: e.siblings }));
      apply(acc, enqueue);
    }),
    /** The owner stored the hint: drop what it stored (a hint may have grown since it was offered). */
    dropHint: enqueueActions(({ context, event, enqueue }) => {
      const e = event as Received<HandoffAck>;
      const hint = context.hints.find((h) => h.owner === e.from && h.key === e.key)!;
      const left = hint.siblings.filter((s) => !holds(e.siblings, s.version));
      const rest = context.hints.filter((h) => h !== hint);
      // What is left (versions that reached the hint after it was offered) is offered again.
      const offered = context.offered.filter((o) => o !== hintName(e.from, e.key));
      enqueue.assign({ hints: left.length === 0 ? rest : [...rest, { ...hint, siblings: left }].sort(byOwnerAndKey), offered });
      if (left.length === 0) enqueue.emit(observe({ type: 'HandedOver', node: context.id, owner: e.from, key: e.key }));
    }),
  },
});

export function initialStorageContext(input: StorageInput): StorageContext {
  return {
    ...input,
    liftsClock: input.versioning === 'lww' && input.readRepair === 'sync',
    idInStamps: true,
    writeBackKeepsVersions: true,
    store: {},
    hints: [],
    done: [],
    ops: [],
    offered: [],
  };
}

export const storageNode = storageSetup.createMachine({
  id: 'storage',
  initial: 'serving',
  context: ({ input }) => initialStorageContext(input),
  states: {
    serving: {
      on: {
        Put: { guard: 'newRequest', actions: 'startOp' },
        Get: { guard: 'newRequest', actions: 'startOp' },
        Read: { actions: 'answerRead' },
        ReadAck: { guard: 'awaitedRead', actions: 'recordRead' },
        Write: { actions: 'storeWrite' },
        WriteAck: { guard: 'awaitedAck', actions: 'recordAck' },
        OwnerTimeout: { guard: 'mayAddStandIn', actions: 'addStandIn' },
        HandOver: { guard: 'mayOffer', actions: 'offerHint' },
        Handoff: { actions: 'storeHandoff' },
        HandoffAck: { guard: 'holdsHint', actions: 'dropHint' },
      },
      // A quorum reached moves its operation on at once (several may complete in one step).
      always: [
        { guard: 'readQuorumReached', actions: 'finishQuery' },
        { guard: 'writeQuorumReached', actions: 'finishWrite' },
      ],
    },
  },
});
