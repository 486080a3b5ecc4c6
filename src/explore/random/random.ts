/**
 * Random exploration with fast-check.
 *
 * A run is a fast-check value, a plan (strategy.ts): what varies per run (which fault kinds it
 * may use, which nodes are quiet) and a list of choice numbers. At each
 * step the choice picks among the enabled actions by weight, so when fast-check shrinks the
 * numbers and the list, the counterexample shrinks with them. The shrunk run is then minimised
 * on its concrete actions (minimize.ts) and saved as a trace.
 */
import fc from 'fast-check';
import type { Action } from '../../engine/actions.js';
import type { FaultSettings } from '../../engine/faults.js';
import { resolveInstance, type Instance, type InstanceOptions } from '../../engine/instance.js';
import type { Params } from '../../engine/model.js';
import { checkInitial, checkStep } from '../../properties/properties.js';
import type { Suite } from '../../properties/suite.js';
import { type World } from '../../engine/world.js';
import { buildView, type WorldView } from '../../engine/view.js';
import { enabledActions, initialWorld, step } from '../../engine/fast-step.js';
import { execute, type StepViolation } from '../execute.js';
import { FingerprintSet, worldFingerprint } from '../../engine/fingerprint.js';
import { minimize } from '../minimize.js';
import { Chooser, planArbitrary, weightsOf, type RunPlan, type Strategy, type Weights } from './strategy.js';
import { Coverage, mergeCoverage, type CoverageReport } from '../coverage.js';
import { shareOf, sweepPoints } from './sweep.js';

export interface CheckOptions extends InstanceOptions {
  readonly runs?: number;
  readonly depth?: number;
  readonly seed?: number;
  /** A budget in steps: runs go on (in chunks of runs, each with its own derived seed) until this many steps. */
  readonly steps?: number;
  /** How runs pick their actions: uniform `random` by weight, or `pct` priorities (strategy.ts). */
  readonly strategy?: Strategy;
  /** Every run's bound is `depth` itself, without the swarm of lengths (the exploration before issue 12). */
  readonly fixedDepth?: boolean;
  /** False skips minimising the counterexample (fast-check's shrunk run is kept): for `mutate`. */
  readonly minimize?: boolean;
  /** Count which machine transitions, messages and events the runs exercise (`--coverage`). */
  readonly coverage?: boolean;
  /** Called about every 1% of the runs. */
  readonly onProgress?: (progress: { runs: number; total: number; steps: number }) => void;
}

export interface WitnessResult {
  readonly name: string;
  readonly reached: boolean;
}

export interface Counterexample extends StepViolation {
  readonly actions: readonly Action[];
  /** fast-check's seed and path: `fc.assert(..., { seed, path })` replays the failing run. */
  readonly seed: number;
  readonly path: string;
  /** Actions in the run as fast-check found it, after its shrinking, and after minimisation. */
  readonly lengths: { readonly shrunk: number; readonly minimized: number };
}

export interface CheckResult {
  readonly model: string;
  readonly preset: string | null;
  readonly config: Params;
  readonly mutant: string | null;
  readonly faults: FaultSettings;
  readonly seed: number;
  readonly runs: number;
  readonly steps: number;
  readonly distinctStates: number;
  readonly witnesses: readonly WitnessResult[];
  readonly violation: Counterexample | null;
  /** The strategy the runs used. */
  readonly strategy: Strategy;
  /** With a sweep: each configuration's share (the violation's is the last one run). */
  readonly sweep?: readonly { readonly config: Params; readonly runs: number; readonly steps: number; readonly violated: boolean }[];
  /** With `coverage: true`: what the runs exercised (the shrinking is not counted). */
  readonly coverage?: CoverageReport;
  readonly elapsedMs: number;
}

/** The seed used when none is given, so that a plain `protokit check` is reproducible. */
export const DEFAULT_SEED = 1;


/**
 * How many steps fast-check's shrinking may spend. It re-runs each candidate from the start and,
 * on long runs, tries thousands (minutes for a 100-step Raft run); minimising the concrete
 * actions afterwards is far cheaper per step gained. Counted in steps, not time, so a check
 * stays deterministic. Short runs (Two-Phase Commit) finish shrinking well within it.
 */
