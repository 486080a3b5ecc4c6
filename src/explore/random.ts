/**
 * Random exploration with fast-check.
 *
 * A run is a fast-check value: a swarm (which fault kinds this run may use; varying the fault
 * mix between runs finds bugs that a uniform mix drowns) and a list of choice numbers. At each
 * step the choice picks among the enabled actions by weight, so when fast-check shrinks the
 * numbers and the list, the counterexample shrinks with them. The shrunk run is then minimised
 * on its concrete actions (minimize.ts) and saved as a trace.
 */
import fc from 'fast-check';
import type { Action, ActionType } from '../actions.js';
import { FAULT_KINDS, type FaultSettings } from '../faults.js';
import { resolveInstance, type Instance, type InstanceOptions } from '../instance.js';
import type { ActionWeights, Params } from '../model.js';
import { checkInitial, checkStep } from '../properties.js';
import type { Suite } from '../suite.js';
import { buildView, enabledActions, initialWorld, step, type World, type WorldView } from '../world.js';
import { execute, type StepViolation } from './execute.js';
import { FingerprintSet, worldFingerprint } from './fingerprint.js';
import { minimize } from './minimize.js';

export interface CheckOptions extends InstanceOptions {
  readonly runs?: number;
  readonly depth?: number;
  readonly seed?: number;
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
  readonly elapsedMs: number;
}

/** The seed used when none is given, so that a plain `protokit check` is reproducible. */
export const DEFAULT_SEED = 1;

const DEFAULT_WEIGHTS: Required<Record<ActionType, number>> = {
  deliver: 8,
  env: 2,
  drop: 1,
  duplicate: 1,
  crash: 1,
  restart: 3,
  partition: 1,
  heal: 3,
};

/** Which fault kinds a run may use, drawn per run (swarm testing). Shrinks towards no faults. */
type Swarm = Readonly<Record<(typeof FAULT_KINDS)[number], boolean>>;

interface Weights {
  readonly kinds: Record<ActionType, number>;
  readonly events: Readonly<Record<string, number>>;
}

interface RunPlan {
  readonly swarm: Swarm;
  readonly choices: readonly number[];
}

/** Picks the action a choice number selects among `enabled`, by weight. */
function choose(enabled: readonly Action[], swarm: Swarm, weights: Weights, choice: number): Action | undefined {
  let total = 0;
  const w = scratch;
  for (let i = 0; i < enabled.length; i++) total += w[i] = weightOf(enabled[i]!, swarm, weights);
  if (total === 0) return undefined;
  let at = choice % total;
  for (let i = 0; i < enabled.length; i++) {
    if (at < w[i]!) return enabled[i];
    at -= w[i]!;
  }
  return undefined;
}
/** Weights of the actions being chosen from, reused between steps (choose is not re-entrant). */
const scratch: number[] = [];

/** An action's weight in this run: 0 for a fault kind the run's swarm leaves out. */
function weightOf(a: Action, swarm: Swarm, weights: Weights): number {
  const { kinds } = weights;
  switch (a.type) {
    case 'deliver':
      return kinds.deliver;
    case 'env':
      return weights.events[a.event.type] ?? kinds.env;
    case 'drop':
      return swarm.loss ? kinds.drop : 0;
    case 'duplicate':
      return swarm.duplicate ? kinds.duplicate : 0;
    case 'crash':
      return swarm.crash ? kinds.crash : 0;
    case 'partition':
      return swarm.partition ? kinds.partition : 0;
    case 'restart':
      return kinds.restart;
    case 'heal':
      return kinds.heal;
  }
}

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
  const weights: Weights = {
    kinds: { ...DEFAULT_WEIGHTS, ...(suite.model.exploration?.weights ?? {}) },
    events: suite.model.exploration?.eventWeights ?? {},
  };
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
      const action = choose(enabledActions(instance, world), plan.swarm, weights, choice);
      if (action === undefined) break;
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

  const swarmArb = fc.record(Object.fromEntries(FAULT_KINDS.map((k) => [k, fc.boolean()])) as Record<keyof Swarm, fc.Arbitrary<boolean>>);
  const planArb = fc.record({ swarm: swarmArb, choices: fc.array(fc.nat(), { maxLength: depth, size: 'max' }) });
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
    const actions = actionsOf(instance, plan, weights);
    const run = execute(instance, properties, actions);
    if (run.violation === null) throw new Error('internal: the shrunk counterexample does not fail again');
    const shrunk = actions.slice(0, run.violation.step);
    const minimal = minimize(instance, properties, shrunk, run.violation.property);
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
    elapsedMs: performance.now() - started, // allow-clock
  };
}

/** The concrete actions a plan takes. */
function actionsOf(instance: Instance, plan: RunPlan, weights: Weights): Action[] {
  let world = initialWorld(instance);
  const actions: Action[] = [];
  for (const choice of plan.choices) {
    const action = choose(enabledActions(instance, world), plan.swarm, weights, choice);
    if (action === undefined) break;
    actions.push(action);
    world = step(instance, world, action);
  }
  return actions;
}
