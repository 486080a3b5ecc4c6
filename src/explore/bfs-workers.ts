/**
 * The parallel backend: chunks of each level go round-robin to worker threads, which check
 * and expand them; results are taken back in chunk order, so the main thread numbers states
 * and picks the first violation exactly as a single thread does (same counts, same trace).
 */
import { Worker } from 'node:worker_threads';
import { UsageError } from '../errors.js';
import type { Instance } from '../instance.js';
import type { Suite } from '../suite.js';
import type { World } from '../world.js';
import type { Backend } from './bfs-backend.js';
import type { ChunkResult } from './bfs-expand.js';
import type { ExploreOptions } from './bfs.js';
import { encodeWorld } from './bfs-wire.js';
import type { ToWorker, WorkerSetup } from './bfs-worker.js';

interface Reply {
  readonly batch: number;
  readonly seq: number;
  readonly skipped?: boolean;
  readonly result?: ChunkResult<string> & { parents: Int32Array; hi: Uint32Array; lo: Uint32Array };
}

export function workerBackend(instance: Instance, suite: Suite, options: ExploreOptions, count: number, initial: World): Backend<string> {
  if (options.suiteModule === undefined) {
    throw new UsageError('--workers: worker threads load the suite from its module; give ExploreOptions.suiteModule (the CLI does)');
  }
  const wantedBuffer = new SharedArrayBuffer(4);
  const wanted = new Int32Array(wantedBuffer);
  const setup: WorkerSetup = {
    suiteModule: options.suiteModule,
    model: suite.model.name,
    instance: { config: instance.params, preset: null, mutant: instance.mutant, faults: instance.faults },
    symmetry: options.symmetry ?? false,
    wanted: wantedBuffer,
  };
  const pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: unknown) => void }>();
  let failure: unknown = null;
  const workers = Array.from({ length: count }, () => {
    const worker = new Worker(new URL('./bfs-worker-boot.mjs', import.meta.url), { workerData: setup });
    worker.on('message', (reply: Reply | { ready: true }) => {
      if ('ready' in reply) return;
      const waiter = pending.get(reply.seq);
      pending.delete(reply.seq);
      waiter?.resolve(reply);
    });
    worker.on('error', (error) => {
      failure = error;
      for (const w of pending.values()) w.reject(error);
      pending.clear();
    });
    return worker;
  });
  let batch = 0;
  let seq = 0;

  return {
    initial: encodeWorld(initial),
    async *process(chunks, expand, _known, visitedHi, visitedLo) {
      batch++;
      Atomics.store(wanted, 0, batch);
      // Every worker learns the states of this level, so it sends none of them back as new.
      const known: ToWorker = { kind: 'known', hi: visitedHi, lo: visitedLo };
      for (const w of workers) w.postMessage(known);
      const replies = chunks.map((worlds, i) => {
        const id = seq++;
        const reply = new Promise<Reply>((resolve, reject) => {
          if (failure !== null) reject(failure);
          else pending.set(id, { resolve, reject });
        });
        const message: ToWorker = { kind: 'chunk', batch, seq: id, worlds: worlds as string[], expand };
        workers[i % count]!.postMessage(message);
        return reply;
      });
      // Replies that are never awaited (the caller stopped early) must not be unhandled rejections.
      for (const r of replies) r.catch(() => {});
      for (const reply of replies) {
        const r = await reply;
        if (r.result === undefined) throw new Error('internal: a search worker skipped a chunk that is still wanted');
        // Typed arrays index like the number[] the driver reads.
        yield r.result as unknown as ChunkResult<string>;
      }
    },
    markReached(names) {
      const message: ToWorker = { kind: 'reached', names };
      for (const w of workers) w.postMessage(message);
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
