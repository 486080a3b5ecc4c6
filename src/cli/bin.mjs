#!/usr/bin/env node
// The `protokit` bin: runs the TypeScript command line through tsx. Whatever escapes main()
// (an error while loading it, an error thrown later by a worker or a timer) is an internal
// error: one line and exit 70, the stack trace only with --debug.
import { register } from 'tsx/esm/api';

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
try {
  register();
  const { main } = await import('./main.ts');
  const code = await main(process.argv.slice(2));
  process.exitCode = code;
  // A --load module may leave a timer or a never-settling import behind: do not wait on it for ever.
  setTimeout(() => process.exit(code), 1000).unref();
} catch (error) {
  internal(error);
}
