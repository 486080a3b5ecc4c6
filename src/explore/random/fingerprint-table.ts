/**
 * A table from 64-bit world fingerprints to a few small integers each, in typed arrays (open
 * addressing, linear probing): no object, no string and no Map entry per world, which is what the
 * lasso watch (lassos.ts) looks up at every step of a run. `clear()` is O(1): a slot is in use
 * only when its stamp is the table's current generation.
 */
import type { Fingerprint } from '../../engine/fingerprint.js';

export class FingerprintTable {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private stamp: Uint32Array;
  private values: Int32Array;
  private generation = 1;
  size = 0;

  /** `width` integers per fingerprint; room for about `capacity / 2` before the arrays grow. */
  constructor(
    private readonly width: number,
    capacity = 1 << 10,
  ) {
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.stamp = new Uint32Array(capacity);
    this.values = new Int32Array(capacity * width);
  }

  /** The slot of `f`, or −1 when it is not in the table. */
  find(f: Fingerprint): number {
    const mask = this.stamp.length - 1;
    const hi = f.hi >>> 0;
    const lo = f.lo >>> 0;
    let slot = (hi ^ Math.imul(lo, 0x9e3779b1)) & mask;
    while (this.stamp[slot] === this.generation) {
      if (this.hi[slot] === hi && this.lo[slot] === lo) return slot;
      slot = (slot + 1) & mask;
    }
    return -1;
  }

  /** The `k`-th integer kept for the fingerprint in `slot` (from `find` or `add`). */
  value(slot: number, k = 0): number {
    return this.values[slot * this.width + k]!;
  }

  setValue(slot: number, k: number, v: number): void {
    this.values[slot * this.width + k] = v;
  }

  /** Adds `f`, which is not in the table; returns its slot (its integers are 0 until set). */
  add(f: Fingerprint): number {
    return this.addHalves(f.hi, f.lo);
  }

  private addHalves(fhi: number, flo: number): number {
    if ((this.size + 1) * 2 > this.stamp.length) this.grow();
    const mask = this.stamp.length - 1;
    const hi = fhi >>> 0;
    const lo = flo >>> 0;
    let slot = (hi ^ Math.imul(lo, 0x9e3779b1)) & mask;
    while (this.stamp[slot] === this.generation) slot = (slot + 1) & mask;
    this.stamp[slot] = this.generation;
    this.hi[slot] = hi;
    this.lo[slot] = lo;
    for (let k = slot * this.width; k < (slot + 1) * this.width; k++) this.values[k] = 0;
    this.size++;
    return slot;
  }

  clear(): void {
    this.size = 0;
    if (++this.generation === 0xffffffff) {
      this.stamp.fill(0);
      this.generation = 1;
    }
  }

  private grow(): void {
    const { hi, lo, stamp, values, generation, width } = this;
    const capacity = stamp.length * 2;
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.stamp = new Uint32Array(capacity);
    this.values = new Int32Array(capacity * width);
    this.generation = 1;
    this.size = 0;
    for (let i = 0; i < stamp.length; i++) {
      if (stamp[i] !== generation) continue;
      const slot = this.addHalves(hi[i]!, lo[i]!);
      for (let k = 0; k < width; k++) this.values[slot * width + k] = values[i * width + k]!;
    }
  }
}
