/**
 * The run plans the kit's random exploration draws (src/explore/random/random.ts): a fault swarm and a
 * list of choice numbers, from the same fast-check arbitraries, so a baseline fed these plans
 * walks exactly the kit's runs.
 */
import fc from 'fast-check';
import { FAULT_KINDS } from '../src/engine/faults.js';
import { LENGTH_SWARM } from '../src/explore/random/strategy.js';
import type { Plan, Swarm } from './baselines/two-phase-commit-walk.js';

/** The kit's plans for a model without quiet nodes and the `random` strategy: the bound of each run drawn from the length swarm. */
export function planArbitrary(depth: number): fc.Arbitrary<Plan> {
  const swarm = fc.record(Object.fromEntries(FAULT_KINDS.map((k) => [k, fc.boolean()])) as Record<keyof Swarm, fc.Arbitrary<boolean>>);
  const bounds = [...new Set(LENGTH_SWARM.map((m) => Math.max(1, Math.round(depth * m))))];
  const choices = fc.constantFrom(...bounds).chain((bound) => fc.array(fc.nat(), { maxLength: bound, size: 'max' }));
  // The kit's plan has a `quiet` field between the two (a constant here): it draws nothing.
  return fc.record({ swarm, quiet: fc.constant(null), choices }).map(({ swarm, choices }) => ({ swarm, choices }));
}

/** Runs `run` on `runs` plans drawn with `seed`, as `checkRandom` does. */
export function forEachPlan(depth: number, runs: number, seed: number, run: (plan: Plan) => boolean): void {
  fc.check(fc.property(planArbitrary(depth), run), { numRuns: runs, seed });
}
