/**
 * Every property has teeth: each invariant of every registered suite is the declared target of at
 * least one mutant (and each suite's test asserts that the mutant is caught by it).
 */
import { expect, test } from 'vitest';
import { suites } from './registry.js';

test.each(suites.map((s) => [s.model.name, s] as const))('%s: every invariant is the target of a named mutant', (_name, suite) => {
  const targeted = new Set(Object.values(suite.model.mutants).map((m) => m.breaks));
  const untargeted = suite.properties.filter((p) => p.kind !== 'sometimes' && !targeted.has(p.name)).map((p) => p.name);
  expect(untargeted).toEqual([]);
});
