/**
 * Exhaustive search: pinned state counts (so any engine change that alters a state space is
 * caught), the same counts from independent hand-written searches of the specifications,
 * exact symmetry reduction against brute force, identical counts with workers, shortest
 * counterexamples, and bounds that end the search cleanly.
 */
import { describe, expect, test } from 'vitest';
import { paxosBfs } from '../../../bench/baselines/paxos-bfs.js';
import { twoPhaseBfs } from '../../../bench/baselines/twophase-bfs.js';
import mapreduce from '../../../properties/mapreduce/index.js';
import raft from '../../../properties/raft/index.js';
import paxos from '../../../properties/paxos/index.js';
import twoPhase from '../../../properties/two-phase-commit/index.js';
import { resolveInstance, type Instance, type InstanceOptions } from '../../engine/instance.js';
import type { NodeState } from '../../engine/node-step.js';
import { withProperties, type Suite } from '../../properties/suite.js';
import type { WorldView } from '../../engine/view.js';
import { replay, buildTrace } from '../../trace/replay.js';
import { worldKey, type Envelope, type World } from '../../engine/world.js';
import { enabledActions, initialWorld, step } from '../../engine/packed.js';
import { explore, type ExploreOptions, type ExploreResult } from './search.js';
import { evenOut } from './workers.js';
import { checkLasso } from '../lasso.js';

const REGISTRY = new URL('../../../properties/registry.ts', import.meta.url).href;
const tla = (rms: number) => ({ config: { preset: 'tla', rms } });

describe('two-phase-commit, tla preset (TwoPhase): pinned counts', () => {
  // [rms, distinct states, depth, distinct states with symmetry]
  const pins: [number, number, number, number][] = [
    [3, 288, 11, 80],
    [4, 1568, 14, 166],
    [5, 8832, 17, 314],
    [6, 50816, 20, 553],
  ];
  test.each(pins)('rms=%i: %i states, depth %i; %i with symmetry', async (rms, states, depth, reduced) => {
    const full = await explore(twoPhase, tla(rms));
    expect([full.distinctStates, full.depth, full.complete, full.violation]).toEqual([states, depth, true, null]);
    const sym = await explore(twoPhase, { ...tla(rms), symmetry: true });
    expect([sym.distinctStates, sym.depth, sym.complete]).toEqual([reduced, depth, true]);
  });

  test('a plain search of the TwoPhase specification reaches the same counts', () => {
    expect(pins.map(([rms]) => twoPhaseBfs(rms)).map((r) => [r.distinctStates, r.depth])).toEqual(pins.map(([, s, d]) => [s, d]));
  });

  test('witnesses: commit and abort are reached; recovery cannot happen without crashes', async () => {
    const r = await explore(twoPhase, tla(3));
    expect(r.witnesses).toEqual([
      { name: 'commits', reached: true },
      { name: 'aborts', reached: true },
      { name: 'commits-after-recovery', reached: false },
    ]);
    expect(r.generated).toBe(761);
    expect(r.collisionProbability).toBeGreaterThan(0);
    expect(r.collisionProbability).toBeLessThan(1e-12);
  });
});

