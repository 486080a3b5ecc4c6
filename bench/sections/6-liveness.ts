/**
 * The cost of liveness in exhaustive search: TwoPhase with 6 RMs (`preset=tla`, 50,816 states),
 * its one liveness property (every RM eventually learns the outcome) decided by recording the
 * graph and finding its strongly connected components, against the same search safety-only
 * (`liveness: false`, which takes the ordinary search path). Interleaved repetitions in this
 * process, after one warm-up of each (so both find the node-transition memo warm); medians of
 * wall and CPU time; bytes per state of the visited set and of the liveness graph.
 *
 *   npm run bench -- liveness      this section only (printed, not written)
 */
import { suites } from '../../properties/registry.js';
import { explore, type ExploreOptions, type ExploreResult } from '../../src/explore/bfs/search.js';
import { collectGarbage, median, ms, si, table } from '../measure.js';

const REPEAT = 3;
const OPTIONS: ExploreOptions = { config: { preset: 'tla', rms: 6 } };

async function timed(options: ExploreOptions): Promise<{ wallMs: number; cpuMs: number; result: ExploreResult }> {
  const suite = suites.find((s) => s.model.name === 'two-phase-commit')!;
  collectGarbage();
  const wall = performance.now(); // allow-clock: benchmark timing
  const cpu = process.cpuUsage();
  const result = await explore(suite, options);
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - wall, cpuMs: (used.user + used.system) / 1000, result }; // allow-clock
}

export default {
  title: 'Liveness in exhaustive search: TwoPhase rms=6',
  async run() {
    await timed({ ...OPTIONS, liveness: false });
    await timed(OPTIONS);
    const safety: Awaited<ReturnType<typeof timed>>[] = [];
    const live: Awaited<ReturnType<typeof timed>>[] = [];
    for (let k = 0; k < REPEAT; k++) {
      safety.push(await timed({ ...OPTIONS, liveness: false }));
      live.push(await timed(OPTIONS));
    }
    const s = safety[0]!.result;
    const l = live[0]!.result;
    const figures = {
      states: l.distinctStates,
      transitions: l.generated,
      verdict: l.liveness.properties.map((p) => `${p.name}: ${p.verdict}`).join(', '),
      safetyWallMs: median(safety.map((x) => x.wallMs)),
      livenessWallMs: median(live.map((x) => x.wallMs)),
      safetyCpuMs: median(safety.map((x) => x.cpuMs)),
      livenessCpuMs: median(live.map((x) => x.cpuMs)),
      visitedBytesPerState: s.visitedBytesPerState,
      livenessVisitedBytesPerState: l.visitedBytesPerState,
      livenessGraphBytesPerState: l.liveness.bytesPerState,
    };
    const ratio = figures.livenessWallMs / figures.safetyWallMs;
    const markdown = [
      `\`explore two-phase-commit --config preset=tla --config rms=6\`: ${si(figures.states)} states, ${si(figures.transitions)} transitions; ${figures.verdict}.`,
      `Medians of ${REPEAT} interleaved runs in one process after a warm-up of each. Liveness adds ${ratio.toFixed(2)}× to the wall time (target: at most 2×).`,
      '',
      table(
        ['search', 'wall', 'CPU', 'visited set, bytes/state', 'liveness graph, bytes/state'],
        [
          ['safety only (`liveness: false`)', ms(figures.safetyWallMs), ms(figures.safetyCpuMs), figures.visitedBytesPerState.toFixed(1), '0'],
          ['with liveness', ms(figures.livenessWallMs), ms(figures.livenessCpuMs), figures.livenessVisitedBytesPerState.toFixed(1), figures.livenessGraphBytesPerState.toFixed(1)],
        ],
      ),
    ].join('\n');
    return { markdown, json: { ...figures, ratio } };
  },
};
