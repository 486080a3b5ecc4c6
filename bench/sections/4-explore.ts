/**
 * Exhaustive search throughput: a plain hand-written breadth-first search of the TwoPhase
 * specification (bench/baselines/twophase-bfs.ts: packed numeric states, no xstate) against
 * `protokit explore two-phase-commit --config preset=tla --config rms=6` with one worker;
 * distinct states per second, their ratio, and memory per visited state. Then one worker
 * against two on spaces big enough for threads to pay (Paxos with MaxBallot 2: 185,369 states;
 * TwoPhase with 7 RMs: 296,448), wall and CPU time and the load average after each run, since the
 * machine may be shared.
 * Also the state counts protokit reaches beside those of the plain specification searches
 * (TwoPhase, Paxos), which must be equal.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import paxos from '../../properties/paxos/index.js';
import twoPhase from '../../properties/two-phase-commit/index.js';
import { explore, type ExploreOptions, type ExploreResult } from '../../src/explore/bfs/search.js';
import type { Suite } from '../../src/properties/suite.js';
import { paxosBfs } from '../baselines/paxos-bfs.js';
import { twoPhaseBfs } from '../baselines/twophase-bfs.js';
import { collectGarbage, median, ms, perSecond, si, table } from '../measure.js';

const RMS = 6;
const REPEATS = 3;
const REGISTRY = new URL('../../properties/registry.ts', import.meta.url).href;
/** Spaces big enough for threads to pay, if anything does: one with a step invariant (every successor built), one without. */
const BIG: { model: string; label: string; options: ExploreOptions }[] = [
  { model: 'paxos', label: 'Paxos tla maxBallot=2', options: { config: { preset: 'tla', maxBallot: 2 } } },
  { model: 'two-phase-commit', label: 'TwoPhase tla rms=7', options: { config: { preset: 'tla', rms: 7 } } },
];

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; cpuMs: number; wallMs: number }> {
  const wall = performance.now(); // allow-clock: benchmark timing
  const cpu = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return { value, cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - wall }; // allow-clock
}

/**
 * One search in a fresh process, as `protokit explore` runs: no memo warmed by an earlier search
 * (a worker thread always starts cold, so the main thread must too). Wall time is the search's
 * (worker start-up included); CPU time is the child process's over the search, every thread.
 */
function freshSearch(model: string, options: ExploreOptions, workers: number): { states: number; depth: number; generated: number; wallMs: number; cpuMs: number; load: number } {
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../explore-child.ts', import.meta.url)), model, String(workers), JSON.stringify(options)], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`bench explore child failed: ${child.stderr}`);
  return { ...JSON.parse(child.stdout), load: loadavg()[0]! };
}

async function fresh(model: string, options: ExploreOptions, workers: number) {
  const runs = Array.from({ length: REPEATS }, () => freshSearch(model, options, workers));
  return {
    states: runs[0]!.states,
    depth: runs[0]!.depth,
    generated: runs[0]!.generated,
    wallMs: median(runs.map((r) => r.wallMs)),
    cpuMs: median(runs.map((r) => r.cpuMs)),
    perSecWall: median(runs.map((r) => perSecond(r.states, r.wallMs))),
    load: runs.map((r) => r.load),
  };
}

/** Medians of REPEATS searches; CPU time is the whole process's (every thread: workers, GC). */
async function protokit(suite: Suite, options: ExploreOptions, workers: number) {
  const runs: { result: ExploreResult; cpuMs: number; wallMs: number; heapBefore: number; load: number }[] = [];
  for (let i = 0; i < REPEATS; i++) {
    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    const t = await timed(() => explore(suite, { ...options, workers, suiteModule: REGISTRY }));
    runs.push({ result: t.value, cpuMs: t.cpuMs, wallMs: t.wallMs, heapBefore, load: loadavg()[0]! });
  }
  const states = runs[0]!.result.distinctStates;
  return {
    states,
    depth: runs[0]!.result.depth,
    generated: runs[0]!.result.generated,
    wallMs: median(runs.map((r) => r.wallMs)),
    cpuMs: median(runs.map((r) => r.cpuMs)),
    perSecWall: median(runs.map((r) => perSecond(states, r.wallMs))),
    perSecCpu: median(runs.map((r) => perSecond(states, r.cpuMs))),
    visitedBytes: runs[0]!.result.visitedBytesPerState,
    heapBytes: median(runs.map((r) => (r.result.peakHeapBytes - r.heapBefore) / states)),
    load: runs.map((r) => r.load),
  };
}

