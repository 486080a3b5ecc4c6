/**
 * Run lengths from a swarm, budgets in steps, the PCT strategy and configuration sweeps: each is
 * deterministic for a seed, and does what it says (exact figures, seeded).
 */
import { describe, expect, test } from 'vitest';
import mapreduce from '../../../properties/mapreduce/index.js';
import twoPhase from '../../../properties/two-phase-commit/index.js';
import { traceOfCheck } from '../../trace/replay.js';
import { checkRandom } from './random.js';
import { LENGTH_SWARM, longestRun } from './strategy.js';
import { shareOf, sweepPoints } from './sweep.js';

describe('exploration', () => {
  test('a sweep is every combination of the declared ranges, less what the command line fixes', () => {
    expect(sweepPoints(mapreduce)).toEqual([
      { maps: 1, reduces: 1 }, { maps: 1, reduces: 2 }, { maps: 2, reduces: 1 }, { maps: 2, reduces: 2 }, { maps: 3, reduces: 1 }, { maps: 3, reduces: 2 },
    ]);
    expect(sweepPoints(mapreduce, { maps: '2' })).toEqual([{ reduces: 1 }, { reduces: 2 }]);
    expect(sweepPoints(mapreduce, { maps: '2', reduces: '1' })).toEqual([{}]);
    expect(sweepPoints(twoPhase)).toEqual([{}]);
    expect([0, 1, 2, 3, 4, 5].map((i) => shareOf(1000, 6, i))).toEqual([167, 167, 167, 167, 166, 166]);
  });

  test('a check spreads its runs over the sweep, and a counterexample records the configuration it ran in', () => {
    const r = checkRandom(mapreduce, { runs: 60, mutant: 'partitions-by-maps', minimize: false });
    expect(r.sweep?.map((p) => [p.config.maps, p.config.reduces, p.runs, p.violated])).toEqual(SWEEP_OUTCOME);
    expect(r.violation?.property).toBe('output-matches-sequential');
    const trace = traceOfCheck(mapreduce, {}, r);
    expect([trace.config.maps, trace.config.reduces]).toEqual([r.config.maps, r.config.reduces]);
    expect(trace.config.maps).not.toBe(trace.config.reduces);
  });

  test('run bounds come from the length swarm: longer runs than the fixed bound allowed', () => {
    expect(LENGTH_SWARM).toEqual([0.5, 1, 2, 4]);
    expect(longestRun(30)).toBe(120);
    const swarm = checkRandom(twoPhase, { runs: 400, config: { retry: true } });
    const fixed = checkRandom(twoPhase, { runs: 400, fixedDepth: true });
    expect([swarm.steps, fixed.steps]).toEqual(LENGTH_STEPS);
  });

  test('a budget in steps runs until that many steps, the same way every time', () => {
    const a = checkRandom(twoPhase, { steps: 3000 });
    const b = checkRandom(twoPhase, { steps: 3000 });
    expect([a.runs, a.steps]).toEqual([b.runs, b.steps]);
    expect(a.steps).toBeGreaterThanOrEqual(3000);
    expect(a.steps).toBeLessThan(3000 + longestRun(twoPhase.budget.depth));
    expect([a.runs, a.steps]).toEqual(STEPS_OUTCOME);
  });

  test('pct finds a bug and is as reproducible as random', () => {
    const a = checkRandom(twoPhase, { strategy: 'pct', mutant: 'tm-commits-on-majority' });
    const b = checkRandom(twoPhase, { strategy: 'pct', mutant: 'tm-commits-on-majority' });
    expect(a.strategy).toBe('pct');
    expect(b.violation?.actions).toEqual(a.violation?.actions);
    expect([a.violation?.property, a.runs]).toEqual(PCT_OUTCOME);
  });
});

// maps=1 reduces=1 (the configuration that masks it) passes its 10 runs; maps=1 reduces=2 fails at once.
const SWEEP_OUTCOME: unknown[] = [[1, 1, 10, false], [1, 2, 1, true]];
const LENGTH_STEPS: unknown[] = [5503, 5232];
const STEPS_OUTCOME: unknown[] = [216, 3018];
const PCT_OUTCOME: unknown[] = ['commit-needs-all-prepared', 329];
