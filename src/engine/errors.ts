/** Errors the command line turns into one clear line and an exit code, never a stack trace. */

/** An action of the world, as far as this module needs to know (actions.ts has the union; importing it here would make a circle). */
type Action = { readonly type: string };

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
