/**
 * Raft, every fault on: the correct model passes its budget on 3 and on 5 servers with every
 * witness reached; each known bug is caught by the property it breaks, with a minimal
 * counterexample of known length (the exploration is seeded, so these are exact).
 */
import { describe, expect, test } from 'vitest';
import { checkSuite, explore, withProperties } from '../../src/index.js';
import { testMutants, type MutantExpectation } from '../mutants.js';
import { testLiveness } from '../liveness.js';
import suite from './index.js';

// Figure 3's properties and the others that were there before properties/raft/rules.ts: the rules
// there see some bugs written against Figure 3 earlier (votes-twice at the double vote,
// skips-consistency-check and truncates-on-append at the leader's wrong matchIndex), so those
// mutants are pinned with the rules left out, where the property they were written to break
// catches them as before; rules.test.ts pins what the rules see.
const rules = ['stale-requests-refused', 'votes-of-this-term', 'match-index-held', 'committed-on-majority', 'applied-only-committed', 'commit-within-verified'];
// No trace is kept from these runs: a kept trace replays with every property (traces/raft/ keeps what the whole suite finds).
const withoutRules = { properties: suite.properties.map((p) => p.name).filter((n) => !rules.includes(n)), traceDir: null };

describe('raft', () => {
  // An eighth of the CLI's budget keeps the suite fast; every witness is already reached in it.
  const runs = suite.budget.runs / 8;

  test('3 servers: the correct model holds every invariant and reaches every witness', () => {
    const result = checkSuite(suite, { runs });
    expect(result.runs).toBe(runs);
    expect(result.witnesses.every((w) => w.reached)).toBe(true);
  });

  test('5 servers: the correct model holds every invariant and reaches every witness', () => {
    const result = checkSuite(suite, { runs, config: { nodes: 5 } });
    expect(result.runs).toBe(runs);
    expect(result.witnesses.every((w) => w.reached)).toBe(true);
  });

  // The seed is the default (1). The kept Figure 8 trace
  // (traces/raft/commits-old-term.json, the paper's own pattern in 24 steps) was found with an
  // earlier strategy's seed 7 and is kept as the one to read; it replays in npm test.
  const expected: Record<string, MutantExpectation> = {
    'votes-twice': { property: 'election-safety', step: 6, options: withoutRules },
    // Figure 2's persistent state, read at the crash: a timeout (n1 votes for itself), then its crash.
    'forgets-term-and-vote': { property: 'persistent-state-kept', step: 2 },
    'forgets-vote': { property: 'persistent-state-kept', step: 2 },
    'votes-for-stale-log': { property: 'leader-completeness', step: 12 },
    'commits-old-term': { property: 'leader-completeness', step: 27 },
    // Terms up to 20: with 8, the run's follower that skips the check also claims entries it lacks and a
    // leader of the last term waits for ever, so stable-leader-commits-applied fails first (seeds 1-9).
    'skips-consistency-check': { property: 'log-matching', step: 16, options: { config: { maxTerm: 20 }, ...withoutRules } },
    'overwrites-uncommitted': { property: 'leader-append-only', step: 5 },
    // Caught at the apply since rules.ts (state-machine-safety at step 8 before).
    'applies-before-commit': { property: 'applied-only-committed', step: 4 },
    // One term each: every server times out and is denied every vote; the world then stutters.
    'grants-no-votes': { property: 'leader-eventually-elected', step: 5, options: { config: { maxTerm: 1 } } },
    'truncates-on-append': { property: 'leader-completeness', step: 20, options: withoutRules },
    'replies-in-request-term': { property: 'stale-requests-refused', step: 4 },
    'counts-heartbeat-as-entry': { property: 'match-index-held', step: 5 },
    'counts-leader-twice': { property: 'committed-on-majority', step: 6 },
    'commits-on-refused-append': { property: 'commit-within-verified', step: 15 },
    // Figure 2's receiver rule 5 (rules.ts, commit-within-verified) sees it where the follower commits past
    // what the request verified: seeds 1 (run 1,148) and 5 find it that way; at seed 2 it is seen in the
    // step state-machine-safety sees it (3 and 4 miss it in the budget).
    'commits-to-leader-commit': { property: 'state-machine-safety', step: 38, seed: 2 },
    // One term, a message set: n2 and n3 store the entry but ignore leaderCommit (properties/raft/liveness.test.ts).
    'ignores-leader-commit': { property: 'stable-leader-commits-applied', step: 15, options: { config: { maxTerm: 1, maxLog: 1 }, faults: { network: 'set', loss: 0, duplicate: 0, crash: 0, partition: 0 } } },
  };

  testMutants(suite, expected, { label: '3 servers: ', subset: true });

  // An election bug that random runs of the default budget find only after hundreds of runs
  // (counts-stale-votes: 37 steps on 3 servers, 52 on 5) is decided by exhaustive search on a
  // small configuration (two terms, one entry), which finds its shortest counterexample in well
  // under a second. (forgets-vote was decided here by election-safety in 8 steps, before
  // persistent-state-kept saw the lost vote at the crash; paper-properties.test.ts keeps its search.)
  const bySearch: Record<string, { config: Record<string, number>; faults: { crash: number }; property: string; step: number }> = {
    // Seen as the stale vote is counted (votes-of-this-term, 4 steps); alone, election-safety sees the second leader it makes in 7.
    'counts-stale-votes': { config: { maxTerm: 2, maxLog: 1 }, faults: { crash: 0 }, property: 'votes-of-this-term', step: 4 },
  };
  test.each(Object.entries(bySearch))('3 servers: mutant %s is caught by the property it breaks (explore, small configuration)', async (mutant, { config, faults, property, step }) => {
    const result = await explore(withProperties(suite, [property]), {
      mutant,
      config,
      faults: { network: 'unordered', loss: 0, duplicate: 0, crash: faults.crash, partition: 0 },
      maxStates: 1_000_000,
    });
    expect([result.violation?.property, result.violation?.actions.length]).toEqual([property, step]);
  });

  test('3 servers: every mutant has an expectation here', () => {
    expect([...Object.keys(expected), ...Object.keys(bySearch)].sort()).toEqual(Object.keys(suite.model.mutants).sort());
  });

  // Both liveness properties hold in preset split-votes (liveness.test.ts): its split vote of the
  // last term is excused. grants-no-votes leaves followers that never voted: caught.
  testLiveness(suite, {
    holds: {},
    caught: {
      'grants-no-votes': { options: { config: { preset: 'split-votes' } }, property: 'leader-eventually-elected', prefix: 3, loop: 0 },
    },
    expected: {},
  });

  // On 5 servers, the bugs whose counterexamples need a majority of 3 to misbehave. Figure 8 on 5
  // servers (commits-old-term, 59 steps, found in 2,928 runs at the default seed with the length
  // swarm, 696 with one fixed run bound) and counts-stale-votes (52 steps) cost minutes on this
  // machine, so npm test asserts them on 3 servers only (above); on 5, `protokit check raft
  // --config nodes=5 --mutant M` shows them.
  const onFive: Record<string, MutantExpectation> = {
    'votes-twice': { property: 'election-safety', step: 10, options: withoutRules },
    'votes-for-stale-log': { property: 'leader-completeness', step: 21 },
    'applies-before-commit': { property: 'applied-only-committed', step: 6 },
  };

  testMutants(suite, onFive, { label: '5 servers: ', subset: true, config: { nodes: 5 }, traceDir: null });
});
