/**
 * The visited set of an exhaustive search: 64-bit fingerprints, not states, as TLC keeps them.
 *
 * States are numbered in the order they are found (0 is the initial state). For each state the
 * set keeps its fingerprint (two 32-bit halves) and the number of the state it was first reached
 * from, so a counterexample can be rebuilt by walking back to the initial state: about 20 bytes
 * per state, whatever the size of the world.
 */

/** Two independent 32-bit hashes (MurmurHash3-style mixing, different seeds) of a string. */
export function fingerprint64(text: string): [number, number] {
  let h1 = 0x9747b28c | 0;
  let h2 = 0x2a6e52f1 | 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let k = Math.imul(c, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h1 ^= Math.imul(k, 0x1b873593);
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    let j = Math.imul(c ^ 0x5bd1e995, 0x85ebca6b);
    j = (j << 17) | (j >>> 15);
    h2 ^= Math.imul(j, 0xc2b2ae35);
    h2 = (h2 << 11) | (h2 >>> 21);
    h2 = (Math.imul(h2, 9) + 0x38b34ae5) | 0;
  }
  return [finalMix(h1 ^ text.length, h2), finalMix(h2 ^ text.length, h1)];
}

function finalMix(h: number, other: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h ^ (other >>> 7), 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 2^64 as a float, for collision estimates. */
const TWO_POW_64 = 18446744073709551616;

/**
 * TLC's optimistic estimate of the chance that two distinct states shared a fingerprint (so one
 * was never explored): n·(g − n) / 2^64, with n distinct states and g states generated.
 */
export function collisionProbability(distinct: number, generated: number): number {
  return (distinct * Math.max(0, generated - distinct)) / TWO_POW_64;
}

export class VisitedSet {
  private hi = new Uint32Array(1024);
  private lo = new Uint32Array(1024);
  private parents = new Uint32Array(1024);
  /** Open addressing: slot holds state number + 1, 0 when empty. */
  private table = new Uint32Array(2048);
  private mask = 2047;
  size = 0;

  /** Adds a fingerprint first reached from `parent` (−1 for the initial state); returns its number, or −1 if already seen. */
  add(hi: number, lo: number, parent: number): number {
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const entry = this.table[slot]!;
      if (entry === 0) break;
      if (this.lo[entry - 1] === lo && this.hi[entry - 1] === hi) return -1;
      slot = (slot + 1) & this.mask;
    }
    const id = this.size++;
    if (id >= this.hi.length) this.growArrays();
    this.hi[id] = hi;
    this.lo[id] = lo;
    this.parents[id] = parent < 0 ? 0xffffffff : parent;
    this.table[slot] = id + 1;
    if (this.size * 2 > this.table.length) this.growTable();
    return id;
  }

  has(hi: number, lo: number): boolean {
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const entry = this.table[slot]!;
      if (entry === 0) return false;
      if (this.lo[entry - 1] === lo && this.hi[entry - 1] === hi) return true;
      slot = (slot + 1) & this.mask;
    }
  }

  /** The number of a fingerprint's state, or −1 when it was not visited. */
  idOf(hi: number, lo: number): number {
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const entry = this.table[slot]!;
      if (entry === 0) return -1;
      if (this.lo[entry - 1] === lo && this.hi[entry - 1] === hi) return entry - 1;
      slot = (slot + 1) & this.mask;
    }
  }

  fingerprintOf(id: number): [number, number] {
    return [this.hi[id]!, this.lo[id]!];
  }

  /** The state numbers from the initial state to `id`, inclusive. */
  pathTo(id: number): number[] {
    const path: number[] = [];
    for (let at = id; at !== 0xffffffff; at = this.parents[at]!) path.push(at);
    return path.reverse();
  }

  /**
   * The first `count` states' fingerprint halves and parents, as views of the set's own arrays
   * (a checkpoint writes them; states are numbered in order, so a prefix is an earlier set).
   */
  prefix(count: number): { hi: Uint32Array; lo: Uint32Array; parents: Uint32Array } {
    if (count > this.size) throw new Error(`internal: a prefix of ${count} states of a set of ${this.size}`);
    return { hi: this.hi.subarray(0, count), lo: this.lo.subarray(0, count), parents: this.parents.subarray(0, count) };
  }

  /** A set holding exactly these states (a checkpoint's), with its lookup table rebuilt. */
  static fromArrays(hi: Uint32Array, lo: Uint32Array, parents: Uint32Array): VisitedSet {
    const set = new VisitedSet();
    let capacity = 1024;
    while (capacity < hi.length) capacity *= 2;
    set.hi = new Uint32Array(capacity);
    set.lo = new Uint32Array(capacity);
    set.parents = new Uint32Array(capacity);
    set.hi.set(hi);
    set.lo.set(lo);
    set.parents.set(parents);
    set.size = hi.length;
    let table = 2048;
    while (table < set.size * 2 + 2) table *= 2;
    set.table = new Uint32Array(table / 2);
    set.growTable();
    return set;
  }

  /** Bytes held, for the memory-per-state figure. */
  get bytes(): number {
    return this.hi.byteLength + this.lo.byteLength + this.parents.byteLength + this.table.byteLength;
  }

  private growArrays(): void {
    const n = this.hi.length * 2;
    for (const name of ['hi', 'lo', 'parents'] as const) {
      const bigger = new Uint32Array(n);
      bigger.set(this[name]);
      this[name] = bigger;
    }
  }

  private growTable(): void {
    const table = new Uint32Array(this.table.length * 2);
    const mask = table.length - 1;
    for (let id = 0; id < this.size; id++) {
      let slot = (this.lo[id]! ^ Math.imul(this.hi[id]!, 0x9e3779b1)) & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = id + 1;
    }
    this.table = table;
    this.mask = mask;
  }
}
