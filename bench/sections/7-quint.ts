/**
 * Random exploration against Quint's simulator, whole processes, same run (issue 24: ≥ 10× Quint's
 * steps/s): `protokit check two-phase-commit --config preset=tla --runs 10000 --depth 20 --no-small`
 * of the INSTALLED package (packed and installed in a temporary project, bench/installed.ts) and
 * of this checkout's bin (TypeScript sources through tsx), against `quint run
 * bench/quint/two_phase.qnt --backend typescript --max-samples 10000 --max-steps 20` (the same
 * TwoPhase specification with 3 RMs, its consistency invariant), alternated round by round. Quint
 * is installed apart, in bench/quint/ with its own lock file (`cd bench/quint && npm ci`; its
 * default Rust backend would download a binary, the TypeScript one runs offline); without it the
 * section says so. `--no-small` leaves out check's exhaustive pass over small configurations:
 * simulator against simulator.
 *
 * Steps differ in kind: Quint's runs always take 20 steps (a delivery that changes nothing stays
 * enabled in the specification), protokit's end when nothing can change (`set` network), so both
 * steps and runs per second of CPU time are shown.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { installedPackage } from '../installed.js';
import { load1, median, ms, runChild, si, table, verdict } from '../measure.js';

const REPEATS = 3;
const RUNS = 10_000;
const DEPTH = 20;
const TARGET = 10;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const QUINT_DIR = fileURLToPath(new URL('../quint/', import.meta.url));
const QUINT = `${QUINT_DIR}node_modules/@informalsystems/quint/dist/src/cli.js`;
const SOURCE_BIN = `${ROOT}src/cli/bin.mjs`;

interface Sim {
  wallMs: number;
  cpuMs: number;
  steps: number;
  runs: number;
}

/** One `protokit check` process; exit 1 is accepted (TwoPhase's recovery witness needs crashes), a violation is not. */
async function protokit(bin: string, cwd: string): Promise<Sim> {
  const r = await runChild(process.execPath, [bin, 'check', 'two-phase-commit', '--config', 'preset=tla', '--runs', String(RUNS), '--depth', String(DEPTH), '--no-small', '--json', '--out', `${cwd}/traces`], { cwd });
  const j = JSON.parse(r.stdout);
  if (j.violation !== null) throw new Error(`protokit check found ${j.violation.property} on the correct model`);
  if (j.runs !== RUNS) throw new Error(`protokit check ran ${j.runs} runs, not ${RUNS}`);
  return { wallMs: r.wallMs, cpuMs: r.cpuMs, steps: j.steps, runs: j.runs };
}

async function quint(seed: number): Promise<Sim> {
  const r = await runChild(process.execPath, [QUINT, 'run', 'two_phase.qnt', '--backend', 'typescript', '--max-samples', String(RUNS), '--max-steps', String(DEPTH), '--invariant', 'consistent', '--seed', String(seed)], { cwd: QUINT_DIR });
  if (!/No violation found/.test(r.stdout)) throw new Error(`quint run did not pass: ${r.stdout.slice(-500)}`);
  const average = Number(/average=([\d.]+)/.exec(r.stdout)?.[1] ?? DEPTH + 1);
  return { wallMs: r.wallMs, cpuMs: r.cpuMs, steps: Math.round(RUNS * (average - 1)), runs: RUNS };
}

export default {
  title: 'Random exploration against Quint',
  async run() {
    if (!existsSync(QUINT)) {
      return { markdown: 'Quint is not installed (`cd bench/quint && npm ci`): not measured.', json: { measured: false } };
    }
    const pkg = installedPackage();
    if ('error' in pkg) return { markdown: `Not measured: the package could not be installed: ${pkg.error}`, json: { measured: false, reason: pkg.error } };
    const loadBefore = load1();
    const installed: Sim[] = [];
    const checkout: Sim[] = [];
    const quints: Sim[] = [];
    for (let i = 0; i < REPEATS; i++) {
      installed.push(await protokit(pkg.bin, pkg.project));
      quints.push(await quint(i + 1));
      checkout.push(await protokit(SOURCE_BIN, ROOT));
    }
    const loadAfter = load1();
    const rate = (xs: Sim[], of: (x: Sim) => number) => median(xs.map((x) => (of(x) * 1000) / x.cpuMs));
    const steps = (xs: Sim[]) => rate(xs, (x) => x.steps);
    const runs = (xs: Sim[]) => rate(xs, (x) => x.runs);
    const quintSteps = steps(quints);
    const vsInstalled = steps(installed) / quintSteps;
    const vsCheckout = steps(checkout) / quintSteps;
    const row = (label: string, xs: Sim[]) => [label, xs[0]!.steps, ms(median(xs.map((x) => x.wallMs))), ms(median(xs.map((x) => x.cpuMs))), si(steps(xs)), si(runs(xs)), xs === quints ? '—' : `${(steps(xs) / quintSteps).toFixed(1)}×`];
    const markdown = [
      `TwoPhase with 3 RMs, ${RUNS} runs of up to ${DEPTH} steps, whole processes alternated round by round, medians of ${REPEATS}; per second of CPU time (the child's, start-up included). Load (1 min) ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after.`,
      '',
      table(
        ['simulator', 'steps', 'wall', 'CPU', 'steps/s (CPU)', 'runs/s (CPU)', 'steps/s ÷ Quint'],
        [
          row('protokit check, installed package', installed),
          row('protokit check, checkout (tsx)', checkout),
          row('quint run --backend typescript (0.33)', quints),
        ],
      ),
      '',
      `- Installed package ÷ Quint: **${vsInstalled.toFixed(1)}×** the steps per second — target ${TARGET}×: **${verdict(vsInstalled, TARGET)}** (checkout: ${vsCheckout.toFixed(1)}×, ${verdict(vsCheckout, TARGET)}).`,
      `- Runs per second: installed ${(runs(installed) / runs(quints)).toFixed(1)}× Quint's. Quint's runs are all ${DEPTH} steps long; protokit's end when no action can change the world.`,
    ].join('\n');
    return {
      markdown,
      json: { measured: true, load: [loadBefore, loadAfter], installed, checkout, quint: quints, installedStepsPerSec: steps(installed), checkoutStepsPerSec: steps(checkout), quintStepsPerSec: quintSteps, vsInstalled, vsCheckout, target: TARGET },
    };
  },
};
