/**
 * Exhaustive breadth-first search over every reachable world of one configuration, as TLC
 * does it: a visited set of 64-bit fingerprints with a parent pointer each (visited.ts),
 * every state invariant on every state, every step invariant on every transition, witnesses
 * reported reached or not. Levels are searched in order, so the first violation found has the
 * shortest counterexample; it is rebuilt from the parent pointers and saved as a normal trace.
 *
 * Bounds (--max-depth, --max-states, a memory bound) end the search cleanly: the states already
 * found are still checked, and the result says `complete: false` with the figures so far.
 *
 * Each level is expanded in parts, by this thread (backend.ts) or by several (workers.ts),
 * and walked in state-number order by one `Level` (level.ts), which numbers the new states,
 * counts and bounds them and keeps the first violation: the figures never depend on the threads.
 *
 * A suite with liveness properties is searched by live-search.ts instead (one thread, no
 * symmetry), which also records the graph liveness needs; safety-only search pays nothing for
 * it. Deadlocks are found by both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import type { Action } from '../../engine/actions.js';
import type { FaultSettings } from '../../engine/faults.js';
import { resolveInstance, type Instance, type InstanceOptions } from '../../engine/instance.js';
import type { Params } from '../../engine/model.js';
import { checkStep } from '../../properties/properties.js';
import { withProperties, type Suite } from '../../properties/suite.js';
import { type World } from '../../engine/world.js';
import { viewOf } from '../../engine/view.js';
import { enabledActions, initialWorld, step } from '../../engine/packed.js';
import { execute } from '../execute.js';
import { heapUsed, inProcessBackend, type Backend } from './backend.js';
import { Expander, failedAt } from './expand.js';
import { isEnvironmentFailure, ModelError } from '../../engine/errors.js';
import { Level, type Found, type StopReason } from './level.js';
import { collisionProbability, VisitedSet } from './visited.js';
import { claimCheckpointDir, optionsPrint, readCheckpoint, writeCheckpoint, type CheckpointWritten, type SearchCounters } from './checkpoint.js';
import { Frontier } from './frontier.js';
import { Symmetry } from './symmetry.js';
import { Coverage } from '../coverage.js';
import { UsageError } from '../../engine/errors.js';
import type { ExploreOptions, ExploreProgress, ExploreResult, ExploreViolation } from './options.js';
import { isLiveness } from '../../properties/liveness.js';
import { DEADLOCK } from '../../properties/suite.js';
import { checkLasso } from '../lasso.js';
import { exploreLive } from './live-search.js';
import { terminalOf } from './terminal.js';

export type { StopReason } from './level.js';
export type { ExploreOptions, ExploreProgress, ExploreViolation, ExploreResult, LivenessReport } from './options.js';

/** Since 0.2.0. Exhaustive breadth-first search of a suite's model; the core of `protokit explore`. */
export async function explore(fullSuite: Suite, options: ExploreOptions = {}): Promise<ExploreResult> {
  const suite = withProperties(fullSuite, options.properties);
  const started = performance.now(); // allow-clock: reports elapsed time only
  const instance = resolveInstance(suite.model, options);
  const workers = options.workers ?? 1;
  const hasLiveness = suite.properties.some(isLiveness);
  let livenessNote: string | null = hasLiveness ? null : 'the suite has no liveness property';
  if (hasLiveness && options.liveness === false) livenessNote = 'liveness not asked for';
  else if (hasLiveness && options.symmetry) livenessNote = 'not checked with --symmetry (a fairness class of one node is not that of its renaming); search without it';
  else if (hasLiveness && workers > 1) livenessNote = 'not checked with --workers above 1 (the liveness graph is kept by one thread); search with one worker';
  else if (hasLiveness && (options.checkpoint !== undefined || options.resume !== undefined)) livenessNote = 'not checked with --checkpoint or --resume (the liveness graph is not checkpointed); search without them';
  if (hasLiveness && livenessNote === null) return exploreLive(suite, instance, options, started);
  if (options.coverage && workers > 1) throw new UsageError('--coverage counts in one thread: leave out --workers');
  const symmetry = options.symmetry ? new Symmetry(instance) : null;
  const coverage = options.coverage ? new Coverage(instance) : null;
  const expander = new Expander(instance, suite.properties, symmetry, options.maxInFlight, terminalOf(suite, options.deadlock !== false), coverage);
  const maxStates = options.maxStates ?? Infinity;
  const maxDepth = options.maxDepth ?? Infinity;
  const maxHeapBytes = (options.maxMemoryMb ?? Math.floor((getHeapStatistics().heap_size_limit * 0.7) / 2 ** 20)) * 2 ** 20;

  // A fresh search starts from the initial state; a resumed one from its checkpoint (checkpoint.ts).
  const print = optionsPrint(suite, instance, options);
  // A checkpoint folder is protokit's alone: one that holds other files is refused before anything is written.
  if (options.checkpoint !== undefined && (options.resume === undefined || resolve(options.checkpoint.dir) !== resolve(options.resume))) claimCheckpointDir(options.checkpoint.dir);
  const resumed = options.resume === undefined ? null : readCheckpoint(options.resume, print, expander.packed);
  let visited: VisitedSet;
  let start: Frontier;
  if (resumed === null) {
    const initial = initialWorld(instance);
    visited = new VisitedSet();
    const [hi0, lo0] = expander.fingerprintOf(initial);
    visited.add(hi0, lo0, -1);
    start = Frontier.ofWorlds(0, [initial], expander.packed);
  } else {
    visited = resumed.visited;
    start = resumed.frontier;
  }
  const before = resumed?.counters;
  const reached = new Set<string>(before?.reached ?? []);
  expander.markReached([...reached]);
  let size = start.length;
  let depth = before?.depth ?? 0;
  let generated = before?.generated ?? 0;
  let stoppedBy: StopReason | null = before?.stoppedBy ?? null;
  let peakHeap = Math.max(before?.peakHeapBytes ?? 0, heapUsed());
  let found: Found | null = null;
  let states = visited.size;
  let generation = (resumed?.generation ?? 0) + 1;
  let checkpoint: CheckpointWritten | null = null;
  const elapsedBefore = before?.elapsedMs ?? 0;
  const elapsed = () => elapsedBefore + performance.now() - started; // allow-clock

  // Spilled frontiers go beside the checkpoint, or to a temporary directory removed at the end.
  let spillTemp: string | null = null;
  const spillDir = () => options.spillDir ?? options.checkpoint?.dir ?? (spillTemp ??= mkdtempSync(join(tmpdir(), 'protokit-spill-')));
  const signal = options.signal;
  const interrupted = options.interrupted ?? (signal === undefined ? null : () => signal.aborted);
  // With workers, this thread searches the first levels while they start, then hands over.
  const local = inProcessBackend(expander, visited, start, { maxHeapBytes, spillDir, keepLevel: options.checkpoint !== undefined }, interrupted);
  const pool = workers > 1 ? (await import('./workers.js')).workerBackend(instance, suite, options, workers, expander, interrupted) : null;
  let backend: Backend = local;
  const save = () => {
    const counters: SearchCounters = { depth, generated, reached: [...reached], stoppedBy, peakHeapBytes: peakHeap, elapsedMs: elapsed() };
    checkpoint = writeCheckpoint(options.checkpoint!.dir, generation++, print, visited, states, local.current(), counters);
  };
  // Level sizes, to warn when the frontier keeps growing (a probably unbounded state space).
  const frontier: number[] = [1];

  try {
    if (pool !== null && options.searchWhileWorkersStart === false) await pool.whenReady();
    while (size > 0 && found === null) {
      // At a level boundary: a checkpoint when one is due (the in-process search only: workers keep their worlds).
      if (options.checkpoint !== undefined && backend === local && depth > (before?.depth ?? 0) && options.checkpoint.due(depth)) save();
      // Let the workers' messages in (this thread's search never waits otherwise), then hand over if they are ready.
      if (pool !== null && backend === local) await new Promise((resolve) => setImmediate(resolve));
      if (pool !== null && backend === local && pool.ready) {
        const { ids, tuples } = local.frontier();
        pool.adopt(ids, tuples, [...reached]);
        backend = pool;
      }
      depth++;
      const level: Level = new Level(visited, { maxStates, maxHeapBytes, atDepthLimit: depth >= maxDepth }, stoppedBy, reached);
      const progress = (queued: number) => options.onProgress?.({ states: visited.size, queue: queued, depth, elapsedMs: elapsed() });
      size = await backend.searchLevel(level, progress);
      if ((backend === local && local.interrupted) || (backend === pool && pool.interrupted)) {
        // The level is dropped whole: the figures, and the checkpoint, are those of its start (workers keep their worlds: no checkpoint).
        depth--;
        if (options.checkpoint !== undefined && backend === local) save();
        stoppedBy = 'interrupted';
        break;
      }
      if (size > 0) frontier.push(size);
      generated += level.generated;
      for (const name of level.reached) reached.add(name);
      stoppedBy = level.stoppedBy;
      if (level.newAtLimit && stoppedBy === null) stoppedBy = 'max-depth';
      peakHeap = Math.max(peakHeap, level.peakHeapBytes);
      found = level.stateFound ?? level.stepFound;
      states = visited.size;
    }
  } catch (error) {
    throw await locateModelError(error, instance, suite, expander, visited, options, backend === local);
  } finally {
    await local.close();
    await pool?.close();
    if (spillTemp !== null) rmSync(spillTemp, { recursive: true, force: true });
  }

  return {
    ...safetyResult(instance, suite, expander, visited, found, livenessNote!, {
      symmetry: symmetry !== null,
      maxInFlight: options.maxInFlight ?? null,
      workers,
      distinctStates: states,
      generated,
      depth,
      frontier,
      stoppedBy,
      reached,
      peakHeapBytes: peakHeap,
      spilledWorlds: local.spilledWorlds,
      checkpoint,
      resumed: resumed !== null,
      elapsedMs: elapsed(),
    }),
    ...(coverage ? { coverage: coverage.report() } : {}),
  };
}

