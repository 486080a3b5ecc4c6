/**
 * protokit mutate: mechanical mutants derived from the machines, each run against the suite;
 * killed, survived or equivalent, with exact outcomes at a small seeded budget.
 */
import { describe, expect, test } from 'vitest';
import suite from '../../properties/two-phase-commit/index.js';
import { resolveInstance } from '../engine/instance.js';
import { deriveMutants, discoverSends, interleaveKinds } from './derive.js';
import { firstDifference } from './equivalence.js';
import { mutate } from './mutate.js';

describe('mutate', () => {
  test('mutants of every kind are derived from the machines of Two-Phase Commit', () => {
    const instance = resolveInstance(suite.model);
    const mutants = deriveMutants(instance, discoverSends(instance, 200, suite.budget.depth));
    const kinds: Record<string, number> = {};
    for (const m of mutants) kinds[m.kind] = (kinds[m.kind] ?? 0) + 1;
    expect(kinds).toEqual({ 'guard-true': 6, 'guard-false': 6, 'action-dropped': 13, 'target-changed': 24, 'persist-forgotten': 2, 'message-dropped': 6 });
    expect(new Set(mutants.map((m) => m.name)).size).toBe(mutants.length);
    expect(interleaveKinds(mutants).slice(0, 6).map((m) => m.kind)).toEqual(['guard-true', 'guard-false', 'action-dropped', 'target-changed', 'persist-forgotten', 'message-dropped']);
  });

  test('a mutant that changes nothing observable shows no difference; one that does, shows it', () => {
    const instance = resolveInstance(suite.model);
    const mutants = deriveMutants(instance, discoverSends(instance, 200, suite.budget.depth));
    const of = (name: string) => {
      const m = mutants.find((x) => x.name === name)!;
      return resolveInstance({ ...suite.model, mutants: { [m.name]: m.spec } }, { mutant: m.name });
    };
    expect(firstDifference(instance, of('rm/guard-false/loggedAborted'), 300, 30)).toBeNull();
    expect(firstDifference(instance, of('tm/guard-true/allPrepared'), 300, 30)).not.toBeNull();
  });

  test('the first mutants of each kind, at a small budget: killed, survived or equivalent, exactly', async () => {
    // No time budget: the verdicts are bounded by runs and mutants, never by the machine's speed.
    const r = await mutate(suite, { runs: 300, maxMutants: 6, equivalenceRuns: 200, budgetMs: Number.POSITIVE_INFINITY });
    expect(r.mutants.map((m) => [m.name, m.status, m.property])).toEqual([
      ['tm/guard-true/allPrepared', 'killed', 'commit-needs-all-prepared'],
      ['tm/guard-false/allPrepared', 'killed', 'witness:commits'],
      ['tm/action-dropped/recordPrepared', 'killed', 'witness:commits'],
      ['tm/target-changed/init DecideCommit → init (not committed)', 'killed', 'decision-never-changes'],
      ['tm/persist-forgotten/decision', 'killed', 'decision-never-changes'],
      // Caught since the suite has liveness: the RMs wait for ever for the Commit no one sends.
      ['tm/message-dropped/Commit on DecideCommit', 'killed', 'every-rm-learns-outcome'],
    ]);
    expect([r.total, r.run, r.killed, r.equivalent, r.survived, r.score]).toEqual([6, 6, 6, 0, 0, 1]);
  });
});
