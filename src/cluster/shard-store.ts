/**
 * One shard's part of the visited set (`explore --cluster … --shards S`): shard k of S owns the
 * fingerprints whose high half is k modulo S. Workers send each successor's fingerprint, with
 * where it came from (the unit of the level and its index among the unit's successors, and its
 * parent's index in the unit), to the shard that owns it; at the end of the level the lead asks
 * every shard which of its successors are new.
 *
 * A successor is new when its fingerprint was not seen before the level and no successor before
 * it in the level's order had it. That order (unit, then index in the unit) is the order in
 * which the one-process search walks the level (its parents in state order, each parent's
 * successors in the order of its actions), so each shard's answer, merged with the others' by
 * that order, is the successors the one-process search would add, and in its order: the lead
 * numbers them and keeps their parents as it would. Nothing here depends on which worker sent
 * what, or when: a unit sent twice (its first worker died) replaces itself with the same arrays.
 */
import { VisitedSet } from './engine-adapter.js';

/** The shard (0 … shards − 1) that owns a fingerprint. */
export function ownerOf(hi: number, shards: number): number {
  return (hi >>> 0) % shards;
}

/** A unit's successors that one shard owns: index among the unit's successors (increasing), parent's index in the unit, fingerprint. */
export interface UnitCandidates {
  readonly cand: Uint32Array;
  readonly parent: Uint32Array;
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
}

/** A shard's new successors of a level, in the level's order: their unit, index in the unit, parent's index in the unit, fingerprint. */
export interface NewSuccessors {
  readonly unit: Uint32Array;
  readonly cand: Uint32Array;
  readonly parent: Uint32Array;
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
}

/** Splits a unit's successors (a worker's expansion) by owner shard. */
export function splitByOwner(parents: ArrayLike<number>, hi: ArrayLike<number>, lo: ArrayLike<number>, count: number, shards: number): UnitCandidates[] {
  const sizes = new Array<number>(shards).fill(0);
  for (let k = 0; k < count; k++) sizes[ownerOf(hi[k]!, shards)]!++;
  const out = sizes.map((n) => ({ cand: new Uint32Array(n), parent: new Uint32Array(n), hi: new Uint32Array(n), lo: new Uint32Array(n) }));
  const at = new Array<number>(shards).fill(0);
  for (let k = 0; k < count; k++) {
    const s = ownerOf(hi[k]!, shards);
    const i = at[s]!++;
    const o = out[s]!;
    o.cand[i] = k;
    o.parent[i] = parents[k]!;
    o.hi[i] = hi[k]!;
    o.lo[i] = lo[k]!;
  }
  return out;
}

export class ShardStore {
  private readonly seen = new VisitedSet();
  /** The level in progress: its units' successors, by unit. */
  private pending = new Map<number, UnitCandidates>();
  private pendingDepth = -1;
  /** The last level resolved: a late copy of one of its units (from a worker thought dead) is ignored. */
  private resolvedDepth = -1;
  /** Successors received and found new, over the run (for the shard's log and the bench). */
  received = 0;
  added = 0;

  constructor(
    readonly index: number,
    readonly shards: number,
  ) {}

  /** Fingerprints this shard owns. */
  get size(): number {
    return this.seen.size;
  }

  /** Fingerprints visited before the run (the initial state, or a checkpoint's states): those this shard owns are kept, the others ignored. */
  seed(hi: ArrayLike<number>, lo: ArrayLike<number>): void {
    for (let k = 0; k < hi.length; k++) if (ownerOf(hi[k]!, this.shards) === this.index) this.seen.add(hi[k]!, lo[k]!, -1);
  }

  /** A unit's successors of level `depth` that this shard owns. Returns false for a level already resolved (a late copy). */
  receive(depth: number, unit: number, candidates: UnitCandidates): boolean {
    if (depth <= this.resolvedDepth) return false;
    const n = candidates.cand.length;
    if (candidates.parent.length !== n || candidates.hi.length !== n || candidates.lo.length !== n) throw new RangeError(`unit ${unit}: arrays of different lengths`);
    for (let k = 0; k < n; k++) {
      if (ownerOf(candidates.hi[k]!, this.shards) !== this.index) throw new RangeError(`unit ${unit}: a fingerprint of shard ${ownerOf(candidates.hi[k]!, this.shards)} sent to shard ${this.index}`);
      if (k > 0 && candidates.cand[k]! <= candidates.cand[k - 1]!) throw new RangeError(`unit ${unit}: successors out of order`);
    }
    if (depth !== this.pendingDepth) {
      this.pending = new Map();
      this.pendingDepth = depth;
    }
    this.pending.set(unit, candidates);
    return true;
  }

  /**
   * Level `depth`'s new successors among units 0 … units − 1 (those after a state violation do
   * not count), in the level's order. At the depth bound nothing is added: the successors not
   * seen yet are only listed (the lead notes the search is incomplete).
   */
  resolve(depth: number, units: number, atDepthLimit: boolean): NewSuccessors {
    const out = { unit: [] as number[], cand: [] as number[], parent: [] as number[], hi: [] as number[], lo: [] as number[] };
    const level = atDepthLimit ? new VisitedSet() : null;
    for (let u = 0; u < units; u++) {
      // Every worker sends every shard its share of a unit, empty or not: a missing one is lost, not empty.
      const c = depth === this.pendingDepth ? this.pending.get(u) : undefined;
      if (c === undefined) throw new RangeError(`unit ${u} of depth ${depth} never reached shard ${this.index}`);
      this.received += c.cand.length;
      for (let k = 0; k < c.cand.length; k++) {
        const hi = c.hi[k]!;
        const lo = c.lo[k]!;
        const isNew = level === null ? this.seen.add(hi, lo, -1) >= 0 : !this.seen.has(hi, lo) && level.add(hi, lo, -1) >= 0;
        if (!isNew) continue;
        out.unit.push(u);
        out.cand.push(c.cand[k]!);
        out.parent.push(c.parent[k]!);
        out.hi.push(hi);
        out.lo.push(lo);
      }
    }
    if (level === null) this.added += out.unit.length;
    this.pending = new Map();
    this.resolvedDepth = Math.max(this.resolvedDepth, depth);
    return { unit: Uint32Array.from(out.unit), cand: Uint32Array.from(out.cand), parent: Uint32Array.from(out.parent), hi: Uint32Array.from(out.hi), lo: Uint32Array.from(out.lo) };
  }
}
