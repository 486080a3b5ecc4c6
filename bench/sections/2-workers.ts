/**
 * `explore --workers 2` against one worker (issue 24: ≥ 1.6× one worker's distinct states/s on
 * two cores, same counts): Paxos with MaxBallot 2 and TwoPhase with 7 RMs, each search in a fresh
 * process of the installed package (bench/installed.ts: its built files on plain node, as a user's
 * `protokit explore` runs; from the checkout a worker thread would compile the TypeScript sources
 * through tsx again), one and two workers alternated, medians. Wall time is the search's (worker
 * start-up included); CPU time is the process's over the search, every thread, split (on Linux)
 * into the main thread, the worker threads and V8's own threads (optimising compiler, garbage
 * collector helpers).
 * Two workers must find the same distinct states, depth and transitions as one (checked).
 * With one worker the search also decides liveness (it builds the liveness graph); with two it
 * does not (liveness is decided by one thread only), so one worker does more work per state.
 */
import type { ExploreOptions } from '../../src/index.js';
import { join } from 'node:path';
import { expectCount, freshInstalledSearch, type FreshSearch } from '../fresh-search.js';
import { installedPackage } from '../installed.js';
import { load1, median, ms, perSecond, si, table, verdict } from '../measure.js';

const ROUNDS = 3;
const TARGET = 1.6;
const SPACES: { label: string; model: string; options: ExploreOptions; states: number; depth: number }[] = [
  { label: 'Paxos MaxBallot=2', model: 'paxos', options: { config: { preset: 'tla', maxBallot: 2 } }, states: 185_369, depth: 25 },
  { label: 'TwoPhase RM=7', model: 'two-phase-commit', options: { config: { preset: 'tla', rms: 7 } }, states: 296_448, depth: 23 },
];

/** The CPU split of a search's runs, medians: main thread / worker threads / V8's own threads. */
function split(runs: FreshSearch[]): string {
  const part = (key: 'mainThreadCpuMs' | 'workerThreadsCpuMs' | 'backgroundCpuMs') => (runs.every((r) => typeof r[key] === 'number') ? ms(median(runs.map((r) => r[key]!))) : '?');
  return `${part('mainThreadCpuMs')} / ${part('workerThreadsCpuMs')} / ${part('backgroundCpuMs')}`;
}

export default {
  title: 'explore --workers 2 against one worker',
  async run() {
    const pkg = installedPackage();
    if ('error' in pkg) return { markdown: `Not measured: the package could not be installed: ${pkg.error}`, json: { measured: false, reason: pkg.error } };
    const packageDir = join(pkg.project, 'node_modules', 'protokit');
    const rows: (string | number)[][] = [];
    const json: unknown[] = [];
    for (const space of SPACES) {
      const loadBefore = load1();
      const one: FreshSearch[] = [];
      const two: FreshSearch[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        for (const [workers, runs] of [[1, one], [2, two]] as const) {
          const r = await freshInstalledSearch(packageDir, space.model, workers, space.options);
          expectCount(`${space.label} with ${workers} worker(s)`, r, space.states, space.depth);
          if (runs.length > 0 && r.generated !== runs[0]!.generated) throw new Error(`${space.label}: ${r.generated} transitions against ${runs[0]!.generated} in an earlier run`);
          runs.push(r);
        }
      }
      if (one[0]!.generated !== two[0]!.generated) throw new Error(`${space.label}: two workers took ${two[0]!.generated} transitions, one ${one[0]!.generated}`);
      const wall = (rs: FreshSearch[]) => median(rs.map((r) => perSecond(r.states, r.wallMs)));
      const cpu = (rs: FreshSearch[]) => median(rs.map((r) => perSecond(r.states, r.cpuMs)));
      const speedup = wall(two) / wall(one);
      const cpuRatio = cpu(two) / cpu(one);
      const load = [loadBefore, load1()];
      rows.push([space.label, space.states.toLocaleString('en'), si(wall(one)), si(wall(two)), `${speedup.toFixed(2)}×`, verdict(speedup, TARGET), si(cpu(one)), si(cpu(two)), `${cpuRatio.toFixed(2)}×`, ms(median(one.map((r) => r.wallMs))), ms(median(two.map((r) => r.wallMs))), split(one), split(two), load.map((l) => l.toFixed(1)).join(', ')]);
      json.push({ ...space, one, two, speedupWall: speedup, cpuRatio, target: TARGET, load });
    }
    const markdown = [
      `Each search in a fresh process, one and two workers alternated, medians of ${ROUNDS}; the same distinct states, depth and transitions checked. Target: two workers ≥ ${TARGET}× one worker's distinct states per wall-second. On 2 cores shared with other work (see the load) the wall figure depends on what else runs; the CPU figure says what a second worker costs.`,
      '',
      table(
        ['search', 'distinct states', 'states/s wall, 1 worker', 'states/s wall, 2 workers', '2 ÷ 1 (wall)', `target ${TARGET}×`, 'states/s CPU, 1 worker', 'states/s CPU, 2 workers', '2 ÷ 1 (CPU)', 'search wall, 1', 'search wall, 2', 'CPU main / workers / V8, 1 worker', 'CPU main / workers / V8, 2 workers', 'load before, after'],
        rows,
      ),
      '',
      'One worker also decides liveness (building the liveness graph); two workers do not, so per state one worker does more.',
      "CPU main / workers / V8: the search's CPU time (medians) on the main thread, on the worker threads, and on V8's own threads (its optimising compiler and garbage-collector helpers, which each thread's isolate keeps busy with its own code and heap), from /proc in 10 ms ticks. A second worker thread compiles the search's hot code again and boots its own heap: on two cores that work competes with the searchers.",
    ].join('\n');
    return { markdown, json };
  },
};
