/**
 * The frontier (frontier.ts) codes its tuples as varints a chunk at a time and spills them to a
 * file as they are: what comes back, in memory or from disk, must be every tuple pushed, in
 * order, whatever the size of its ids (up to 2^31 − 1, five bytes).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import twoPhase from '../../../properties/two-phase-commit/index.js';
import { resolveInstance } from '../../engine/instance.js';
import { Packed } from '../../engine/packed.js';
import { Frontier } from './frontier.js';
import { WorldDecoder } from './wire.js';

const packed = new Packed(resolveInstance(twoPhase.model, { config: { preset: 'tla', rms: 3 } }));
const width = packed.width;

/** `count` tuples of ids of every size: small, two to four bytes, the largest Int32. */
function tuples(count: number): Int32Array {
  let x = 7;
  const next = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), x >>> 0);
  const out = new Int32Array(count * width);
  for (let k = 0; k < out.length; k++) {
    const r = next();
    out[k] = k % 97 === 0 ? 0x7fffffff : (r >>> (r % 31)) & 0x7fffffff;
  }
  return out;
}

function readBack(f: Frontier): number[] {
  const out: number[] = [];
  for (const { tuples: t, count } of f.chunks(new WorldDecoder())) for (let k = 0; k < count * width; k++) out.push(t[k]!);
  return out;
}

describe('the frontier codes tuples in chunks', () => {
  test('in memory: every tuple back in order; small ids take a byte each', () => {
    const input = tuples(2500);
    const f = new Frontier(10, packed);
    for (let k = 0; k < 2500; k++) f.push(input, k * width);
    expect(f.length).toBe(2500);
    expect(readBack(f)).toEqual(Array.from(input));
    const small = new Frontier(0, packed);
    const zeros = new Int32Array(width).fill(5);
    for (let k = 0; k < 4096; k++) small.push(zeros, 0);
    // Four full chunks of one byte per id, and the empty chunk being filled.
    expect(small.bytes).toBe(4096 * width + 1024 * width * 4);
  });

  test('read with release: each coded chunk is let go once read, and a second reading fails loudly', () => {
    const input = tuples(3000);
    const f = new Frontier(0, packed);
    for (let k = 0; k < 3000; k++) f.push(input, k * width);
    const before = f.bytes;
    const out: number[] = [];
    for (const { tuples: t, count } of f.chunks(new WorldDecoder(), true)) for (let k = 0; k < count * width; k++) out.push(t[k]!);
    expect(out).toEqual(Array.from(input));
    // Only the chunk being filled (952 tuples, as Int32) is left.
    expect(f.bytes).toBe(1024 * width * 4);
    expect(before).toBeGreaterThan(f.bytes);
    expect(() => readBack(f)).toThrow(/internal: a frontier chunk of 0 bytes/);
  });

  test('spilled midway: the chunks before and after come back in order from disk, and the file is deleted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'protokit-frontier-test-'));
    try {
      const input = tuples(3000);
      const f = new Frontier(0, packed);
      for (let k = 0; k < 1500; k++) f.push(input, k * width);
      f.spill(dir);
      expect(f.onDisk).toBe(1500);
      for (let k = 1500; k < 3000; k++) f.push(input, k * width);
      expect([f.length, f.spilled]).toEqual([3000, true]);
      expect(f.onDisk).toBe(1500 + 1024);
      expect(readBack(f)).toEqual(Array.from(input));
      expect(readdirSync(dir)).toHaveLength(1);
      f.dispose();
      expect(readdirSync(dir)).toHaveLength(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