const SHRINK_STEP_BUDGET = 50_000;

/** The strategy a check uses when neither the options nor the suite say (chosen on measurements, README). */
export const DEFAULT_STRATEGY: Strategy = 'random';

/** Runs per fast-check call when the budget is in steps. */
const STEP_BUDGET_CHUNK = 250;

/**
 * Since 0.1.0. Random exploration of a suite's model; the core of `protokit check`. With a sweep
 * declared by the suite, the runs are spread over its configurations (sweep.ts); the result is
 * the first violating configuration's, or the totals over all of them.
 */
export function checkRandom(suite: Suite, options: CheckOptions = {}): CheckResult {
  const points = sweepPoints(suite, options.config ?? {}, options.preset ?? null);
  if (points.length === 1) return checkConfiguration(suite, options);
  const started = performance.now(); // allow-clock: reports elapsed time only
  const runs = options.runs ?? suite.budget.runs;
  const steps = options.steps ?? (options.runs === undefined ? suite.budget.steps : undefined);
  const parts: CheckResult[] = [];
  for (const [i, point] of points.entries()) {
    const share = {
      ...options,
      config: { ...(options.config ?? {}), ...point },
      runs: shareOf(runs, points.length, i),
      steps: steps === undefined ? undefined : shareOf(steps, points.length, i),
    };
    const r = checkConfiguration(suite, share);
    parts.push(r);
    if (r.violation) break;
  }
  const last = parts[parts.length - 1]!;
  const coverages = parts.flatMap((p) => (p.coverage ? [p.coverage] : []));
  return {
    ...last,
    runs: parts.reduce((n, p) => n + p.runs, 0),
    steps: parts.reduce((n, p) => n + p.steps, 0),
    // Worlds of different configurations differ: the counts add up.
    distinctStates: parts.reduce((n, p) => n + p.distinctStates, 0),
    witnesses: last.witnesses.map((w) => ({ name: w.name, reached: parts.some((p) => p.witnesses.some((x) => x.name === w.name && x.reached)) })),
    sweep: parts.map((p) => ({ config: p.config, runs: p.runs, steps: p.steps, violated: p.violation !== null })),
    ...(coverages.length ? { coverage: mergeCoverage(coverages) } : {}),
    elapsedMs: performance.now() - started, // allow-clock
  };
}

