/**
 * Runs one command line in a worker thread (supervise-worker.mjs) and supervises it from the main
 * thread, which stays idle and so can always act:
 *
 * - Ctrl-C is passed on to the worker, where the command handles it as it would on the main thread
 *   (check and explore print the figures so far, exit 130). A worker that does not take it within
 *   a second is stuck in code that does not return to the event loop (a guard or property that
 *   loops): the supervisor pauses it through the inspector to learn which function of the user's was
 *   running, ends it, and says so (exit 130). A second Ctrl-C ends the worker at once.
 * - The worker's heap is capped (`resourceLimits`): code that allocates without end stops at the cap
 *   with one line naming the command, the cap and how to raise it (exit 74), never V8's abort.
 *
 * Everything else (output, exit code) is the command's own: the worker writes to this process's
 * stdout and stderr and ends with the command's exit code.
 */
import { Session } from 'node:inspector';
import { SourceMap } from 'node:module';
import { totalmem } from 'node:os';
import { Worker } from 'node:worker_threads';
import { EXIT, UsageError } from '../engine/errors.js';
import { safeLine } from '../render/safe-text.js';

/** How long a worker may take to pick up a Ctrl-C before it is taken as stuck in the user's code. */
const INTERRUPT_GRACE_MS = 1000;
/** How long the inspector may take to say where a stuck worker is (then it is ended without saying). */
const LOCATE_TIMEOUT_MS = 15_000;
/** How long the inspector samples a stuck worker's stack to find the function that does not return. */
const SAMPLE_MS = 200;
const MB = 1024 * 1024;

/** The worker's heap cap in MB: PROTOKIT_MAX_HEAP_MB, or half of the memory this process may use. */
export function heapLimitMb(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.PROTOKIT_MAX_HEAP_MB;
  if (given !== undefined && given !== '') {
    if (!/^\d{1,9}$/.test(given) || Number(given) < 16) throw new UsageError(`PROTOKIT_MAX_HEAP_MB must be a whole number of megabytes, at least 16, not '${given}'`);
    return Number(given);
  }
  const constrained = process.constrainedMemory?.() ?? 0;
  const memory = constrained > 0 && constrained < totalmem() ? constrained : totalmem();
  return Math.max(256, Math.floor(memory / 2 / MB));
}

/** Where the user's code was running when a stuck worker was paused: `name (file:line)`. */
export interface Place {
  readonly fn: string;
  readonly file: string;
  readonly line: number;
}

/** Runs `argv` in a supervised worker; resolves with its exit code. */
export async function runSupervised(argv: readonly string[]): Promise<number> {
  const heapMb = heapLimitMb();
  const command = argv.find((a) => !a.startsWith('-')) ?? 'protokit';
  const worker = new Worker(new URL('./supervise-worker.mjs', import.meta.url), {
    workerData: { argv: [...argv], tty: { stdout: process.stdout.isTTY === true, stderr: process.stderr.isTTY === true, columns: process.stderr.columns ?? process.stdout.columns ?? 80 } },
    resourceLimits: { maxOldGenerationSizeMb: heapMb },
  });
  return new Promise<number>((resolve) => {
    let interrupts = 0;
    let grace: NodeJS.Timeout | undefined;
    let settled = false;
    /** Set once the supervisor ends the worker itself: its exit code is then not the command's. */
    let stopping = false;
    const finish = (code: number, line?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(grace);
      process.off('SIGINT', onSigint);
      if (line !== undefined) process.stderr.write(`protokit: ${safeLine(line)}\n`);
      resolve(code);
    };
    /** Ends a worker that is not returning to its event loop, naming where it was if the inspector can tell. */
    const stopStuck = async (why: string) => {
      if (stopping) return;
      stopping = true;
      const place = await locate(worker);
      // Not awaited: a thread the inspector left paused would not take it; the process ends anyway.
      void worker.terminate();
      const where = place ? ` in ${place.fn} at ${place.file}:${place.line}` : '';
      finish(EXIT.interrupted, `interrupted (Ctrl-C): stopped ${command}${where}, ${why}; no figures (it never got back to count them)`);
    };
    const onSigint = () => {
      interrupts++;
      if (interrupts > 1) {
        void stopStuck('at the second Ctrl-C');
        return;
      }
      worker.postMessage({ type: 'interrupt' });
      grace = setTimeout(() => void stopStuck(`which had not returned ${INTERRUPT_GRACE_MS / 1000} s after Ctrl-C`), INTERRUPT_GRACE_MS);
    };
    process.on('SIGINT', onSigint);
    worker.on('message', (message: { type?: string; handled?: boolean }) => {
      if (message?.type !== 'interrupting') return;
      clearTimeout(grace);
      // A command that does not handle Ctrl-C ends as the main thread would have: at once.
      if (message.handled || stopping) return;
      stopping = true;
      void worker.terminate().then(() => finish(EXIT.interrupted, `interrupted (Ctrl-C) while running ${command}`));
    });
    worker.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        finish(EXIT.environment, `${command} ran out of memory: it passed the heap limit of ${heapMb.toLocaleString('en-US')} MB of the thread running the suite's code; set PROTOKIT_MAX_HEAP_MB=${(heapMb * 2).toString()} to allow more`);
      } else {
        finish(EXIT.internal, `internal error: ${error.name}: ${error.message.split('\n')[0]} (rerun with --debug for the stack trace)`);
      }
    });
    worker.on('exit', (code) => {
      if (!stopping) finish(code);
    });
  });
}

