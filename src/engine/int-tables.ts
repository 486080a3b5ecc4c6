/**
 * Two typed-array tables the packed representation (packed.ts) is built on: a map from
 * triples of small integers to an integer, and an interning table of integer sequences. No
 * `Map`, no string, no object per entry: a lookup is a few array reads, and V8's 2^24-entry cap
 * on `Map` never applies.
 */

function mix3(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ b, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ c, 0x27d4eb2f);
  return (h ^ (h >>> 15)) >>> 0;
}

/** (a, b, c) → value, open addressing with linear probing; values are ≥ 0 (−1 means absent). */
export class TripleMap {
  private keys = new Int32Array(3 << 12);
  private values = new Int32Array(1 << 12).fill(-1);
  private mask = (1 << 12) - 1;
  size = 0;

  constructor(
    /** Past this many entries the table starts afresh (a memo: forgetting only costs time). */
    private readonly limit = 1 << 24,
  ) {}

  get(a: number, b: number, c: number): number {
    const { keys, values, mask } = this;
    let slot = mix3(a, b, c) & mask;
    for (;;) {
      const v = values[slot]!;
      if (v < 0) return -1;
      const k = slot * 3;
      if (keys[k] === a && keys[k + 1] === b && keys[k + 2] === c) return v;
      slot = (slot + 1) & mask;
    }
  }

  set(a: number, b: number, c: number, value: number): void {
    if (this.size >= this.limit) this.clear();
    if ((this.size + 1) * 2 > this.values.length) this.grow();
    const { keys, values, mask } = this;
    let slot = mix3(a, b, c) & mask;
    for (;;) {
      const k = slot * 3;
      if (values[slot]! < 0) break;
      if (keys[k] === a && keys[k + 1] === b && keys[k + 2] === c) {
        values[slot] = value;
        return;
      }
      slot = (slot + 1) & mask;
    }
    keys[slot * 3] = a;
    keys[slot * 3 + 1] = b;
    keys[slot * 3 + 2] = c;
    values[slot] = value;
    this.size++;
  }

  get bytes(): number {
    return this.keys.byteLength + this.values.byteLength;
  }

  private clear(): void {
    this.keys = new Int32Array(3 << 12);
    this.values = new Int32Array(1 << 12).fill(-1);
    this.mask = (1 << 12) - 1;
    this.size = 0;
  }

  private grow(): void {
    const { keys, values } = this;
    this.keys = new Int32Array(keys.length * 2);
    this.values = new Int32Array(values.length * 2).fill(-1);
    this.mask = values.length * 2 - 1;
    this.size = 0;
    for (let s = 0; s < values.length; s++) if (values[s]! >= 0) this.set(keys[s * 3]!, keys[s * 3 + 1]!, keys[s * 3 + 2]!, values[s]!);
  }
}

/**
 * Interned sequences of integers: equal sequences get one id, numbered from 0 in the order
 * first seen (0 is always the empty sequence). Items live in one arena; a sequence is its
 * start and length there.
 */
export class SequenceTable {
  private arena = new Int32Array(1 << 14);
  private used = 0;
  private starts = new Int32Array(1024);
  private lengths = new Int32Array(1024);
  private hashes = new Int32Array(1024);
  private table = new Int32Array(2048).fill(-1);
  count = 0;

  constructor() {
    this.intern(new Int32Array(0), 0);
  }

  start(id: number): number {
    return this.starts[id]!;
  }

  length(id: number): number {
    return this.lengths[id]!;
  }

  /** The arena the items live in (read `start(id)` .. `start(id) + length(id)`); it is replaced as it grows. */
  get items(): Int32Array {
    return this.arena;
  }

  /** The id of `items[0..n)`, interning it when new. */
  intern(items: Int32Array, n: number): number {
    let h = 0x811c9dc5 ^ n;
    for (let k = 0; k < n; k++) h = Math.imul(h ^ items[k]!, 0x01000193);
    h = (h ^ (h >>> 15)) | 0;
    const mask = this.table.length - 1;
    let slot = h & mask;
    for (;;) {
      const id = this.table[slot]!;
      if (id < 0) break;
      if (this.hashes[id] === h && this.equals(id, items, n)) return id;
      slot = (slot + 1) & mask;
    }
    const id = this.count++;
    if (id >= this.starts.length) {
      this.starts = grown(this.starts);
      this.lengths = grown(this.lengths);
      this.hashes = grown(this.hashes);
    }
    while (this.used + n > this.arena.length) this.arena = grown(this.arena);
    this.arena.set(items.subarray(0, n), this.used);
    this.starts[id] = this.used;
    this.lengths[id] = n;
    this.hashes[id] = h;
    this.used += n;
    this.table[slot] = id;
    if (this.count * 2 > this.table.length) this.rehash();
    return id;
  }

  get bytes(): number {
    return this.arena.byteLength + this.starts.byteLength * 3 + this.table.byteLength;
  }

  private equals(id: number, items: Int32Array, n: number): boolean {
    if (this.lengths[id] !== n) return false;
    const s = this.starts[id]!;
    for (let k = 0; k < n; k++) if (this.arena[s + k] !== items[k]) return false;
    return true;
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2).fill(-1);
    const mask = table.length - 1;
    for (let id = 0; id < this.count; id++) {
      let slot = this.hashes[id]! & mask;
      while (table[slot]! >= 0) slot = (slot + 1) & mask;
      table[slot] = id;
    }
    this.table = table;
  }
}

/** A copy of `a` twice as long. */
export function grown(a: Int32Array): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(a.length * 2);
  bigger.set(a);
  return bigger;
}
