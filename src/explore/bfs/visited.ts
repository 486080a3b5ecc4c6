/**
 * The visited set of an exhaustive search: 64-bit fingerprints, not states, as TLC keeps them.
 *
 * States are numbered in the order they are found (0 is the initial state). For each state the
 * set keeps its fingerprint (two 32-bit halves) and the number of the state it was first reached
 * from, so a counterexample can be rebuilt by walking back to the initial state: at most 20 bytes
 * per state (see the class), whatever the size of the world.
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

/** States per block of the per-state arrays (fingerprint halves and parent, interleaved). */
const BLOCK_BITS = 14;
const BLOCK = 1 << BLOCK_BITS;
const IN_BLOCK = BLOCK - 1;
/** The lookup table grows by half when more than this share of its slots is taken. */
const MAX_LOAD = 0.75;
const FIRST_CAPACITY = 2048;

/**
 * Memory, per state: 12 bytes in the per-state arrays (kept in fixed blocks, so growing wastes at
 * most one block, never half of everything) and 4 bytes per slot of the lookup table, which
 * grows by half, not double, from 3/4 full: 5.3–8 bytes per state. About 18–20 in all.
 */
export class VisitedSet {
  /** Per state, by number: hi, lo, parent (0xffffffff: none), in blocks of BLOCK states; the first block grows up to BLOCK. */
  private blocks: Uint32Array[] = [new Uint32Array(3 * 64)];
  /** Open addressing, linear probing: a slot holds state number + 1, 0 when empty. */
  private table = new Uint32Array(FIRST_CAPACITY);
  private capacity = FIRST_CAPACITY;
  private limit = Math.floor(FIRST_CAPACITY * MAX_LOAD);
  size = 0;

  private slotOf(hi: number, lo: number): number {
    return ((lo ^ Math.imul(hi, 0x9e3779b1)) >>> 1) % this.capacity;
  }

  /**
   * Where the last `idOf` that missed stopped (the empty slot), for which fingerprint, and the size
   * then: an `add` of that fingerprint right after (the search's "new? then number it") starts
   * there instead of probing again.
   */
  private missSlot = -1;
  private missHi = 0;
  private missLo = 0;
  private missSize = -1;

  /** Adds a fingerprint first reached from `parent` (−1 for the initial state); returns its number, or −1 if already seen. */
  add(hi: number, lo: number, parent: number): number {
    let slot: number;
    if (this.missSize === this.size && this.missHi === hi && this.missLo === lo) slot = this.missSlot;
    else {
      slot = this.slotOf(hi, lo);
      for (;;) {
        const entry = this.table[slot]!;
        if (entry === 0) break;
        if (this.matches(entry - 1, hi, lo)) return -1;
        if (++slot === this.capacity) slot = 0;
      }
    }
    this.missSize = -1;
    const id = this.size++;
    const b = id >>> BLOCK_BITS;
    if (b === this.blocks.length) this.blocks.push(new Uint32Array(3 * BLOCK));
    let block = this.blocks[b]!;
    const at = 3 * (id & IN_BLOCK);
    if (at >= block.length) {
      const bigger = new Uint32Array(Math.min(3 * BLOCK, block.length * 2));
      bigger.set(block);
      this.blocks[b] = block = bigger;
    }
    block[at] = hi;
    block[at + 1] = lo;
    block[at + 2] = parent < 0 ? 0xffffffff : parent;
    this.table[slot] = id + 1;
    if (this.size > this.limit) this.growTable();
    return id;
  }

  /** Whether state `id` has this fingerprint (halves read as unsigned, as the arrays hold them). */
  private matches(id: number, hi: number, lo: number): boolean {
    const block = this.blocks[id >>> BLOCK_BITS]!;
    const at = 3 * (id & IN_BLOCK);
    return block[at + 1] === lo >>> 0 && block[at] === hi >>> 0;
  }

  has(hi: number, lo: number): boolean {
    return this.idOf(hi, lo) >= 0;
  }

  /** The number of a fingerprint's state, or −1 when it was not visited. */
  idOf(hi: number, lo: number): number {
    let slot = this.slotOf(hi, lo);
    for (;;) {
      const entry = this.table[slot]!;
      if (entry === 0) {
        this.missSlot = slot;
        this.missHi = hi;
        this.missLo = lo;
        this.missSize = this.size;
        return -1;
      }
      if (this.matches(entry - 1, hi, lo)) return entry - 1;
      if (++slot === this.capacity) slot = 0;
    }
  }

  fingerprintOf(id: number): [number, number] {
    const block = this.blocks[id >>> BLOCK_BITS]!;
    const at = 3 * (id & IN_BLOCK);
    return [block[at]!, block[at + 1]!];
  }

  private parentOf(id: number): number {
    return this.blocks[id >>> BLOCK_BITS]![3 * (id & IN_BLOCK) + 2]!;
  }

  /** The state numbers from the initial state to `id`, inclusive. */
  pathTo(id: number): number[] {
    const path: number[] = [];
    for (let at = id; at !== 0xffffffff; at = this.parentOf(at)) path.push(at);
    return path.reverse();
  }

  /**
   * The first `count` states' fingerprint halves and parents, each in an array of its own (a
   * checkpoint writes them; states are numbered in order, so a prefix is an earlier set).
   */
  prefix(count: number): { hi: Uint32Array; lo: Uint32Array; parents: Uint32Array } {
    if (count > this.size) throw new Error(`internal: a prefix of ${count} states of a set of ${this.size}`);
    const hi = new Uint32Array(count);
    const lo = new Uint32Array(count);
    const parents = new Uint32Array(count);
    for (let id = 0; id < count; id++) {
      const block = this.blocks[id >>> BLOCK_BITS]!;
      const at = 3 * (id & IN_BLOCK);
      hi[id] = block[at]!;
      lo[id] = block[at + 1]!;
      parents[id] = block[at + 2]!;
    }
    return { hi, lo, parents };
  }

  /** A set holding exactly these states (a checkpoint's), with its lookup table rebuilt; `repeated` is told of a state whose fingerprint an earlier one has. */
  static fromArrays(hi: Uint32Array, lo: Uint32Array, parents: Uint32Array, repeated: (id: number) => never): VisitedSet {
    const set = new VisitedSet();
    for (let id = 0; id < hi.length; id++) {
      if (set.add(hi[id]!, lo[id]!, parents[id] === 0xffffffff ? -1 : parents[id]!) !== id) repeated(id);
    }
    return set;
  }

  /** Bytes held (capacity, not only what is used), for the memory-per-state figure. */
  get bytes(): number {
    return this.blocks.reduce((n, b) => n + b.byteLength, 0) + this.table.byteLength;
  }

  private growTable(): void {
    this.capacity = Math.floor(this.capacity * 1.5);
    this.limit = Math.floor(this.capacity * MAX_LOAD);
    const table = new Uint32Array(this.capacity);
    for (let id = 0; id < this.size; id++) {
      // Read in place (fingerprintOf makes an array per state).
      const block = this.blocks[id >>> BLOCK_BITS]!;
      const at = 3 * (id & IN_BLOCK);
      let slot = this.slotOf(block[at]!, block[at + 1]!);
      while (table[slot] !== 0) if (++slot === this.capacity) slot = 0;
      table[slot] = id + 1;
    }
    this.table = table;
  }
}
