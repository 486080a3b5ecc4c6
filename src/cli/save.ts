/**
 * Saving a counterexample from `check` or `explore`: the trace, then its HTML view beside it. A
 * write that fails is reported, not thrown: the command still prints its whole result (the
 * actions too), so nothing is lost, and exits 2 (a path that cannot be written) or 74 (a full or
 * read-only disk).
 */
import type { Suite } from '../properties/suite.js';
import { EnvironmentError, exitCodeOf } from '../engine/errors.js';
import { saveTrace, writeFileAtomic, WriteError } from '../trace/file.js';
import type { Trace } from '../trace/format.js';

export interface Saved {
  readonly tracePath: string | null;
  readonly htmlPath: string | null;
  readonly writeError: string | null;
  /** The exit code a failed write ends the command with: 2 for a path that cannot be written, 74 when the disk is full or read-only. */
  readonly writeExit: number | null;
}

export async function saveTraceAndView(suite: Suite, path: string, trace: Trace): Promise<Saved> {
  let tracePath: string | null = null;
  try {
    saveTrace(path, trace);
    tracePath = path;
    const html = path.replace(/\.json$/, '') + '.html';
    // The renderers load only when there is a trace to draw.
    const { renderTrace } = await import('../render/trace.js');
    writeFileAtomic(html, renderTrace('html', suite, trace, path));
    return { tracePath, htmlPath: html, writeError: null, writeExit: null };
  } catch (error) {
    if (error instanceof EnvironmentError) return { tracePath, htmlPath: null, writeError: `the environment failed: ${error.message}`, writeExit: exitCodeOf(error) };
    if (!(error instanceof WriteError)) throw error;
    return { tracePath, htmlPath: null, writeError: error.message, writeExit: exitCodeOf(error) };
  }
}
