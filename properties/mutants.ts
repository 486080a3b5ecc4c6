/**
 * The mutant half of a model's suite test: the repository's suites use the same `testMutants` that
 * users get from `protokit/vitest` (src/testing/vitest.ts).
 */
export { testMutants, type MutantExpectation, type MutantTestOptions } from '../src/testing/vitest.js';
