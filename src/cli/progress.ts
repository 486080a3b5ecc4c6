/**
 * Progress for long runs, on stderr: a bar (done, rate, time left) on a terminal; plain lines, at
 * most one every few seconds, when stderr is not a terminal (CI logs), so a long command is never
 * silent; nothing with --json.
 */
import { createRequire } from 'node:module';
import type CliProgress from 'cli-progress';

/** cli-progress (and the emoji tables it loads) only for a bar on a terminal: a check in a pipe or CI starts without it. */
const loadCliProgress = (): typeof CliProgress => createRequire(import.meta.url)('cli-progress') as typeof CliProgress;

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

export interface ProgressOptions {
  /** Done before this display started (a check shown once another thread's finished), left out of the rate. */
  readonly already?: number;
  /** What is counted: 'runs' (default), 'mutants', ... */
  readonly unit?: string;
  /** Off a terminal: force a line every this many milliseconds at most (default 5000). */
  readonly everyMs?: number;
  /** On a terminal: more to say after the figures (e.g. a check running on another thread), read at each redraw. */
  readonly note?: () => string;
}

const SILENT: Progress = { update() {}, stop() {} };

/** Whether progress lines go to a terminal (a bar) or to a log (lines). */
export const stderrIsTerminal = (): boolean => process.stderr.isTTY === true;

export function progressFor(label: string, total: number, enabled: boolean, options: ProgressOptions = {}): Progress {
  if (!enabled) return SILENT;
  const { already = 0, unit = 'runs', everyMs = 5000, note } = options;
  if (stderrIsTerminal()) {
    const cliProgress = loadCliProgress();
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {value}/{total} ${unit} | {rate} ${unit}/s | {eta_formatted} left{note}`,
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    const started = performance.now(); // allow-clock: progress display only
    const noteText = () => (note ? ` | ${note()}` : '');
    bar.start(total, already, { rate: '-', note: noteText() });
    return {
      update(done) {
        const seconds = (performance.now() - started) / 1000; // allow-clock
        bar.update(done, { rate: seconds > 0 ? Math.round((done - already) / seconds) : '-', note: noteText() });
      },
      stop: () => bar.stop(),
    };
  }
  const started = performance.now(); // allow-clock
  let last = started;
  return {
    update(done, all) {
      const now = performance.now(); // allow-clock
      if (now - last < everyMs) return;
      last = now;
      const rate = (done - already) / ((now - started) / 1000);
      const left = rate > 0 ? `, ~${Math.ceil((all - done) / rate)} s left` : '';
      process.stderr.write(`${label}: ${done}/${all} ${unit}, ${rate >= 10 ? Math.round(rate) : rate.toFixed(1)} ${unit}/s${left}\n`);
    },
    stop() {},
  };
}
