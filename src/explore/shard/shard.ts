/**
 * Splitting a random-exploration budget: `check --shard K/N` runs shard K of N (across CI jobs
 * or machines), `check --workers N` runs N shards at once on worker threads. Shard K gets its
 * share of the runs and its own seed, derived from the base seed and K, so the shards draw
 * different runs; each shard is an ordinary seeded check, so any violation it finds replays
 * and reruns alone (`--seed <its seed> --runs <its runs>`, printed with the result).
 */
import { Worker } from 'node:worker_threads';
import { ModelError, UsageError } from '../../engine/errors.js';
import { formatAction, type Action } from '../../engine/actions.js';
import { checkRandom, checkRandomInterruptible, DEFAULT_SEED, type CheckOptions, type CheckResult } from '../random/random.js';
import type { Suite } from '../../properties/suite.js';
import { mergeSketches } from '../random/sketch.js';
import type { SmallPassOptions, SmallPassResult } from '../default/small-pass.js';

/** A ModelError as a worker sends it. */
interface SentModelError {
  readonly what: string;
  readonly node: string | null;
  readonly step: number;
  readonly action: Action | null;
  readonly actions: readonly Action[];
}

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

/** Parses `K/N` (1 ≤ K ≤ N). */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new UsageError(`--shard takes K/N with 1 ≤ K ≤ N (e.g. 2/4), not '${text}'`);
  return { index, count };
}

/** The seed and the runs of one shard of a budget. One shard of one is the budget itself. */
export function shardPlan(seed: number, runs: number, shard: Shard): { seed: number; runs: number } {
  if (shard.count === 1) return { seed, runs };
  if (runs < shard.count) throw new UsageError(`--runs ${runs} cannot be split into ${shard.count} shards (give at least one run per shard)`);
  const share = Math.floor(runs / shard.count) + (shard.index <= runs % shard.count ? 1 : 0);
  // A fixed odd multiplier spreads the shards' seeds over the 31-bit range.
  const derived = (seed + Math.imul(shard.index, 0x9e3779b1)) & 0x7fffffff;
  return { seed: derived, runs: share };
}

export interface ParallelCheckOptions extends CheckOptions {
  readonly workers: number;
  /** The module worker threads load the suite from (its `suites` export or default export). */
  readonly suiteModule: string;
  /** Shards of a larger split that this process runs (default: the workers are the whole split). */
  readonly shard?: Shard;
  /** Budgets (runs × depth) below this run in this thread (default WORKER_MIN_STEPS). */
  readonly minWorkerSteps?: number;
  /** Aborted on Ctrl-C: every shard stops with its figures so far, and the result is `interrupted`. */
  readonly signal?: AbortSignal;
}

/**
 * Below this many steps of budget (runs × depth), `--workers` runs its shards one after the
 * other in this thread: a worker thread costs about a second of CPU to start (it loads the
 * TypeScript toolchain and the suites), which a short check would never win back. The shards,
 * their seeds and so the figures are the same either way.
 */
export const WORKER_MIN_STEPS = 500_000;

/**
 * Since 0.2.0. Runs `workers` shards of the budget at once and merges them: shard 1 in this
 * thread, the others on worker threads (all in this thread below WORKER_MIN_STEPS). Runs and
 * steps add up; distinct states are counted per shard and added (a state two shards both saw
 * counts twice); the violation is that of the lowest shard that found one.
 */
export async function checkParallel(suite: Suite, options: ParallelCheckOptions): Promise<CheckResult> {
  const started = performance.now(); // allow-clock: reports elapsed time only
  const runs = options.runs ?? suite.budget.runs;
  const seed = options.seed ?? DEFAULT_SEED;
  const outer = options.shard ?? { index: 1, count: 1 };
  const outerPlan = shardPlan(seed, runs, outer);
  const done = new Array<number>(options.workers).fill(0);
  const { onProgress, workers: _w, suiteModule, shard: _s, minWorkerSteps = WORKER_MIN_STEPS, signal, ...plain } = options;
  const plans = Array.from({ length: options.workers }, (_, i) => shardPlan(outerPlan.seed, outerPlan.runs, { index: i + 1, count: options.workers }));
  const report = (i: number, n: number) => {
    done[i] = n;
    onProgress?.({ runs: done.reduce((a, b) => a + b, 0), total: outerPlan.runs, steps: 0 });
  };
  const here = (i: number): Promise<CheckResult> => {
    const shardOptions = { ...plain, seed: plans[i]!.seed, runs: plans[i]!.runs, onProgress: (p: { runs: number }) => report(i, p.runs) };
    // With a signal the shard yields now and then, so that Ctrl-C is heard while it runs in this thread.
    return signal === undefined ? Promise.resolve(checkRandom(suite, shardOptions)) : checkRandomInterruptible(suite, shardOptions, signal);
  };
  const depth = options.depth ?? suite.budget.depth;
  let results: CheckResult[];
  if (outerPlan.runs * depth < minWorkerSteps) {
    results = [];
    for (let i = 0; i < plans.length; i++) results.push(await here(i));
  } else {
    const threads = plans.slice(1).map((plan, k) => runOnWorker(suite, suiteModule, { ...plain, seed: plan.seed, runs: plan.runs }, (n) => report(k + 1, n), signal));
    for (const t of threads) t.catch(() => {}); // awaited below; a failure must not go unhandled meanwhile
    // This thread runs shard 1 while the workers start and run the rest.
    const first = await here(0);
    results = [first, ...(await Promise.all(threads))];
  }
  return mergeShards(results, outerPlan.seed, performance.now() - started); // allow-clock
}

