/** `--shard auto`: the shard read from each engine's environment, and one clear error when it cannot be. */
import { describe, expect, test } from 'vitest';
import { resolveShard } from './auto.js';
import { decodeSketch, DistinctSketch, mergeSketches, SKETCH_K, unionOfSketches } from '../random/sketch.js';

describe('--shard auto', () => {
  test('PROTOKIT_SHARD=K/N (a GitHub Actions matrix sets it), first of all', () => {
    expect(resolveShard('auto', undefined, { PROTOKIT_SHARD: '2/4', JOB_COMPLETION_INDEX: '0' })).toEqual({ index: 2, count: 4, source: 'PROTOKIT_SHARD' });
    expect(() => resolveShard('auto', undefined, { PROTOKIT_SHARD: '5/4' })).toThrow(/PROTOKIT_SHARD takes K\/N/);
    expect(() => resolveShard('auto', 3, { PROTOKIT_SHARD: '1/4' })).toThrow(/--shards 3 disagrees with PROTOKIT_SHARD \(4 shards\)/);
  });

  test('a Kubernetes Indexed Job: JOB_COMPLETION_INDEX is 0-based; the count from --shards or JOB_COMPLETIONS', () => {
    expect(resolveShard('auto', 4, { JOB_COMPLETION_INDEX: '0' })).toEqual({ index: 1, count: 4, source: 'JOB_COMPLETION_INDEX, --shards' });
    expect(resolveShard('auto', undefined, { JOB_COMPLETION_INDEX: '3', JOB_COMPLETIONS: '4' })).toEqual({ index: 4, count: 4, source: 'JOB_COMPLETION_INDEX, JOB_COMPLETIONS' });
    expect(() => resolveShard('auto', undefined, { JOB_COMPLETION_INDEX: '1' })).toThrow(/give --shards N \(or set JOB_COMPLETIONS\)/);
    expect(() => resolveShard('auto', 4, { JOB_COMPLETION_INDEX: '4' })).toThrow(/JOB_COMPLETION_INDEX=4 is not a shard of 4/);
    expect(() => resolveShard('auto', 4, { JOB_COMPLETION_INDEX: 'x' })).toThrow(/not a whole number/);
  });

  test('GitLab (1-based), CircleCI and Buildkite (0-based) parallel jobs', () => {
    expect(resolveShard('auto', undefined, { CI_NODE_INDEX: '2', CI_NODE_TOTAL: '3' })).toMatchObject({ index: 2, count: 3 });
    expect(resolveShard('auto', undefined, { CIRCLE_NODE_INDEX: '2', CIRCLE_NODE_TOTAL: '3' })).toMatchObject({ index: 3, count: 3 });
    expect(resolveShard('auto', undefined, { BUILDKITE_PARALLEL_JOB: '0', BUILDKITE_PARALLEL_JOB_COUNT: '2' })).toMatchObject({ index: 1, count: 2 });
  });

  test('nothing in the environment, or --shards without auto: one line naming what to give', () => {
    expect(() => resolveShard('auto', undefined, {})).toThrow(/found no shard in the environment \(PROTOKIT_SHARD=K\/N, or JOB_COMPLETION_INDEX/);
    expect(() => resolveShard('1/2', 2, {})).toThrow(/--shards N goes with --shard auto/);
    expect(() => resolveShard(undefined, 2, {})).toThrow(/--shards N goes with --shard auto/);
    expect(resolveShard('1/2', undefined, {})).toEqual({ index: 1, count: 2, source: '--shard' });
    expect(resolveShard(undefined, undefined, {})).toBeNull();
  });
});

describe('distinct-state sketches', () => {
  // Well-mixed 64-bit fingerprints of the numbers 0..n-1 (as the engine's are).
  const mix = (x: number, seed: number) => {
    let h = Math.imul(x ^ seed, 0x9e3779b1);
    h ^= h >>> 15;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  };
  const sketchOf = (from: number, to: number) => {
    const s = new DistinctSketch();
    for (let x = from; x < to; x++) s.add(mix(x, 1), mix(x, 2));
    return { values: decodeSketch(s.encode())!, count: to - from };
  };

  test('fewer states than the sketch holds: the union is exact', () => {
    expect(unionOfSketches([sketchOf(0, 100), sketchOf(50, 150)])).toEqual({ value: 150, exact: true });
  });

  test('more: an estimate within 20% of the true union (here 30,000 of two overlapping shards of 20,000), inside the sure bounds', () => {
    const u = unionOfSketches([sketchOf(0, 20_000), sketchOf(10_000, 30_000)]);
    expect(u.exact).toBe(false);
    expect(Math.abs(u.value - 30_000) / 30_000).toBeLessThan(0.2);
    expect(u.value).toBeGreaterThanOrEqual(20_000);
    expect(u.value).toBeLessThanOrEqual(40_000);
    expect(decodeSketch(mergeSketches([]))).toEqual([]);
    expect(decodeSketch('nonsense')).toBeNull();
    expect(sketchOf(0, 1000).values).toHaveLength(SKETCH_K);
  });
});
