/**
 * Every property has teeth: each invariant of every registered suite is the declared target of at
 * least one mutant (and each suite's test asserts that the mutant is caught by it).
 *
 * One exception, named here so that it cannot grow unseen: quorum-kv's `linearizable`, the full
 * check of which `no-lost-write`, `no-read-inversion` and `versions-unique` are parts. Its only
 * mutant, `stamps-without-node-id`, is seen earlier by `versions-unique` since issue 22 (the tie,
 * when both puts are stored, 8 steps, instead of a later get reading both sides, 25). A bug only the
 * full check sees (replicas that break equal timestamps differently, with distinct versions) is
 * not a shipped mutant yet; when one is, this test fails until the exception is removed.
 */
import { expect, test } from 'vitest';
import { suites } from './registry.js';

const withoutMutantYet: Readonly<Record<string, readonly string[]>> = { 'quorum-kv': ['linearizable'] };

test.each(suites.map((s) => [s.model.name, s] as const))('%s: every invariant is the target of a named mutant', (name, suite) => {
  const targeted = new Set(Object.values(suite.model.mutants).map((m) => m.breaks));
  const untargeted = suite.properties.filter((p) => p.kind !== 'sometimes' && !targeted.has(p.name)).map((p) => p.name);
  expect(untargeted).toEqual(withoutMutantYet[name] ?? []);
});
