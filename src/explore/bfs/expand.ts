/**
 * Expanding a part of one breadth-first level: check each state's invariants and witnesses,
 * then list its successors with their fingerprints, checking step invariants on every
 * transition. The same code runs in the main thread (one worker) and in worker threads; which
 * of the successors become states, and which violation counts, is decided by level.ts.
 */
import type { Action } from '../../engine/actions.js';
import type { Instance } from '../../engine/instance.js';
import { guarded, reachedIn, type Property, type Violation } from '../../properties/properties.js';
import { type World } from '../../engine/world.js';
import type { WorldView } from '../../engine/view.js';
import { ModelError } from '../../engine/errors.js';
import { Packed } from '../../engine/packed.js';
import { memoised, ViewMemo } from '../../engine/view-memo.js';
import { grown } from '../../engine/int-tables.js';
import type { Symmetry } from './symmetry.js';
import { TupleSymmetry } from './tuple-symmetry.js';
import { DEADLOCK } from '../../properties/suite.js';
import type { Coverage } from '../coverage.js';

/** The first state of a part that violates a state invariant. */
export interface StateViolationAt extends Violation {
  /** Index of the state in the part. */
  readonly index: number;
}

/** The first transition of a part that violates a step invariant. */
export interface StepViolationAt extends Violation {
  readonly index: number;
  /** Fingerprint of the state the transition leads to. */
  readonly hi: number;
  readonly lo: number;
}

/**
 * What a part of a level yields. Plain data and typed arrays, so it crosses threads as it is;
 * the successor worlds stay with whoever expanded the part.
 */
export interface PartResult {
  /** The first state violation; the states after it are neither checked nor expanded. */
  readonly stateViolation: StateViolationAt | null;
  /** The first step violation; the states after it are checked, not expanded. */
  readonly stepViolation: StepViolationAt | null;
  /** Witnesses (not reached in earlier levels) with the index of the first state reaching them. */
  readonly witnesses: readonly { readonly name: string; readonly index: number }[];
  /** Per state: transitions taken (successors generated, known or not), as TLC counts "states generated". */
  readonly generated: Uint32Array<ArrayBuffer>;
  /** Successors not known to be visited, in the order generated: index of the parent in the part, fingerprint. */
  readonly count: number;
  readonly parents: Uint32Array<ArrayBuffer>;
  readonly hi: Uint32Array<ArrayBuffer>;
  readonly lo: Uint32Array<ArrayBuffer>;
}

/** A part's result with its successor worlds (aligned with `parents`), for whoever keeps them. */
export interface ExpandedPart extends PartResult {
  readonly worlds: readonly World[];
}

/** A part's result with its successors as tuples (engine/packed.ts), `width` slots each, aligned with `parents`. */
export interface PackedPart extends PartResult {
  readonly tuples: Int32Array;
}

/**
 * Growable parallel arrays of successors. The next successor is written in place at the end of
 * `tuples` (`at`), and kept by `push` only when it is new.
 */
class Successors {
  parents = new Uint32Array(1024);
  hi = new Uint32Array(1024);
  lo = new Uint32Array(1024);
  tuples: Int32Array;
  count = 0;

  constructor(private readonly width: number) {
    this.tuples = new Int32Array(width * 1024);
  }

  /** Where the next successor's tuple goes (room is made for it). */
  get at(): number {
    const at = this.count * this.width;
    if (at + this.width > this.tuples.length) this.tuples = grown(this.tuples);
    return at;
  }

  push(parent: number, hi: number, lo: number): void {
    if (this.count === this.parents.length) {
      for (const name of ['parents', 'hi', 'lo'] as const) {
        const bigger = new Uint32Array(this.count * 2);
        bigger.set(this[name]);
        this[name] = bigger;
      }
    }
    this.parents[this.count] = parent;
    this.hi[this.count] = hi;
    this.lo[this.count] = lo;
    this.count++;
  }
}

/** Where a ModelError met while expanding happened: the state, and the action being taken from it (null: checking the state or listing its actions). */
export const failedAt = new WeakMap<ModelError, { readonly world: World; readonly action: Action | null }>();