/**
 * One result from the results of a budget's parts (shards on threads, units of a fleet), given in
 * part order: figures added, witnesses reached by any part, the violation and seed of the first
 * failing part (so the result does not depend on which part finished first), else `seed`.
 */
export function mergeShards(results: readonly CheckResult[], seed: number, elapsedMs: number): CheckResult {
  const failed = results.find((r) => r.violation !== null) ?? null;
  const first = results[0]!;
  return {
    ...first,
    seed: failed?.seed ?? seed,
    runs: results.reduce((n, r) => n + r.runs, 0),
    steps: results.reduce((n, r) => n + r.steps, 0),
    lassos: results.reduce((n, r) => n + r.lassos, 0),
    distinctStates: results.reduce((n, r) => n + r.distinctStates, 0),
    distinctSketch: mergeSketches(results.map((r) => r.distinctSketch)),
    witnesses: first.witnesses.map((w) => ({ name: w.name, reached: results.some((r) => r.witnesses.find((x) => x.name === w.name)?.reached) })),
    violation: failed?.violation ?? null,
    elapsedMs,
    ...(failed === null && results.some((r) => r.interrupted) ? { interrupted: true } : {}),
  };
}

/**
 * Since 0.2.0. One check on a worker thread, exactly as `checkRandom(suite, options)` would run it
 * here (same seed, runs and so figures): what `check` of every model uses to run models side by
 * side. The thread loads the suite from `suiteModule`; `onProgress` hears its runs.
 */
export function checkOnWorker(suite: Suite, options: CheckOptions & { readonly suiteModule: string; readonly signal?: AbortSignal }): Promise<CheckResult> {
  const { onProgress, suiteModule, signal, ...plain } = options as CheckOptions & { suiteModule: string; signal?: AbortSignal; workers?: number; shard?: Shard; minWorkerSteps?: number };
  return runOnWorker(suite, suiteModule, plain, (n) => onProgress?.({ runs: n, total: plain.runs ?? suite.budget.runs, steps: 0 }), signal);
}

/** The default check's small pass (../small-pass.ts) on a worker thread, for a model checked on a side-by-side lane. */
export function smallPassOnWorker(suite: Suite, options: SmallPassOptions & { readonly suiteModule: string }): Promise<SmallPassResult[]> {
  const { suiteModule, signal, ...plain } = options;
  return onWorker<SmallPassResult[]>({ suiteModule, model: suite.model.name, options: plain, pass: 'small' }, (m) => m.small, signal);
}

/** A worker thread running `checkRandomInterruptible(suite, options)`; its progress in runs goes to `onRuns`. */
function runOnWorker(suite: Suite, suiteModule: string, options: CheckOptions, onRuns: (runs: number) => void, signal: AbortSignal | undefined): Promise<CheckResult> {
  return onWorker<CheckResult>({ suiteModule, model: suite.model.name, options }, (m) => m.result, signal, onRuns);
}

interface WorkerMessage {
  progress?: number;
  result?: CheckResult;
  small?: SmallPassResult[];
  error?: string;
  modelError?: SentModelError;
}

/**
 * One job on a worker thread (worker-boot.mjs): resolves with what `answer` picks from its messages,
 * rejects with the model's error or the thread's; Ctrl-C (`signal`) asks it to stop, even before it started.
 */
function onWorker<T>(workerData: unknown, answer: (m: WorkerMessage) => T | undefined, signal: AbortSignal | undefined, onProgress?: (runs: number) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData });
    worker.on('message', (m: WorkerMessage) => {
      const value = answer(m);
      if (m.progress !== undefined) {
        onProgress?.(m.progress);
      } else if (value !== undefined) {
        resolve(value);
        void worker.terminate();
      } else if (m.modelError) {
        const e = m.modelError;
        reject(new ModelError(e.what, e.node).at(e.step, e.action, e.actions, formatAction));
        void worker.terminate();
      } else {
        reject(new Error(m.error));
      }
    });
    worker.on('error', reject);
    if (signal?.aborted) worker.postMessage({ stop: true });
    else signal?.addEventListener('abort', () => worker.postMessage({ stop: true }), { once: true });
  });
}
