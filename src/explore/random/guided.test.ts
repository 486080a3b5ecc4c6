/**
 * Coverage-guided scheduling (guided.ts): seeded like every strategy, it keeps the runs that
 * gained coverage and mutates them, and a mutated plan that fails still shrinks.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import suite from '../../../properties/two-phase-commit/index.js';
import { resolveInstance } from '../../engine/instance.js';
import { initialWorld, step, enabledActions } from '../../engine/packed.js';
import { Guide } from './guided.js';
import { checkRandom } from './random.js';
import { Chooser, planArbitrary, weightsOf, type RunPlan } from './strategy.js';

describe('coverage-guided scheduling', () => {
  test('the same seed gives the same runs, figures and corpus; the corpus is used', () => {
    const a = checkRandom(suite, { strategy: 'guided', runs: 300, seed: 3 });
    const b = checkRandom(suite, { strategy: 'guided', runs: 300, seed: 3 });
    expect([b.runs, b.steps, b.distinctStates]).toEqual([a.runs, a.steps, a.distinctStates]);
    expect(b.guided).toEqual(a.guided);
    expect(a.strategy).toBe('guided');
    expect(a.runs).toBe(300);
    // After the 32 warm-up runs, about half the plans are mutations of kept runs.
    expect(a.guided!.mutated).toBeGreaterThan(60);
    expect(a.guided!.mutated).toBeLessThan(268);
    expect(a.guided!.corpus).toBeGreaterThan(0);
    // Every transition of the two machines fires in 300 runs (TM 6 + RM 11 = 17, as --coverage counts them).
    expect(a.guided!.transitions).toBeGreaterThan(17);
    const random = checkRandom(suite, { strategy: 'random', runs: 300, seed: 3 });
    expect(random.guided).toBeUndefined();
    expect(random.steps).not.toBe(a.steps);
  });

  test('a mutant found by guided runs gives a counterexample that replays as the same violation', () => {
    const r = checkRandom(suite, { strategy: 'guided', mutant: 'tm-commits-on-majority', seed: 1 });
    expect(r.violation?.property).toBe('commit-needs-all-prepared');
    expect(r.violation!.lengths.minimized).toBeLessThanOrEqual(r.violation!.lengths.shrunk);
  });

  test('runs from the corpus keep the prefix of a run that gained and go on past it; a failing mutated plan shrinks', () => {
    const instance = resolveInstance(suite.model, {});
    const weights = weightsOf(suite.model);
    const chooser = new Chooser(instance, weights);
    const guide = new Guide(instance, 160, 40, false);
    const arbitrary = guide.arbitrary(planArbitrary(instance, 40, false, 'random', true));
    // Runs the plan as random.ts does, telling the guide each step.
    const run = (plan: RunPlan): number => {
      guide.startRun(plan);
      let world = initialWorld(instance);
      const schedule = chooser.start(plan);
      let taken = 0;
      for (const choice of plan.choices) {
        const action = schedule.next(enabledActions(instance, world), choice);
        if (action === undefined) break;
        const next = step(instance, world, action);
        guide.stepped(world, action, next);
        world = next;
        taken++;
      }
      guide.endRun();
      return taken;
    };
    // The property fails on any run longer than 40 steps: only plans the corpus extended past
    // a fresh plan's bound of 40 choices can be that long.
    const result = fc.check(
      fc.property(arbitrary, (plan) => run(plan) <= 40),
      { seed: 11, numRuns: 2000 },
    );
    expect(result.failed).toBe(true);
    const [plan] = result.counterexample!;
    // Shrunk to the shortest failing schedule: 41 choices.
    expect(plan.choices.length).toBe(41);
    expect(guide.figures().mutated).toBeGreaterThan(0);
  });
});
