/**
 * Random exploration against Quint's simulator, whole processes, same run: `protokit check
 * two-phase-commit --config preset=tla --runs 10000 --depth 20` against `quint run
 * bench/quint/two_phase.qnt --backend typescript --max-samples 10000 --max-steps 20` (the same
 * TwoPhase specification with 3 RMs, its consistency invariant). Quint is installed apart, in
 * bench/quint/ with its own lock file (`cd bench/quint && npm ci`; its default Rust backend would
 * download a binary, the TypeScript one runs offline); without it the section says so.
 *
 * Steps differ in kind: Quint's runs always take 20 steps (a delivery that changes nothing stays
 * enabled in the specification), protokit's end when nothing can change (`set` network), so both
 * steps and runs per second of CPU time are shown.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { median, ms, si, table } from '../measure.js';

const REPEATS = 3;
const RUNS = 10_000;
const DEPTH = 20;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const QUINT_DIR = fileURLToPath(new URL('../quint/', import.meta.url));
const QUINT = `${QUINT_DIR}node_modules/@informalsystems/quint/dist/src/cli.js`;

function childrenCpuMs(): number {
  const text = readFileSync('/proc/self/stat', 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** Exit 1 is accepted: protokit's check says 1 when a witness is not reached (TwoPhase's recovery witness needs crashes). */
function timed(args: string[], cwd: string): { wallMs: number; cpuMs: number; stdout: string } {
  const cpu = childrenCpuMs();
  const t = performance.now(); // allow-clock: benchmark timing
  const child = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const wallMs = performance.now() - t; // allow-clock
  if (child.status !== 0 && child.status !== 1) throw new Error(`${args.join(' ')} failed: ${child.stderr}${child.stdout.slice(-500)}`);
  return { wallMs, cpuMs: childrenCpuMs() - cpu, stdout: child.stdout };
}

export default {
  title: 'Random exploration against Quint',
  async run() {
    if (!existsSync(QUINT)) {
      return { markdown: 'Quint is not installed (`cd bench/quint && npm ci`): not measured.', json: { measured: false } };
    }
    const kit: { wallMs: number; cpuMs: number; steps: number; runs: number }[] = [];
    const quint: { wallMs: number; cpuMs: number; steps: number; runs: number; load: number }[] = [];
    const loads: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const k = timed([`${ROOT}src/cli/bin.mjs`, 'check', 'two-phase-commit', '--config', 'preset=tla', '--runs', String(RUNS), '--depth', String(DEPTH), '--json'], ROOT);
      const j = JSON.parse(k.stdout);
      if (j.violation !== null) throw new Error(`protokit check found ${j.violation.property} on the correct model`);
      kit.push({ ...k, steps: j.steps, runs: j.runs });
      const q = timed([QUINT, 'run', 'two_phase.qnt', '--backend', 'typescript', '--max-samples', String(RUNS), '--max-steps', String(DEPTH), '--invariant', 'consistent', '--seed', String(i + 1)], QUINT_DIR);
      if (!/No violation found/.test(q.stdout)) throw new Error(`quint run did not pass: ${q.stdout.slice(-500)}`);
      const average = Number(/average=([\d.]+)/.exec(q.stdout)?.[1] ?? DEPTH + 1);
      quint.push({ ...q, steps: Math.round(RUNS * (average - 1)), runs: RUNS, load: loadavg()[0]! });
      loads.push(loadavg()[0]!);
    }
    const rate = (xs: { cpuMs: number }[], of: (x: any) => number) => median(xs.map((x) => (of(x) * 1000) / x.cpuMs));
    const kitSteps = rate(kit, (x) => x.steps);
    const quintSteps = rate(quint, (x) => x.steps);
    const kitRuns = rate(kit, (x) => x.runs);
    const quintRuns = rate(quint, (x) => x.runs);
    const markdown = [
      `TwoPhase with 3 RMs, ${RUNS} runs of up to ${DEPTH} steps, whole processes alternated, medians of ${REPEATS}; per second of CPU time (the child's). Load (1 min) after each pair: ${loads.map((l) => l.toFixed(1)).join(', ')}.`,
      '',
      table(
        ['simulator', 'steps', 'wall', 'CPU', 'steps/s (CPU)', 'runs/s (CPU)'],
        [
          ['protokit check (source bin, tsx)', kit[0]!.steps, ms(median(kit.map((k) => k.wallMs))), ms(median(kit.map((k) => k.cpuMs))), si(kitSteps), si(kitRuns)],
          ['quint run --backend typescript (0.33)', quint[0]!.steps, ms(median(quint.map((k) => k.wallMs))), ms(median(quint.map((k) => k.cpuMs))), si(quintSteps), si(quintRuns)],
        ],
      ),
      '',
      `protokit ÷ Quint: ${(kitSteps / quintSteps).toFixed(1)}× the steps per second, ${(kitRuns / quintRuns).toFixed(1)}× the runs per second (target 10× steps/s). Quint's runs are all ${DEPTH} steps long; protokit's end when no action can change the world.`,
    ].join('\n');
    return { markdown, json: { measured: true, kit, quint, kitStepsPerSec: kitSteps, quintStepsPerSec: quintSteps, kitRunsPerSec: kitRuns, quintRunsPerSec: quintRuns } };
  },
};