export class Expander {
  private readonly invariants: readonly Extract<Property, { kind: 'always' }>[];
  private readonly stepInvariants: readonly Extract<Property, { kind: 'always-step' }>[];
  private readonly witnessList: readonly Extract<Property, { kind: 'sometimes' }>[];
  private readonly reached = new Set<string>();
  /** This thread's packing of the instance's worlds (ids are per thread; fingerprints are not). */
  readonly packed: Packed;
  /** Per invariant and witness, its values kept by the ids of the slots it read (engine/view-memo.ts). */
  private readonly invariantMemos: readonly ViewMemo[];
  private readonly witnessMemos: ReadonlyMap<Extract<Property, { kind: 'sometimes' }>, ViewMemo>;
  private readonly scratch: Int32Array;
  /** Canonicalises successors on the tuple (null: no symmetry). */
  private readonly tupleSymmetry: TupleSymmetry | null;

  constructor(
    readonly instance: Instance,
    properties: readonly Property[],
    private readonly symmetry: Symmetry | null,
    /**
     * A state constraint, as TLC's CONSTRAINT: a state with more messages in flight is checked
     * (invariants, witnesses) but not expanded. It bounds models whose retries or heartbeats
     * would add messages for ever.
     */
    private readonly maxInFlight = Infinity,
    /**
     * Deadlock detection: null when off; otherwise which worlds are terminal (the suite's). A
     * world where nothing but faults is enabled, not terminal, is reported as a violation.
     */
    private readonly terminal: ((view: WorldView) => boolean) | null = null,
    /** Counts every transition of the state graph (`explore --coverage`; one thread only). */
    private readonly coverage: Coverage | null = null,
  ) {
    this.invariants = properties.filter((p) => p.kind === 'always');
    this.stepInvariants = properties.filter((p) => p.kind === 'always-step');
    this.witnessList = properties.filter((p) => p.kind === 'sometimes');
    this.invariantMemos = this.invariants.map(() => new ViewMemo());
    this.witnessMemos = new Map(this.witnessList.map((w) => [w, new ViewMemo()]));
    this.packed = new Packed(instance);
    this.scratch = new Int32Array(this.packed.width);
    this.tupleSymmetry = symmetry === null ? null : new TupleSymmetry(symmetry, this.packed);
  }

  /** The fingerprint that identifies a state: its world's, or its symmetry class's. */
  fingerprintOf(world: World): [number, number] {
    // The packed world's (with symmetry, its class's least tuple's): equal in every thread.
    this.packed.pack(world, this.scratch, 0);
    if (this.tupleSymmetry !== null) this.tupleSymmetry.canonicalize(this.scratch, 0, this.scratch, 0);
    this.packed.fingerprint(this.scratch, 0);
    return [this.packed.hi, this.packed.lo];
  }

  /** Marks witnesses reached in earlier levels, so they are not evaluated again. */
  markReached(names: readonly string[]): void {
    for (const n of names) this.reached.add(n);
  }

  /**
   * Checks and (when `expand`) expands `worlds` in order, as `expandPacked` does their tuples;
   * the successors come back as worlds (for callers that keep objects: worker threads, the cluster).
   */
  expandPart(worlds: readonly World[], expand: boolean, known: (hi: number, lo: number) => boolean): ExpandedPart {
    const { packed } = this;
    const tuples = new Int32Array(worlds.length * packed.width);
    worlds.forEach((w, k) => packed.pack(w, tuples, k * packed.width));
    const { tuples: out, ...result } = this.expandPacked(tuples, worlds.length, expand, known);
    const successors: World[] = new Array(result.count);
    for (let k = 0; k < result.count; k++) successors[k] = packed.unpack(out, k * packed.width);
    return { ...result, worlds: successors };
  }

