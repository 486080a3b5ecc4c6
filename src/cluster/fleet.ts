/**
 * Random exploration split into units, as FoundationDB's Joshua runs its simulations: the budget
 * (runs from a seed) is cut into units exactly as `--shard K/N` cuts it (each unit its share of
 * the runs and its own derived seed, so each is an ordinary seeded check that replays alone).
 * `check MODEL --units N` runs them one after the other here; `check MODEL --units N --queue
 * nats://…` puts them in a JetStream work queue that `protokit worker` processes pull from
 * (fleet-worker.ts). Either way the result is that of units 1..k, where k is the lowest unit
 * that found a violation (all units when none did): its counterexample, and the figures of the
 * units up to it added as `merge` adds shards. Which worker was fastest changes nothing.
 */
import { UsageError } from '../engine/errors.js';
import { checkRandomInterruptible, DEFAULT_SEED, type CheckOptions, type CheckResult } from '../explore/random/random.js';
import { mergeShards, shardPlan } from '../explore/shard/shard.js';
import type { Suite } from '../properties/suite.js';

export interface UnitPlan {
  /** 1-based, as shards are. */
  readonly unit: number;
  readonly seed: number;
  readonly runs: number;
}

export function unitPlans(seed: number, runs: number, units: number): UnitPlan[] {
  if (units > runs) throw new UsageError(`--units ${units} is more than --runs ${runs} (give at least one run per unit)`);
  return Array.from({ length: units }, (_, k) => ({ unit: k + 1, ...shardPlan(seed, runs, { index: k + 1, count: units }) }));
}

/** Options of one unit's check: the command's, with the unit's seed and runs. */
export function unitOptions(options: CheckOptions, plan: UnitPlan): CheckOptions {
  return { ...options, seed: plan.seed, runs: plan.runs, onProgress: undefined };
}

/** The units, one after the other in this thread, up to the first that finds a violation. */
export async function checkUnitsLocally(suite: Suite, options: CheckOptions, units: number, signal: AbortSignal, onUnit?: (done: number, total: number) => void): Promise<CheckResult> {
  const started = performance.now(); // allow-clock: reports elapsed time only
  const seed = options.seed ?? DEFAULT_SEED;
  const plans = unitPlans(seed, options.runs ?? suite.budget.runs, units);
  const results: CheckResult[] = [];
  for (const plan of plans) {
    const result = await checkRandomInterruptible(suite, unitOptions(options, plan), signal);
    results.push(result);
    onUnit?.(plan.unit, plans.length);
    if (result.violation !== null || result.interrupted) break;
  }
  return mergeShards(results, seed, performance.now() - started); // allow-clock
}
