/**
 * The liveness half of a model's suite test, as declarations: configurations in which the
 * suite's liveness properties hold (decided by exhaustive search), mutants caught only by a
 * liveness property (by `explore` on a small configuration, with the lasso's shape), and the
 * suite's expected failures (a documented result, e.g. 2PC blocking), each with its lasso shape.
 *
 *   testLiveness(suite, {
 *     holds: { 'set network, crash≤1': { config: { rms: 2 }, faults: {...}, states: 413 } },
 *     caught: { 'rm-stops-asking': { options: {...}, property: 'every-rm-learns-outcome', prefix: 5, loop: 0 } },
 *     expected: { 'tm-gone': { prefix: 3, loop: 0 } },
 *   });
 */
import { expect, test } from 'vitest';
import { explore, replay, buildTrace, resolveInstance, type ExploreOptions, type Suite } from '../src/index.js';

export interface LassoShape {
  /** Actions before the loop. */
  readonly prefix: number;
  /** Actions in the loop (0: the last world stutters: nothing fair is enabled there). */
  readonly loop: number;
}

export interface LivenessExpectations {
  /** Configurations where every liveness property holds, with the exact number of states searched. */
  readonly holds: Readonly<Record<string, ExploreOptions & { readonly states: number }>>;
  /** Mutants caught by a liveness property under `explore` (a small configuration). */
  readonly caught: Readonly<Record<string, LassoShape & { readonly property: string; readonly options: ExploreOptions }>>;
  /** The suite's expected failures, by preset: the lasso's shape. */
  readonly expected: Readonly<Record<string, LassoShape>>;
  readonly timeout?: number;
}

export function testLiveness(suite: Suite, expectations: LivenessExpectations): void {
  const timeout = expectations.timeout ?? 600_000; // hang-only: the search is bounded by states
  const each = <T,>(cases: Readonly<Record<string, T>>) => (Object.keys(cases).length > 0 ? test.each(Object.entries(cases)) : test.skip.each([['(none)', undefined as T]]));
  each(expectations.holds)('liveness holds (explore, %s)', async (_label, { states, ...options }) => {
    const r = await explore(suite, options);
    expect([r.violation, r.inconclusive, r.distinctStates]).toEqual([null, false, states]);
    expect(r.liveness.properties.every((p) => p.verdict === 'holds')).toBe(true);
  }, timeout);

  each(expectations.caught)('mutant %s is caught by a liveness property (explore), its lasso replays', async (mutant, { options, property, prefix, loop }) => {
    const r = await explore(suite, { ...options, mutant });
    const v = r.violation;
    expect([v?.property, v?.kind, v?.loopStart, (v?.step ?? 0) - (v?.loopStart ?? 0)]).toEqual([property, 'liveness', prefix, loop]);
    const instance = resolveInstance(suite.model, { ...options, mutant });
    const trace = buildTrace(instance, suite, v!.actions, { command: 'explore' }, { property, loopStart: v!.loopStart! });
    expect(replay(suite, trace).violation?.property).toBe(property);
  }, timeout);

  test('every expected failure of the suite has an expectation here', () => {
    expect((suite.expectedFailures ?? []).map((f) => f.preset).sort()).toEqual(Object.keys(expectations.expected).sort());
  });

  each(expectations.expected)('expected failure in preset %s: the documented lasso', async (preset, { prefix, loop }) => {
    const declared = suite.expectedFailures!.find((f) => f.preset === preset)!;
    const r = await explore(suite, { config: { preset } });
    const v = r.violation;
    expect([v?.property, v?.kind, v?.loopStart, (v?.step ?? 0) - (v?.loopStart ?? 0)]).toEqual([declared.property, 'liveness', prefix, loop]);
  }, timeout);
}
