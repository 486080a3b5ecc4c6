/**
 * Exhaustive search for suites with liveness properties: the same breadth-first search as
 * search.ts (every invariant on every state, every step invariant on every transition,
 * witnesses, bounds, shortest safety counterexamples), in this thread, also recording the
 * graph liveness needs (live-graph.ts): every edge with its fairness class, and the p/q bits of
 * each liveness property per state. After the search, each liveness property is decided on the
 * graph (liveness.ts) and a violation is rebuilt as a lasso of concrete actions.
 *
 * Memory: past the bound (--max-memory) the frontier spills to disk as in the safety search; the
 * visited set and the graph are typed arrays of a few words per state and edge, kept in memory,
 * and only when they alone pass the bound does the search stop ('memory').
 *
 * Deadlocks (a world where nothing but faults is enabled, not declared terminal) are recorded
 * while searching and reported when no liveness property is violated: a liveness property
 * that fails at a deadlock names what is missing, so it is the better report.
 *
 * States a bound cut off (--max-in-flight, --max-depth, --max-states, memory) are unknown: a
 * liveness verdict that depends on them is inconclusive. Ctrl-C (options.signal) is such a bound:
 * the search yields to the event loop every few hundred states so the signal handler can run,
 * stops at once when it has fired, and decides liveness on what it searched (stoppedBy
 * 'interrupted').
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { ModelError, UsageError } from '../../engine/errors.js';
import type { Action } from '../../engine/actions.js';
import { FairnessClasses, isFault, ListedFairness } from '../../engine/fairness.js';
import type { Instance } from '../../engine/instance.js';
import type { World } from '../../engine/world.js';
import { enabledActions, initialWorld, Packed, step } from '../../engine/packed.js';
import { memoised, MISS, ViewMemo } from '../../engine/view-memo.js';
import type { WorldView } from '../../engine/view.js';
import { isLiveness, livenessBits, P_BIT, Q_BIT, type LivenessProperty } from '../../properties/liveness.js';
import { reachedIn, verdictOf, type Property, type Verdict, type Violation } from '../../properties/properties.js';
import { DEADLOCK, type Suite } from '../../properties/suite.js';
import { execute } from '../execute.js';
import { checkLasso, isTerminal } from '../lasso.js';
import { heapUsed } from './backend.js';
import { Frontier } from './frontier.js';
import { CONSTRAINED, LiveGraph } from './live-graph.js';
import { WorldDecoder } from './wire.js';
import { decideLiveness, type LiveVerdict } from './liveness.js';
import type { StopReason } from './level.js';
import type { ExploreOptions, ExploreResult, ExploreViolation, LivenessReport } from './options.js';
import { Coverage } from '../coverage.js';
import { collisionProbability, VisitedSet } from './visited.js';

type Invariant = Extract<Property, { kind: 'always' }>;
type StepInvariant = Extract<Property, { kind: 'always-step' }>;
type Witness = Extract<Property, { kind: 'sometimes' }>;

/** Where the search met its first safety violation. */
type SafetyFound = { readonly id: number; readonly action: number | null; readonly violation: Violation };

/** States expanded between two looks at the interrupt signal (a yield to the event loop costs microseconds). */
const POLL_EVERY = 256;

