// Imports a user's --load module in a worker thread first (registry.ts), where code that loops
// or allocates without end at import can be stopped: the main thread, idle meanwhile, ends the
// worker at the import limit or on its heap limit, instead of hanging or aborting the process.
// Says 'started' once the TypeScript loader is in (so the limit counts only the user's import),
// then 'loaded'; a failure is left to the main thread's own import, which reports it in full.
import { parentPort, workerData } from 'node:worker_threads';

if (/\.[cm]?tsx?$/.test(workerData.url) || workerData.typescript) {
  const { registerTypeScript } = await import('../engine/register-ts.mjs');
  registerTypeScript();
}
parentPort.postMessage('started');
try {
  await import(workerData.url);
  parentPort.postMessage('loaded');
} catch {
  parentPort.postMessage('failed');
}
