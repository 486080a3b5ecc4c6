/**
 * Random exploration with fast-check.
 *
 * A run is a fast-check value, a plan (strategy.ts): what varies per run (which fault kinds it
 * may use, which nodes are quiet) and a list of choice numbers. At each
 * step the choice picks among the enabled actions by weight, so when fast-check shrinks the
 * numbers and the list, the counterexample shrinks with them. The shrunk run is then minimised
 * on its concrete actions (minimize.ts) and saved as a trace.
 */
import * as fc from 'fast-check';
import type { Action } from '../../engine/actions.js';
import type { FaultSettings } from '../../engine/faults.js';
import { resolveInstance, type Instance, type InstanceOptions } from '../../engine/instance.js';
import type { Params } from '../../engine/model.js';
import { checkInitial, checkStep, reachedIn } from '../../properties/properties.js';
import { withProperties, type Suite } from '../../properties/suite.js';
import { type World } from '../../engine/world.js';
import { type WorldView } from '../../engine/view.js';
import { enabledActions, initialWorld, Packed, step } from '../../engine/packed.js';
import { ModelError } from '../../engine/errors.js';
import { execute, type StepViolation } from '../execute.js';
import { FingerprintSet, type Fingerprint } from '../../engine/fingerprint.js';
import { minimize } from '../minimize.js';
import { DistinctSketch, mergeSketches } from './sketch.js';
import { Chooser, longestRun, planArbitrary, weightsOf, type RunPlan, type Strategy, type Weights } from './strategy.js';
import { Guide, sumGuideFigures, type GuideFigures } from './guided.js';
import { Coverage, mergeCoverage, type CoverageReport } from '../coverage.js';
import { shareOf, sweepPoints } from './sweep.js';
import { LassoWatch, type FoundLasso, type Walk } from './lassos.js';
import { ListedFairness } from '../../engine/fairness.js';
import { isLiveness } from '../../properties/liveness.js';
import { DEADLOCK } from '../../properties/suite.js';
import { minimizeLasso } from '../minimize.js';
import { checkLasso, isTerminal, type ViolationKind } from '../lasso.js';

export interface CheckOptions extends InstanceOptions {
  readonly runs?: number;
  readonly depth?: number;
  readonly seed?: number;
  /** Report worlds where nothing but faults is enabled, not terminal, as deadlocks (default true). */
  readonly deadlock?: boolean;
  /** Called about every 1% of the runs. */
  readonly onProgress?: (progress: { runs: number; total: number; steps: number }) => void;
  /** Check only these properties (by name, e.g. from --property/--skip); all when undefined. */
  readonly properties?: readonly string[];
  /** A budget in steps: runs go on (in chunks of runs, each with its own derived seed) until this many steps. */
  readonly steps?: number;
  /** How runs pick their actions: uniform `random` by weight, or `pct` priorities (strategy.ts). */
  readonly strategy?: Strategy;
  /** Every run's bound is `depth` itself, without the swarm of lengths (the exploration before issue 12). */
  readonly fixedDepth?: boolean;
  /** False skips minimising the counterexample (the shrunk run is kept): for `mutate`. */
  readonly minimize?: boolean;
  /** Count which machine transitions, messages and events the runs exercise (`--coverage`). */
  readonly coverage?: boolean;
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
  /** `safety`, or for a lasso `liveness`/`deadlock`. */
  readonly kind: ViolationKind;
  /** For a lasso: the actions from here on repeat forever (equal to `step`: the last world stutters). */
  readonly loopStart: number | null;
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
  /** A k-minimum-values sketch of the distinct states (shard/sketch.ts), so shards' counts combine. */
  readonly distinctSketch: string;
  /**
   * Lassos examined for liveness: loops the runs closed and stutters they ended in. Random runs
   * never show that liveness holds; this says how much was looked at.
   */
  readonly lassos: number;
  readonly witnesses: readonly WitnessResult[];
  readonly violation: Counterexample | null;
  /** The strategy the runs used. */
  readonly strategy: Strategy;
  /** With a sweep: each configuration's share (the violation's is the last one run). */
  readonly sweep?: readonly { readonly config: Params; readonly runs: number; readonly steps: number; readonly violated: boolean }[];
  /** With `coverage: true`: what the runs exercised (the shrinking is not counted). */
  readonly coverage?: CoverageReport;
  /** With the `guided` strategy: its corpus and coverage (guided.ts). */
  readonly guided?: GuideFigures;
  readonly elapsedMs: number;
  /** Stopped on request (Ctrl-C) before the budget was spent: the figures are those so far. */
  readonly interrupted?: boolean;
}