export async function exploreLive(suite: Suite, instance: Instance, options: ExploreOptions, started: number): Promise<ExploreResult> {
  if (options.checkpoint !== undefined || options.resume !== undefined) {
    throw new UsageError('--checkpoint and --resume are not available for a suite with liveness properties (its liveness graph is not checkpointed); add --skip for them, or search without checkpoints');
  }
  const properties = suite.properties;
  const invariants = properties.filter((p): p is Invariant => p.kind === 'always');
  const stepInvariants = properties.filter((p): p is StepInvariant => p.kind === 'always-step');
  const pending: Witness[] = properties.filter((p): p is Witness => p.kind === 'sometimes');
  const liveness = properties.filter(isLiveness);
  const witnessNames = pending.map((w) => w.name);
  const reached = new Set<string>();
  const checkDeadlock = options.deadlock !== false;
  const maxStates = options.maxStates ?? Infinity;
  const maxDepth = options.maxDepth ?? Infinity;
  const maxInFlight = options.maxInFlight ?? Infinity;
  // `--coverage`: every edge of the state graph counted once, as in the safety search.
  const coverage = options.coverage ? new Coverage(instance) : null;
  const maxHeapBytes = (options.maxMemoryMb ?? Math.floor((getHeapStatistics().heap_size_limit * 0.7) / 2 ** 20)) * 2 ** 20;
  const signal = options.signal;
  const interrupted = options.interrupted ?? (signal === undefined ? null : () => signal.aborted);

  // Per property, its values kept by the ids of the slots it read (view-memo.ts).
  const invariantMemos = invariants.map(() => new ViewMemo());
  const witnessMemos = new Map(pending.map((w) => [w, new ViewMemo()]));
  const livenessMemos = liveness.map(() => new ViewMemo());

  const visited = new VisitedSet();
  const graph = new LiveGraph(liveness.length);
  const classes = new FairnessClasses(instance);
  // Worlds as tuples of interned ids (engine/packed.ts): `successor` is written in place, kept when new.
  const packed = new Packed(instance);
  const width = packed.width;
  const fairness = new ListedFairness(classes, packed);
  const successor = new Int32Array(width);
  packed.initial(successor, 0);
  packed.fingerprint(successor, 0);
  visited.add(packed.hi, packed.lo, -1);
  graph.reserve(0);

  // The level's worlds: spilled to disk past the memory bound, as in the safety search (frontier.ts).
  // Their states have consecutive numbers from the frontier's first.
  let frontier = new Frontier(0, packed);
  frontier.push(successor, 0);
  const decoder = new WorldDecoder();
  let spillTemp: string | null = null;
  const spillDir = () => options.spillDir ?? (spillTemp ??= mkdtempSync(join(tmpdir(), 'protokit-spill-')));
  let spilledWorlds = 0;
  let depth = 0;
  let generated = 0;
  let stoppedBy: StopReason | null = null;
  let newAtLimit = false;
  let found: SafetyFound | null = null;
  let deadlock = -1;
  let peakHeap = heapUsed();
  let sinceHeapCheck = 0;
  let sincePoll = 0;
  // New states at each depth (index 0: the initial state), as the safety search reports them, for the growing-frontier warning.
  const levels: number[] = [1];

  try {
    search: while (frontier.length > 0) {
      depth++;
      const atLimit = depth >= maxDepth;
      const next = new Frontier(visited.size, packed);
      let k = -1;
      for (const chunk of frontier.chunks(decoder, true)) {
        for (let c = 0; c < chunk.count; c++) {
          k++;
          const at = c * width;
          const tuples = chunk.tuples;
          if (interrupted !== null && ++sincePoll >= POLL_EVERY) {
            sincePoll = 0;
            // The search never waits otherwise: let a SIGINT handler run.
            await new Promise((resolve) => setImmediate(resolve));
            if (interrupted()) {
              // This state and the rest are left unsearched: unknown, like states a bound cut off.
              stoppedBy = 'interrupted';
              break search;
            }
          }
          const id = frontier.firstId + k;
          const view = packed.view(tuples, at);
          const broken = firstBrokenOf(invariants, invariantMemos, view);
          if (broken !== null) {
            found = { id, action: null, violation: broken };
            graph.begin(id, false);
            break search;
          }
          for (let w = 0; w < pending.length; w++) {
            const witness = pending[w]!;
            if (memoised(witnessMemos.get(witness)!, view, () => reachedIn(witness, view))) {
              reached.add(witness.name);
              pending.splice(w--, 1);
            }
          }
          for (let p = 0; p < liveness.length; p++) {
            // The initial state's bits differ (an `eventually` starts there): never memoised.
            graph.bits[p]![id] = id === 0 ? livenessBits(liveness[p]!, view, true) : memoised(livenessMemos[p]!, view, () => livenessBits(liveness[p]!, view, false));
          }
          const constrained = packed.inFlight(tuples, at) > maxInFlight;
          const expand = stoppedBy === null && !constrained;
          graph.begin(id, expand, stoppedBy === null && constrained);
          if (!expand) continue;
          const actions = packed.list(tuples, at);
          generated += actions;
          if (checkDeadlock && deadlock < 0 && onlyFaults(packed, actions) && !isTerminal(suite, view)) deadlock = id;
          packed.setParent(tuples, at);
          for (let a = 0; a < actions; a++) {
            coverage?.record(packed.unpack(tuples, at), packed.actionAt(a));
            packed.successor(tuples, at, a, successor, 0);
            const hi = packed.hi;
            const lo = packed.lo;
            if (stepInvariants.length > 0) {
              const after = packed.view(successor, 0);
              const action = packed.actionAt(a);
              const v = firstBroken(stepInvariants, (p) => p.check(view, after, action));
              if (v !== null) {
                found = { id, action: a, violation: v };
                break search;
              }
            }
            let target = visited.idOf(hi, lo);
            if (target < 0) {
              if (atLimit) {
                newAtLimit = true;
                graph.cut(id);
                continue;
              }
              if (visited.size >= maxStates) {
                stoppedBy ??= 'max-states';
                graph.cut(id);
                continue;
              }
              target = visited.add(hi, lo, id);
              graph.reserve(target);
              graph.via[target] = a;
              next.push(successor, 0);
            }
            graph.addEdge(target, fairness.of(a), a);
          }
          if (++sinceHeapCheck >= 1024) {
            sinceHeapCheck = 0;
            const heap = heapUsed();
            peakHeap = Math.max(peakHeap, heap);
            // Past the bound the next level's worlds go to disk; what cannot go there (the visited
            // set and the liveness graph, typed arrays outside the heap) stops the search when it alone passes it.
            if (heap > maxHeapBytes && !next.spilled) next.spill(spillDir());
            if (visited.bytes + graph.usedBytes > maxHeapBytes && stoppedBy === null) stoppedBy = 'memory';
            options.onProgress?.({ states: visited.size, queue: frontier.length - k + next.length, depth, elapsedMs: performance.now() - started }); // allow-clock
          }
        }
      }
      if (next.length > 0) levels.push(next.length);
      spilledWorlds += next.onDisk;
      frontier.dispose();
      frontier = next;
    }
  } finally {
    frontier.dispose();
    if (spillTemp !== null) rmSync(spillTemp, { recursive: true, force: true });
  }
  // States numbered but never begun (the frontier left when the search stopped) are unknown.
  while (graph.states < visited.size) graph.begin(graph.states, false);
  graph.finish();
  if (newAtLimit && stoppedBy === null) stoppedBy = 'max-depth';

  let violation: ExploreViolation | null = null;
  const report: LivenessReport = { checked: true, note: null, properties: [], bytesPerState: graph.usedBytes / Math.max(1, graph.states) };
  if (found !== null) {
    violation = safetyCounterexample(instance, packed, suite, visited, graph, found);
    report.properties.push(...liveness.map((p) => ({ name: p.name, verdict: 'not decided' as const, reason: 'the search stopped at a safety violation' })));
  } else {
    for (let p = 0; p < liveness.length; p++) {
      const property = liveness[p]!;
      const verdict = decideLiveness(graph, p, property.kind === 'eventually');
      if (verdict.verdict === 'violated' && violation === null) {
        const prefix = pathActions(visited, graph, verdict.start);
        const states = [...prefix.states, ...verdict.edges.map((e) => graph.to[e]!)];
        const actions = rebuild(instance, packed, visited, states, [...prefix.indexes, ...verdict.edges.map((e) => graph.act[e]!)]);
        violation = lassoViolation(instance, suite, property, actions, prefix.indexes.length + verdict.loopStart);
      }
      report.properties.push(
        verdict.verdict === 'inconclusive'
          ? { name: property.name, verdict: 'inconclusive', reason: inconclusiveReason(verdict, graph, p, visited, { stoppedBy, depth, maxInFlight: options.maxInFlight }) }
          : { name: property.name, verdict: verdict.verdict, reason: null },
      );
    }
    if (violation === null && deadlock >= 0) {
      const path = pathActions(visited, graph, deadlock);
      const actions = rebuild(instance, packed, visited, path.states, path.indexes);
      violation = lassoViolation(instance, suite, { name: DEADLOCK }, actions, actions.length);
    }
  }
  const elapsedMs = performance.now() - started; // allow-clock
  return {
    model: suite.model.name,
    preset: instance.preset,
    config: instance.params,
    mutant: instance.mutant,
    faults: instance.faults,
    symmetry: false,
    maxInFlight: options.maxInFlight ?? null,
    workers: 1,
    distinctStates: visited.size,
    generated,
    depth,
    complete: stoppedBy === null && found === null,
    stoppedBy,
    witnesses: witnessNames.map((name) => ({ name, reached: reached.has(name) })),
    violation,
    inconclusive: violation === null && report.properties.some((p) => p.verdict === 'inconclusive'),
    liveness: report,
    spilledWorlds,
    frontier: levels,
    checkpoint: null,
    resumed: false,
    collisionProbability: collisionProbability(visited.size, generated),
    visitedBytesPerState: visited.bytes / Math.max(1, visited.size),
    peakHeapBytes: peakHeap,
    elapsedMs,
    statesPerSecond: elapsedMs > 0 ? (visited.size * 1000) / elapsedMs : 0,
    ...(coverage ? { coverage: coverage.report() } : {}),
  };
}

