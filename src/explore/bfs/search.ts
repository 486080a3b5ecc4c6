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
 */
import { getHeapStatistics } from 'node:v8';
import type { Action } from '../../engine/actions.js';
import type { FaultSettings } from '../../engine/faults.js';
import { resolveInstance, type Instance, type InstanceOptions } from '../../engine/instance.js';
import type { Params } from '../../engine/model.js';
import { checkStep } from '../../properties/properties.js';
import type { Suite } from '../../properties/suite.js';
import { type World } from '../../engine/world.js';
import { viewOf } from '../../engine/view.js';
import { enabledActions, initialWorld, step } from '../../engine/fast-step.js';
import { execute } from '../execute.js';
import { heapUsed, inProcessBackend, type Backend } from './backend.js';
import { Expander } from './expand.js';
import { Level, type Found, type StopReason } from './level.js';
import { collisionProbability, VisitedSet } from './visited.js';
import { Symmetry } from './symmetry.js';
import { Coverage } from '../coverage.js';
import { UsageError } from '../../engine/errors.js';
import type { ExploreOptions, ExploreProgress, ExploreResult, ExploreViolation } from './options.js';

export type { StopReason } from './level.js';
export type { ExploreOptions, ExploreProgress, ExploreViolation, ExploreResult } from './options.js';

/** Since 0.2.0. Exhaustive breadth-first search of a suite's model; the core of `protokit explore`. */
export async function explore(suite: Suite, options: ExploreOptions = {}): Promise<ExploreResult> {
  const started = performance.now(); // allow-clock: reports elapsed time only
  const instance = resolveInstance(suite.model, options);
  const symmetry = options.symmetry ? new Symmetry(instance) : null;
  const workers = options.workers ?? 1;
  if (options.coverage && workers > 1) throw new UsageError('--coverage counts in one thread: leave out --workers');
  const coverage = options.coverage ? new Coverage(instance) : null;
  const expander = new Expander(instance, suite.properties, symmetry, options.maxInFlight, coverage);
  const initial = initialWorld(instance);
  const visited = new VisitedSet();
  const [hi0, lo0] = expander.fingerprintOf(initial);
  visited.add(hi0, lo0, -1);
  // With workers, this thread searches the first levels while they start, then hands over.
  const local = inProcessBackend(expander, visited, initial);
  const pool = workers > 1 ? (await import('./workers.js')).workerBackend(instance, suite, options, workers, expander) : null;
  let backend: Backend = local;
  const maxStates = options.maxStates ?? Infinity;
  const maxDepth = options.maxDepth ?? Infinity;
  const maxHeapBytes = (options.maxMemoryMb ?? Math.floor((getHeapStatistics().heap_size_limit * 0.7) / 2 ** 20)) * 2 ** 20;

  const witnessNames = suite.properties.filter((p) => p.kind === 'sometimes').map((p) => p.name);
  const reached = new Set<string>();
  let size = 1;
  let depth = 0;
  let generated = 0;
  let stoppedBy: StopReason | null = null;
  let peakHeap = heapUsed();
  let found: Found | null = null;

  try {
    if (pool !== null && options.searchWhileWorkersStart === false) await pool.whenReady();
    while (size > 0 && found === null) {
      // Let the workers' messages in (this thread's search never waits otherwise), then hand over if they are ready.
      if (pool !== null && backend === local) await new Promise((resolve) => setImmediate(resolve));
      if (pool !== null && backend === local && pool.ready) {
        const { ids, worlds } = local.frontier();
        pool.adopt(ids, worlds, [...reached]);
        backend = pool;
      }
      depth++;
      const level: Level = new Level(visited, { maxStates, maxHeapBytes, atDepthLimit: depth >= maxDepth }, stoppedBy, reached);
      const progress = (queued: number) =>
        options.onProgress?.({ states: visited.size, queue: queued, depth, elapsedMs: performance.now() - started }); // allow-clock
      size = await backend.searchLevel(level, progress);
      generated += level.generated;
      for (const name of level.reached) reached.add(name);
      stoppedBy = level.stoppedBy;
      if (level.newAtLimit && stoppedBy === null) stoppedBy = 'max-depth';
      peakHeap = Math.max(peakHeap, level.peakHeapBytes);
      found = level.stateFound ?? level.stepFound;
    }
  } finally {
    await pool?.close();
  }

  const elapsedMs = performance.now() - started; // allow-clock
  const violation = found === null ? null : counterexample(instance, suite, expander, visited, found);
  return {
    model: suite.model.name,
    preset: instance.preset,
    config: instance.params,
    mutant: instance.mutant,
    faults: instance.faults,
    symmetry: symmetry !== null,
    maxInFlight: options.maxInFlight ?? null,
    workers,
    distinctStates: visited.size,
    generated,
    depth,
    complete: stoppedBy === null && found === null,
    stoppedBy,
    witnesses: witnessNames.map((name) => ({ name, reached: reached.has(name) })),
    violation,
    collisionProbability: collisionProbability(visited.size, generated),
    visitedBytesPerState: visited.bytes / Math.max(1, visited.size),
    peakHeapBytes: peakHeap,
    elapsedMs,
    statesPerSecond: elapsedMs > 0 ? (visited.size * 1000) / elapsedMs : 0,
    ...(coverage ? { coverage: coverage.report() } : {}),
  };
}

/**
 * Rebuilds the shortest counterexample: from the initial world, at each step take the action
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
  const path = visited.pathTo(found.kind === 'state' ? found.id : found.parent);
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
  if (found.kind === 'step') {
    const before = viewOf(instance, world);
    const taken = successorWith(instance, world, (next, action) => {
      const [h, l] = expander.fingerprintOf(next);
      return h === found.hi && l === found.lo && checkStep(suite.properties, before, viewOf(instance, next), action) !== null;
    });
    actions.push(taken.action);
  }
  const run = execute(instance, suite.properties, actions);
  if (run.violation === null || run.violation.step !== actions.length) {
    throw new Error(`internal: the rebuilt counterexample of ${actions.length} actions does not end in a violation`);
  }
  return { property: run.violation.property, message: run.violation.message, step: run.violation.step, actions };
}

function successorWith(instance: Instance, world: World, matches: (next: World, action: Action) => boolean): { action: Action; next: World } {
  for (const action of enabledActions(instance, world)) {
    const next = step(instance, world, action);
    if (matches(next, action)) return { action, next };
  }
  throw new Error('internal: no action leads to the next state of the counterexample (is the model deterministic?)');
}
