#!/usr/bin/env node
// The `protokit` bin. Where it was built (dist/src/cli/bin.mjs, installed or in a checkout after
// `npm run build`) it runs the built command line beside it on plain node; a TypeScript loader is
// registered only when a .ts file is given to --load. The bin of the sources (src/cli/bin.mjs) runs
// the TypeScript sources through tsx, so it always matches the checked-out code. Whatever escapes main()
// (an error while loading it, an error thrown later by a worker or a timer) is an internal
// error: one line and exit 70, the stack trace only with --debug. A reader that goes away early
// (`protokit list | head -1`) is no error: see quietWhenClosed.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const debug = process.argv.includes('--debug');
function internal(error) {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const line = message.split('\n')[0].replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  process.stderr.write(`protokit: internal error: ${line}${debug ? '' : ' (rerun with --debug for the stack trace)'}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exit(70);
}
process.on('uncaughtException', internal);
process.on('unhandledRejection', internal);

/** The command's exit code once main() has returned (null while it runs). */
let finished = null;
/** main.ts's reportError once it is loaded: the one mapping of errors to exit codes (engine/errors.ts). */
let reportError = null;
/** main.ts's runCommand: main(), supervised in a worker thread when the run executes the user's code. */
let runCommand = null;
let streamFailed = false;
/**
 * When the reader of stdout (or stderr) closes its end, writes fail with EPIPE. What is left to print
 * has no reader, which is no failure of the command: its writes to that stream are dropped from then
 * on, and it ends with its own exit code (at once when main() has already returned it; otherwise
 * when it returns). Other stream errors stay internal errors.
 */
function quietWhenClosed(stream, name) {
  stream.on('error', (error) => {
    if (error?.code !== 'EPIPE') return failedStream(error, name);
    stream.write = (_chunk, ...rest) => {
      const done = rest.find((r) => typeof r === 'function');
      if (done) process.nextTick(done);
      return true;
    };
    if (finished !== null) process.exit(finished);
  });
}
quietWhenClosed(process.stdout, 'standard output');
quietWhenClosed(process.stderr, 'standard error');

/**
 * A stream that cannot be written for another reason (stdout on a full disk, /dev/full) is the
 * environment failing: one line (if stderr still takes it) and that code (74), never an internal
 * error. Only once: the line itself may fail on the same disk.
 */
function failedStream(error, name) {
  if (streamFailed) return;
  streamFailed = true;
  if (reportError === null || !(error instanceof Error)) return internal(error);
  error.stream = name;
  process.exit(reportError(error, debug));
}

try {
  const built = new URL('./main.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) {
    ({ runCommand, reportError } = await import(built.href));
  } else {
    const { registerTypeScript } = await import('../engine/register-ts.mjs');
    registerTypeScript();
    ({ runCommand, reportError } = await import('./main.ts'));
  }
  const code = await runCommand(process.argv.slice(2));
  finished = code;
  process.exitCode = code;
  // A --load module may leave a timer or a never-settling import behind: do not wait on it for ever.
  setTimeout(() => process.exit(code), 1000).unref();
} catch (error) {
  internal(error);
}