describe('two-phase-commit, default model with faults', () => {
  // Without retries a lost decision leaves its RM prepared for ever: an end the suite declares
  // (terminal, and excused by every-rm-learns-outcome: below); the counts are taken on the
  // ordinary search with deadlock detection off.
  const small = { config: { rms: 2, retry: false }, faults: { network: 'unordered', loss: 1, duplicate: 0, crash: 1, partition: 0 }, deadlock: false, liveness: false } as const;
  test('rms=2, no retries, loss≤1, crash≤1: 2695 states, depth 14', async () => {
    const r = await explore(twoPhase, small);
    expect([r.distinctStates, r.depth, r.complete, r.violation]).toEqual([2695, 14, true, null]);
    expect(r.witnesses.map((w) => w.reached)).toEqual([true, true, true]);
  });

  test('rms=2, no retries, loss≤1: a lost decision strands its RM, an end the suite declares (issue 22); undeclared, it is the shortest deadlock (5 actions), which replays', async () => {
    // The suite: terminal, and every-rm-learns-outcome excuses it (what 2PC promises without retries).
    const declared = await explore(twoPhase, { ...small, deadlock: true, liveness: true });
    expect([declared.violation, declared.inconclusive, declared.liveness.properties.map((p) => p.verdict)]).toEqual([null, false, ['holds']]);
    // Terminal only when every RM decided: the stranded RM is a deadlock.
    const undeclared = { ...twoPhase, terminal: (w: WorldView) => w.role('rm').every((rm) => rm.up && (rm.context.status === 'committed' || rm.context.status === 'aborted')) };
    const r = await explore(undeclared, { ...small, deadlock: true });
    expect([r.violation?.property, r.violation?.kind, r.violation?.step, r.violation?.loopStart]).toEqual(['deadlock', 'deadlock', 5, 5]);
    const instance = resolveInstance(twoPhase.model, small);
    expect(checkLasso(instance, undeclared, r.violation!.actions, 5, 'deadlock').violation?.kind).toBe('deadlock');
  });

  // The shortest counterexample of each mutant (BFS order), as an exact number of actions.
  test.each([
    ['tm-commits-on-majority', 'commit-needs-all-prepared', 5, 'tla rms=3', tla(3)],
    ['tm-counts-messages', 'commit-needs-all-prepared', 4, 'tla rms=2', tla(2)],
    ['tm-flips-on-timeout', 'decision-never-changes', 4, 'tla rms=1', tla(1)],
    ['tm-counts-messages', 'commit-needs-all-prepared', 6, 'rms=2 loss≤1 crash≤1', small],
    ['tm-forgets-decision', 'decision-never-changes', 8, 'rms=2 loss≤1 crash≤1', small],
    ['rm-forgets-prepared', 'consistency', 8, 'rms=2 loss≤1 crash≤1', small],
    ['rm-presumes-commit', 'agreement', 2, 'rms=2 with retries, no faults', { config: { rms: 2 }, faults: { network: 'unordered', loss: 0, duplicate: 0, crash: 0, partition: 0 } }],
  ] as const)('%s: shortest counterexample violates %s in %i actions (%s) and replays', async (mutant, property, steps, _label, options) => {
    const r = await explore(twoPhase, { ...(options as InstanceOptions), mutant });
    expect(r.complete).toBe(false);
    expect([r.violation?.property, r.violation?.step, r.violation?.actions.length]).toEqual([property, steps, steps]);
    const instance = resolveInstance(twoPhase.model, { ...(options as InstanceOptions), mutant });
    const trace = buildTrace(instance, twoPhase, r.violation!.actions, { command: 'explore' });
    expect(trace.violation).toMatchObject({ property, step: steps });
    expect(replay(twoPhase, trace).violation?.step).toBe(steps);
  });
});

describe('paxos, tla preset (MCPaxos)', () => {
  test('maxBallot=1: 3921 states, depth 17; 857 with symmetry; as the plain specification search', async () => {
    const r = await explore(paxos, { config: { preset: 'tla' } });
    expect([r.distinctStates, r.depth, r.complete, r.violation]).toEqual([3921, 17, true, null]);
    const sym = await explore(paxos, { config: { preset: 'tla' }, symmetry: true });
    expect([sym.distinctStates, sym.depth]).toEqual([857, 17]);
    const plain = paxosBfs(1);
    expect([plain.distinctStates, plain.depth]).toEqual([3921, 17]);
  });
});

describe('symmetry reduction is exact', () => {
  // Brute force: every reachable state, renamed by every permutation; count the least keys.
  test.each([
    ['two-phase-commit rms=3', twoPhase, tla(3)],
    ['paxos maxBallot=0', paxos, { config: { preset: 'tla', maxBallot: 0 } }],
  ] as const)('%s: as many classes as brute force finds', async (_name, suite, options) => {
    const r = await explore(suite as Suite, { ...options, symmetry: true });
    expect(r.distinctStates).toBe(bruteForceClasses(resolveInstance((suite as Suite).model, options)));
  });
});

