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
import { Chooser, planArbitrary, weightsOf, type RunPlan, type Weights } from './strategy.js';
import { Coverage, type CoverageReport } from '../coverage.js';

export interface CheckOptions extends InstanceOptions {
  readonly runs?: number;
  readonly depth?: number;
  readonly seed?: number;
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

/** Since 0.1.0. Random exploration of a suite's model; the core of `protokit check`. */
export function checkRandom(suite: Suite, options: CheckOptions = {}): CheckResult {
  const started = performance.now(); // allow-clock: reports elapsed time only
  const instance = resolveInstance(suite.model, options);
  const runs = options.runs ?? suite.budget.runs;
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
  const progressEvery = Math.max(1, Math.floor(runs / 100));

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
    for (const choice of plan.choices) {
      const action = chooser.choose(enabledActions(instance, world), plan, choice);
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

  const planArb = planArbitrary(instance, depth, weights.quietNodes);
  const outcome = fc.check(
    fc.property(planArb, (plan) => {
      // Past its budget, shrinking stops: every further candidate counts as passing, so
      // fast-check keeps the smallest failing run found so far and minimize() takes over.
      if (shrinking && shrinkSteps >= SHRINK_STEP_BUDGET) return true;
      const ok = runPlan(plan);
      if (!shrinking) {
        runsDone++;
        if (options.onProgress && runsDone % progressEvery === 0) options.onProgress({ runs: runsDone, total: runs, steps });
        if (!ok) shrinking = true;
      }
      return ok;
    }),
    { numRuns: runs, seed },
  );

  let violation: Counterexample | null = null;
  if (outcome.failed && outcome.counterexample) {
    const [plan] = outcome.counterexample;
    const actions = actionsOf(instance, plan, chooser);
    const run = execute(instance, properties, actions);
    if (run.violation === null) throw new Error('internal: the shrunk counterexample does not fail again');
    const shrunk = actions.slice(0, run.violation.step);
    const minimal = options.minimize === false ? shrunk : minimize(instance, properties, shrunk, run.violation.property);
    const final = execute(instance, properties, minimal).violation!;
    violation = {
      ...final,
      actions: minimal,
      seed,
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
    ...(coverage ? { coverage: coverage.report() } : {}),
    elapsedMs: performance.now() - started, // allow-clock
  };
}

/** The concrete actions a plan takes. */
function actionsOf(instance: Instance, plan: RunPlan, chooser: Chooser): Action[] {
  let world = initialWorld(instance);
  const actions: Action[] = [];
  for (const choice of plan.choices) {
    const action = chooser.choose(enabledActions(instance, world), plan, choice);
    if (action === undefined) break;
    actions.push(action);
    world = step(instance, world, action);
  }
  return actions;
}
