// The worker thread of a supervised command line (supervise.ts). Built (dist/), it runs the built
// command line beside it on plain node; from the sources, through tsx. It behaves as the main
// thread would: stdout and stderr say whether they are a terminal, a Ctrl-C passed on by the
// supervisor is emitted as SIGINT (the commands' own handlers take it), an error that escapes the
// command is an internal error (one line, exit 70), and the thread ends with the command's code.
import { existsSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

const { argv, tty } = workerData;
for (const [stream, fd, isTTY] of [[process.stdout, 1, tty.stdout], [process.stderr, 2, tty.stderr]]) {
  if (!isTTY) continue;
  stream.isTTY = true;
  stream.columns = tty.columns;
  // A worker's stdout and stderr reach the main thread by two channels, so a progress bar's last
  // redraw on stderr could land after the report on stdout and erase its first line. A terminal is
  // written synchronously on the main thread too: write it here the same way, in order.
  stream.write = (chunk, encoding, done) => {
    writeSync(fd, typeof chunk === 'string' ? chunk : Buffer.from(chunk));
    const callback = typeof encoding === 'function' ? encoding : done;
    if (typeof callback === 'function') process.nextTick(callback);
    return true;
  };
}
const debug = argv.includes('--debug');
function internal(error) {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const line = message.split('\n')[0].replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  process.stderr.write(`protokit: internal error: ${line}${debug ? '' : ' (rerun with --debug for the stack trace)'}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exit(70);
}
process.on('uncaughtException', internal);
process.on('unhandledRejection', internal);

parentPort.on('message', (message) => {
  if (message?.type !== 'interrupt') return;
  const handled = process.listenerCount('SIGINT') > 0;
  parentPort.postMessage({ type: 'interrupting', handled });
  if (handled) process.emit('SIGINT', 'SIGINT');
});
// The message port must not keep the thread alive once the command is done.
parentPort.unref();

const built = new URL('./main.js', import.meta.url);
let main;
if (existsSync(fileURLToPath(built))) {
  ({ main } = await import(built.href));
} else {
  const { registerTypeScript } = await import('../engine/register-ts.mjs');
  registerTypeScript();
  ({ main } = await import('./main.ts'));
}
const code = await main(argv);
// A --load module may leave a timer or a never-settling import behind: do not wait on it.
process.exit(code);
