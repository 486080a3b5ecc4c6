/**
 * Deciding one breadth-first level from the parts that expanded it. States are numbered in
 * breadth-first order (a level in the order of its parents, each parent's successors in the
 * order of its enabled actions), and this module walks the parts in that order, whoever
 * expanded them: it adds new successors to the visited set, counts transitions, applies the
 * bounds and keeps the first violation. One thread or several, the walk is the same, so the
 * counts, the numbering and the counterexample are the same.
 *
 * The rules, for the states of a level in order:
 * - a state that violates an invariant ends the search; states before it count as checked and
 *   expanded, states after it as neither;
 * - a transition that violates a step invariant ends expansion: that state's transitions up to
 *   it count, its successors and those of later states are not added; later states are still
 *   checked (a state violation further on wins: its counterexample is shorter);
 * - a bound (`--max-states`, memory) met while adding successors ends expansion after that state.
 */
import type { PartResult } from './expand.js';
import type { VisitedSet } from './visited.js';

/** Which bound ended a search: `memory` only when spilling the frontier to disk could not keep it under; `interrupted` by a signal. */
export type StopReason = 'max-states' | 'max-depth' | 'memory' | 'interrupted';

/** Where the first violation was met: a state (by number), or a transition (parent and successor). */
export type Found =
  | { readonly kind: 'state'; readonly id: number }
  | { readonly kind: 'step'; readonly parent: number; readonly hi: number; readonly lo: number; readonly property: string };

/** A part of a level: the numbers of its states (increasing) and what expanding them gave. */
export interface LevelPart {
  readonly ids: ArrayLike<number>;
  readonly result: PartResult;
}

/** Per part, the successors that became states: their indexes in the part's result, and their new numbers. */
export interface Accepted {
  readonly indexes: number[];
  readonly ids: number[];
}

export interface LevelBounds {
  readonly maxStates: number;
  readonly maxHeapBytes: number;
  /** True at the depth bound: successors are not added, only noticed. */
  readonly atDepthLimit: boolean;
}

export class Level {
  /** False once a step violation or a bound ended expansion. */
  expanding: boolean;
  stoppedBy: StopReason | null;
  stateFound: Found | null = null;
  stepFound: Found | null = null;
  /** A new state was met at the depth bound (so the search is incomplete). */
  newAtLimit = false;
  generated = 0;
  /** Witnesses first reached in this level. */
  readonly reached: string[] = [];
  peakHeapBytes = 0;

  constructor(
    private readonly visited: VisitedSet,
    private readonly bounds: LevelBounds,
    stoppedBy: StopReason | null,
    private readonly reachedBefore: ReadonlySet<string>,
  ) {
    this.stoppedBy = stoppedBy;
    this.expanding = stoppedBy === null;
  }

  /** True once the level's outcome is known: a state violation ends the search at once. */
  get over(): boolean {
    return this.stateFound !== null;
  }

  /** Notes the heap size for the peak figure only (the in-process search spills instead of stopping). */
  notePeak(bytes: number): void {
    if (bytes > this.peakHeapBytes) this.peakHeapBytes = bytes;
  }

  /** Ends expansion: the memory bound was met and nothing more can go to disk. */
  stopForMemory(): void {
    if (this.stoppedBy !== null) return;
    this.stoppedBy = 'memory';
    this.expanding = false;
  }

  /** Notes the heap size; past the memory bound, expansion ends (worker threads keep their worlds in memory). */
  heapSeen(bytes: number): void {
    if (bytes > this.peakHeapBytes) this.peakHeapBytes = bytes;
    if (bytes > this.bounds.maxHeapBytes && this.stoppedBy === null) {
      this.stoppedBy = 'memory';
      this.expanding = false;
    }
  }

  /**
   * Walks the next states of the level, which `parts` hold between them (each part's numbers
   * increasing; the parts interleave), in number order. Returns each part's accepted successors.
   */
  resolve(parts: readonly LevelPart[]): Accepted[] {
    const accepted: Accepted[] = parts.map(() => ({ indexes: [], ids: [] }));
    const stateAt = parts.map(() => 0);
    const successorAt = parts.map(() => 0);
    for (;;) {
      // The part holding the next state in number order (a handful of parts: a linear scan).
      let p = -1;
      let id = Infinity;
      for (let q = 0; q < parts.length; q++) {
        const part = parts[q]!;
        const i = stateAt[q]!;
        if (i >= checkedCount(part.result, part.ids.length)) continue;
        const candidate = part.ids[i]!;
        if (candidate < id) {
          id = candidate;
          p = q;
        }
      }
      if (p < 0) break;
      const { result } = parts[p]!;
      const i = stateAt[p]!++;
      if (result.stateViolation !== null && result.stateViolation.index === i) {
        this.stateFound = { kind: 'state', id };
        break;
      }
      let k = successorAt[p]!;
      if (this.expanding) {
        this.generated += result.generated[i]!;
        if (result.stepViolation !== null && result.stepViolation.index === i) {
          const v = result.stepViolation;
          this.stepFound = { kind: 'step', parent: id, hi: v.hi, lo: v.lo, property: v.property };
          this.expanding = false;
        } else {
          for (; k < result.count && result.parents[k] === i; k++) this.add(result.hi[k]!, result.lo[k]!, id, k, accepted[p]!);
          if (this.stoppedBy !== null) this.expanding = false;
        }
      }
      while (k < result.count && result.parents[k] === i) k++;
      successorAt[p] = k;
    }
    const cutoff = this.stateFound?.kind === 'state' ? this.stateFound.id : Infinity;
    parts.forEach(({ ids, result }) => {
      for (const w of result.witnesses) {
        if (ids[w.index]! < cutoff && !this.reachedBefore.has(w.name) && !this.reached.includes(w.name)) this.reached.push(w.name);
      }
    });
    return accepted;
  }

  private add(hi: number, lo: number, parent: number, index: number, into: Accepted): void {
    const { visited, bounds } = this;
    if (bounds.atDepthLimit) {
      if (!visited.has(hi, lo)) this.newAtLimit = true;
      return;
    }
    if (visited.size >= bounds.maxStates) {
      if (!visited.has(hi, lo)) this.stoppedBy ??= 'max-states';
      return;
    }
    const id = visited.add(hi, lo, parent);
    if (id < 0) return;
    into.indexes.push(index);
    into.ids.push(id);
  }
}

/** States of a part with a result: up to and including its state violation. */
function checkedCount(result: PartResult, size: number): number {
  return result.stateViolation === null ? size : result.stateViolation.index + 1;
}
