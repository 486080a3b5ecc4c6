/** Sharded and parallel random exploration: budgets split exactly, shards stand alone. */
import { describe, expect, test } from 'vitest';
import twoPhase from '../../../properties/two-phase-commit/index.js';
import { resolveInstance } from '../../engine/instance.js';
import { buildTrace, replay } from '../../trace/replay.js';
import { checkRandom } from '../random/random.js';
import { checkParallel, mergeShards, parseShard, shardPlan } from './shard.js';

const REGISTRY = new URL('../../../properties/registry.ts', import.meta.url).href;

describe('shards', () => {
  test('K/N is parsed; anything else is a usage error naming the accepted form', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(() => parseShard('0/4')).toThrow(/K\/N with 1 ≤ K ≤ N/);
    expect(() => parseShard('5/4')).toThrow(/K\/N/);
    expect(() => parseShard('x')).toThrow(/K\/N/);
  });

  test('merged parts: figures added, a witness reached by any part is reached, the first failing part decides', () => {
    const one = checkRandom(twoPhase, { runs: 20, seed: 3 });
    const none = { ...one, witnesses: one.witnesses.map((w) => ({ ...w, reached: false })) };
    const onlyFirst = { ...one, witnesses: one.witnesses.map((w, k) => ({ ...w, reached: k === 0 })) };
    const merged = mergeShards([none, onlyFirst, none], 11, 5);
    expect(merged.witnesses.map((w) => w.reached)).toEqual(one.witnesses.map((_, k) => k === 0));
    expect([merged.runs, merged.steps, merged.seed, merged.violation, merged.elapsedMs]).toEqual([60, one.steps * 3, 11, null, 5]);
    const failing = checkRandom(twoPhase, { runs: 2000, seed: 1, mutant: 'tm-forgets-decision' });
    expect(failing.violation).not.toBeNull();
    const later = { ...failing, seed: 99 };
    expect(mergeShards([one, failing, later], 11, 5)).toMatchObject({ seed: failing.seed, violation: failing.violation });
    expect(mergeShards([one, { ...one, interrupted: true }], 11, 5).interrupted).toBe(true);
  });

  test('the shards of a budget share its runs exactly and each has its own seed', () => {
    const plans = [1, 2, 3].map((index) => shardPlan(1, 1000, { index, count: 3 }));
    expect(plans.map((p) => p.runs)).toEqual([334, 333, 333]);
    expect(new Set(plans.map((p) => p.seed)).size).toBe(3);
    expect(shardPlan(7, 1000, { index: 1, count: 1 })).toEqual({ seed: 7, runs: 1000 });
    expect(() => shardPlan(1, 2, { index: 1, count: 3 })).toThrow(/cannot be split/);
  });

  test.each([
    ['this thread (a small budget)', undefined],
    ['this thread and a worker thread', 0],
  ] as const)('two workers, in %s, run the two shards a CI matrix would run, and a violation replays alone', async (_label, minWorkerSteps) => {
    const options = { runs: 600, seed: 3, mutant: 'rm-forgets-prepared' };
    const parallel = await checkParallel(twoPhase, { ...options, workers: 2, suiteModule: REGISTRY, minWorkerSteps });
    const shards = [1, 2].map((index) => {
      const plan = shardPlan(3, 600, { index, count: 2 });
      return checkRandom(twoPhase, { ...options, ...plan });
    });
    const firstFailing = shards.find((s) => s.violation !== null)!;
    expect(parallel.violation?.property).toBe('consistency');
    expect(parallel.seed).toBe(firstFailing.seed);
    expect(parallel.violation?.actions).toEqual(firstFailing.violation?.actions);
    expect(parallel.runs).toBe(shards[0]!.runs + shards[1]!.runs);
    const trace = buildTrace(resolveInstance(twoPhase.model, { mutant: options.mutant }), twoPhase, parallel.violation!.actions, { command: 'check', seed: parallel.seed });
    expect(replay(twoPhase, trace).violation?.property).toBe('consistency');
  });
});
