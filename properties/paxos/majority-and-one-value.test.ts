/**
 * The two promises of "Paxos Made Simple" added for issue 22, each alone, by exhaustive search on a
 * configuration small enough to complete or to reach its shortest counterexample at once: the
 * correct model holds it, the shipped mutant that gives it teeth breaks it in the shortest run.
 * And the small pass's reply-counting configuration (one proposer, one ballot, one duplicate, one
 * crash) searched whole on the correct model, its count pinned.
 */
import { describe, expect, test } from 'vitest';
import { explore, withProperties, type Suite } from '../../src/index.js';
import paxos from './index.js';

const noFaults = { network: 'unordered', loss: 0, duplicate: 0, crash: 0, partition: 0 } as const;
const onePropose = { config: { acceptors: 3, proposers: 1, learners: 0, maxBallot: 0 }, faults: { ...noFaults, duplicate: 1, crash: 1 } };
const twoProposers = { config: { acceptors: 3, proposers: 2, learners: 1, maxBallot: 1 }, faults: noFaults, maxStates: 20_000 };

async function search(suite: Suite, property: string | null, options: Parameters<typeof explore>[1]) {
  const r = await explore(property === null ? suite : withProperties(suite, [property]), { ...options, deadlock: false });
  return { complete: r.complete, states: r.distinctStates, violation: r.violation && [r.violation.property, r.violation.actions.length, r.violation.message] };
}

test('the reply-counting configuration of the small pass is searched whole, nothing violated', async () => {
  expect(paxos.smallConfigs?.map((s) => [s.config, s.faults])).toEqual([[onePropose.config, onePropose.faults]]);
  expect(await search(paxos, null, onePropose)).toEqual({ complete: true, states: 10499, violation: null });
});

describe('proposes-after-majority-promise (section 2.2: phase 2 on a majority of promises)', () => {
  test('minority-quorum is caught when its proposer enters phase 2 on one promise, in 3 steps', async () => {
    expect((await search(paxos, 'proposes-after-majority-promise', { ...onePropose, mutant: 'minority-quorum' })).violation).toEqual([
      'proposes-after-majority-promise',
      3,
      'p1 is in phase 2 of ballot 0 with promises from a1 (1 promise counted), fewer than a majority of 2',
    ]);
  });
});

describe('one-value-per-ballot (a proposal is a number and one value)', () => {
  test('the correct model holds it in the first 20,000 states of two proposers with a ballot each', async () => {
    expect(await search(paxos, 'one-value-per-ballot', twoProposers)).toMatchObject({ complete: false, violation: null });
  });

  test('switches-value-on-late-promise is caught when its second Accept goes out, in 13 steps', async () => {
    expect((await search(paxos, 'one-value-per-ballot', { ...twoProposers, mutant: 'switches-value-on-late-promise' })).violation).toEqual([
      'one-value-per-ballot',
      13,
      'ballot 1 carries two values: Accept p2→a1 v2, but Accept p2→a1 v1',
    ]);
  });
});
