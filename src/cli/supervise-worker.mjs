// The worker thread of a supervised command line (supervise.ts). Built (dist/), it runs the built
// command line beside it on plain node; from the sources, through tsx. It behaves as the main
// thread would: stdout and stderr say whether they are a terminal, a Ctrl-C passed on by the
// supervisor is emitted as SIGINT (the commands' own handlers take it), an error that escapes the
// command is an internal error (one line, exit 70), and the thread ends with the command's code.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

const { argv, tty } = workerData;
for (const [stream, isTTY] of [[process.stdout, tty.stdout], [process.stderr, tty.stderr]]) {
  if (!isTTY) continue;
  stream.isTTY = true;
  stream.columns = tty.columns;
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
