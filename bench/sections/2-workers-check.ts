/**
 * `check --workers 2` against one worker (issue 18): whole `protokit check` processes (the
 * source bin), the same budget split over two threads or run in one; wall time and the process's
 * CPU time (every thread: the second isolate's start-up, its compiler and collector included),
 * per run. Budgets are at least WORKER_MIN_STEPS (runs × depth) so the second thread is used;
 * below that `--workers` runs its shards one after the other in one thread (no second isolate).
 *
 *   npm run bench -- workers-check
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { median, ms, table, timeChild } from '../measure.js';

const REPEATS = 3;
const BIN = fileURLToPath(new URL('../../src/cli/bin.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CASES = [
  // A short check (a few seconds: the second isolate's start is a large share) and a longer one.
  { model: 'two-phase-commit', runs: 20_000 },
  { model: 'two-phase-commit', runs: 80_000 },
];

export default {
  title: 'check --workers 2 against one worker',
  async run() {
    const rows: (string | number)[][] = [];
    const json: unknown[] = [];
    for (const c of CASES) {
      const args = (workers: number) => [BIN, 'check', c.model, '--runs', String(c.runs), '--workers', String(workers), '--json', '--out', '/tmp/protokit-bench-workers'];
      const one: { wallMs: number; cpuMs: number }[] = [];
      const two: { wallMs: number; cpuMs: number }[] = [];
      // Alternated, so both see the same machine.
      for (let k = 0; k < REPEATS; k++) {
        one.push(timeChild(args(1), ROOT));
        two.push(timeChild(args(2), ROOT));
      }
      const load = loadavg()[0]!.toFixed(1);
      const w1 = median(one.map((r) => r.wallMs));
      const w2 = median(two.map((r) => r.wallMs));
      const c1 = median(one.map((r) => r.cpuMs));
      const c2 = median(two.map((r) => r.cpuMs));
      rows.push([`${c.model}, ${c.runs.toLocaleString('en-US')} runs`, ms(w1), ms(w2), `${(w1 / w2).toFixed(2)}×`, `${((1000 * c1) / c.runs).toFixed(2)} ms`, `${((1000 * c2) / c.runs).toFixed(2)} ms`, `+${(100 * (c2 / c1 - 1)).toFixed(0)}%`, load]);
      json.push({ ...c, one, two, wallOne: w1, wallTwo: w2, cpuOne: c1, cpuTwo: c2, load: Number(load) });
    }
    const markdown = [
      `Whole processes (\`node src/cli/bin.mjs check MODEL --runs N --workers W\`), alternated, medians of ${REPEATS}. CPU is the process's (every thread), per run of the budget.`,
      '',
      table(['check', 'wall, 1 worker', 'wall, 2 workers', 'speed-up (wall)', 'CPU per run, 1 worker', 'CPU per run, 2 workers', 'CPU overhead', 'load (1 min) after'], rows),
      '',
      'The overhead is the second isolate: it loads the TypeScript toolchain and the suites again (about a second of CPU) and warms its own node-transition memo. Checks below 500,000 steps of budget (runs × depth) keep it out: their shards run in one thread.',
    ].join('\n');
    return { markdown, json };
  },
};