/** What a search that decides no liveness did (one thread without liveness, worker threads, a cluster's coordinator). */
export type SafetySearchRun = Pick<ExploreResult, 'symmetry' | 'maxInFlight' | 'workers' | 'distinctStates' | 'generated' | 'depth' | 'frontier' | 'stoppedBy' | 'peakHeapBytes' | 'spilledWorlds' | 'checkpoint' | 'resumed' | 'elapsedMs'> & {
  /** Witnesses reached. */
  readonly reached: ReadonlySet<string>;
};

/**
 * The result of such a search, built one way wherever it ran: its counts, its verdicts (the
 * shortest counterexample rebuilt from the visited set), and liveness left undecided with `livenessNote`.
 */
export function safetyResult(instance: Instance, suite: Suite, expander: Expander, visited: VisitedSet, found: Found | null, livenessNote: string, run: SafetySearchRun): ExploreResult {
  // The states of the levels searched whole (an interrupted level's new states are not counted).
  const states = run.distinctStates;
  // The fields in the order `--json` has always printed them.
  return {
    model: suite.model.name,
    preset: instance.preset,
    config: instance.params,
    mutant: instance.mutant,
    faults: instance.faults,
    symmetry: run.symmetry,
    maxInFlight: run.maxInFlight,
    workers: run.workers,
    distinctStates: states,
    generated: run.generated,
    depth: run.depth,
    complete: run.stoppedBy === null && found === null,
    frontier: run.frontier,
    stoppedBy: run.stoppedBy,
    witnesses: suite.properties.filter((p) => p.kind === 'sometimes').map((p) => ({ name: p.name, reached: run.reached.has(p.name) })),
    violation: found === null ? null : counterexample(instance, suite, expander, visited, found),
    inconclusive: false,
    liveness: {
      checked: false,
      note: livenessNote,
      properties: suite.properties.filter(isLiveness).map((p) => ({ name: p.name, verdict: 'not decided' as const, reason: livenessNote })),
      bytesPerState: 0,
    },
    collisionProbability: collisionProbability(states, run.generated),
    visitedBytesPerState: visited.bytes / Math.max(1, states),
    peakHeapBytes: run.peakHeapBytes,
    spilledWorlds: run.spilledWorlds,
    checkpoint: run.checkpoint,
    resumed: run.resumed,
    elapsedMs: run.elapsedMs,
    statesPerSecond: run.elapsedMs > 0 ? (states * 1000) / run.elapsedMs : 0,
  };
}

