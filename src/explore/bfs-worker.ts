/**
 * The body of a search worker: it loads the suite, resolves the same instance as the main
 * thread, and keeps its share of each level as worlds (the first share comes from the main
 * thread, as encoded worlds). For each level it is told which of its
 * last successors became states (its new share), hands over or takes in worlds to even out the
 * shares (bfs-wire.ts encodes them), expands its share (bfs-expand.ts) and sends back what the
 * main thread needs to walk the level: fingerprints, parent indexes, transition counts,
 * violations, witnesses. It remembers every fingerprint it has sent, all visited or about to
 * be, so it sends each successor at most once.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { resolveInstance, type InstanceOptions } from '../instance.js';
import type { Suite } from '../suite.js';
import type { World } from '../world.js';
import { heapUsed } from './bfs-backend.js';
import { Expander, type ExpandedPart, type PartResult } from './bfs-expand.js';
import { VisitedSet } from './bfs-visited.js';
import { encodeWorld, WorldDecoder } from './bfs-wire.js';
import { Symmetry } from './symmetry.js';

export interface WorkerSetup {
  readonly suiteModule: string;
  readonly model: string;
  readonly instance: InstanceOptions;
  readonly symmetry: boolean;
  readonly index: number;
  /** A port to each other worker (null at this worker's own index). */
  readonly peers: readonly (MessagePort | null)[];
}

/** The main thread's order for one level. */
export interface LevelOrder {
  readonly kind: 'level';
  /** Indexes (in the last part) of the successors that became states, and their numbers. */
  readonly accept: Uint32Array<ArrayBuffer>;
  readonly ids: Uint32Array<ArrayBuffer>;
  /** Hand the last `count` states of the new share to worker `to`. */
  readonly give: readonly { readonly to: number; readonly count: number }[];
  /** How many hand-overs to wait for before expanding. */
  readonly receive: number;
  readonly expand: boolean;
  /** Witnesses reached in the last level (or so far, with `adopt`). */
  readonly reached: readonly string[];
  /** A new share, from the main thread, which searched the first levels while the workers started. */
  readonly adopt: HandOver | null;
}

export type FromWorker = { readonly kind: 'ready' } | PartReply;

export interface PartReply {
  readonly kind: 'part';
  /** Numbers of the states of this worker's share, increasing. */
  readonly ids: Uint32Array<ArrayBuffer>;
  readonly result: PartResult;
  readonly heap: number;
}

export interface HandOver {
  readonly ids: Uint32Array<ArrayBuffer>;
  readonly worlds: readonly string[];
}

/** Bound on remembered fingerprints; forgetting only means sending some successors again. */
const SENT_LIMIT = 8_000_000;

async function loadSuite(setup: WorkerSetup): Promise<Suite> {
  const module = (await import(setup.suiteModule)) as { suites?: unknown; default?: unknown };
  const found = module.suites ?? module.default;
  const suites = (Array.isArray(found) ? found : [found]) as Suite[];
  const suite = suites.find((s) => s?.model?.name === setup.model);
  if (suite === undefined) throw new Error(`search worker: ${setup.suiteModule} has no suite for model ${setup.model}`);
  return suite;
}

const setup = workerData as WorkerSetup;
const suite = await loadSuite(setup);
const instance = resolveInstance(suite.model, setup.instance);
const expander = new Expander(instance, suite.properties, setup.symmetry ? new Symmetry(instance) : null);
const decoder = new WorldDecoder();
let sent = new VisitedSet();
// Adds, and tells whether it was there: the first of equal successors is sent, the rest are not.
const known = (hi: number, lo: number) => {
  if (sent.size > SENT_LIMIT) sent = new VisitedSet();
  return sent.add(hi, lo, -1) < 0;
};

// The first share comes with the first order (`adopt`).
let share: { ids: number[]; worlds: World[] } = { ids: [], worlds: [] };
let last: ExpandedPart | null = null;

// Hand-overs from other workers may come before this worker's own order: keep them until wanted.
const handOvers: HandOver[] = [];
let handOverArrived: (() => void) | null = null;
for (const port of setup.peers) {
  port?.on('message', (h: HandOver) => {
    handOvers.push(h);
    handOverArrived?.();
  });
}

async function takeHandOvers(count: number): Promise<HandOver[]> {
  while (handOvers.length < count) await new Promise<void>((resolve) => (handOverArrived = resolve));
  handOverArrived = null;
  return handOvers.splice(0, count);
}

async function runLevel(order: LevelOrder): Promise<void> {
  expander.markReached(order.reached);
  if (order.adopt !== null) {
    share = { ids: Array.from(order.adopt.ids), worlds: order.adopt.worlds.map((w) => decoder.decode(w)) };
    last = null;
  } else if (last !== null) {
    const worlds: World[] = new Array(order.accept.length);
    for (let k = 0; k < order.accept.length; k++) worlds[k] = last.worlds[order.accept[k]!]!;
    share = { ids: Array.from(order.ids), worlds };
    last = null;
  }
  for (const { to, count } of order.give) {
    const from = share.ids.length - count;
    const handOver: HandOver = { ids: Uint32Array.from(share.ids.slice(from)), worlds: share.worlds.slice(from).map(encodeWorld) };
    share.ids.length = from;
    share.worlds.length = from;
    setup.peers[to]!.postMessage(handOver, [handOver.ids.buffer]);
  }
  for (const h of await takeHandOvers(order.receive)) share = merge(share, h);
  last = expander.expandPart(share.worlds, order.expand, known);
  const { worlds: _kept, ...result } = last;
  const ids = Uint32Array.from(share.ids);
  const reply: PartReply = { kind: 'part', ids, result, heap: heapUsed() };
  parentPort!.postMessage(reply, [ids.buffer, result.generated.buffer, result.parents.buffer, result.hi.buffer, result.lo.buffer]);
}

/** The share with the handed-over states added, in state-number order. */
function merge(into: { ids: number[]; worlds: World[] }, h: HandOver): { ids: number[]; worlds: World[] } {
  const ids: number[] = [];
  const worlds: World[] = [];
  let a = 0;
  let b = 0;
  while (a < into.ids.length || b < h.ids.length) {
    if (b >= h.ids.length || (a < into.ids.length && into.ids[a]! < h.ids[b]!)) {
      ids.push(into.ids[a]!);
      worlds.push(into.worlds[a++]!);
    } else {
      ids.push(h.ids[b]!);
      worlds.push(decoder.decode(h.worlds[b++]!));
    }
  }
  return { ids, worlds };
}

// Orders run one at a time, in the order sent.
let queue = Promise.resolve();
parentPort!.on('message', (order: LevelOrder) => {
  queue = queue.then(() => runLevel(order));
});
parentPort!.postMessage({ kind: 'ready' } satisfies FromWorker);
