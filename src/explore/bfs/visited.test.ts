/**
 * The visited set (visited.ts): numbering, membership, parents and prefixes, checked against a
 * plain Map on seeded fingerprints (repeats included), and its memory: at most 20 bytes per
 * state (issue 24) at the sizes the bench measures.
 */
import { describe, expect, test } from 'vitest';
import { VisitedSet } from './visited.js';

function fingerprints(count: number, seed: number): [number, number][] {
  let x = seed >>> 0 || 1;
  const next = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), x >>> 0);
  return Array.from({ length: count }, () => [next(), next()]);
}

describe('the visited set', () => {
  test('numbers new fingerprints in order, refuses repeats, and answers membership, numbers, parents and prefixes as a Map does', () => {
    const set = new VisitedSet();
    const reference = new Map<string, number>();
    const fresh = fingerprints(100_000, 11);
    // Every third is a repeat of an earlier one; equal low halves with different high halves share a probe sequence's start.
    const input: [number, number][] = [];
    fresh.forEach((f, k) => {
      input.push(f);
      if (k % 3 === 2) input.push(fresh[(k * 7919) % k]!);
      if (k % 1000 === 0) input.push([(f[0] ^ 1) >>> 0, f[1]]);
    });
    let parent = -1;
    // Mismatches counted, not asserted one by one (an expect per state costs more than the set).
    let wrong = 0;
    for (const [hi, lo] of input) {
      const key = `${hi}:${lo}`;
      const id = set.add(hi, lo, parent);
      if (reference.has(key)) wrong += id === -1 ? 0 : 1;
      else {
        wrong += id === reference.size ? 0 : 1;
        reference.set(key, id);
        parent = id >> 1;
      }
    }
    expect(wrong).toBe(0);
    expect(set.size).toBe(reference.size);
    for (const [key, id] of reference) {
      const [hi, lo] = key.split(':').map(Number) as [number, number];
      const [h, l] = set.fingerprintOf(id);
      if (set.idOf(hi, lo) !== id || h !== hi || l !== lo) wrong++;
    }
    for (const [hi, lo] of fingerprints(10_000, 12)) if (set.has(hi, lo) !== reference.has(`${hi}:${lo}`)) wrong++;
    expect(wrong).toBe(0);
    // State k was reached from state ⌊(k − 1) / 2⌋ (the parent given is the last new number, halved).
    expect(set.pathTo(1000)).toEqual([0, 2, 6, 14, 30, 61, 124, 249, 499, 1000]);
    const { hi, lo, parents } = set.prefix(5000);
    const back = VisitedSet.fromArrays(hi, lo, parents, (id) => {
      throw new Error(`repeat at ${id}`);
    });
    expect(back.size).toBe(5000);
    expect(back.pathTo(4321)).toEqual(set.pathTo(4321));
    expect(back.idOf(...set.fingerprintOf(4999))).toBe(4999);
    expect(back.idOf(...set.fingerprintOf(5000))).toBe(-1);
    expect(() => VisitedSet.fromArrays(Uint32Array.of(1, 2, 1), Uint32Array.of(5, 6, 5), Uint32Array.of(0xffffffff, 0, 1), (id) => { throw new Error(`repeat at ${id}`); })).toThrow('repeat at 2');
  });

  test('holds at most 20 bytes per state (capacity counted, not only what is used)', () => {
    for (const count of [296_448, 700_000]) {
      const set = new VisitedSet();
      for (const [hi, lo] of fingerprints(count, count)) set.add(hi, lo, 0);
      expect(set.size).toBe(count);
      expect(set.bytes / count).toBeLessThanOrEqual(20);
      expect(set.bytes / count).toBeGreaterThanOrEqual(12);
    }
  });

  test('an add right after a missing idOf reuses its slot only for that fingerprint and only while nothing was added since', () => {
    const set = new VisitedSet();
    const [a, b, c] = fingerprints(3, 5);
    expect(set.idOf(a![0], a![1])).toBe(-1);
    expect(set.idOf(b![0], b![1])).toBe(-1);
    expect(set.add(a![0], a![1], -1)).toBe(0); // not the fingerprint the last miss was for
    expect(set.idOf(c![0], c![1])).toBe(-1);
    expect(set.add(b![0], b![1], 0)).toBe(1); // another fingerprint than the miss's
    expect(set.add(c![0], c![1], 0)).toBe(2); // the miss's, but b was added since: probes again
    expect(set.add(c![0], c![1], 1)).toBe(-1);
    expect(set.idOf(b![0], b![1])).toBe(1);
    expect(set.add(b![0], b![1], 1)).toBe(-1); // a hit leaves no miss behind: b is refused
    for (const [f, id] of [[a, 0], [b, 1], [c, 2]] as const) expect(set.idOf(f![0], f![1])).toBe(id);
    // Many misses then adds, interleaved, against a Map.
    const many = fingerprints(20_000, 9);
    const reference = new Map<string, number>();
    for (const [hi, lo] of many) {
      const known = reference.get(`${hi},${lo}`);
      expect(set.idOf(hi, lo)).toBe(known ?? -1);
      if (known === undefined) {
        reference.set(`${hi},${lo}`, set.size);
        expect(set.add(hi, lo, 0)).toBe(reference.get(`${hi},${lo}`));
      }
    }
    expect(set.size).toBe(3 + reference.size);
  });
});
