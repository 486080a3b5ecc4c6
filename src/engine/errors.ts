/** Errors the command line turns into one clear line and an exit code, never a stack trace. */

/** An action of the world, as far as this module needs to know (actions.ts has the union; importing it here would make a circle). */
type Action = { readonly type: string };

/**
 * Exit codes (DESIGN.md's command-line contract, docs/cli-exit-codes.md): who is to blame decides
 * the code. `exitCodeOf` below is the one place that maps an error to one.
 */
export const EXIT = {
  ok: 0,
  violated: 1,
  usage: 2,
  mismatch: 3,
  model: 4,
  modelFailed: 4,
  inconclusive: 5,
  /** The environment failed: a full or read-only disk, an I/O error, a stream that cannot be written (sysexits' EX_IOERR). */
  environment: 74,
  internal: 70,
  interrupted: 130,
} as const;

/** Bad usage or bad input (exit 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A trace that does not fit the model: an action not enabled, or a diverging model (exit 3). */
export class TraceMismatchError extends Error {
  override name = 'TraceMismatchError';
  constructor(
    message: string,
    readonly step: number,
  ) {
    super(message);
  }
}

/**
 * Since 0.1.0. The model itself failed (exit 4): a machine, an environment function, a property or
 * a witness threw, a node sent to a node that does not exist or emitted an effect protokit does not
 * know. The engine says what failed (`what`, naming the node or the property); the explorer that
 * met it adds the step and the actions up to it (`at`), so the command line can save them as a
 * trace that replays to the same failure. `cause` is the error the model's code threw.
 */
export class ModelError extends Error {
  override name = 'ModelError';
  /** The step it happened at: 0 for the initial world, k while taking (or after) the k-th action; null until known. */
  step: number | null = null;
  /** The action being taken when it happened (null: while listing the enabled actions, or in the initial world). */
  action: Action | null = null;
  /** The actions from the initial world up to and including `action`: what a trace of it holds. */
  actions: readonly Action[] | null = null;
  /** Where the command line saved the trace, and how to replay it (for the report). */
  tracePath: string | null = null;
  replay: string | null = null;

  constructor(
    /** What failed, e.g. `the machine of rm2 threw on Prepare: x is undefined`. */
    readonly what: string,
    /** The node involved, when one is. */
    readonly node: string | null = null,
    options?: { cause?: unknown },
  ) {
    super(what, options);
  }

  /** Records where it happened; the message then starts with the step and the action. */
  at<A extends Action>(step: number, action: A | null, actions: readonly A[], describe: (a: A) => string): this {
    this.step = step;
    this.action = action;
    this.actions = actions;
    this.message = `step ${step}${action ? ` (${describe(action)})` : step === 0 ? ' (the initial world)' : ''}: ${this.what}`;
    return this;
  }
}

/** The message of something thrown, whatever it is, on one line (xstate wraps a guard's error on a second). */
export function thrownMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * Runs a piece of the model's code (a machine step, an environment function, a property): what it
 * throws becomes a ModelError saying what was running (`what`); a ModelError passes through.
 */
export function modelCall<T>(what: () => string, node: string | null, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof ModelError) throw error;
    throw new ModelError(`${what()}: ${thrownMessage(error)}`, node, { cause: error });
  }
}

/**
 * The system errors that mean the machine, not the user or protokit, failed: the disk is full or
 * read-only, an input/output error, no file descriptors or memory left. (A path the user gave that
 * cannot be written for other reasons, EACCES, ENOTDIR, is bad input.)
 */
const ENVIRONMENT_CODES: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO', 'EMFILE', 'ENFILE', 'ENOMEM', 'EFBIG', 'EPIPE', 'ECONNRESET']);

/** What each environment failure means, in words. */
const ENVIRONMENT_REASONS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  EROFS: 'the file system is read-only',
  EIO: 'an input/output error',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  ENOMEM: 'out of memory',
  EFBIG: 'the file is too large for the file system',
  EPIPE: 'the reader went away',
  ECONNRESET: 'the connection was reset',
};

/** The environment failed (exit 74): one line saying what could not be done and why. */
export class EnvironmentError extends Error {
  override name = 'EnvironmentError';
}

/** The errno code of a system error (or of the error it wraps), or null. */
function errnoOf(error: unknown): string | null {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) return code;
  }
  return null;
}

/** Whether `error` is the environment failing (a system error of ENVIRONMENT_CODES, or an EnvironmentError). */
export function isEnvironmentFailure(error: unknown): boolean {
  if (error instanceof EnvironmentError) return true;
  const code = errnoOf(error);
  return code !== null && ENVIRONMENT_CODES.has(code);
}

/** The words for an environment failure's system error, e.g. `no space left on the device (ENOSPC)`. */
export function environmentReason(error: unknown): string {
  const code = errnoOf(error) ?? 'EIO';
  return `${ENVIRONMENT_REASONS[code] ?? 'the system refused'} (${code})`;
}

/**
 * The one place that decides an error's exit code: bad input 2, a trace that does not fit 3, the
 * model's own failure 4, the environment failing 74, anything else is protokit's bug 70.
 * (Commander's usage errors are mapped by the command line, which knows them.)
 */
export function exitCodeOf(error: unknown): number {
  if (error instanceof ModelError) return EXIT.model;
  if (error instanceof TraceMismatchError) return EXIT.mismatch;
  if (isEnvironmentFailure(error)) return EXIT.environment;
  if (error instanceof UsageError) return EXIT.usage;
  return EXIT.internal;
}
