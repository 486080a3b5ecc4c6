/**
 * A memo of one pure function of a world view (a property, a witness, a liveness predicate),
 * keyed by the ids of exactly the slots it read.
 *
 * A `TupleView` (view.ts) records which slots of its tuple were read (`reads`: node slots, the
 * network, the observations, the faults). When a function of the view read the slots M and
 * returned r, any tuple with the same ids in M makes it read the same parts in the same order
 * and see the same values (equal ids are equal parts), so it returns r again: the value is kept
 * under (M, the ids in M). An invariant that reads only the contexts of the RMs is evaluated
 * once per combination of RM states, not once per world; one that reads the observations first
 * and stops there is keyed by the observation set alone.
 *
 * Verdicts never depend on the memo: a miss evaluates the function as before. What throws is
 * not kept. Ids belong to one packing: a memo serves the views of one `Packed` only. A memo that
 * keeps missing (a function reading nearly every slot) stops looking; one that holds
 * `ENTRY_LIMIT` values starts afresh, so its memory stays bounded.
 */
import { READ_BITS, TupleView, type WorldView } from './view.js';

/** What `get` returns when the memo holds no value for the view. */
export const MISS: unique symbol = Symbol('miss');

/** Values kept per memo before it starts afresh. */
const ENTRY_LIMIT = 1 << 18;
/**
 * Every this many misses the memo judges whether it pays: a look-up in a big table costs about
 * what a small property costs to evaluate, so it needs this many hits per miss since the last
 * judgement to go on (measured on TwoPhase and Paxos: the invariants that pass it hit 30–100
 * times per miss; one that hit 3 times per miss made the search slower).
 */
const JUDGE_EVERY = 1 << 12;
const MIN_HITS_PER_MISS = 4;

export class ViewMemo {
  /** The read masks met so far, each with its slots and its table of (ids in those slots) → value index. */
  private masks: number[] = [];
  private tables: KeyTable[] = [];
  private values: unknown[] = [];
  private valueIds = new Map<unknown, number>();
  private entries = 0;
  private hits = 0;
  private misses = 0;
  /** `hits` at the last judgement. */
  private hitsJudged = 0;
  private off = false;

  /** The value kept for `view`, or MISS (then call `begin`, evaluate, and `set`). */
  get(view: WorldView): unknown {
    if (this.off || !(view instanceof TupleView)) return MISS;
    const ids = view.ids;
    const tables = this.tables;
    for (let m = 0; m < tables.length; m++) {
      const v = tables[m]!.get(ids);
      if (v >= 0) {
        this.hits++;
        return this.values[v];
      }
    }
    return MISS;
  }

  /** Starts recording what the function reads of `view`. */
  begin(view: WorldView): void {
    if (view instanceof TupleView) view.reads = 0;
  }

  /** Keeps `value`, what the function returned for `view` since `begin`. */
  set(view: WorldView, value: unknown): void {
    if (this.off || !(view instanceof TupleView) || view.reads === -1) return;
    if (++this.misses % JUDGE_EVERY === 0) {
      if (this.hits - this.hitsJudged < JUDGE_EVERY * MIN_HITS_PER_MISS) {
        this.off = true;
        this.clear();
        return;
      }
      this.hitsJudged = this.hits;
    }
    if (this.entries >= ENTRY_LIMIT) this.clear();
    const mask = view.reads;
    let m = this.masks.indexOf(mask);
    if (m < 0) {
      m = this.masks.length;
      this.masks.push(mask);
      this.tables.push(new KeyTable(slotsOf(mask)));
    }
    let v = this.valueIds.get(value);
    if (v === undefined) {
      v = this.values.length;
      this.values.push(value);
      this.valueIds.set(value, v);
    }
    this.tables[m]!.set(view.ids, v);
    this.entries++;
  }

  /** Whether the memo still looks values up (false once it judged that it does not pay). */
  get active(): boolean {
    return !this.off;
  }

  private clear(): void {
    this.masks = [];
    this.tables = [];
    this.values = [];
    this.valueIds = new Map();
    this.entries = 0;
  }
}

/** The value of `evaluate` (a function of `view` alone) through `memo`. */
export function memoised<T>(memo: ViewMemo, view: WorldView, evaluate: () => T): T {
  const known = memo.get(view);
  if (known !== MISS) return known as T;
  memo.begin(view);
  const value = evaluate();
  memo.set(view, value);
  return value;
}

/** The slots whose bits are set in `mask`, in order. */
function slotsOf(mask: number): Int32Array {
  const slots: number[] = [];
  for (let bits = mask, j = 0; bits !== 0; bits >>>= 1, j++) if ((bits & 1) !== 0) slots.push(j);
  return Int32Array.from(slots);
}

/** Tuples' ids in fixed slots → value index (≥ 0), open addressing with linear probing. */
class KeyTable {
  private readonly width: number;
  private keys: Int32Array;
  private values: Int32Array;
  private size = 0;

  constructor(private readonly slots: Int32Array) {
    this.width = slots.length;
    this.keys = new Int32Array(256 * this.width);
    this.values = new Int32Array(256).fill(-1);
  }

  /** The value index kept for the ids of `ids` in this table's slots, or −1. */
  get(ids: ArrayLike<number>): number {
    const { values, slots, width, keys } = this;
    const mask = values.length - 1;
    let slot = this.home(ids, mask);
    for (;;) {
      const v = values[slot]!;
      if (v < 0) return -1;
      const at = slot * width;
      let k = 0;
      while (k < width && keys[at + k] === ids[slots[k]!]) k++;
      if (k === width) return v;
      slot = (slot + 1) & mask;
    }
  }

  /** Keeps value index `value` for the ids of `ids` in this table's slots (not kept yet). */
  set(ids: ArrayLike<number>, value: number): void {
    if ((this.size + 1) * 2 > this.values.length) this.grow();
    const { values, slots, width, keys } = this;
    const mask = values.length - 1;
    let slot = this.home(ids, mask);
    while (values[slot]! >= 0) slot = (slot + 1) & mask;
    for (let k = 0; k < width; k++) keys[slot * width + k] = ids[slots[k]!]!;
    values[slot] = value;
    this.size++;
  }

  /** Where the probe for the ids of `ids` in this table's slots starts. */
  private home(ids: ArrayLike<number>, mask: number): number {
    const { slots, width } = this;
    let h = 0x9e3779b9 ^ width;
    for (let k = 0; k < width; k++) {
      h = Math.imul(h ^ ids[slots[k]!]!, 0x85ebca6b);
      h ^= h >>> 13;
    }
    h = Math.imul(h, 0xc2b2ae35);
    return (h ^ (h >>> 16)) & mask;
  }

  private grow(): void {
    const { keys, values, width } = this;
    this.keys = new Int32Array(keys.length * 2);
    this.values = new Int32Array(values.length * 2).fill(-1);
    this.size = 0;
    // Re-insert each key as a tuple whose slots hold it.
    const ids = new Int32Array(this.slots.length === 0 ? 0 : this.slots[this.slots.length - 1]! + 1);
    for (let s = 0; s < values.length; s++) {
      if (values[s]! < 0) continue;
      for (let k = 0; k < width; k++) ids[this.slots[k]!] = keys[s * width + k]!;
      this.set(ids, values[s]!);
    }
  }
}
