/**
 * Everything the command line writes goes through here: while `main()` runs, process.stdout and
 * process.stderr are guarded, so a string from a trace or a suite cannot reach a terminal (or a
 * CI log) as a control sequence, whichever command or output format printed it, including
 * commands added later. Renderers and error lines still escape the strings they interpolate
 * (src/render/safe-text.ts), line breaks included; this guard is the net under them.
 */
import { guardOutput } from '../render/safe-text.js';

type Write = typeof process.stdout.write;

/** Guards both streams until the returned function is called (which restores them). */
export function guardStreams(): () => void {
  const restoreOut = guard(process.stdout);
  const restoreErr = guard(process.stderr);
  return () => {
    restoreErr();
    restoreOut();
  };
}

function guard(stream: NodeJS.WriteStream): () => void {
  const original = stream.write;
  const guarded = function (this: unknown, chunk: unknown, ...rest: unknown[]) {
    const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : String(chunk);
    return (original as (...args: unknown[]) => boolean).call(stream, guardOutput(text, stream.isTTY === true), ...rest);
  } as Write;
  stream.write = guarded;
  return () => {
    if (stream.write === guarded) stream.write = original;
  };
}