/** Random exploration of one configuration. */
function checkConfiguration(suite: Suite, options: CheckOptions): CheckResult {
  const started = performance.now(); // allow-clock: reports elapsed time only
  const instance = resolveInstance(suite.model, options);
  const stepBudget = options.steps ?? (options.runs === undefined ? suite.budget.steps : undefined);
  const strategy = options.strategy ?? suite.budget.strategy ?? DEFAULT_STRATEGY;
  const runs = stepBudget !== undefined ? Infinity : (options.runs ?? suite.budget.runs);
  const depth = options.depth ?? suite.budget.depth;
  const seed = options.seed ?? DEFAULT_SEED;
  const weights: Weights = weightsOf(suite.model);
  const chooser = new Chooser(instance, weights);
  const coverage = options.coverage ? new Coverage(instance) : null;
  const properties = suite.properties;
  const witnesses = properties.filter((p) => p.kind === 'sometimes');
  const reached = new Set<string>();
  // Fingerprints only, in typed arrays: memory stays flat however many runs (bounded below).
  const distinct = new FingerprintSet();
  const DISTINCT_LIMIT = 2_000_000;
  let steps = 0;
  let runsDone = 0;
  let shrinking = false;
  let shrinkSteps = 0;
  const progressEvery = Number.isFinite(runs) ? Math.max(1, Math.floor(runs / 100)) : 100;

  const observe = (world: World, view: WorldView) => {
    if (distinct.size < DISTINCT_LIMIT) distinct.add(worldFingerprint(instance, world));
    if (reached.size < witnesses.length) {
      for (const w of witnesses) if (!reached.has(w.name) && w.reached(view)) reached.add(w.name);
    }
  };

  /** One run; true when no invariant was violated. Only the current world and its view are held. */
  const runPlan = (plan: RunPlan): boolean => {
    let world = initialWorld(instance);
    let view = buildView(instance, world);
    if (!shrinking) observe(world, view);
    if (checkInitial(properties, view)) return false;
    const schedule = chooser.start(plan);
    for (const choice of plan.choices) {
      const action = schedule.next(enabledActions(instance, world), choice);
      if (action === undefined) break;
      if (coverage !== null && !shrinking) coverage.record(world, action);
      const next = step(instance, world, action);
      const nextView = buildView(instance, next);
      if (!shrinking) {
        steps++;
        observe(next, nextView);
      } else {
        shrinkSteps++;
      }
      if (checkStep(properties, view, nextView, action)) return false;
      world = next;
      view = nextView;
    }
    return true;
  };

  const planArb = planArbitrary(instance, depth, weights.quietNodes, strategy, options.fixedDepth ?? false);
  const property = fc.property(planArb, (plan) => {
    // Past its budget, shrinking stops: every further candidate counts as passing, so
    // fast-check keeps the smallest failing run found so far and minimize() takes over.
    if (shrinking && shrinkSteps >= SHRINK_STEP_BUDGET) return true;
    // A budget in steps is spent: the rest of this chunk passes without running.
    if (!shrinking && stepBudget !== undefined && steps >= stepBudget) return true;
    const ok = runPlan(plan);
    if (!shrinking) {
      runsDone++;
      if (options.onProgress && runsDone % progressEvery === 0) options.onProgress({ runs: runsDone, total: Number.isFinite(runs) ? runs : runsDone, steps });
      if (!ok) shrinking = true;
    }
    return ok;
  });
  // A budget in runs is one fast-check call; one in steps, calls of a chunk of runs each (with
  // seeds derived from the check's) until the steps are spent. The counterexample's seed is its chunk's.
  let outcome = fc.check(property, { numRuns: stepBudget === undefined ? runs : STEP_BUDGET_CHUNK, seed });
  let runSeed = seed;
  for (let chunk = 1; stepBudget !== undefined && !outcome.failed && steps < stepBudget; chunk++) {
    runSeed = (Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) + Math.imul(chunk, 0x9e3779b1)) | 0;
    outcome = fc.check(property, { numRuns: STEP_BUDGET_CHUNK, seed: runSeed });
  }

  let violation: Counterexample | null = null;
  if (outcome.failed && outcome.counterexample) {
    const [plan] = outcome.counterexample;
    const actions = actionsOf(instance, plan as RunPlan, chooser);
    const run = execute(instance, properties, actions);
    if (run.violation === null) throw new Error('internal: the shrunk counterexample does not fail again');
    const shrunk = actions.slice(0, run.violation.step);
    const minimal = options.minimize === false ? shrunk : minimize(instance, properties, shrunk, run.violation.property);
    const final = execute(instance, properties, minimal).violation!;
    violation = {
      ...final,
      actions: minimal,
      seed: runSeed,
      path: outcome.counterexamplePath ?? '',
      lengths: { shrunk: shrunk.length, minimized: minimal.length },
    };
  } else if (outcome.failed) {
    // fast-check reports failures it could not attribute to a value (an exception in the run).
    throw outcome.errorInstance ?? new Error('exploration failed');
  }

  return {
    model: suite.model.name,
    preset: instance.preset,
    config: instance.params,
    mutant: instance.mutant,
    faults: instance.faults,
    seed,
    runs: runsDone,
    steps,
    distinctStates: distinct.size,
    witnesses: witnesses.map((w) => ({ name: w.name, reached: reached.has(w.name) })),
    violation,
    strategy,
    ...(coverage ? { coverage: coverage.report() } : {}),
    elapsedMs: performance.now() - started, // allow-clock
  };
}

/** The concrete actions a plan takes. */
function actionsOf(instance: Instance, plan: RunPlan, chooser: Chooser): Action[] {
  let world = initialWorld(instance);
  const actions: Action[] = [];
  const schedule = chooser.start(plan);
  for (const choice of plan.choices) {
    const action = schedule.next(enabledActions(instance, world), choice);
    if (action === undefined) break;
    actions.push(action);
    world = step(instance, world, action);
  }
  return actions;
}
