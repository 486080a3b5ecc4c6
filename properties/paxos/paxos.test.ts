/**
 * Paxos, 3 acceptors, 2 proposers, 2 learners, every fault on: the correct model passes its
 * budget with every witness reached; each known bug is caught by the property it breaks, with a
 * minimal counterexample of known length (the exploration is seeded, so these are exact).
 *
 * Then the `tla` preset, explored exhaustively, against an independent rendering of the TLA+
 * specification (Paxos.tla, MCPaxos) on plain data: same distinct states, same depth, and a
 * one-to-one map between the kit's worlds and the spec's states.
 */
import { describe, expect, test } from 'vitest';
import { checkSuite, enabledActions, initialWorld, resolveInstance, step, worldKey, type Instance, type World } from '../../src/index.js';
import { testMutants, type MutantExpectation } from '../mutants.js';
import { testLiveness } from '../liveness.js';
import suite from './index.js';

describe('paxos', () => {
  test('the correct model holds every invariant and reaches every witness in its budget', () => {
    const result = checkSuite(suite);
    expect(result.runs).toBe(suite.budget.runs);
    expect(result.witnesses.every((w) => w.reached)).toBe(true);
  });

  test('with 5 acceptors and 3 proposers too', () => {
    const result = checkSuite(suite, { config: { acceptors: 5, proposers: 3 }, runs: 500 });
    expect(result.config).toMatchObject({ acceptors: 5, proposers: 3 });
    expect(result.witnesses.filter((w) => w.reached).map((w) => w.name)).toContain('chosen-after-competition');
  });

  const expected: Record<string, MutantExpectation> = {
    // P2c's value rule, read at the proposal (agreement needed a second majority: 14 steps).
    'ignores-reported-values': { property: 'proposes-highest-report', step: 11 },
    'accepts-below-promise': { property: 'agreement', step: 14 },
    'forgets-promise': { property: 'promise-never-decreases', step: 3 },
    // Phase 2 on one promise, read at the proposal (agreement needed a second majority: 10 steps).
    'minority-quorum': { property: 'proposes-after-majority-promise', step: 3 },
    // Two values in ballot 0, read on the Accepts in flight (agreement needed both chosen: 14 steps).
    'shared-ballots': { property: 'one-value-per-ballot', step: 10 },
    'switches-value-on-late-promise': { property: 'one-value-per-ballot', step: 14 },
    'learner-minority-quorum': { property: 'learned-was-chosen', step: 7 },
    'adopts-empty-report': { property: 'validity', step: 7 },
    'promises-previous-acceptance': { property: 'accepted-within-promise', step: 6 },
    // One proposer, one ballot, one lost Promise: it waits for ever for the third promise.
    'waits-for-all-promises': { property: 'eventually-chosen', step: 6, options: { config: { proposers: 1, learners: 0, maxBallot: 0 }, faults: { network: 'unordered', loss: 1, duplicate: 0, crash: 0, partition: 0 } } },
    'learner-mixes-ballots': { property: 'learned-was-chosen', step: 15 },
    // Before P2c and P1b had properties of their own, both were agreement's, in 22 steps.
    'adopts-first-report': { property: 'proposes-highest-report', step: 19 },
    'reports-promised-ballot': { property: 'promise-reports-acceptance', step: 8 },
    'forgets-ballot': { property: 'persistent-state-kept', step: 2 },
    // Phase 2 of ballot 2 on promises made to ballot 0 (agreement: 17 steps).
    'counts-stale-promises': { property: 'proposes-after-majority-promise', step: 6 },
  };

  testMutants(suite, expected, {});

  const none = { network: 'unordered', loss: 0, duplicate: 0, crash: 0, partition: 0 } as const;
  const oneProposer = { config: { proposers: 1, learners: 0, maxBallot: 0 }, faults: { ...none, loss: 1 } };
  testLiveness(suite, {
    holds: {
      'Paxos spec, ballots 0..1': { config: { preset: 'tla' }, states: 3921 },
      '1 proposer, one ballot, one message lost': { ...oneProposer, states: 285 },
      // Two proposers duel (each may preempt the other at any time), but only until the ballots
      // run out: the highest ballot cannot be preempted, so bounded Paxos does not livelock.
      '2 proposers, ballots 0..1, no faults': { config: { proposers: 2, learners: 0, maxBallot: 1 }, faults: none, states: 24322 },
    },
    caught: { 'waits-for-all-promises': { options: oneProposer, property: 'eventually-chosen', prefix: 6, loop: 0 } },
    expected: {},
  });
});

// ---- The tla preset against the specification ------------------------------------------------

/** Breadth-first search over the kit's worlds; depth counts the initial state as 1, as TLC does. */
function exploreWorlds(instance: Instance): { worlds: Map<string, World>; depth: number } {
  const first = initialWorld(instance);
  const worlds = new Map([[worldKey(instance, first), first]]);
  let frontier = [first];
  let depth = 1;
  for (;;) {
    const next: World[] = [];
    for (const world of frontier) {
      for (const action of enabledActions(instance, world)) {
        const after = step(instance, world, action);
        const key = worldKey(instance, after);
        if (!worlds.has(key)) {
          worlds.set(key, after);
          next.push(after);
        }
      }
    }
    if (next.length === 0) return { worlds, depth };
    frontier = next;
    depth++;
  }
}