const BOUND_NAMES: Record<StopReason, string> = {
  'max-states': '--max-states',
  'max-depth': '--max-depth',
  memory: 'the memory bound (--max-memory)',
  interrupted: 'Ctrl-C',
};

/**
 * Why a liveness verdict is inconclusive, in words: which bound left which state unknown, how far
 * the search got, and whether the property was still owed there or may only be owed beyond.
 */
function inconclusiveReason(
  verdict: Extract<LiveVerdict, { verdict: 'inconclusive' }>,
  graph: LiveGraph,
  p: number,
  visited: VisitedSet,
  search: { stoppedBy: StopReason | null; depth: number; maxInFlight: number | undefined },
): string {
  const constrained = graph.expanded[verdict.unknown] === CONSTRAINED;
  const bound = constrained ? `--max-in-flight ${search.maxInFlight}` : BOUND_NAMES[search.stoppedBy ?? 'max-depth'];
  const far = `${graph.states.toLocaleString('en-US')} state${graph.states === 1 ? '' : 's'}, depth ${search.depth}`;
  if (!constrained && search.stoppedBy === 'interrupted') return `the search was interrupted (Ctrl-C) before every state it depends on was searched (searched ${far})`;
  const at = `depth ${visited.pathTo(verdict.unknown).length}`;
  const how = constrained ? `left unexpanded by ${bound} (a state with more messages in flight)` : `cut off by ${bound}`;
  if (verdict.owed) return `a state where it is still owed (${at}) was ${how}; what follows it is unknown (searched ${far})`;
  const bits = graph.bits[p]!;
  let owedSomewhere = false;
  for (let s = 0; s < graph.states && !owedSomewhere; s++) owedSomewhere = (bits[s]! & (P_BIT | Q_BIT)) === P_BIT;
  const searched = constrained ? `${bound} left states unexpanded (searched ${far})` : `${bound} stopped the search at ${far}`;
  return owedSomewhere
    ? `${searched}; every obligation it met was paid within those states, but states beyond the bound may owe it and never pay`
    : `${searched}, before any state owes it; states beyond the bound may owe it and never pay`;
}

