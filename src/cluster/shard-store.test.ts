/**
 * The shards' dedup against the one-process walk, without a server: for random levels (units of
 * successors with repeats inside a unit's neighbours, across units and with earlier levels), the
 * union of S shards' answers, ordered as the level is, is exactly the successors one visited set
 * adds walking the level in order, for S = 1 … 5.
 */
import { describe, expect, test } from 'vitest';
import { VisitedSet } from './engine-adapter.js';
import { ownerOf, ShardStore, splitByOwner, type NewSuccessors } from './shard-store.js';

/** A small deterministic generator (xorshift32): the fingerprints repeat often, as successors do. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

interface Unit {
  parents: number[];
  hi: number[];
  lo: number[];
}

/** `units` units of up to 8 states with 0–5 successors each, drawn from a pool of `pool` fingerprints. */
function level(next: () => number, units: number, pool: number): Unit[] {
  return Array.from({ length: units }, () => {
    const u: Unit = { parents: [], hi: [], lo: [] };
    const states = 1 + (next() % 8);
    for (let p = 0; p < states; p++) {
      for (let k = next() % 6; k > 0; k--) {
        const f = next() % pool;
        u.parents.push(p);
        u.hi.push((Math.imul(f, 0x9e3779b1) ^ (f >>> 3)) >>> 0);
        u.lo.push(f);
      }
    }
    return u;
  });
}

/** What one visited set adds walking the level in order: [unit, index in unit] of each new successor. */
function walkAlone(visited: VisitedSet, units: readonly Unit[]): [number, number][] {
  const added: [number, number][] = [];
  units.forEach((u, n) => u.hi.forEach((hi, k) => visited.add(hi, u.lo[k]!, 0) >= 0 && added.push([n, k])));
  return added;
}

/** The same on S shards: every unit split by owner, then each shard's answer, merged in the level's order. */
function walkSharded(stores: readonly ShardStore[], depth: number, units: readonly Unit[]): [number, number][] {
  units.forEach((u, n) => {
    const shares = splitByOwner(u.parents, u.hi, u.lo, u.hi.length, stores.length);
    shares.forEach((share, s) => expect(stores[s]!.receive(depth, n, share)).toBe(true));
  });
  const answers: NewSuccessors[] = stores.map((s) => s.resolve(depth, units.length, false));
  const merged = answers.flatMap((a) => Array.from(a.unit, (unit, k) => [unit, a.cand[k]!] as [number, number]));
  return merged.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
}

describe('shards of the visited set', () => {
  test('splitByOwner keeps each successor once, with its index and parent, in order, at its owner', () => {
    const parents = [0, 0, 1, 2, 2, 2];
    const hi = [7, 8, 9, 10, 11, 12];
    const lo = [1, 2, 3, 4, 5, 6];
    const shares = splitByOwner(parents, hi, lo, 6, 3);
    expect(shares.map((s) => Array.from(s.cand))).toEqual([[2, 5], [0, 3], [1, 4]]);
    expect(shares.map((s) => Array.from(s.parent))).toEqual([[1, 2], [0, 2], [0, 2]]);
    expect(shares.map((s) => Array.from(s.hi))).toEqual([[9, 12], [7, 10], [8, 11]]);
    shares.forEach((s, k) => s.hi.forEach((h) => expect(ownerOf(h, 3)).toBe(k)));
  });

  test.each([1, 2, 3, 5])('S=%i: the shards add exactly what one visited set adds, level after level', (shards) => {
    const next = rng(17 + shards);
    const alone = new VisitedSet();
    const stores = Array.from({ length: shards }, (_, k) => new ShardStore(k, shards));
    // The initial state, seeded as a run seeds its shards.
    alone.add(1, 1, -1);
    for (const s of stores) s.seed([1], [1]);
    let added = 0;
    for (let depth = 1; depth <= 12; depth++) {
      const units = level(next, 1 + (next() % 9), 400);
      const expected = walkAlone(alone, units);
      expect(walkSharded(stores, depth, units)).toEqual(expected);
      added += expected.length;
    }
    // Repeats were met (the pool is small), and nothing was lost or added twice.
    expect(added).toBe(alone.size - 1);
    expect(added).toBeLessThan(400);
    expect(stores.reduce((n, s) => n + s.size, 0)).toBe(alone.size);
  });

  test('at the depth bound nothing is added, and what is not yet seen is listed once', () => {
    const store = new ShardStore(0, 1);
    store.seed([5], [5]);
    store.receive(3, 0, { cand: Uint32Array.of(0, 1, 2), parent: Uint32Array.of(0, 0, 1), hi: Uint32Array.of(5, 6, 6), lo: Uint32Array.of(5, 6, 6) });
    const r = store.resolve(3, 1, true);
    expect([Array.from(r.cand), store.size]).toEqual([[1], 1]);
  });

  test("a unit that never came is an error, not an empty unit; a late copy of a resolved level's unit is ignored", () => {
    const store = new ShardStore(1, 2);
    const share = { cand: Uint32Array.of(0), parent: Uint32Array.of(0), hi: Uint32Array.of(3), lo: Uint32Array.of(9) };
    store.receive(2, 1, share);
    expect(() => store.resolve(2, 2, false)).toThrow(/unit 0 of depth 2 never reached shard 1/);
    store.receive(4, 0, share);
    expect(store.resolve(4, 1, false).cand.length).toBe(1);
    expect(store.receive(4, 0, share)).toBe(false);
    expect(() => store.receive(5, 0, { ...share, hi: Uint32Array.of(4) })).toThrow(/a fingerprint of shard 0 sent to shard 1/);
  });
});
