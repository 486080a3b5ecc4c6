/**
 * The run plans the kit's random exploration draws (src/explore/random/random.ts): a fault swarm and a
 * list of choice numbers, from the same fast-check arbitraries, so a baseline fed these plans
 * walks exactly the kit's runs.
 */
import fc from 'fast-check';
import { FAULT_KINDS } from '../src/engine/faults.js';
import type { Plan, Swarm } from './baselines/two-phase-commit-walk.js';

export function planArbitrary(depth: number): fc.Arbitrary<Plan> {
  const swarm = fc.record(Object.fromEntries(FAULT_KINDS.map((k) => [k, fc.boolean()])) as Record<keyof Swarm, fc.Arbitrary<boolean>>);
  return fc.record({ swarm, choices: fc.array(fc.nat(), { maxLength: depth, size: 'max' }) });
}

/** Runs `run` on `runs` plans drawn with `seed`, as `checkRandom` does. */
export function forEachPlan(depth: number, runs: number, seed: number, run: (plan: Plan) => boolean): void {
  fc.check(fc.property(planArbitrary(depth), run), { numRuns: runs, seed });
}
