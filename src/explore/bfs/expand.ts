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
import { buildView, type WorldView } from '../../engine/view.js';
import { enabledActions, listedSteps, step } from '../../engine/fast-step.js';
import { ModelError } from '../../engine/errors.js';
import { ParentParts, successorFingerprint, successorsSupported } from './successor.js';
import { fingerprint64 } from './visited.js';
import { worldFingerprint, type Fingerprint } from '../../engine/fingerprint.js';
import type { Symmetry } from './symmetry.js';
import { isFault } from '../../engine/fairness.js';
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

/** Growable parallel arrays of successors, kept between parts so a level allocates them once. */
class Successors {
  parents = new Uint32Array(1024);
  hi = new Uint32Array(1024);
  lo = new Uint32Array(1024);
  worlds: World[] = [];
  count = 0;

  push(parent: number, hi: number, lo: number, world: World): void {
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
    this.worlds.push(world);
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
  /** Whether successors are fingerprinted from their parent's parts (successor.ts): not with symmetry or step invariants, which need the world. */
  private readonly successorParts: boolean;

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
    this.successorParts = symmetry === null && this.stepInvariants.length === 0 && successorsSupported(instance);
  }

  /** The fingerprint that identifies a state: its world's, or its symmetry class's. */
  fingerprintOf(world: World): [number, number] {
    if (this.symmetry !== null) return fingerprint64(this.symmetry.canonicalKey(world));
    // Without symmetry, the engine's incremental fingerprint: equal world keys, equal fingerprints.
    const f = worldFingerprint(this.instance, world);
    return [f.hi, f.lo];
  }

  /** As `fingerprintOf`, without the pair: the hot loop reads the halves from the engine's object. */
  private fingerprintFields(world: World): Fingerprint {
    if (this.symmetry === null) return worldFingerprint(this.instance, world);
    const [hi, lo] = fingerprint64(this.symmetry.canonicalKey(world));
    return { hi, lo };
  }

  /** Marks witnesses reached in earlier levels, so they are not evaluated again. */
  markReached(names: readonly string[]): void {
    for (const n of names) this.reached.add(n);
  }

  /**
   * Checks and (when `expand`) expands `worlds` in order, stopping at the first state violation.
   * After the first step violation the rest is only checked, not expanded. `known` tells
   * successors already visited; a successor is listed unless `known` says so.
   */
  expandPart(worlds: readonly World[], expand: boolean, known: (hi: number, lo: number) => boolean): ExpandedPart {
    const { instance } = this;
    const generated = new Uint32Array(worlds.length);
    const out = new Successors();
    const witnesses: { name: string; index: number }[] = [];
    const pending = this.witnessList.filter((w) => !this.reached.has(w.name));
    const hasStepInvariants = this.stepInvariants.length > 0;
    let stateViolation: StateViolationAt | null = null;
    let stepViolation: StepViolationAt | null = null;
    let expanding = expand;
    let world: World | null = null;
    let taking: Action | null = null;
    // One set of parent parts for the part, moved from state to state (successor.ts).
    let parts: ParentParts | null = null;
    try {
      for (let index = 0; index < worlds.length; index++) {
        world = worlds[index]!;
        taking = null;
        const view = buildView(instance, world);
        const broken = this.checkState(view);
        if (broken !== null) {
          stateViolation = { ...broken, index };
          break;
        }
        for (let k = 0; k < pending.length; k++) {
          const w = pending[k]!;
          if (reachedIn(w, view)) {
            witnesses.push({ name: w.name, index });
            pending.splice(k--, 1);
          }
        }
        if (!expanding || world.network.length > this.maxInFlight) continue;
        const actions = enabledActions(instance, world);
        const steps = listedSteps();
        if (this.terminal !== null && actions.every(isFault) && !this.terminal(view)) {
          stateViolation = { property: DEADLOCK, message: 'nothing but faults is enabled, and the suite does not call this world terminal', index };
          break;
        }
        generated[index] = actions.length;
        const parent = this.successorParts ? (parts === null ? (parts = new ParentParts(instance, world)) : parts.reset(world)) : null;
        for (let a = 0; a < actions.length; a++) {
          const action = actions[a]!;
          this.coverage?.record(world, action);
          // Most successors are known already: fingerprinted without building them when possible.
          const derived = parent === null ? null : successorFingerprint(instance, parent, action, steps[a]);
          if (derived !== null && known(derived.hi, derived.lo)) continue;
          taking = action;
          const next = step(instance, world, action);
          const { hi, lo } = derived ?? this.fingerprintFields(next);
          if (hasStepInvariants) {
            const v = this.checkTransition(view, buildView(instance, next), action);
            if (v !== null) {
              generated[index] = a + 1;
              stepViolation = { ...v, index, hi, lo };
              expanding = false;
              break;
            }
          }
          // `known` is asked once per successor (a worker's records what it is asked).
          if (derived !== null || !known(hi, lo)) out.push(index, hi, lo, next);
          taking = null;
        }
      }
    } catch (error) {
      // Where the model failed, so the search can rebuild the path to it (search.ts).
      if (error instanceof ModelError && world !== null) failedAt.set(error, { world, action: taking });
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
      worlds: out.worlds,
    };
  }

  private checkState(view: WorldView): Violation | null {
    for (const p of this.invariants) {
      const v = guarded(p.name, () => p.check(view));
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