/** Whether every listed action is a fault (or none is listed). */
function onlyFaults(packed: Packed, actions: number): boolean {
  for (let a = 0; a < actions; a++) if (!packed.isFault(a)) return false;
  return true;
}

/** `firstBroken` over state invariants, each through its memo. */
function firstBrokenOf(invariants: readonly Invariant[], memos: readonly ViewMemo[], view: WorldView): Violation | null {
  for (let k = 0; k < invariants.length; k++) {
    const p = invariants[k]!;
    try {
      const memo = memos[k]!;
      const known = memo.get(view);
      let verdict: Verdict;
      if (known === MISS) {
        memo.begin(view);
        verdict = p.check(view);
        memo.set(view, verdict);
      } else verdict = known as Verdict;
      const violation = verdictOf(p.name, verdict);
      if (violation !== null) return violation;
    } catch (error) {
      if (error instanceof ModelError) throw error;
      return { property: p.name, message: `the invariant threw: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  return null;
}

function firstBroken<P extends { readonly name: string }>(list: readonly P[], run: (p: P) => string | undefined | void): Violation | null {
  for (const p of list) {
    try {
      const violation = verdictOf(p.name, run(p));
      if (violation !== null) return violation;
    } catch (error) {
      if (error instanceof ModelError) throw error;
      return { property: p.name, message: `the invariant threw: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  return null;
}

/** The search's (shortest) path from the initial state to `id`: its states, and the index of each action among its source's enabled actions. */
function pathActions(visited: VisitedSet, graph: LiveGraph, id: number): { states: number[]; indexes: number[] } {
  const path = visited.pathTo(id);
  return { states: path, indexes: path.slice(1).map((s) => graph.via[s]!) };
}

/**
 * The concrete actions of a path through the numbered `states` (from the initial one), given
 * the index of each edge's action among its source's enabled actions. The index is a hint
 * only: two worlds of one state (same fingerprint) may list their enabled actions in another
 * order (a message set held in another order), so the action taken is the one that leads to
 * the next state. `hints` may be one longer than the path (a last action to no numbered state:
 * a step invariant's violation), which is taken by its index.
 */
function rebuild(instance: Instance, packed: Packed, visited: VisitedSet, states: readonly number[], hints: readonly number[]): Action[] {
  let world = initialWorld(instance);
  const tuple = new Int32Array(packed.width);
  return hints.map((hint, k) => {
    const actions = enabledActions(instance, world);
    const target = states[k + 1];
    const reaches = (a: Action | undefined): World | null => {
      if (a === undefined) return null;
      const next = step(instance, world, a);
      if (target === undefined) return next;
      packed.pack(next, tuple, 0);
      packed.fingerprint(tuple, 0);
      return visited.idOf(packed.hi, packed.lo) === target ? next : null;
    };
    let action = actions[hint];
    let next = reaches(action);
    for (let i = 0; next === null && i < actions.length; i++) if ((next = reaches(actions[i])) !== null) action = actions[i];
    if (next === null || action === undefined) throw new Error('internal: a recorded edge is not an enabled action (is the model deterministic?)');
    world = next;
    return action;
  });
}

function safetyCounterexample(instance: Instance, packed: Packed, suite: Suite, visited: VisitedSet, graph: LiveGraph, found: SafetyFound): ExploreViolation {
  const path = pathActions(visited, graph, found.id);
  const indexes = found.action === null ? path.indexes : [...path.indexes, found.action];
  const actions = rebuild(instance, packed, visited, path.states, indexes);
  const run = execute(instance, suite.properties, actions);
  if (run.violation === null || run.violation.step !== actions.length) {
    throw new Error(`internal: the rebuilt counterexample of ${actions.length} actions does not end in a violation`);
  }
  return { property: run.violation.property, message: run.violation.message, step: run.violation.step, actions, kind: 'safety', loopStart: null };
}

/** A lasso from the graph, confirmed by replaying it (checkLasso), as the search's violation. */
function lassoViolation(instance: Instance, suite: Suite, property: Pick<LivenessProperty, 'name'>, actions: Action[], loopStart: number): ExploreViolation {
  const verdict = checkLasso(instance, suite, actions, loopStart, property.name);
  if (verdict.violation === null) throw new Error(`internal: the lasso found for ${property.name} does not replay as a violation: ${verdict.problem}`);
  const v = verdict.violation;
  return { property: v.property, message: v.message, step: v.step, actions, kind: v.kind, loopStart: v.loopStart };
}