/** The distinct-state counter stops here (its fingerprints would otherwise grow with the runs); a count this high means "at least". */
export const DISTINCT_LIMIT = 2_000_000;

/** Ids a run's packing interns before the next run starts it afresh (bounds a long check's memory). */
const PACKING_LIMIT = 2_000_000;

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

/** The seed of a step budget's chunk `chunk` (chunk 0 runs with the check's own seed). */
const chunkSeed = (seed: number, chunk: number): number =>
  chunk === 0 ? seed : (Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) + Math.imul(chunk, 0x9e3779b1)) | 0;

/**
 * Since 0.1.0. Random exploration of a suite's model; the core of `protokit check`. With a sweep
 * declared by the suite, the runs are spread over its configurations (sweep.ts); the result is
 * the first violating configuration's, or the totals over all of them.
 */
export function checkRandom(suite: Suite, options: CheckOptions = {}): CheckResult {
  const started = performance.now(); // allow-clock: reports elapsed time only
  const shares = sweepShares(suite, options);
  if (shares === null) return checkConfiguration(suite, options);
  const parts: CheckResult[] = [];
  for (const share of shares) {
    const r = checkConfiguration(suite, progressOver(share, options.onProgress, options.runs ?? suite.budget.runs, parts));
    parts.push(r);
    if (r.violation) break;
  }
  return combineSweep(parts, started);
}

/** Runs between two yields to the event loop in `checkRandomInterruptible`. */
const YIELD_EVERY = 20;

/**
 * Since 0.2.0. `checkRandom`, yielding to the event loop every few runs so that `signal` (aborted
 * on Ctrl-C) can stop it: the result then has `interrupted: true` and the figures so far. The
 * same seed explores the same runs and finds the same counterexample as `checkRandom`.
 */
export async function checkRandomInterruptible(suite: Suite, options: CheckOptions, signal: AbortSignal): Promise<CheckResult> {
  const started = performance.now(); // allow-clock: reports elapsed time only
  const shares = sweepShares(suite, options);
  if (shares === null) return checkConfigurationInterruptible(suite, options, signal);
  const parts: CheckResult[] = [];
  for (const share of shares) {
    const r = await checkConfigurationInterruptible(suite, progressOver(share, options.onProgress, options.runs ?? suite.budget.runs, parts), signal);
    parts.push(r);
    if (r.violation || r.interrupted) break;
  }
  return combineSweep(parts, started);
}

/** The options of each configuration of the suite's sweep, with its share of the budget; null without a sweep. */
function sweepShares(suite: Suite, options: CheckOptions): CheckOptions[] | null {
  const points = sweepPoints(suite, options.config ?? {}, options.preset ?? null);
  if (points.length === 1) return null;
  const runs = options.runs ?? suite.budget.runs;
  const steps = options.steps ?? (options.runs === undefined ? suite.budget.steps : undefined);
  return points.map((point, i) => ({
    ...options,
    config: { ...(options.config ?? {}), ...point },
    runs: shareOf(runs, points.length, i),
    steps: steps === undefined ? undefined : shareOf(steps, points.length, i),
  }));
}

/** A sweep share whose progress counts the runs and steps of the configurations done before it, out of the whole budget. */
function progressOver(share: CheckOptions, report: CheckOptions['onProgress'], total: number, done: readonly CheckResult[]): CheckOptions {
  if (report === undefined) return share;
  const runsBefore = done.reduce((n, p) => n + p.runs, 0);
  const stepsBefore = done.reduce((n, p) => n + p.steps, 0);
  return { ...share, onProgress: (p) => report({ runs: runsBefore + p.runs, total, steps: stepsBefore + p.steps }) };
}