  /**
   * Checks and (when `expand`) expands the `count` tuples of `tuples` in order, stopping at the
   * first state violation. After the first step violation the rest is only checked, not
   * expanded. `known` tells successors already visited; a successor is listed unless `known`
   * says so (it is asked once per successor).
   */
  expandPacked(tuples: Int32Array, count: number, expand: boolean, known: (hi: number, lo: number) => boolean): PackedPart {
    const { instance, packed, tupleSymmetry } = this;
    const width = packed.width;
    const generated = new Uint32Array(count);
    const out = new Successors(width);
    const witnesses: { name: string; index: number }[] = [];
    const pending = this.witnessList.filter((w) => !this.reached.has(w.name));
    const hasStepInvariants = this.stepInvariants.length > 0;
    let stateViolation: StateViolationAt | null = null;
    let stepViolation: StepViolationAt | null = null;
    let expanding = expand;
    let parentAt = -1;
    let taking = -1;
    try {
      for (let index = 0; index < count; index++) {
        const at = (parentAt = index * width);
        taking = -1;
        const view = packed.view(tuples, at);
        const broken = this.checkState(view);
        if (broken !== null) {
          stateViolation = { ...broken, index };
          break;
        }
        for (let k = 0; k < pending.length; k++) {
          const w = pending[k]!;
          if (memoised(this.witnessMemos.get(w)!, view, () => reachedIn(w, view))) {
            witnesses.push({ name: w.name, index });
            pending.splice(k--, 1);
          }
        }
        if (!expanding || packed.inFlight(tuples, at) > this.maxInFlight) continue;
        const actions = packed.list(tuples, at);
        if (this.terminal !== null && this.onlyFaults(actions) && !this.terminal(view)) {
          stateViolation = { property: DEADLOCK, message: 'nothing but faults is enabled, and the suite does not call this world terminal', index };
          break;
        }
        generated[index] = actions;
        packed.setParent(tuples, at);
        for (let a = 0; a < actions; a++) {
          if (this.coverage !== null) this.coverage.record(packed.unpack(tuples, at), packed.actionAt(a));
          taking = a;
          const next = out.at;
          packed.successor(tuples, at, a, out.tuples, next);
          let hi = packed.hi;
          let lo = packed.lo;
          if (tupleSymmetry !== null) {
            tupleSymmetry.canonicalize(out.tuples, next, this.scratch, 0);
            packed.fingerprint(this.scratch, 0);
            hi = packed.hi;
            lo = packed.lo;
          }
          if (hasStepInvariants) {
            const v = this.checkTransition(view, packed.view(out.tuples, next), packed.actionAt(a));
            if (v !== null) {
              generated[index] = a + 1;
              stepViolation = { ...v, index, hi, lo };
              expanding = false;
              break;
            }
          }
          if (!known(hi, lo)) out.push(index, hi, lo);
          taking = -1;
        }
      }
    } catch (error) {
      // Where the model failed, so the search can rebuild the path to it (search.ts).
      if (error instanceof ModelError && parentAt >= 0) failedAt.set(error, { world: packed.unpack(tuples, parentAt), action: taking < 0 ? null : packed.actionAt(taking) });
      throw error;
    }
    return {
      stateViolation,
      stepViolation,
      witnesses,
      generated,
      count: out.count,
      parents: out.parents.subarray(0, out.count),
      hi: out.hi.subarray(0, out.count),
      lo: out.lo.subarray(0, out.count),
      tuples: out.tuples.subarray(0, out.count * width),
    };
  }

  /** Whether every listed action is a fault (or none is listed): a deadlock unless the world is terminal. */
  private onlyFaults(actions: number): boolean {
    for (let a = 0; a < actions; a++) if (!this.packed.isFault(a)) return false;
    return true;
  }

  private checkState(view: WorldView): Violation | null {
    for (let k = 0; k < this.invariants.length; k++) {
      const p = this.invariants[k]!;
      const v = guarded(p.name, () => memoised(this.invariantMemos[k]!, view, () => p.check(view)));
      if (v) return v;
    }
    return null;
  }

  private checkTransition(before: WorldView, after: WorldView, action: Action): Violation | null {
    for (const p of this.stepInvariants) {
      const v = guarded(p.name, () => p.check(before, after, action));
      if (v) return v;
    }
    return null;
  }
}
