/** The body of a `check --workers` thread: one seeded shard of random exploration. */
import { parentPort, workerData } from 'node:worker_threads';
import type { Suite } from '../../properties/suite.js';
import { checkRandomInterruptible, type CheckOptions } from '../random/random.js';

const { suiteModule, model, options } = workerData as { suiteModule: string; model: string; options: CheckOptions };
try {
  const module = (await import(suiteModule)) as { suites?: unknown; default?: unknown };
  const found = module.suites ?? module.default;
  const suite = ((Array.isArray(found) ? found : [found]) as Suite[]).find((s) => s?.model?.name === model);
  if (suite === undefined) throw new Error(`check worker: ${suiteModule} has no suite for model ${model}`);
  // `{ stop: true }` from the main thread (Ctrl-C there) ends the shard with its figures so far.
  const stop = new AbortController();
  parentPort!.on('message', (m: { stop?: boolean }) => m.stop && stop.abort());
  const result = await checkRandomInterruptible(suite, { ...options, onProgress: (p) => parentPort!.postMessage({ progress: p.runs }) }, stop.signal);
  parentPort!.postMessage({ result });
} catch (error) {
  parentPort!.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}