/**
 * Rebuilds the shortest counterexample (also for a search on a cluster, src/cluster/): from the initial world, at each step take the action
 * whose successor has the next fingerprint on the path (with symmetry, the concrete worlds
 * differ from the ones searched by a renaming, so actions are matched by fingerprint).
 */
function counterexample(
  instance: Instance,
  suite: Suite,
  expander: Expander,
  visited: VisitedSet,
  found: Found,
): ExploreViolation {
  const { actions, world } = pathTo(instance, expander, visited, found.kind === 'state' ? found.id : found.parent);
  if (found.kind === 'step') {
    const before = viewOf(instance, world);
    const taken = successorWith(instance, world, (next, action) => {
      const [h, l] = expander.fingerprintOf(next);
      return h === found.hi && l === found.lo && checkStep(suite.properties, before, viewOf(instance, next), action) !== null;
    });
    actions.push(taken.action);
  }
  const run = execute(instance, suite.properties, actions);
  if (found.kind === 'state' && run.violation === null) {
    // Not an invariant: the state is a deadlock (expand.ts), confirmed as a stuttering lasso.
    const verdict = checkLasso(instance, suite, actions, actions.length, DEADLOCK);
    if (verdict.violation === null) throw new Error(`internal: the rebuilt deadlock of ${actions.length} actions is not one: ${verdict.problem}`);
    return { property: DEADLOCK, message: verdict.violation.message, step: actions.length, actions, kind: 'deadlock', loopStart: actions.length };
  }
  if (run.violation === null || run.violation.step !== actions.length) {
    throw new Error(`internal: the rebuilt counterexample of ${actions.length} actions does not end in a violation`);
  }
  return { property: run.violation.property, message: run.violation.message, step: run.violation.step, actions, kind: 'safety', loopStart: null };
}

