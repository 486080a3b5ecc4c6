// The worker thread that imports users' --load modules first (load-probe.ts), where code that loops
// or allocates without end at import can be stopped: the main thread, idle meanwhile, ends the
// worker at the import limit or on its heap limit, instead of hanging or aborting the process.
// It serves one probe after another: for each module it is sent, it says 'started' once the
// TypeScript loader is in (so the limit counts only the user's import), then 'loaded' or 'failed';
// a failure is left to the main thread's own import, which reports it in full.
import { parentPort, workerData } from 'node:worker_threads';

// What the module prints at import is printed once, by the real import: nothing from here. (Not the
// Worker's `stdout: true`, whose streams would keep the process alive while the worker idles.)
for (const stream of [process.stdout, process.stderr]) {
  stream.write = (_chunk, ...rest) => {
    const done = rest.find((r) => typeof r === 'function');
    if (done) process.nextTick(done);
    return true;
  };
}

let typescript = false;
parentPort.on('message', async ({ url }) => {
  if (!typescript && (/\.[cm]?tsx?$/.test(url) || workerData.typescript)) {
    const { registerTypeScript } = await import('../engine/register-ts.mjs');
    registerTypeScript();
    typescript = true;
  }
  parentPort.postMessage('started');
  try {
    await import(url);
    parentPort.postMessage('loaded');
  } catch {
    parentPort.postMessage('failed');
  }
});
