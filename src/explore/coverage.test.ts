/**
 * Coverage counts what an exploration did without changing it: the same seed explores the same
 * runs with and without it, and on a complete search the counts are those of the state graph.
 */
import { describe, expect, test } from 'vitest';
import paxos from '../../properties/paxos/index.js';
import twoPhase from '../../properties/two-phase-commit/index.js';
import { NO_FAULTS } from '../engine/faults.js';
import { explore } from './bfs/search.js';
import { coverageWarnings } from './coverage.js';
import { checkRandom } from './random/random.js';

describe('coverage', () => {
  test('a check with coverage explores exactly what one without does, and every transition of Two-Phase Commit fires', () => {
    const plain = checkRandom(twoPhase, { runs: 300 });
    const counted = checkRandom(twoPhase, { runs: 300, coverage: true });
    expect([counted.runs, counted.steps, counted.distinctStates]).toEqual([plain.runs, plain.steps, plain.distinctStates]);
    const cov = counted.coverage!;
    expect(cov.roles.map((r) => [r.role, r.fired, r.total])).toEqual([['tm', 8, 8], ['rm', 9, 9]]);
    expect(coverageWarnings(cov)).toEqual([]);
    // Every step is one action; deliveries and environment events are what machines receive.
    expect(Object.values(cov.actions).reduce((a, b) => a + b, 0)).toBe(counted.steps);
  });

  test('exhaustive search counts each edge once and names what never fires (Paxos, one ballot, no faults)', async () => {
    const r = await explore(paxos, { config: { acceptors: 3, proposers: 1, learners: 1, maxBallot: 0 }, faults: { ...NO_FAULTS, network: 'unordered' }, coverage: true });
    const counts = Object.fromEntries(r.coverage!.roles.flatMap((role) => role.transitions.map((t) => [`${role.role}: ${t.id}`, t.count])));
    expect(counts).toEqual({
      'proposer: (any) --Timeout[hasBallotLeft]--> preparing': 1,
      'proposer: preparing --Promise[forThisBallot]--> (stays)': 24,
      'proposer: preparing --always[hasQuorum]--> proposing': 12,
      'acceptor: acting --Prepare#1[aboveThePromise]--> (stays)': 51,
      'acceptor: acting --Prepare#2[repeatOfThePromise]--> (stays)': 0,
      'acceptor: acting --Accept[notBelowThePromise]--> (stays)': 243,
      'acceptor: acting --RECOVER--> (stays)': 0,
      'learner: listening --Accepted--> (stays)': 243,
      'learner: listening --always[learnsSomethingNew]--> (stays)': 108,
    });
    expect(coverageWarnings(r.coverage!)).toEqual(['acceptor: acting --Prepare#2[repeatOfThePromise]--> (stays)', 'acceptor: acting --RECOVER--> (stays)']);
    expect(r.coverage!.roles.find((x) => x.role === 'acceptor')!.neverReceived).toEqual(['RECOVER']);
  });
});