/**
 * Paxos.tla on plain data, written from ../shared/reference/tla-configs.md and nothing of the
 * model: 3 acceptors, quorums any 2 of them, values v1 v2, ballots 0..maxBallot. A state is
 * (maxBal, maxVBal, maxVal, msgs); a message is a string, msgs a sorted list of distinct ones.
 */
interface SpecState {
  readonly maxBal: readonly number[];
  readonly maxVBal: readonly number[];
  readonly maxVal: readonly (string | null)[];
  readonly msgs: readonly string[];
}
type SpecMessage =
  | { t: '1a'; bal: number }
  | { t: '1b'; acc: string; bal: number; mbal: number; mval: string | null }
  | { t: '2a'; bal: number; val: string | null }
  | { t: '2b'; acc: string; bal: number; val: string | null };

const ACCEPTORS = ['a1', 'a2', 'a3'];
const QUORUMS = [['a1', 'a2'], ['a1', 'a3'], ['a2', 'a3']];
const VALUES = ['v1', 'v2'];
const encode = (m: SpecMessage): string => JSON.stringify(m);
const specKey = (s: SpecState): string => JSON.stringify(s);

function withMessage(s: SpecState, m: SpecMessage): SpecState {
  const text = encode(m);
  return s.msgs.includes(text) ? s : { ...s, msgs: [...s.msgs, text].sort() };
}

function specSuccessors(s: SpecState, maxBallot: number): SpecState[] {
  const out: SpecState[] = [];
  const msgs = s.msgs.map((m) => JSON.parse(m) as SpecMessage);
  const ballots = Array.from({ length: maxBallot + 1 }, (_, b) => b);
  for (const b of ballots) out.push(withMessage(s, { t: '1a', bal: b })); // Phase1a(b)
  ACCEPTORS.forEach((acc, a) => {
    for (const m of msgs) {
      if (m.t === '1a' && m.bal > s.maxBal[a]!) {
        // Phase1b(a)
        const maxBal = s.maxBal.with(a, m.bal);
        out.push(withMessage({ ...s, maxBal }, { t: '1b', acc, bal: m.bal, mbal: s.maxVBal[a]!, mval: s.maxVal[a]! }));
      }
      if (m.t === '2a' && m.bal >= s.maxBal[a]!) {
        // Phase2b(a)
        const next = { maxBal: s.maxBal.with(a, m.bal), maxVBal: s.maxVBal.with(a, m.bal), maxVal: s.maxVal.with(a, m.val), msgs: s.msgs };
        out.push(withMessage(next, { t: '2b', acc, bal: m.bal, val: m.val }));
      }
    }
  });
  for (const b of ballots) {
    // Phase2a(b, v)
    if (msgs.some((m) => m.t === '2a' && m.bal === b)) continue;
    for (const v of VALUES) {
      for (const q of QUORUMS) {
        const q1b = msgs.filter((m): m is SpecMessage & { t: '1b' } => m.t === '1b' && m.bal === b && q.includes(m.acc));
        if (!q.every((acc) => q1b.some((m) => m.acc === acc))) continue;
        const q1bv = q1b.filter((m) => m.mbal >= 0);
        if (q1bv.length === 0 || q1bv.some((m) => m.mval === v && q1bv.every((mm) => m.mbal >= mm.mbal))) out.push(withMessage(s, { t: '2a', bal: b, val: v }));
      }
    }
  }
  return out;
}

function exploreSpec(maxBallot: number): { states: Set<string>; depth: number } {
  const init: SpecState = { maxBal: [-1, -1, -1], maxVBal: [-1, -1, -1], maxVal: [null, null, null], msgs: [] };
  const states = new Set([specKey(init)]);
  let frontier = [init];
  let depth = 1;
  for (;;) {
    const next: SpecState[] = [];
    for (const s of frontier) {
      for (const t of specSuccessors(s, maxBallot)) {
        const key = specKey(t);
        if (!states.has(key)) {
          states.add(key);
          next.push(t);
        }
      }
    }
    if (next.length === 0) return { states, depth };
    frontier = next;
    depth++;
  }
}

/**
 * The spec state a world stands for, checking on the way that the world holds nothing else:
 * acceptor contexts are (maxBal, maxVBal, maxVal); the network holds the 1a, 1b and 2a messages
 * (1a and 2a sent to every acceptor at once), the observations the 2b messages; a ballot's
 * proposer is 'proposed' exactly when its 2a is in msgs; no fault was used.
 */