export default {
  title: 'Exhaustive search (explore)',
  async run() {
    const plainRuns = Array.from({ length: REPEATS + 2 }, () => twoPhaseBfs(RMS)).slice(2); // two warm-up runs
    const plain = {
      states: plainRuns[0]!.distinctStates,
      perSec: median(plainRuns.map((r) => perSecond(r.distinctStates, r.elapsedMs))),
      wallMs: median(plainRuns.map((r) => r.elapsedMs)),
    };
    const tla6 = { config: { preset: 'tla', rms: RMS } };
    const one = await protokit(twoPhase, tla6, 1);
    const ratio = one.perSecWall / plain.perSec;
    const ratioCpu = one.perSecCpu / plain.perSec;

    const big: { label: string; one: Awaited<ReturnType<typeof fresh>>; two: Awaited<ReturnType<typeof fresh>>; speedup: number }[] = [];
    for (const { model, label, options } of BIG) {
      const one = await fresh(model, options, 1);
      const two = await fresh(model, options, 2);
      if (one.states !== two.states || one.depth !== two.depth || one.generated !== two.generated) {
        throw new Error(`${label}: explore with 2 workers found other figures than with 1 (${two.states}/${two.depth}/${two.generated} against ${one.states}/${one.depth}/${one.generated})`);
      }
      big.push({ label, one, two, speedup: one.wallMs / two.wallMs });
    }

    const counts: (string | number)[][] = [];
    for (const rms of [3, 4, 5, 6]) {
      const kit = await explore(twoPhase, { config: { preset: 'tla', rms } });
      const sym = await explore(twoPhase, { config: { preset: 'tla', rms }, symmetry: true });
      const spec = twoPhaseBfs(rms);
      counts.push([`TwoPhase rms=${rms}`, `${kit.distinctStates} / ${kit.depth}`, `${spec.distinctStates} / ${spec.depth}`, sym.distinctStates, ms(kit.elapsedMs)]);
    }
    const px = await explore(paxos, { config: { preset: 'tla', maxBallot: 1 } });
    const pxSym = await explore(paxos, { config: { preset: 'tla', maxBallot: 1 }, symmetry: true });
    const pxSpec = paxosBfs(1);
    counts.push(['Paxos maxBallot=1', `${px.distinctStates} / ${px.depth}`, `${pxSpec.distinctStates} / ${pxSpec.depth}`, pxSym.distinctStates, ms(px.elapsedMs)]);

    const loads = (r: { load: number[] }) => r.load.map((l) => l.toFixed(1)).join(', ');
    const markdown = [
      `TwoPhase with ${RMS} RMs (${plain.states} distinct states; protokit: ${one.states}, depth ${one.depth}). Medians of ${REPEATS} runs.`,
      '',
      table(
        ['search', 'distinct states/s (wall)', 'states/s (CPU)', 'wall time', 'CPU time', 'vs plain BFS (wall)'],
        [
          ['plain JS BFS (packed state)', si(plain.perSec), '-', ms(plain.wallMs), '-', '100%'],
          ['protokit explore, 1 worker', si(one.perSecWall), si(one.perSecCpu), ms(one.wallMs), ms(one.cpuMs), `${(ratio * 100).toFixed(2)}%`],
        ],
      ),
      '',
      `One worker against the plain search: ${(ratio * 100).toFixed(2)}% on wall time, ${(ratioCpu * 100).toFixed(2)}% on CPU time (target ≥ 50%).`,
      `Memory per visited state: ${one.visitedBytes.toFixed(1)} bytes in the visited set (fingerprint and parent pointer); ${si(one.heapBytes)} bytes of peak heap growth per state, most of it the worlds of the level being expanded and the next, and the node-transition cache.`,
      '',
      'Workers, on spaces big enough to matter (the same distinct states, depth and transitions with 2 workers, checked). Each search runs in a fresh process, as `protokit explore` does; wall time is the search\'s (worker start-up included), CPU time the whole process\'s over it: every thread, garbage collection and compilation included.',
      '',
      table(
        ['search', 'workers', 'distinct states', 'distinct states/s (wall)', 'wall time', 'CPU time', 'load average (1 min) after each run'],
        big.flatMap(({ label, one, two }) => [
          [label, 1, one.states, si(one.perSecWall), ms(one.wallMs), ms(one.cpuMs), loads(one)],
          [label, 2, two.states, si(two.perSecWall), ms(two.wallMs), ms(two.cpuMs), loads(two)],
        ]),
      ),
      '',
      `Two workers against one, on wall time (target ≥ 1.6×): ${big.map((b) => `${b.label} ${b.speedup.toFixed(2)}×`).join('; ')}. Two searchers, and the background compiler and garbage collector threads of two V8 isolates, need more than the 2 cores of this machine; when other work holds the cores too (see the load), compare CPU time.`,
      '',
      'State counts (distinct / depth) against plain searches of the specifications:',
      '',
      table(['configuration', 'protokit explore', 'plain spec BFS', 'with --symmetry', 'protokit time'], counts),
    ].join('\n');
    return {
      markdown,
      json: { plain, one, ratio, ratioCpu, big, counts },
    };
  },
};