/** One result from those of a sweep's configurations: the last one's verdict, the totals of all. */
function combineSweep(parts: readonly CheckResult[], started: number): CheckResult {
  const last = parts[parts.length - 1]!;
  const coverages = parts.flatMap((p) => (p.coverage ? [p.coverage] : []));
  return {
    ...last,
    runs: parts.reduce((n, p) => n + p.runs, 0),
    steps: parts.reduce((n, p) => n + p.steps, 0),
    // Worlds of different configurations differ: the counts add up.
    distinctStates: parts.reduce((n, p) => n + p.distinctStates, 0),
    distinctSketch: mergeSketches(parts.map((p) => p.distinctSketch)),
    lassos: parts.reduce((n, p) => n + p.lassos, 0),
    witnesses: last.witnesses.map((w) => ({ name: w.name, reached: parts.some((p) => p.witnesses.some((x) => x.name === w.name && x.reached)) })),
    sweep: parts.map((p) => ({ config: p.config, runs: p.runs, steps: p.steps, violated: p.violation !== null })),
    ...(coverages.length ? { coverage: mergeCoverage(coverages) } : {}),
    ...(last.guided ? { guided: sumGuideFigures(parts.flatMap((p) => (p.guided ? [p.guided] : []))) } : {}),
    elapsedMs: performance.now() - started, // allow-clock
  };
}

/**
 * Random exploration of one configuration. A budget in runs is one fast-check call; one in
 * steps, calls of a chunk of runs each (with seeds derived from the check's) until the steps
 * are spent. The counterexample's seed is its chunk's.
 */
function checkConfiguration(suite: Suite, options: CheckOptions): CheckResult {
  const check = prepareCheck(suite, options);
  const run = (seed: number) => fc.check(fc.property(check.arbitrary, check.predicate), { ...check.parameters, seed });
  let outcome = run(check.parameters.seed);
  let chunk = 0;
  while (check.moreChunks(outcome)) outcome = run(chunkSeed(check.parameters.seed, ++chunk));
  return check.finish(outcome, false, chunkSeed(check.parameters.seed, chunk));
}

