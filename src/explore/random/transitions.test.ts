/**
 * The transition cache of random runs changes no figure: the kit's runs take exactly the steps
 * and count exactly the distinct states of a plain hand-written walk of Two-Phase Commit fed the
 * same plans (bench/baselines/two-phase-commit-walk.ts); and a state is served from the cache
 * only in the order of messages it was cached with, since the order of enabled actions follows it.
 */
import { describe, expect, test } from 'vitest';
import { TwoPhaseCommitWalk } from '../../../bench/baselines/two-phase-commit-walk.js';
import { forEachPlan } from '../../../bench/plans.js';
import twoPhase from '../../../properties/two-phase-commit/index.js';
import { worldFingerprint } from '../../engine/fingerprint.js';
import { resolveInstance } from '../../engine/instance.js';
import { enabledActions, initialWorld, step } from '../../engine/packed.js';
import type { World } from '../../engine/world.js';
import { checkRandom } from './random.js';
import { TransitionCache } from './transitions.js';

describe('random runs with the transition cache', () => {
  test('the model default (the walk mirrors it): the same steps and distinct states as the plain walk on the same plans', () => {
    const result = checkRandom(twoPhase, { runs: 1500, seed: 100 });
    const walk = new TwoPhaseCommitWalk(Number(result.config.rms), result.faults, true);
    forEachPlan(twoPhase.budget.depth, 1500, 100, (plan) => walk.run(plan.swarm, plan.choices));
    expect([result.steps, result.distinctStates]).toEqual([walk.steps, walk.distinct.size]);
    expect(result.steps).toBeGreaterThan(15_000);
  });

  test('a state is served only in the message order it was cached with', () => {
    const instance = resolveInstance(twoPhase.model, {});
    let world: World = initialWorld(instance);
    // Step until two messages are in flight, then swap them: the same state, another order.
    while (world.network.length < 2) world = step(instance, world, enabledActions(instance, world)[0]!);
    const swapped: World = { ...world, network: [world.network[1]!, world.network[0]!, ...world.network.slice(2)] };
    const f = worldFingerprint(instance, world);
    expect(worldFingerprint(instance, swapped)).toEqual(f);
    const cache = new TransitionCache();
    const cached = cache.add(f, world, enabledActions(instance, world))!;
    expect(cache.get(f, world)).toBe(cached);
    expect(cache.get(f, { ...world })).toBe(cached);
    expect(cache.get(f, swapped)).toBeUndefined();
    expect(new TransitionCache(0).add(f, world, [])).toBeUndefined();
  });
});
