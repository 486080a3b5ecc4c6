/**
 * Exhaustive search against TLC, per worker: distinct states per second of CPU time of one
 * `explore` worker, each search in a fresh process (bench/explore-child.ts), on the two
 * specifications TLC was measured on, beside TLC's figures (recorded facts: TLC built from
 * source, 1 worker, this machine lightly loaded) and the target of 4× TLC; and TwoPhase with 7
 * RMs against the plain packed-state search (bench/baselines/twophase-bfs.ts, which packs at most
 * 6 RMs: both at 6 RMs), target ≥ 10%.
 * Then what a checkpoint at every level costs (`--checkpoint-interval 0`), on the command line.
 * The machine may be shared: the load average is recorded after each run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExploreOptions } from '../../src/explore/bfs/search.js';
import { twoPhaseBfs } from '../baselines/twophase-bfs.js';
import { median, ms, perSecond, si, table, time } from '../measure.js';

const REPEATS = 3;
/** TLC 1 worker, distinct states per second over its search (recorded on this machine, lightly loaded). */
const SPECS: { model: string; label: string; options: ExploreOptions; tlc: number }[] = [
  { model: 'two-phase-commit', label: 'TwoPhase RM=7', options: { config: { preset: 'tla', rms: 7 } }, tlc: 36_400 },
  { model: 'paxos', label: 'Paxos MaxBallot=2', options: { config: { preset: 'tla', maxBallot: 2 } }, tlc: 14_100 },
];
const TARGET_VS_TLC = 4;

function freshSearch(model: string, options: ExploreOptions): { states: number; depth: number; wallMs: number; cpuMs: number; load: number } {
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../explore-child.ts', import.meta.url)), model, '1', JSON.stringify(options)], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`bench explore child failed: ${child.stderr}`);
  return { ...JSON.parse(child.stdout), load: loadavg()[0]! };
}

/** `protokit explore ... --json` as a process; its own elapsed time (the search's, wall). */
function cli(args: string[]): { elapsedMs: number; states: number } {
  const child = spawnSync(process.execPath, [fileURLToPath(new URL('../../src/cli/bin.mjs', import.meta.url)), 'explore', ...args, '--json'], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`protokit explore failed: ${child.stderr}`);
  const j = JSON.parse(child.stdout);
  return { elapsedMs: j.elapsedMs, states: j.distinctStates };
}

export default {
  title: 'Exhaustive search against TLC',
  async run() {
    const rows: (string | number)[][] = [];
    const json: unknown[] = [];
    for (const spec of SPECS) {
      const runs = Array.from({ length: REPEATS }, () => freshSearch(spec.model, spec.options));
      const perSecCpu = median(runs.map((r) => perSecond(r.states, r.cpuMs)));
      const vsTlc = perSecCpu / spec.tlc;
      rows.push([spec.label, runs[0]!.states, si(perSecCpu), si(spec.tlc), `${vsTlc.toFixed(2)}×`, vsTlc >= TARGET_VS_TLC ? 'met' : 'not met', runs.map((r) => r.load.toFixed(1)).join(', ')]);
      json.push({ spec: spec.label, states: runs[0]!.states, perSecCpu, tlc: spec.tlc, vsTlc, cpuMs: runs.map((r) => r.cpuMs), load: runs.map((r) => r.load) });
    }
    // CPU time, as for protokit (on a loaded machine wall time would flatter the ratio).
    const plainRuns = Array.from({ length: REPEATS + 1 }, () => time(() => twoPhaseBfs(6))).slice(1);
    const plain = median(plainRuns.map((r) => perSecond(r.value.distinctStates, r.cpuMs)));
    const six = Array.from({ length: REPEATS }, () => freshSearch('two-phase-commit', { config: { preset: 'tla', rms: 6 } }));
    const sixPerSec = median(six.map((r) => perSecond(r.states, r.cpuMs)));
    const vsPlain = sixPerSec / plain;

    const dir = mkdtempSync(join(tmpdir(), 'protokit-bench-checkpoint-'));
    const args = ['two-phase-commit', '--config', 'preset=tla', '--config', 'rms=6'];
    const plainCli: number[] = [];
    const withCheckpoint: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      plainCli.push(cli(args).elapsedMs);
      withCheckpoint.push(cli([...args, '--checkpoint', dir, '--checkpoint-interval', '0']).elapsedMs);
    }
    rmSync(dir, { recursive: true, force: true });
    const overhead = median(withCheckpoint) / median(plainCli) - 1;

    const markdown = [
      `One worker, each search in a fresh process; distinct states per second of CPU time (every thread), median of ${REPEATS}. TLC: 1 worker, recorded on this machine lightly loaded. Target: ${TARGET_VS_TLC}× TLC.`,
      '',
      table(['specification', 'distinct states', 'protokit states/s (CPU)', 'TLC states/s', 'protokit ÷ TLC', `target ${TARGET_VS_TLC}×`, 'load (1 min) after each run'], rows),
      '',
      `TwoPhase RM=6 (the packed baseline holds at most 6 RMs): protokit ${si(sixPerSec)} states/s (CPU, fresh process) against the plain packed-state search's ${si(plain)} (CPU, in this process): ${(100 * vsPlain).toFixed(1)}% (target ≥ 10%).`,
      '',
      `A checkpoint at every level (\`--checkpoint-interval 0\`, TwoPhase rms=6, 20 levels): the search took ${ms(median(withCheckpoint))} against ${ms(median(plainCli))} without (wall, medians of ${REPEATS}): ${(100 * overhead).toFixed(0)}% more. The default interval (60 s) writes one checkpoint a minute at most.`,
    ].join('\n');
    return { markdown, json: { specs: json, plainTwoPhase6: plain, protokitTwoPhase6: sixPerSec, vsPlain, checkpoint: { plainMs: plainCli, withCheckpointMs: withCheckpoint, overhead } } };
  },
};
