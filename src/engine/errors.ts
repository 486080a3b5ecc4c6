/** Errors the command line turns into one clear line and an exit code, never a stack trace. */

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
 * The model itself failed (exit 4): a machine, an environment function or a property threw, or a
 * node sent to a node that does not exist. The command line reports its message as one line.
 */
export class ModelError extends Error {
  override name = 'ModelError';
}