describe('default (non-tla) configurations: pinned counts', () => {
  const none = { network: 'unordered', loss: 0, duplicate: 0, crash: 0, partition: 0 } as const;
  test.each([
    ['mapreduce workers=1 maps=2 reduces=1 attempts=1 retries=0', 94, 21, mapreduce, { config: { workers: 1, maps: 2, reduces: 1, attempts: 1, retries: 0 }, faults: none }],
    ['paxos acceptors=3 proposers=1 learners=1 maxBallot=0', 264, 13, paxos, { config: { acceptors: 3, proposers: 1, learners: 1, maxBallot: 0 }, faults: none }],
    ['paxos acceptors=3 proposers=2 learners=0 maxBallot=1', 24322, 19, paxos, { config: { acceptors: 3, proposers: 2, learners: 0, maxBallot: 1 }, faults: none }],
  ] as const)('%s, no faults: %i states, depth %i', async (_name, states, depth, suite, options) => {
    const r = await explore(suite as Suite, options as InstanceOptions);
    expect([r.distinctStates, r.depth, r.complete, r.violation]).toEqual([states, depth, true, null]);
  });

  // Heartbeats add messages for ever, so Raft needs a state constraint to finish, as TLC's
  // CONSTRAINT on message counts: states with more than N messages in flight are checked, not expanded.
  const smallRaft = { config: { maxTerm: 1, maxLog: 1 }, faults: none } as const;
  test('raft maxTerm=1 maxLog=1, no faults, at most 3 messages in flight: 8,026 states, depth 25', async () => {
    const r = await explore(raft, { ...smallRaft, maxInFlight: 3 });
    expect([r.distinctStates, r.depth, r.complete, r.violation, r.maxInFlight]).toEqual([8026, 25, true, null, 3]);
    const two = await explore(raft, { ...smallRaft, maxInFlight: 3, workers: 2, suiteModule: REGISTRY, searchWhileWorkersStart: false });
    expect([two.distinctStates, two.depth, two.generated]).toEqual([r.distinctStates, r.depth, r.generated]);
  });

  // Mutants whose bug shows in a small configuration: explore finds the shortest counterexample.
  test.each([
    ['mapreduce', 'accepts-stale-attempt', 'reads-only-reported-output', 18],
    ['mapreduce', 'reduce-starts-early', 'output-matches-sequential', 9],
    ['mapreduce', 'reports-before-commit', 'complete-only-when-committed', 17],
    ['paxos', 'ignores-reported-values', 'proposes-highest-report', 11],
    ['paxos', 'accepts-below-promise', 'agreement', 14],
    // Seen at the proposal since Paxos checks section 2.2's majority of promises (agreement at 10 before).
    ['paxos', 'minority-quorum', 'proposes-after-majority-promise', 3],
    ['paxos', 'learner-minority-quorum', 'learned-was-chosen', 7],
    ['paxos', 'adopts-empty-report', 'validity', 7],
  ] as const)('%s %s: shortest counterexample violates %s in %i actions, and replays', async (model, mutant, property, steps) => {
    const suite = model === 'paxos' ? paxos : mapreduce;
    const config: Record<string, number> = model === 'paxos' ? { acceptors: 3, proposers: 2, learners: 1, maxBallot: 1 } : { workers: 1, maps: 2, reduces: 1, attempts: 1, retries: 0 };
    const r = await explore(suite, { config, faults: none, mutant });
    expect([r.violation?.property, r.violation?.step]).toEqual([property, steps]);
    const instance = resolveInstance(suite.model, { config, faults: none, mutant });
    const replayed = replay(suite, buildTrace(instance, suite, r.violation!.actions, { command: 'explore' }));
    expect([replayed.violation?.property, replayed.violation?.step]).toEqual([property, steps]);
  });

  test('raft votes-twice: the shortest double vote within 4 messages in flight is 8 steps, and replays', async () => {
    // election-safety alone: votes-of-this-term sees the double vote sooner (3 steps), at the vote.
    const electionSafety = withProperties(raft, ['election-safety']);
    const r = await explore(electionSafety, { ...smallRaft, maxInFlight: 4, mutant: 'votes-twice' });
    expect([r.violation?.property, r.violation?.step]).toEqual(['election-safety', 8]);
    const instance = resolveInstance(raft.model, { ...smallRaft, mutant: 'votes-twice' });
    const replayed = replay(electionSafety, buildTrace(instance, electionSafety, r.violation!.actions, { command: 'explore' }));
    expect([replayed.violation?.property, replayed.violation?.step]).toEqual(['election-safety', 8]);
  });
});

describe('parallel search', () => {
  // Everything a search reports but its timing: workers must not change any of it.
  const outcome = (r: ExploreResult) => ({
    states: r.distinctStates,
    depth: r.depth,
    generated: r.generated,
    complete: r.complete,
    stoppedBy: r.stoppedBy,
    witnesses: r.witnesses,
    violation: r.violation,
  });
  const both = async (suite: Suite, options: ExploreOptions) => {
    // One worker on the ordinary search (liveness, decided by its own search, is compared in liveness.test.ts).
    const one = await explore(suite, { ...options, liveness: false });
    // Workers from the first level on, so even a small search runs on them.
    const two = await explore(suite, { ...options, workers: 2, suiteModule: REGISTRY, searchWhileWorkersStart: false });
    return [outcome(one), outcome(two)];
  };

  test('2 workers find exactly the states, transitions, witnesses and counterexamples that 1 finds', async () => {
    const [one, two] = await both(twoPhase, tla(4));
    expect(two).toEqual(one);
    expect(one!.states).toBe(1568);
    const sym = await explore(twoPhase, { ...tla(4), workers: 2, symmetry: true, suiteModule: REGISTRY, searchWhileWorkersStart: false });
    expect(sym.distinctStates).toBe(166);
    // A state violation, a step violation (paxos has a step invariant), and the bounds: the same
    // counts at the stop, not only the same trace.
    for (const [suite, options] of [
      [twoPhase, { ...tla(3), mutant: 'tm-commits-on-majority' }],
      [paxos, { config: { preset: 'tla' } }],
      [paxos, { config: { acceptors: 3, proposers: 2, learners: 1, maxBallot: 1 }, mutant: 'forgets-promise', faults: { network: 'unordered', loss: 0, duplicate: 0, crash: 1, partition: 0 } }],
      [twoPhase, { ...tla(5), maxStates: 3000 }],
      [twoPhase, { ...tla(5), maxDepth: 9 }],
    ] as const) {
      const [a, b] = await both(suite as Suite, options as ExploreOptions);
      expect(b).toEqual(a);
    }
  });

  test('by default this thread searches while the workers start, then hands over: the same figures', async () => {
    const r = await explore(twoPhase, { ...tla(6), workers: 2, suiteModule: REGISTRY });
    expect([r.distinctStates, r.depth, r.generated, r.complete]).toEqual([50816, 20, 256001, true]);
  });

  test('shares are evened out only when they drift apart', () => {
    expect(evenOut([1, 0])).toEqual([]);
    expect(evenOut([1000, 0])).toEqual([{ from: 0, to: 1, count: 500 }]);
    expect(evenOut([520, 480])).toEqual([]);
    expect(evenOut([700, 300])).toEqual([{ from: 0, to: 1, count: 200 }]);
    expect(evenOut([900, 50, 50])).toEqual([
      { from: 0, to: 1, count: 283 },
      { from: 0, to: 2, count: 283 },
    ]);
  });
});

