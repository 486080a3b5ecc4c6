/**
 * The properties added when the suites were read against their papers (issue 22, docs/soundness.md
 * section 7), each alone, by exhaustive search on a configuration small enough to complete or to
 * reach its shortest counterexample at once: the correct model holds it (counts pinned), and the
 * shipped mutant that gives it teeth breaks it in the shortest run the search finds. Without the
 * property the same searches find nothing (the mutant needs a second leader, a second majority or a
 * later get to show) or stop later, on another property.
 */
import { describe, expect, test } from 'vitest';
import { explore, withProperties, type Suite } from '../src/index.js';
import paxos from './paxos/index.js';
import quorumKv from './quorum-kv/index.js';
import raft from './raft/index.js';

const noFaults = { network: 'unordered', loss: 0, duplicate: 0, crash: 0, partition: 0 } as const;

async function search(suite: Suite, property: string, options: Parameters<typeof explore>[1]) {
  const r = await explore(withProperties(suite, [property]), { ...options, deadlock: false });
  return { complete: r.complete, states: r.distinctStates, violation: r.violation && [r.violation.property, r.violation.actions.length, r.violation.message] };
}

describe('raft: persistent-state-kept (Figure 2)', () => {
  // One term, one entry, one crash: every server may time out, vote, crash and restart; at most 3
  // messages in flight (heartbeats add messages for ever: a state constraint, as TLC's).
  const options = { config: { maxTerm: 1, maxLog: 1 }, faults: { ...noFaults, crash: 1 }, maxInFlight: 3 };

  test('the correct model keeps currentTerm, votedFor and the log across every crash', async () => {
    expect(await search(raft, 'persistent-state-kept', options)).toEqual({ complete: true, states: 79342, violation: null });
  });

  test.each([
    ['forgets-vote', 'n1 crashed with votedFor "n1", but its disk does not keep it: it comes back with null'],
    ['forgets-term-and-vote', 'n1 crashed with currentTerm 1, but its disk does not keep it: it comes back with 0'],
  ])('%s is caught at the crash, in 2 steps (a timeout, the crash)', async (mutant, message) => {
    expect((await search(raft, 'persistent-state-kept', { ...options, mutant })).violation).toEqual(['persistent-state-kept', 2, message]);
  });
});

describe('paxos: P2c, P1b and stable storage', () => {
  // Two proposers with a ballot each, one learner: the suite's small configuration.
  const two = { config: { acceptors: 3, proposers: 2, learners: 1, maxBallot: 1 }, faults: noFaults, maxStates: 20_000 };

  test.each(['proposes-highest-report', 'promise-reports-acceptance'])('the correct model holds %s in the first 20,000 states of the small configuration', async (property) => {
    expect(await search(paxos, property, two)).toMatchObject({ complete: false, violation: null });
  });

  test('reports-promised-ballot breaks promise-reports-acceptance as soon as a promise misreports', async () => {
    expect((await search(paxos, 'promise-reports-acceptance', { ...two, mutant: 'reports-promised-ballot' })).violation).toEqual([
      'promise-reports-acceptance',
      8,
      "a1's promise for ballot 1 to p2 reports v1 accepted in ballot 1, but a1 accepted v1 in ballot 0",
    ]);
  });

  test('ignores-reported-values breaks proposes-highest-report at the proposal', async () => {
    expect((await search(paxos, 'proposes-highest-report', { ...two, mutant: 'ignores-reported-values' })).violation).toEqual([
      'proposes-highest-report',
      11,
      'p2 proposes v2 in ballot 1, but the highest acceptance its promises reported is v1 in ballot 0 (a1: v1 in ballot 0; a2: nothing)',
    ]);
  });

  // One proposer, one ballot, one crash: it may crash after starting its ballot.
  const crash = { config: { acceptors: 3, proposers: 1, learners: 0, maxBallot: 0 }, faults: { ...noFaults, crash: 1 } };

  test('the correct model keeps ballots, promises and acceptances across every crash', async () => {
    expect(await search(paxos, 'persistent-state-kept', crash)).toEqual({ complete: true, states: 1144, violation: null });
  });

  test('forgets-ballot is caught when the proposer crashes after starting a ballot', async () => {
    expect((await search(paxos, 'persistent-state-kept', { ...crash, mutant: 'forgets-ballot' })).violation).toEqual([
      'persistent-state-kept',
      2,
      'p1 crashed with ballot 0, but its disk does not keep it: it comes back with -1',
    ]);
  });
});

describe('quorum-kv: versions-unique (ABD tags)', () => {
  // A small configuration of the default check: two clients meet on one key.
  const abd = { config: { nodes: 3, keys: 1, clients: 2, ops: 2, timeouts: false }, faults: noFaults, maxStates: 20_000 };

  test('the correct model gives every put a version of its own in the first 20,000 states', async () => {
    expect(await search(quorumKv, 'versions-unique', abd)).toMatchObject({ complete: false, violation: null });
  });

  test('stamps-without-node-id: two concurrent puts tie, seen when both are stored', async () => {
    expect((await search(quorumKv, 'versions-unique', { ...abd, mutant: 'stamps-without-node-id' })).violation).toEqual([
      'versions-unique',
      8,
      'c1.1 (stored on s2) and c2.1 (stored on s3) both carry version ts 2 by (no id) of a',
    ]);
  });
});
