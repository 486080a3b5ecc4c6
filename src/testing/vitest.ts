/**
 * protokit's second public entry, `protokit/vitest`: helpers that declare vitest tests. It is
 * apart from the main entry because it imports vitest, which the main entry must not need (it
 * loads on plain node, in the command line and in scripts).
 *
 *   import { testMutants } from 'protokit/vitest';
 *   testMutants(suite, { 'votes-twice': { property: 'election-safety', step: 18 } });
 */
import { expect, test } from 'vitest';
import type { Suite } from '../properties/suite.js';
import { expectCaught, type SuiteCheckOptions } from './testing.js';

export interface MutantExpectation {
  readonly property: string;
  /** Length of the minimised counterexample; the violation happens at its last step. */
  readonly step: number;
  /** A seed other than the default, where the default finds the bug through another property first. */
  readonly seed?: number;
  /** A configuration other than the suite's default, where the bug shows (e.g. a liveness bug that needs one lost message and no retry). */
  readonly options?: SuiteCheckOptions;
}

export interface MutantTestOptions extends SuiteCheckOptions {
  /** Prefix of the test names (e.g. '5 servers: '). */
  readonly label?: string;
  /** True when `expected` covers only some mutants (the check that every mutant has one is skipped). */
  readonly subset?: boolean;
  /**
   * Milliseconds before vitest calls a test hung (default 600000). Only a hang: each check is bounded
   * by its runs and depth, so its verdict never depends on the machine's speed.
   */
  readonly timeout?: number;
}

/**
 * Since 0.1.0. The mutant half of a suite's test, as a declaration: one vitest test per known bug,
 * asserting that it is caught by the property it names with a counterexample of exactly `step`
 * actions (the exploration is seeded, so the length is exact), and one test that every mutant of
 * the model has an expectation (unless `subset`).
 */
export function testMutants(suite: Suite, expected: Readonly<Record<string, MutantExpectation>>, options: MutantTestOptions = {}): void {
  const { label = '', subset = false, timeout = 600_000, ...check } = options;
  if (!subset) {
    test(`${label}every mutant has an expectation here`, () => {
      expect(Object.keys(expected).sort()).toEqual(Object.keys(suite.model.mutants).sort());
    });
  }
  test.each(Object.entries(expected))(`${label}mutant %s is caught by the property it breaks`, (mutant, { property, step, seed, options: own }) => {
    const result = expectCaught(suite, mutant, { ...check, ...own, ...(seed === undefined ? {} : { seed }) });
    expect([result.violation?.property, result.violation?.step, result.violation?.actions.length]).toEqual([property, step, step]);
  }, timeout);
}