describe('bounds end the search cleanly', () => {
  test('--max-states: exactly that many states, incomplete', async () => {
    const r = await explore(twoPhase, { ...tla(4), maxStates: 500 });
    expect([r.distinctStates, r.complete, r.stoppedBy]).toEqual([500, false, 'max-states']);
  });
  test('--max-depth: stops at that depth, incomplete; a depth the search never needs is complete', async () => {
    const r = await explore(twoPhase, { ...tla(3), maxDepth: 5 });
    expect([r.depth, r.complete, r.stoppedBy]).toEqual([5, false, 'max-depth']);
    expect(r.distinctStates).toBeLessThan(288);
    const whole = await explore(twoPhase, { ...tla(3), maxDepth: 11 });
    expect([whole.distinctStates, whole.complete]).toEqual([288, true]);
  });
  test('memory bound: past it the frontier spills to disk and the search completes (checkpoint.test.ts: where it stops)', async () => {
    const r = await explore(twoPhase, { ...tla(5), maxMemoryMb: 1, liveness: false }); // the safety search spills; the liveness graph does not
    expect([r.complete, r.stoppedBy, r.distinctStates]).toEqual([true, null, 8832]);
    expect(r.spilledWorlds).toBeGreaterThan(0);
  });
});

function bruteForceClasses(instance: Instance): number {
  const roles = instance.model.symmetric ?? [];
  const groups = roles.map((role) => instance.nodes.filter((n) => n.role === role).map((n) => n.id));
  const ids = new Set(groups.flat());
  const perms = groups.reduce<Map<string, string>[]>(
    (acc, g) => acc.flatMap((m) => permutations(g).map((p) => new Map([...m, ...g.map((id, k) => [id, p[k]!] as [string, string])]))),
    [new Map()],
  );
  const rename = (v: unknown, m: Map<string, string>): unknown => {
    if (typeof v === 'string') return m.get(v) ?? v;
    if (Array.isArray(v)) {
      const isSet = v.length > 0 && v.every((x, i) => typeof x === 'string' && ids.has(x) && (i === 0 || v[i - 1] < x));
      const out = v.map((x) => rename(x, m));
      return isSet ? (out as string[]).sort() : out;
    }
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [m.get(k) ?? k, rename(x, m)]));
    return v;
  };
  const renamed = (w: World, m: Map<string, string>): World => {
    const nodes: NodeState[] = new Array(w.nodes.length);
    w.nodes.forEach((s, i) => {
      const to = instance.indexOf.get(m.get(instance.nodes[i]!.id) ?? instance.nodes[i]!.id)!;
      nodes[to] = { up: s.up, value: s.value, context: rename(s.context, m) as NodeState['context'] };
    });
    return {
      nodes,
      network: w.network.map((e) => rename(e, m) as Envelope),
      partition: w.partition === null ? null : (rename(w.partition, m) as string[][]),
      used: w.used,
      observations: rename(w.observations, m) as World['observations'],
    };
  };
  const seen = new Set<string>();
  const classes = new Set<string>();
  let frontier = [initialWorld(instance)];
  seen.add(worldKey(instance, frontier[0]!));
  while (frontier.length) {
    const next: World[] = [];
    for (const w of frontier) {
      classes.add(perms.map((m) => worldKey(instance, renamed(w, m))).sort()[0]!);
      for (const a of enabledActions(instance, w)) {
        const n = step(instance, w, a);
        const k = worldKey(instance, n);
        if (!seen.has(k)) {
          seen.add(k);
          next.push(n);
        }
      }
    }
    frontier = next;
  }
  return classes.size;
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
}