/**
 * Where a stuck worker is, through the inspector: a pause shows the stack, and its innermost frame of
 * the user's code (not the kit's nor a package's) is the line that does not return. V8 may defer a
 * pause in optimised code or have inlined the user's function into the kit's: then the stack is
 * sampled for a moment and the user's function with most samples is named, at the line where it
 * starts. Positions go through the script's source map (tsx's). null if nothing of the user's shows.
 */
async function locate(worker: Worker): Promise<Place | null> {
  const session = new Session();
  try {
    session.connect();
  } catch {
    return null;
  }
  const kit = new URL('../../', import.meta.url).href;
  const isUsers = (url: string) => url.startsWith('file://') && !url.includes('/node_modules/') && !url.startsWith(kit);
  return new Promise<Place | null>((resolve) => {
    const timer = setTimeout(() => done(null), LOCATE_TIMEOUT_MS);
    /** Leaves the worker running (no pause pending), then answers. */
    let leave = () => {};
    let answered = false;
    const done = (place: Place | null) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      try {
        leave();
      } catch {
        // the worker is gone
      }
      try {
        session.disconnect();
      } catch {
        // already disconnected
      }
      resolve(place);
    };
    session.on('NodeWorker.attachedToWorker', ({ params }: { params: { sessionId: string; workerInfo: { workerId: string } } }) => {
      if (params.workerInfo.workerId !== String(worker.threadId)) return;
      let id = 0;
      const send = (method: string) => {
        session.post('NodeWorker.sendMessageToWorker', { sessionId: params.sessionId, message: JSON.stringify({ id: ++id, method, params: {} }) });
        return id;
      };
      let stopId = -1;
      leave = () => {
        send('Debugger.disable');
        session.post('NodeWorker.detach', { sessionId: params.sessionId });
      };
      let sampling = false;
      const sample = () => {
        if (sampling || answered) return;
        sampling = true;
        send('Profiler.enable');
        send('Profiler.start');
        setTimeout(() => (stopId = send('Profiler.stop')), SAMPLE_MS);
      };
      const scripts = new Map<string, { url: string; sourceMap?: string }>();
      session.on('NodeWorker.receivedMessageFromWorker', ({ params: p }: { params: { message: string } }) => {
        if (answered) return;
        const message = JSON.parse(p.message) as { id?: number; method?: string; params?: Record<string, unknown>; result?: { profile?: Profile } };
        if (message.method === 'Debugger.scriptParsed') {
          const script = message.params as { scriptId: string; url: string; sourceMapURL?: string };
          scripts.set(script.scriptId, { url: script.url, sourceMap: script.sourceMapURL });
        } else if (message.method === 'Debugger.paused') {
          // The stack at the pause, innermost first: exact when the loop runs unoptimised.
          const frames = (message.params as { callFrames: { functionName: string; location: { scriptId: string; lineNumber: number; columnNumber: number } }[] }).callFrames;
          const users = frames.find((f) => isUsers(scripts.get(f.location.scriptId)?.url ?? ''));
          send('Debugger.resume');
          if (users !== undefined) {
            const script = scripts.get(users.location.scriptId)!;
            done(placeOf(users.functionName, script.url, users.location.lineNumber, users.location.columnNumber, script.sourceMap));
            return;
          }
          // Optimised code defers a pause, or inlines the user's function into the kit's: sample the stack instead.
          sample();
        } else if (message.id === stopId && message.result?.profile) {
          const node = message.result.profile.nodes
            .filter((n) => n.hitCount > 0 && isUsers(n.callFrame.url))
            .reduce<ProfileNode | null>((best, n) => (best === null || n.hitCount > best.hitCount ? n : best), null);
          if (node === null) return done(null);
          // Samples give the line but no column, which a source map needs: name where the function starts.
          done(placeOf(node.callFrame.functionName, node.callFrame.url, node.callFrame.lineNumber, node.callFrame.columnNumber, scripts.get(node.callFrame.scriptId)?.sourceMap));
        }
      });
      send('Debugger.enable');
      send('Debugger.pause');
      // A pause deferred to the next call never comes in a loop that makes none.
      setTimeout(sample, SAMPLE_MS);
    });
    session.post('NodeWorker.enable', { waitForDebuggerOnStart: false }, (error) => {
      if (error) done(null);
    });
  });
}

interface ProfileNode {
  readonly hitCount: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly scriptId: string; readonly lineNumber: number; readonly columnNumber: number };
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
}

/** A position in a script as a place in its source, through the script's source map when it has one (tsx's). */
function placeOf(functionName: string, url: string, line: number, column: number, sourceMap: string | undefined): Place {
  const fn = functionName === '' ? 'the function' : functionName;
  const file = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  if (sourceMap?.startsWith('data:application/json;base64,')) {
    try {
      const entry = new SourceMap(JSON.parse(Buffer.from(sourceMap.slice(sourceMap.indexOf(',') + 1), 'base64').toString('utf8'))).findEntry(line, column) as { originalLine?: number };
      if (typeof entry.originalLine === 'number') return { fn, file, line: entry.originalLine + 1 };
    } catch {
      // an unreadable map: the generated line is the best there is
    }
  }
  return { fn, file, line: line + 1 };
}
