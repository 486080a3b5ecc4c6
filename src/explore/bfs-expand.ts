/**
 * Expanding a chunk of one breadth-first level: check each state's invariants and witnesses,
 * then list its successors with their fingerprints, checking step invariants on every
 * transition. The same code runs in the main thread (one worker) and in worker threads.
 */
import type { Action } from '../actions.js';
import type { Instance } from '../instance.js';
import type { Property, Violation } from '../properties.js';
import { enabledActions, step, viewOf, type World } from '../world.js';
import { fingerprint64 } from './bfs-visited.js';
import { worldFingerprint } from './fingerprint.js';
import type { Symmetry } from './symmetry.js';

/** The first state of a chunk that violates a state invariant. */
export interface StateViolationAt extends Violation {
  /** Index of the state in the chunk. */
  readonly index: number;
}

/** The first transition of a chunk that violates a step invariant. */
export interface StepViolationAt extends Violation {
  readonly index: number;
  /** Fingerprint of the state the transition leads to. */
  readonly hi: number;
  readonly lo: number;
}

export interface ChunkResult<W> {
  readonly stateViolation: StateViolationAt | null;
  readonly stepViolation: StepViolationAt | null;
  /** Witnesses first reached in this chunk (among those not reached before). */
  readonly witnesses: readonly string[];
  /** Transitions taken (successors generated, known or not), as TLC counts "states generated". */
  readonly generated: number;
  /** Successors not known to be visited, in the order generated: chunk index of the parent, fingerprint, world. */
  readonly parents: number[];
  readonly hi: number[];
  readonly lo: number[];
  readonly worlds: W[];
}

export class Expander {
  private readonly invariants: readonly Property[];
  private readonly stepInvariants: readonly Property[];
  private readonly witnessList: readonly Property[];
  private readonly reached = new Set<string>();

  constructor(
    readonly instance: Instance,
    properties: readonly Property[],
    private readonly symmetry: Symmetry | null,
  ) {
    this.invariants = properties.filter((p) => p.kind === 'always');
    this.stepInvariants = properties.filter((p) => p.kind === 'always-step');
    this.witnessList = properties.filter((p) => p.kind === 'sometimes');
  }

  /** The fingerprint that identifies a state: its world's, or its symmetry class's. */
  fingerprintOf(world: World): [number, number] {
    if (this.symmetry !== null) return fingerprint64(this.symmetry.canonicalKey(world));
    // Without symmetry, the engine's incremental fingerprint: equal world keys, equal fingerprints.
    const f = worldFingerprint(this.instance, world);
    return [f.hi, f.lo];
  }

  /** Marks witnesses reached elsewhere, so they are not evaluated again. */
  markReached(names: readonly string[]): void {
    for (const n of names) this.reached.add(n);
  }

  /**
   * Checks and (when `expand`) expands `worlds` in order. After the first step violation the
   * rest of the chunk is only checked, not expanded. `known` tells successors already visited.
   */
  processChunk(worlds: readonly World[], expand: boolean, known: (hi: number, lo: number) => boolean): ChunkResult<World> {
    const result = { stateViolation: null as StateViolationAt | null, stepViolation: null as StepViolationAt | null, witnesses: [] as string[], generated: 0, parents: [] as number[], hi: [] as number[], lo: [] as number[], worlds: [] as World[] };
    for (let index = 0; index < worlds.length; index++) {
      const world = worlds[index]!;
      const view = viewOf(this.instance, world);
      const broken = this.checkState(view);
      if (broken) {
        result.stateViolation = { ...broken, index };
        break;
      }
      if (this.reached.size < this.witnessList.length) {
        for (const w of this.witnessList) {
          if (w.kind === 'sometimes' && !this.reached.has(w.name) && w.reached(view)) {
            this.reached.add(w.name);
            result.witnesses.push(w.name);
          }
        }
      }
      if (!expand || result.stepViolation !== null) continue;
      for (const action of enabledActions(this.instance, world)) {
        const next = step(this.instance, world, action);
        result.generated++;
        const [hi, lo] = this.fingerprintOf(next);
        if (this.stepInvariants.length > 0) {
          const v = this.checkTransition(view, viewOf(this.instance, next), action);
          if (v) {
            result.stepViolation = { ...v, index, hi, lo };
            break;
          }
        }
        if (known(hi, lo)) continue;
        result.parents.push(index);
        result.hi.push(hi);
        result.lo.push(lo);
        result.worlds.push(next);
      }
    }
    return result;
  }

  private checkState(view: ReturnType<typeof viewOf>): Violation | null {
    for (const p of this.invariants) {
      if (p.kind !== 'always') continue;
      const v = guarded(p.name, () => p.check(view));
      if (v) return v;
    }
    return null;
  }

  private checkTransition(before: ReturnType<typeof viewOf>, after: ReturnType<typeof viewOf>, action: Action): Violation | null {
    for (const p of this.stepInvariants) {
      if (p.kind !== 'always-step') continue;
      const v = guarded(p.name, () => p.check(before, after, action));
      if (v) return v;
    }
    return null;
  }
}

function guarded(name: string, run: () => string | undefined | void): Violation | null {
  try {
    const verdict = run();
    return typeof verdict === 'string' ? { property: name, message: verdict } : null;
  } catch (error) {
    return { property: name, message: `the invariant threw: ${error instanceof Error ? error.message : String(error)}` };
  }
}
