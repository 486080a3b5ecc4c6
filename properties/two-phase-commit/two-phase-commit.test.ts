/**
 * Two-Phase Commit, 3 RMs, every fault on: the correct model passes its budget with every
 * witness reached; each known bug is caught by the property it breaks, with a minimal
 * counterexample of known length (the exploration is seeded, so these are exact).
 */
import { describe, expect, test } from 'vitest';
import { checkSuite } from '../../src/index.js';
import { testMutants, type MutantExpectation } from '../mutants.js';
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
    'rm-recovers-prepared-as-aborted': { property: 'consistency', step: 10 },
    'tm-answers-undecided-with-abort': { property: 'consistency', step: 9 },
    'rm-aborts-after-voting': { property: 'consistency', step: 9 },
    'tm-recovery-broadcasts-abort': { property: 'consistency', step: 11 },
  };

  testMutants(suite, expected);
});
