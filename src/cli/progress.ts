/**
 * Progress for long runs, on stderr: a bar (runs done, rate, time left) on a terminal; plain
 * lines, at most one every few seconds, when stderr is not a terminal; nothing with --json.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

const SILENT: Progress = { update() {}, stop() {} };

/** `already`: runs done before this display started (a check shown once another thread's finished), left out of the rate. */
export function progressFor(label: string, total: number, enabled: boolean, already = 0): Progress {
  if (!enabled) return SILENT;
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {value}/{total} runs | {rate} runs/s | {eta_formatted} left`,
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    const started = performance.now(); // allow-clock: progress display only
    bar.start(total, already, { rate: '-' });
    return {
      update(done) {
        const seconds = (performance.now() - started) / 1000; // allow-clock
        bar.update(done, { rate: seconds > 0 ? Math.round((done - already) / seconds) : '-' });
      },
      stop: () => bar.stop(),
    };
  }
  const started = performance.now(); // allow-clock
  let last = started;
  return {
    update(done, all) {
      const now = performance.now(); // allow-clock
      if (now - last < 5000) return;
      last = now;
      const rate = (done - already) / ((now - started) / 1000);
      process.stderr.write(`${label}: ${done}/${all} runs, ${Math.round(rate)} runs/s, ~${Math.ceil((all - done) / rate)} s left\n`);
    },
    stop() {},
  };
}
