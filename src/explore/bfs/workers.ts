/**
 * The parallel backend. N searchers: this thread and N − 1 worker threads. Each keeps the
 * worlds it found and expands its own share of a level (share.ts); the workers send back
 * only fingerprints and parent numbers. This thread also keeps the visited set: it walks the
 * parts of all searchers in state-number order (level.ts), exactly as one thread would, and
 * tells each which of its successors became states; a searcher's next share is those. When the
 * shares drift apart, the heavier searcher hands the tail of its share to the lighter one
 * directly (the only time a world crosses threads: as its tuple, tuple-wire.ts).
 *
 * This thread being a searcher spares a thread: on two cores, two searchers and the garbage
 * collector's and compiler's background threads already fill the machine.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { UsageError } from '../../engine/errors.js';
import type { Instance } from '../../engine/instance.js';
import type { Suite } from '../../properties/suite.js';
import { heapUsed, type Backend } from './backend.js';
import type { Expander } from './expand.js';
import type { LevelPart } from './level.js';
import type { ExploreOptions } from './options.js';
import { Share, type HandOver, type LevelOrder, type PartReply } from './share.js';
import { batchTransferables } from './tuple-wire.js';
import type { FromWorker, WorkerSetup } from './worker.js';

/** Shares are evened out when one is this much (of the even share) over or under, and by at least this many states. */
const IMBALANCE = 0.05;
const MIN_MOVE = 32;

export interface WorkerPool extends Backend {
  /** True once every worker thread has loaded the suite. */
  readonly ready: boolean;
  /** True when the last `searchLevel` stopped because `interrupted()` said so (Ctrl-C); the level is dropped whole. */
  readonly interrupted: boolean;
  whenReady(): Promise<void>;
  /** Takes over a search at a level boundary: the level's states (numbers increasing, tuples in this thread's ids) and the witnesses reached so far. */
  adopt(ids: Uint32Array, tuples: Int32Array, reached: readonly string[]): void;
}

/** How often this thread looks at `interrupted()` while it waits for the workers' parts of a level. */
const INTERRUPT_POLL_MS = 50;

/**
 * Resolves with `work`'s value, or with null as soon as `interrupted()` says so (polled while
 * waiting: the signal handler that sets it runs between polls, as this thread is idle).
 */
function unlessInterrupted<T>(work: Promise<T>, interrupted: (() => boolean) | null): Promise<T | null> {
  if (interrupted === null) return work;
  return new Promise<T | null>((resolve, reject) => {
    const poll = setInterval(() => {
      if (!interrupted()) return;
      clearInterval(poll);
      resolve(null);
    }, INTERRUPT_POLL_MS);
    work.then(
      (value) => {
        clearInterval(poll);
        resolve(value);
      },
      (error: unknown) => {
        clearInterval(poll);
        reject(error);
      },
    );
  });
}

/**
 * `count` searchers: this thread (with `expander`, warm from the levels it searched alone) and
 * `count − 1` worker threads. `interrupted` (Ctrl-C) is looked at before each level and while this
 * thread waits for the workers; a level it stops is dropped whole, and the workers are ended.
 */
