/**
 * The body of a `check --workers` thread: one seeded shard of random exploration; or, for a model
 * checked on a side-by-side lane, the default check's small pass (`pass: 'small'`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { suiteFromModule } from '../../properties/suite-module.js';
import { ModelError } from '../../engine/errors.js';
import { checkRandom, checkRandomInterruptible, type CheckOptions } from '../random/random.js';

const { suiteModule, model, options, pass } = workerData as { suiteModule: string; model: string; options: CheckOptions; pass?: 'small' };
try {
  const suite = await suiteFromModule(suiteModule, model);
  if (suite === undefined) throw new Error(`check worker: ${suiteModule} has no suite for model ${model}`);
  // `{ stop: true }` from the main thread (Ctrl-C there) ends the shard with its figures so far.
  const stop = new AbortController();
  parentPort!.on('message', (m: { stop?: boolean }) => m.stop && stop.abort());
  if (pass === 'small') {
    // The default check's exhaustive part (../small-pass.ts), on this thread for a side-by-side lane.
    const { smallPass } = await import('../default/small-pass.js');
    const o = options as CheckOptions;
    parentPort!.postMessage({ small: await smallPass(suite, { mutant: o.mutant ?? undefined, properties: o.properties, deadlock: o.deadlock, signal: stop.signal }) });
  } else {
    const result = await checkRandomInterruptible(suite, { ...options, onProgress: (p) => parentPort!.postMessage({ progress: p.runs }) }, stop.signal);
    parentPort!.postMessage({ result });
  }
} catch (error) {
  // An error of the model crosses as data, so the main thread reports it (exit 4) with its trace.
  if (error instanceof ModelError && error.step !== null) {
    parentPort!.postMessage({ modelError: { what: error.what, node: error.node, step: error.step, action: error.action, actions: error.actions } });
  } else {
    parentPort!.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
}
