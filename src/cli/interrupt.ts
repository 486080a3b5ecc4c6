/**
 * Ctrl-C during `check` or `explore`: the first SIGINT aborts the signal the exploration polls,
 * so it stops soon with the figures so far (printed with the rerun line, exit 130); a second
 * SIGINT ends the process at once, as usual.
 */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
  }
}
