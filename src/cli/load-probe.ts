/**
 * The import probe of `--load` modules (registry.ts): a user's module is imported first in a worker
 * thread (load-probe.mjs), where a loop or a runaway allocation at import can be stopped. The main
 * thread's timer cannot fire while its own import loops, and a heap blown there aborts the process;
 * here the import limit ends the worker, and so does its heap limit, which is this process's. Any
 * other failure is left to the real import, which reports it in full.
 *
 * One worker serves the probes of a process, one at a time. Most of a probe's cost is the worker
 * loading the TypeScript loader and the kit the suite imports (1–2 s of CPU); a process that loads
 * several suites (a test file, a long-lived studio) pays it once. A worker that passed the limit, ran
 * out of memory or ended is discarded, and the next probe starts a fresh one. An idle worker does not
 * keep the process alive, and ends after IDLE_MS without a probe (it holds some 60 MB, which a long
 * check of the loaded suite should not carry).
 */
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { UsageError } from '../engine/errors.js';

/** What the worker says about one probe: the loader is in and the import began, then how it ended. */
type ProbeMessage = 'started' | 'loaded' | 'failed';

interface Pending {
  readonly path: string;
  readonly ms: number;
  /** The limit without PROTOKIT_LOAD_TIMEOUT_MS, the least the message suggests. */
  readonly defaultMs: number;
  timer?: NodeJS.Timeout;
  settle(error?: UsageError): void;
}

/** How long an idle probe worker waits for the next probe before it ends (only memory, never a verdict). */
const IDLE_MS = 5_000;

let workersStarted = 0;

/** How many probe workers this process has started (tests: one serves many probes). */
export function probeWorkersStarted(): number {
  return workersStarted;
}

export function stillImporting(path: string, ms: number, defaultMs: number): UsageError {
  return new UsageError(
    `--load ${path}: still importing after ${ms / 1000} s (a loop, or a top-level await that never settles?); on a slow machine, allow longer with PROTOKIT_LOAD_TIMEOUT_MS=${Math.max(ms * 4, defaultMs)}`,
  );
}

class ProbeWorker {
  private readonly worker: Worker;
  private readonly heapMb = Math.floor(getHeapStatistics().heap_size_limit / 2 ** 20);
  private pending: Pending | null = null;
  private idle: NodeJS.Timeout | undefined;
  /** Set once the worker cannot serve another probe (it ended, or is being ended). */
  gone = false;

  constructor() {
    workersStarted++;
    this.worker = new Worker(new URL('./load-probe.mjs', import.meta.url), {
      workerData: { typescript: import.meta.url.endsWith('.ts') },
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb },
    });
    this.worker.unref();
    this.worker.on('message', (message: ProbeMessage) => {
      const pending = this.pending;
      if (pending === null) return;
      if (message === 'started') pending.timer = setTimeout(() => this.end(stillImporting(pending.path, pending.ms, pending.defaultMs)), pending.ms);
      else this.settle();
    });
    this.worker.on('error', (error: NodeJS.ErrnoException) => {
      const path = this.pending?.path ?? '';
      this.end(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new UsageError(`--load ${path}: ran out of memory while importing (past the heap limit of ${this.heapMb} MB)`) : undefined);
    });
    this.worker.on('exit', () => this.end());
  }

  /** Imports `url` in the worker; rejects with the one line to show when the import had to be stopped. */
  probe(url: string, path: string, ms: number, defaultMs: number): Promise<void> {
    clearTimeout(this.idle);
    return new Promise<void>((resolve, reject) => {
      this.pending = { path, ms, defaultMs, settle: (error) => (error ? reject(error) : resolve()) };
      // Referenced while a probe runs, so that the process waits for its verdict.
      this.worker.ref();
      this.worker.postMessage({ url });
    });
  }

  private settle(error?: UsageError): void {
    const pending = this.pending;
    if (pending === null) return;
    this.pending = null;
    clearTimeout(pending.timer);
    this.worker.unref();
    if (!this.gone) this.idle = setTimeout(() => this.end(), IDLE_MS).unref();
    pending.settle(error);
  }

  /** Settles the probe under way and ends the worker: its import is stuck, or it is dead already. */
  private end(error?: UsageError): void {
    this.gone = true;
    clearTimeout(this.idle);
    this.settle(error);
    void this.worker.terminate();
  }
}

let shared: ProbeWorker | null = null;
/** Probes run one after another: a worker imports one module at a time. */
let queue: Promise<void> = Promise.resolve();

/** Imports `url` (shown as `path`) in the probe worker within `ms`; see the module's comment. */
export function probeImport(url: string, path: string, ms: number, defaultMs: number): Promise<void> {
  const next = queue.then(() => {
    if (shared === null || shared.gone) shared = new ProbeWorker();
    return shared.probe(url, path, ms, defaultMs);
  });
  queue = next.catch(() => {});
  return next;
}