/**
 * A ModelError met during the search, with its step and the actions from the initial world to it,
 * so it can be saved as a trace. Met in this thread, the expander recorded the state and action:
 * the path to the state comes from the parent pointers. Met on a worker thread (whose error
 * crosses threads without that record), the same search runs again in this thread to find it.
 */
async function locateModelError(error: unknown, instance: Instance, suite: Suite, expander: Expander, visited: VisitedSet, options: ExploreOptions, local: boolean): Promise<unknown> {
  // A full disk while checkpointing or spilling, a damaged file, bad input: not the model's failure.
  if (!(error instanceof ModelError) && (isEnvironmentFailure(error) || error instanceof UsageError || (local && (options.workers ?? 1) <= 1))) return error;
  const where = error instanceof ModelError ? failedAt.get(error) : undefined;
  if (where !== undefined) {
    const [hi, lo] = expander.fingerprintOf(where.world);
    const id = visited.idOf(hi, lo);
    if (id >= 0) {
      const actions = pathActions(instance, expander, visited, id);
      if (where.action !== null) actions.push(where.action);
      const run = execute(instance, suite.properties, actions, { probe: true });
      if (run.error !== null) return run.error;
    }
  }
  // Met on a worker, or (with symmetry) on a renamed state: search again, plainly, in this thread.
  if ((!local && (options.workers ?? 1) > 1) || options.symmetry) {
    try {
      await explore(suite, { ...options, properties: undefined, workers: 1, symmetry: false, onProgress: undefined });
    } catch (again) {
      if (again instanceof ModelError) return again;
    }
  }
  if (error instanceof ModelError) return error;
  // A worker's error arrives as a plain Error: say what it was, as an error of the model.
  return new ModelError(`the model failed in a search worker: ${error instanceof Error ? error.message : String(error)}`, null, { cause: error });
}

/** The actions along the parent pointers from the initial world to state `id`, and the world they reach. */
function pathTo(instance: Instance, expander: Expander, visited: VisitedSet, id: number): { actions: Action[]; world: World } {
  const path = visited.pathTo(id);
  let world: World = initialWorld(instance);
  const actions: Action[] = [];
  for (let k = 1; k < path.length; k++) {
    const [hi, lo] = visited.fingerprintOf(path[k]!);
    const taken = successorWith(instance, world, (next) => {
      const [h, l] = expander.fingerprintOf(next);
      return h === hi && l === lo;
    });
    actions.push(taken.action);
    world = taken.next;
  }
  return { actions, world };
}

/** The actions along the parent pointers from the initial world to state `id`. */
function pathActions(instance: Instance, expander: Expander, visited: VisitedSet, id: number): Action[] {
  return pathTo(instance, expander, visited, id).actions;
}

function successorWith(instance: Instance, world: World, matches: (next: World, action: Action) => boolean): { action: Action; next: World } {
  for (const action of enabledActions(instance, world)) {
    const next = step(instance, world, action);
    if (matches(next, action)) return { action, next };
  }
  throw new Error('internal: no action leads to the next state of the counterexample (is the model deterministic?)');
}
