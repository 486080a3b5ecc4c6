/**
 * Two-Phase Commit, 3 RMs, every fault on: the correct model passes its budget with every
 * witness reached; each known bug is caught by the property it breaks, with a minimal
 * counterexample of known length (the exploration is seeded, so these are exact).
 */
import { describe, expect, test } from 'vitest';
import { checkSuite } from '../../src/index.js';
import { testMutants, type MutantExpectation } from '../mutants.js';
import { testLiveness } from '../liveness.js';
import suite from './index.js';

describe('two-phase-commit', () => {
  test('the correct model holds every invariant and reaches every witness in its budget', () => {
    const result = checkSuite(suite);
    expect(result.runs).toBe(suite.budget.runs);
    expect(result.witnesses.every((w) => w.reached)).toBe(true);
  });

  const expected: Record<string, MutantExpectation> = {
    'tm-commits-on-majority': { property: 'commit-needs-all-prepared', step: 5 },
    'tm-counts-messages': { property: 'commit-needs-all-prepared', step: 7 },
    'tm-flips-on-timeout': { property: 'decision-never-changes', step: 8 },
    'tm-forgets-decision': { property: 'decision-never-changes', step: 10 },
    'rm-forgets-prepared': { property: 'consistency', step: 10 },
    'rm-presumes-commit': { property: 'agreement', step: 2 },
    // A lost Commit, then the RM waits for ever: a lasso of 6 actions whose last world stutters.
    'rm-stops-asking': { property: 'every-rm-learns-outcome', step: 6 },
    'rm-recovers-prepared-as-aborted': { property: 'consistency', step: 10 },
    'tm-answers-undecided-with-abort': { property: 'consistency', step: 9 },
    'rm-aborts-after-voting': { property: 'consistency', step: 9 },
    'tm-recovery-broadcasts-abort': { property: 'consistency', step: 11 },
  };

  testMutants(suite, expected);

  const setNetwork = (crash: number) => ({ network: 'set', loss: 0, duplicate: 0, crash, partition: 0 }) as const;
  testLiveness(suite, {
    holds: {
      'TwoPhase spec, 3 RMs': { config: { preset: 'tla', rms: 3 }, states: 288 },
      'message set, retries, 2 RMs, one crash, restarts fair': { config: { rms: 2 }, faults: setNetwork(1), states: 413 },
    },
    caught: {
      // Prepare rm1, Prepare rm2, deliver both, DecideCommit, Commit to rm1 lost: rm1 waits for ever.
      'rm-stops-asking': { options: { config: { rms: 2 }, faults: { network: 'unordered', loss: 1, duplicate: 0, crash: 0, partition: 0 } }, property: 'every-rm-learns-outcome', prefix: 5, loop: 0 },
    },
    // rm1 and rm2 vote yes, the TM crashes for good: both wait for ever (2PC blocks).
    expected: { 'tm-gone': { prefix: 3, loop: 0 } },
  });
});