export function workerBackend(instance: Instance, suite: Suite, options: ExploreOptions, count: number, expander: Expander, interrupted: (() => boolean) | null = null): WorkerPool {
  if (options.suiteModule === undefined) {
    throw new UsageError('--workers: worker threads load the suite from its module; give ExploreOptions.suiteModule (the CLI does)');
  }
  // One channel per pair of searchers, for handing over worlds.
  const peers: (MessagePort | null)[][] = Array.from({ length: count }, () => Array.from({ length: count }, () => null));
  for (let a = 0; a < count; a++) {
    for (let b = a + 1; b < count; b++) {
      const { port1, port2 } = new MessageChannel();
      peers[a]![b] = port1;
      peers[b]![a] = port2;
    }
  }
  const local = new Share(expander, peers[0]!, 0);
  let failure: unknown = null;
  let readyCount = 0;
  let onReady: (() => void) | null = null;
  let onFailure: ((e: unknown) => void) | null = null;
  const waiting: { resolve: (m: PartReply) => void; reject: (e: unknown) => void }[][] = Array.from({ length: count }, () => []);
  const threads = Array.from({ length: count - 1 }, (_, k) => {
    const index = k + 1;
    const setup: WorkerSetup = {
      suiteModule: options.suiteModule!,
      model: suite.model.name,
      instance: { config: instance.params, preset: null, mutant: instance.mutant, faults: instance.faults },
      symmetry: options.symmetry ?? false,
      maxInFlight: options.maxInFlight,
      deadlock: options.deadlock !== false,
      properties: options.properties,
      peers: peers[index]!,
      index,
    };
    const ports = peers[index]!.filter((p): p is MessagePort => p !== null);
    const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: setup, transferList: ports });
    worker.on('message', (message: FromWorker) => {
      if (message.kind === 'part') return waiting[index]!.shift()?.resolve(message);
      if (++readyCount === count - 1) onReady?.();
    });
    worker.on('error', (error) => {
      failure = error;
      for (const queue of waiting) for (const w of queue.splice(0)) w.reject(error);
      onFailure?.(error);
    });
    return worker;
  });
  const reply = (index: number) =>
    new Promise<PartReply>((resolve, reject) => {
      if (failure !== null) reject(failure);
      else waiting[index]!.push({ resolve, reject });
    });

  // What each searcher is told with the next level: its accepted successors, in state-number order.
  let accepted: { indexes: number[]; ids: number[] }[] = Array.from({ length: count }, () => ({ indexes: [], ids: [] }));
  // Witnesses reached in the level just walked: searchers stop evaluating them.
  let reached: string[] = [];
  let adopted: (HandOver | null)[] = accepted.map(() => null);
  let stopped = false;

  return {
    get ready() {
      return readyCount === count - 1;
    },
    get interrupted() {
      return stopped;
    },
    whenReady() {
      if (failure !== null) return Promise.reject(failure);
      if (readyCount === count - 1) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        onReady = resolve;
        onFailure = reject;
      });
    },
    adopt(ids, tuples, reachedSoFar) {
      // Contiguous, even shares: searcher s takes the s-th slice of the level; this thread keeps its tuples as they are.
      const start = (s: number) => Math.floor((ids.length * s) / count);
      local.adoptTuples(ids.subarray(0, start(1)), tuples);
      adopted = accepted.map((_, s) => (s === 0 ? null : local.handOver(s, ids, tuples, start(s), start(s + 1) - start(s))));
      accepted = accepted.map(() => ({ indexes: [], ids: [] }));
      reached = reachedSoFar.slice();
    },
    async searchLevel(level, progress) {
      if (interrupted !== null) {
        // Let a signal handler run before a level starts (this thread may have been busy since).
        await new Promise((resolve) => setImmediate(resolve));
        if (interrupted()) {
          stopped = true;
          return 0;
        }
      }
      const moves = evenOut(accepted.map((a) => a.ids.length));
      const orders = accepted.map((a, s): LevelOrder => ({
        accept: Uint32Array.from(a.indexes),
        ids: Uint32Array.from(a.ids),
        give: moves.filter((m) => m.from === s).map((m) => ({ to: m.to, count: m.count })),
        receive: moves.filter((m) => m.to === s).length,
        expand: level.expanding,
        reached,
        adopt: adopted[s]!,
      }));
      adopted = accepted.map(() => null);
      // The worker threads start first; this thread searches its share meanwhile.
      const replies = threads.map((worker, k) => {
        const answer = reply(k + 1);
        const order = orders[k + 1]!;
        worker.postMessage(order, [order.accept.buffer, order.ids.buffer, ...(order.adopt ? [order.adopt.ids.buffer, ...batchTransferables(order.adopt.batch)] : [])]);
        return answer;
      });
      for (const r of replies) r.catch(() => {}); // awaited below; a failure must not go unhandled meanwhile
      const own = await local.run(orders[0]!);
      // This thread's share is done: while the workers finish theirs, Ctrl-C ends the level at once.
      const theirs = await unlessInterrupted(Promise.all(replies), interrupted);
      if (theirs === null) {
        stopped = true;
        return 0;
      }
      const parts: LevelPart[] = [own, ...theirs];
      // The memory bound is for the whole search: every worker's heap counts, added to this one's.
      const heaps = theirs.reduce((n, part) => n + part.heap, 0);
      level.heapSeen(heaps + heapUsed());
      accepted = level.resolve(parts);
      reached = level.reached.slice();
      const size = accepted.reduce((n, a) => n + a.ids.length, 0);
      progress(size);
      return size;
    },
    async close() {
      await Promise.all(threads.map((w) => w.terminate()));
      for (const port of peers[0]!) port?.close();
      // A worker that failed to start, while this thread finished the search alone, still says why.
      if (failure !== null) throw failure;
    },
  };
}

interface Move {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

/** Hand-overs that even out the shares, when they drifted far enough apart to be worth it. */
export function evenOut(sizes: readonly number[]): Move[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  const even = sizes.map((_, w) => Math.floor(total / sizes.length) + (w < total % sizes.length ? 1 : 0));
  const slack = Math.max(MIN_MOVE, Math.ceil((total / sizes.length) * IMBALANCE));
  if (sizes.every((s, w) => Math.abs(s - even[w]!) <= slack)) return [];
  const excess = sizes.map((s, w) => s - even[w]!);
  const moves: Move[] = [];
  for (let from = 0; from < sizes.length; from++) {
    for (let to = 0; to < sizes.length && excess[from]! > 0; to++) {
      if (excess[to]! >= 0) continue;
      const count = Math.min(excess[from]!, -excess[to]!);
      moves.push({ from, to, count });
      excess[from]! -= count;
      excess[to]! += count;
    }
  }
  return moves;
}