function specStateOf(instance: Instance, world: World): SpecState {
  const msgs = new Set<string>();
  for (const { from, message: m } of world.network) {
    if (m.type === 'Prepare') msgs.add(encode({ t: '1a', bal: m.ballot as number }));
    else if (m.type === 'Promise') msgs.add(encode({ t: '1b', acc: from, bal: m.ballot as number, mbal: m.acceptedBallot as number, mval: m.acceptedValue as string | null }));
    else if (m.type === 'Accept') msgs.add(encode({ t: '2a', bal: m.ballot as number, val: m.value as string | null }));
    else throw new Error(`unexpected message ${m.type}`);
  }
  for (const o of world.observations) {
    if (o.type !== 'Accepted') throw new Error(`unexpected observation ${o.type}`);
    msgs.add(encode({ t: '2b', acc: o.acceptor as string, bal: o.ballot as number, val: o.value as string | null }));
  }
  const perMessage = (type: string) => world.network.filter((e) => e.message.type === type).length;
  const ofType = (t: string) => [...msgs].filter((m) => (JSON.parse(m) as SpecMessage).t === t).length;
  if (perMessage('Prepare') !== 3 * ofType('1a') || perMessage('Accept') !== 3 * ofType('2a')) throw new Error('a 1a or 2a reached only some acceptors');
  instance.nodes.forEach((node, i) => {
    if (node.role !== 'ballot-proposer') return;
    const state = world.nodes[i]!;
    const sent = world.network.find((e) => e.from === node.id && e.message.type === 'Accept');
    if ((state.value === 'proposed') !== (sent !== undefined) || (sent && sent.message.value !== state.context.proposal)) {
      throw new Error(`${node.id}'s state is not a function of msgs`);
    }
  });
  if (world.partition !== null || Object.values(world.used).some((n) => n !== 0)) throw new Error('a fault was used');
  const acceptors = ACCEPTORS.map((id) => world.nodes[instance.indexOf.get(id)!]!.context);
  return { maxBal: acceptors.map((c) => c.promised), maxVBal: acceptors.map((c) => c.acceptedBallot), maxVal: acceptors.map((c) => c.acceptedValue), msgs: [...msgs].sort() };
}

/*
 * Why the `tla` preset has the spec's state space (checked below for maxBallot 0 and 1):
 * - Acceptor ai's context is (id, learners = [], promised, acceptedBallot, acceptedValue): the
 *   first two never change, the last three are maxBal[ai], maxVBal[ai], maxVal[ai], with the
 *   spec's initial -1, -1, none. Its state value is always 'acting'.
 * - A 1a(b) in msgs is the three envelopes b<b> → ai Prepare{b}, sent together by Phase1a; a
 *   1b(a, b, mbal, mval) is a → b<b> Promise{b, mbal, mval} (the only proposer it can go to is
 *   the one that sent 1a(b)); a 2a(b, v) is the three envelopes b<b> → ai Accept{b, v}; a
 *   2b(a, b, v) is the observation Accepted{a, b, v} (there are no learners, so no message).
 *   The network is a set (delivery never consumes), as msgs is.
 * - Ballot proposer b<b> has constant ballot and acceptors; its state is 'proposed', with
 *   `proposal` v, exactly when 2a(b, v) is in msgs. No faults, so `used` stays 0 and there is no
 *   partition; acceptors observe nothing but Accepted.
 * - Actions: Phase1a(b) is b<b>'s env event Phase1a; Phase1b(a) is delivering a 1a(b) with
 *   b > promised (an acceptor also re-answers 1a(b) when b = promised and it has not accepted
 *   in b, which re-sends the very same 1b: no new state); Phase2a(b, v) is b<b>'s env event
 *   Phase2a{v}, listed by the environment function exactly when no 2a(b) was sent and some
 *   quorum's 1b messages for b, read from the inbox, allow v; Phase2b(a) is delivering a 2a(b, v)
 *   with b >= promised. Deliveries the spec does not allow change nothing and are not enabled.
 * So each world component is a function of the spec state and the spec state a function of the
 * world, and both have the same steps: the same distinct states and the same depth.
 */
describe('paxos tla preset', () => {
  test.each([
    { maxBallot: 0, states: 73, depth: 9 },
    { maxBallot: 1, states: 3921, depth: 17 },
  ])('maxBallot=$maxBallot: $states distinct states, depth $depth, one-to-one with the spec', ({ maxBallot, states, depth }) => {
    const instance = resolveInstance(suite.model, { config: { preset: 'tla', maxBallot } });
    expect(instance.nodes.map((n) => n.id)).toEqual([...ACCEPTORS, ...Array.from({ length: maxBallot + 1 }, (_, b) => `b${b}`)]);
    const kit = exploreWorlds(instance);
    const spec = exploreSpec(maxBallot);
    expect(kit.worlds.size).toBe(states);
    expect(kit.depth).toBe(depth);
    expect(spec.states.size).toBe(states);
    expect(spec.depth).toBe(depth);
    // One-to-one: distinct worlds stand for distinct spec states, and together for all of them.
    const images = new Set([...kit.worlds.values()].map((w) => specKey(specStateOf(instance, w))));
    expect(images.size).toBe(kit.worlds.size);
    expect([...images].every((key) => spec.states.has(key))).toBe(true);
  });
});
