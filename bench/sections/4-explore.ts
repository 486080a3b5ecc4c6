/**
 * Exhaustive search throughput: a plain hand-written breadth-first search of the TwoPhase
 * specification (bench/baselines/twophase-bfs.ts: packed numeric states, no xstate) against
 * `protokit explore two-phase-commit --config preset=tla --config rms=6` with one and two
 * workers; distinct states per second, their ratio, the speedup of two workers over one, and
 * memory per visited state. Also the state counts protokit reaches beside those of the plain
 * specification searches (TwoPhase, Paxos), which must be equal.
 */
import paxos from '../../properties/paxos/index.js';
import twoPhase from '../../properties/two-phase-commit/index.js';
import { explore, type ExploreResult } from '../../src/explore/bfs.js';
import { paxosBfs } from '../baselines/paxos-bfs.js';
import { twoPhaseBfs } from '../baselines/twophase-bfs.js';
import { collectGarbage, median, ms, perSecond, si, table } from '../measure.js';

const RMS = 6;
const REPEATS = 3;
const REGISTRY = new URL('../../properties/registry.ts', import.meta.url).href;

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; cpuMs: number; wallMs: number }> {
  const wall = performance.now(); // allow-clock: benchmark timing
  const cpu = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return { value, cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - wall }; // allow-clock
}

async function protokit(workers: number) {
  const runs: { result: ExploreResult; cpuMs: number; wallMs: number; heapBefore: number }[] = [];
  for (let i = 0; i < REPEATS; i++) {
    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    const t = await timed(() => explore(twoPhase, { config: { preset: 'tla', rms: RMS }, workers, suiteModule: REGISTRY }));
    runs.push({ result: t.value, cpuMs: t.cpuMs, wallMs: t.wallMs, heapBefore });
  }
  const states = runs[0]!.result.distinctStates;
  return {
    states,
    depth: runs[0]!.result.depth,
    wallMs: median(runs.map((r) => r.wallMs)),
    cpuMs: median(runs.map((r) => r.cpuMs)),
    perSecWall: median(runs.map((r) => perSecond(states, r.wallMs))),
    perSecCpu: median(runs.map((r) => perSecond(states, r.cpuMs))),
    visitedBytes: runs[0]!.result.visitedBytesPerState,
    heapBytes: median(runs.map((r) => (r.result.peakHeapBytes - r.heapBefore) / states)),
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
    const one = await protokit(1);
    const two = await protokit(2);
    const ratio = one.perSecWall / plain.perSec;
    const speedup = one.wallMs / two.wallMs;

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

    const markdown = [
      `TwoPhase with ${RMS} RMs (${plain.states} distinct states; protokit: ${one.states}, depth ${one.depth}). Medians of ${REPEATS} runs; states/s on wall time.`,
      '',
      table(
        ['search', 'distinct states/s', 'wall time', 'CPU time', 'vs plain BFS'],
        [
          ['plain JS BFS (packed state)', si(plain.perSec), ms(plain.wallMs), '-', '100%'],
          ['protokit explore, 1 worker', si(one.perSecWall), ms(one.wallMs), ms(one.cpuMs), `${(ratio * 100).toFixed(2)}%`],
          ['protokit explore, 2 workers', si(two.perSecWall), ms(two.wallMs), ms(two.cpuMs), `${((two.perSecWall / plain.perSec) * 100).toFixed(2)}%`],
        ],
      ),
      '',
      `Two workers against one: ${speedup.toFixed(2)}× (target ≥ 1.6×). One worker against the plain search: ${(ratio * 100).toFixed(2)}% (target ≥ 50%).`,
      `Memory per visited state: ${one.visitedBytes.toFixed(1)} bytes in the visited set (fingerprint and parent pointer); ${si(one.heapBytes)} bytes of peak heap growth per state, most of it the queue of worlds to expand and the node-transition cache.`,
      '',
      'State counts (distinct / depth) against plain searches of the specifications:',
      '',
      table(['configuration', 'protokit explore', 'plain spec BFS', 'with --symmetry', 'protokit time'], counts),
    ].join('\n');
    return {
      markdown,
      json: { plain, one, two, ratio, speedup, counts },
    };
  },
};