/** `checkConfiguration`, yielding to the event loop every few runs (see `checkRandomInterruptible`). */
async function checkConfigurationInterruptible(suite: Suite, options: CheckOptions, signal: AbortSignal): Promise<CheckResult> {
  const check = prepareCheck(suite, options);
  let interrupted = false;
  let sinceYield = 0;
  const property = fc.asyncProperty(check.arbitrary, async (plan) => {
    if (++sinceYield >= YIELD_EVERY) {
      sinceYield = 0;
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (signal.aborted) {
      // The first failure ends the runs; every candidate fast-check then shrinks passes, so it stops at once.
      if (interrupted) return true;
      interrupted = true;
      return false;
    }
    return check.predicate(plan);
  });
  const run = (seed: number) => fc.check(property, { ...check.parameters, seed });
  let outcome = await run(check.parameters.seed);
  let chunk = 0;
  while (!interrupted && check.moreChunks(outcome)) outcome = await run(chunkSeed(check.parameters.seed, ++chunk));
  return check.finish(outcome, interrupted, chunkSeed(check.parameters.seed, chunk));
}

/** The parts of a check: what fast-check runs, and how its outcome becomes a result. */
function prepareCheck(fullSuite: Suite, options: CheckOptions) {
  const suite = withProperties(fullSuite, options.properties);
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
  // Coverage-guided plans (guided.ts): told of every step of a counted run, it mutates the runs that gained.
  const guide = strategy === 'guided' ? new Guide(instance, options.fixedDepth ? depth : longestRun(depth), depth, weights.quietNodes) : null;
  const properties = suite.properties;
  const witnesses = properties.filter((p) => p.kind === 'sometimes');
  const reached = new Set<string>();
  // Fingerprints only, in typed arrays: memory stays flat however many runs (bounded below).
  const distinct = new FingerprintSet();
  const sketch = new DistinctSketch();
  let steps = 0;
  let runsDone = 0;
  let shrinking = false;
  let shrinkSteps = 0;
  const progressEvery = Number.isFinite(runs) ? Math.max(1, Math.floor(runs / 100)) : 100;

  const stepInvariants = properties.filter((p) => p.kind === 'always-step');

  /**
   * Counts a world among the distinct states; true when it is new (or the set is full). State
   * invariants and witnesses are functions of the world alone, so a world seen before passed
   * them already: only new worlds are checked against them, and only they need a view, unless
   * step invariants (which read the transition) need one anyway.
   */
  const isNew = (f: Fingerprint): boolean => {
    if (distinct.size >= DISTINCT_LIMIT) return true;
    if (!distinct.add(f)) return false;
    sketch.add(f.hi, f.lo);
    return true;
  };
  const observeWitnesses = (view: WorldView) => {
    if (reached.size < witnesses.length) {
      for (const w of witnesses) if (!reached.has(w.name) && reachedIn(w, view)) reached.add(w.name);
    }
  };
  // A run walks tuples of ids (packed.ts): listing and stepping are table look-ups, and
  // properties read views over the ids. A World is unpacked only for the liveness watch and
  // coverage. The packing starts afresh between runs once it has interned PACKING_LIMIT ids, so a
  // long check keeps bounded memory (fingerprints come from keys, not ids: the counts go on).
  let packed = new Packed(instance);
  let here = new Int32Array(packed.width);
  let there = new Int32Array(packed.width);
  const walkFrom = new Int32Array(packed.width);
  const walkTo = new Int32Array(packed.width);
  /** The actions enabled in the tuple `t` (the listing stays in `packed` for `successor`). */
  const listed = (t: Int32Array): Action[] => {
    const count = packed.list(t, 0);
    const actions: Action[] = new Array(count);
    for (let a = 0; a < count; a++) actions[a] = packed.actionAt(a);
    return actions;
  };

  const watch = new LassoWatch(instance, suite, options.deadlock !== false);
  let lasso: FoundLasso | null = null;
  /** Fairness class ids of the listed actions, numbered as the watch numbers them (remade with the packing). */
  let fairness = new ListedFairness(watch.classes, packed);
  let classIds = new Int32Array(64);
  /** Whether every action of the last listing (of `count`) is a fault. */
  const onlyFaults = (count: number): boolean => {
    for (let a = 0; a < count; a++) if (!packed.isFault(a)) return false;
    return true;
  };
  /** The watch's look at the tuple `here` (listed: `count` actions), with the listing's classes. */
  const watchAtRest = (world: World, view: WorldView | null, count: number): FoundLasso | null => {
    if (classIds.length < count) classIds = new Int32Array(Math.max(count, classIds.length * 2));
    for (let a = 0; a < count; a++) classIds[a] = fairness.of(a);
    return watch.atRestListed(world, view, classIds, count, onlyFaults(count));
  };

  // Liveness needs the run's worlds, held by the watch (lassos.ts); deadlocks alone are seen without it.
  const watched = suite.properties.some(isLiveness);
  /** Whether a run unpacks its worlds: the watch keeps them, the guided strategy reads their shapes. */
  const unpacked = watched || guide !== null;
  const deadlock = options.deadlock !== false;
  /** Without the watch: the run's actions, for a deadlock's lasso. */
  const runActions: Action[] = [];
  /** A deadlock at `here` (without the watch): nothing but faults enabled, and the suite does not call the world terminal. */
  const deadlocked = (count: number, view: WorldView | null): boolean => {
    if (!deadlock || !onlyFaults(count) || isTerminal(suite, view ?? packed.view(here, 0))) return false;
    lasso = { property: DEADLOCK, kind: 'deadlock', actions: [...runActions], loopStart: runActions.length };
    return true;
  };

  /**
   * One run of `plan`; true when nothing was violated. Only the current tuple (and its view,
   * when needed) is held, and with liveness the watch, given each world, its fingerprint and its
   * view where one was built. State invariants and witnesses are checked on new worlds only (a
   * world seen before passed them already), so only they need a view, unless step invariants
   * (which read the transition) need one anyway.
   */
  const runPlan = (plan: RunPlan): boolean => {
    if (packed.interned >= PACKING_LIMIT) {
      packed = new Packed(instance);
      fairness = new ListedFairness(watch.classes, packed);
      walked = null;
    }
    packed.initial(here, 0);
    packed.fingerprint(here, 0);
    let fingerprint: Fingerprint = { hi: packed.hi, lo: packed.lo };
    let world: World | null = unpacked ? packed.unpack(here, 0) : null;
    let view: WorldView | null = null;
    // (While shrinking, nothing is counted, so every world is checked in full.)
    if (shrinking || isNew(fingerprint)) {
      view = packed.view(here, 0);
      if (!shrinking) observeWitnesses(view);
      if (checkInitial(properties, view)) return false;
    }
    if (watched) watch.reset(world!, fingerprint, (view ??= packed.view(here, 0)));
    else runActions.length = 0;
    const schedule = chooser.start(plan);
    // PCT's schedule picks among action objects; the plain choice picks over the listing's kinds.
    const byKinds = plan.pct === undefined;
    for (const choice of plan.choices) {
      const count = packed.list(here, 0);
      if (watched ? (lasso = watchAtRest(world!, view, count)) !== null : deadlocked(count, view)) return false;
      let index: number;
      if (byKinds) index = chooser.chooseListed(packed, count, plan, choice);
      else {
        const enabled = listed(here);
        const chosen = schedule.next(enabled, choice);
        index = chosen === undefined ? -1 : enabled.indexOf(chosen);
      }
      if (index < 0) break;
      const action = packed.actionAt(index);
      if (coverage !== null && !shrinking) coverage.record(world ?? packed.unpack(here, 0), action);
      if (!watched) runActions.push(action);
      packed.setParent(here, 0);
      packed.successor(here, 0, index, there, 0);
      const nextFingerprint: Fingerprint = { hi: packed.hi, lo: packed.lo };
      // Worlds are unpacked only for the lasso watch and the guided strategy's coverage.
      const next = unpacked ? packed.unpack(there, 0) : null;
      let nextView: WorldView | null = null;
      if (shrinking) {
        shrinkSteps++;
        nextView = packed.view(there, 0);
        if (checkStep(properties, (view ??= packed.view(here, 0)), nextView, action)) return false;
      } else {
        steps++;
        if (guide !== null) guide.stepped(world!, action, next!);
        if (isNew(nextFingerprint)) {
          nextView = packed.view(there, 0);
          observeWitnesses(nextView);
          if (checkStep(properties, (view ??= packed.view(here, 0)), nextView, action)) return false;
        } else if (stepInvariants.length > 0) {
          nextView = packed.view(there, 0);
          if (checkStep(stepInvariants, (view ??= packed.view(here, 0)), nextView, action)) return false;
        }
      }
      if (watched && (lasso = watch.stepped(action, next!, nextFingerprint, nextView)) !== null) return false;
      [here, there] = [there, here];
      world = next;
      fingerprint = nextFingerprint;
      view = nextView;
    }
    if (!watched) return !deadlocked(packed.list(here, 0), view);
    walkFrom.set(here);
    walked = world;
    lasso = watchAtRest(world!, view, packed.list(here, 0)) ?? watch.continueFairly(world!, fingerprint, Math.ceil(depth / 2), tupleWalk);
    return lasso === null;
  };
  /** The world the continuation last stepped to, whose tuple is `walkFrom` (so it is not packed again). */
  let walked: World | null = null;
  const tupleOf = (world: World): Int32Array => {
    if (world !== walked) {
      packed.pack(world, walkFrom, 0);
      walked = world;
    }
    return walkFrom;
  };
  /** The fair continuation of a run (lassos.ts) on the run's packing, with its fingerprints. */
  const tupleWalk: Walk = {
    enabled: (world) => listed(tupleOf(world)),
    step: (world, _f, action) => {
      packed.stepBy(tupleOf(world), 0, action, walkTo, 0);
      packed.fingerprint(walkTo, 0);
      walkFrom.set(walkTo);
      walked = packed.unpack(walkTo, 0);
      return { world: walked, fingerprint: { hi: packed.hi, lo: packed.lo } };
    },
    // A world counted before, outside shrinking, was checked then and passed (a failure starts
    // the shrinking, in which every world is checked in full).
    passed: (_world, f) => !shrinking && distinct.has(f),
  };

  // The first run in which the model itself failed (it threw): it is not shrunk, it is reported.
  let failedPlan: RunPlan | null = null;
  const basePlans = planArbitrary(instance, depth, weights.quietNodes, strategy, options.fixedDepth ?? false);
  const planArb = guide === null ? basePlans : guide.arbitrary(basePlans);
  const predicate = (plan: RunPlan): boolean => {
    // Past its budget, shrinking stops: every further candidate counts as passing, so
    // fast-check keeps the smallest failing run found so far and minimize() takes over.
    if (failedPlan !== null || (shrinking && shrinkSteps >= SHRINK_STEP_BUDGET)) return true;
    // A budget in steps is spent: the rest of this chunk passes without running.
    if (!shrinking && stepBudget !== undefined && steps >= stepBudget) return true;
    const examinedBefore = watch.examined;
    let ok: boolean;
    if (!shrinking) guide?.startRun(plan);
    try {
      ok = runPlan(plan);
    } catch (error) {
      // The model's own code threw: not a violation. While shrinking a violation, a candidate that fails otherwise is not that violation.
      if (shrinking) return true;
      failedPlan = plan;
      shrinking = true;
      runsDone++;
      return false;
    }
    if (shrinking) watch.examined = examinedBefore; // lassos of shrinking runs are not counted
    if (!shrinking) {
      if (ok) guide?.endRun();
      runsDone++;
      if (options.onProgress && runsDone % progressEvery === 0) options.onProgress({ runs: runsDone, total: Number.isFinite(runs) ? runs : runsDone, steps });
      if (!ok) shrinking = true;
    }
    return ok;
  };

  /**
   * The result of fast-check's `outcome` (of the call run with `runSeed`); when `interrupted`,
   * the figures so far and no violation.
   */
  const finish = (outcome: fc.RunDetails<[RunPlan]>, interrupted: boolean, runSeed: number): CheckResult => {
    if (!interrupted && failedPlan !== null) throw modelErrorOf(instance, suite, failedPlan, chooser);
    let violation: Counterexample | null = null;
    const examined = watch.examined;
    if (!interrupted && outcome.failed && outcome.counterexample) {
      // Run the shrunk plan again to learn whether it failed by a lasso (liveness) or a safety violation.
      const [plan] = outcome.counterexample;
      shrinking = true;
      lasso = null;
      runPlan(plan);
    }
    if (interrupted) {
      // Stopped on request: whatever fast-check was doing (a run, a shrink) is not a finding.
    } else if (outcome.failed && outcome.counterexample && lasso !== null) {
      // A lasso: minimised as a lasso, confirmed by checkLasso.
      const found: FoundLasso = lasso;
      const minimal = options.minimize === false ? found : minimizeLasso(instance, suite, found.actions, found.loopStart, found.property);
      const final = checkLasso(instance, suite, minimal.actions, minimal.loopStart, found.property).violation;
      if (final === null) throw new Error('internal: the minimised lasso is no longer a violation');
      violation = {
        property: final.property,
        message: final.message,
        step: final.step,
        actions: minimal.actions,
        seed: runSeed,
        path: outcome.counterexamplePath ?? '',
        lengths: { shrunk: found.actions.length, minimized: minimal.actions.length },
        kind: final.kind,
        loopStart: final.loopStart,
      };
    } else if (outcome.failed && outcome.counterexample) {
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
        seed: runSeed,
        path: outcome.counterexamplePath ?? '',
        lengths: { shrunk: shrunk.length, minimized: minimal.length },
        kind: 'safety',
        loopStart: null,
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
      distinctSketch: sketch.encode(),
      lassos: examined,
      witnesses: witnesses.map((w) => ({ name: w.name, reached: reached.has(w.name) })),
      violation,
      strategy,
      ...(coverage ? { coverage: coverage.report() } : {}),
      ...(guide ? { guided: guide.figures() } : {}),
      elapsedMs: performance.now() - started, // allow-clock
      ...(interrupted ? { interrupted: true } : {}),
    };
  };
  /** Whether a budget in steps wants another chunk of runs after `outcome`. */
  const moreChunks = (outcome: fc.RunDetails<[RunPlan]>): boolean => stepBudget !== undefined && !outcome.failed && steps < stepBudget;
  return { arbitrary: planArb, predicate, parameters: { numRuns: stepBudget === undefined ? runs : STEP_BUDGET_CHUNK, seed }, finish, moreChunks };
}

/** The concrete actions a plan takes (up to and including one whose step fails). */
function actionsOf(instance: Instance, plan: RunPlan, chooser: Chooser): Action[] {
  const actions: Action[] = [];
  try {
    let world = initialWorld(instance);
    const schedule = chooser.start(plan);
    for (const choice of plan.choices) {
      const action = schedule.next(enabledActions(instance, world), choice);
      if (action === undefined) break;
      actions.push(action);
      world = step(instance, world, action);
    }
  } catch {
    // The model failed here; execute() meets the same failure and says where.
  }
  return actions;
}

/** The error of a run in which the model failed, with its step and the actions up to it. */
function modelErrorOf(instance: Instance, suite: Suite, plan: RunPlan, chooser: Chooser): ModelError {
  const run = execute(instance, suite.properties, actionsOf(instance, plan, chooser), { probe: true });
  if (run.error !== null) return run.error;
  return new ModelError('the model failed in a random run, but not again when the run was repeated (is it deterministic?)');
}
