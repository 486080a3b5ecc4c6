/**
 * Liveness properties: what must eventually happen, under the fairness the model declares
 * (src/engine/fairness.ts).
 *
 * - `eventually(name, description, holds)`: every fair behaviour reaches a world where `holds`.
 * - `leadsTo(name, description, p, q)`: whenever `p` holds, `q` holds then or later (TLA+'s
 *   `p ~> q`). `eventually(q)` is `leadsTo(initial world, q)`.
 *
 * A violation is a lasso: a finite prefix, then a loop that repeats forever (possibly empty: the
 * last world stutters because nothing fair is enabled there). Exhaustive search decides these
 * properties on the whole reachable graph (src/explore/bfs/liveness.ts); random runs only find
 * violating lassos, never prove one absent (src/explore/lasso.ts).
 */
import type { WorldView } from '../engine/view.js';
import { ModelError, thrownMessage } from '../engine/errors.js';
import { booleanOf } from './verdicts.js';

export interface Eventually {
  readonly kind: 'eventually';
  readonly name: string;
  readonly description: string;
  readonly holds: (world: WorldView) => boolean;
}

export interface LeadsTo {
  readonly kind: 'leadsTo';
  readonly name: string;
  readonly description: string;
  /** The obligation: a world where it holds must be followed by one where `q` holds. */
  readonly p: (world: WorldView) => boolean;
  readonly q: (world: WorldView) => boolean;
}

export type LivenessProperty = Eventually | LeadsTo;

/** Since 0.3.0. Every fair behaviour reaches a world where `holds` is true. */
export function eventually<W extends WorldView<any, any> = WorldView>(name: string, description: string, holds: (world: W) => boolean): Eventually {
  return { kind: 'eventually', name, description, holds: holds as Eventually['holds'] };
}

/** Since 0.3.0. Whenever `p` holds, `q` holds then or later, on every fair behaviour (`p ~> q`). */
export function leadsTo<W extends WorldView<any, any> = WorldView>(name: string, description: string, p: (world: W) => boolean, q: (world: W) => boolean): LeadsTo {
  return { kind: 'leadsTo', name, description, p: p as LeadsTo['p'], q: q as LeadsTo['q'] };
}

export function isLiveness(p: { readonly kind: string }): p is LivenessProperty {
  return p.kind === 'eventually' || p.kind === 'leadsTo';
}

/** Bit 1: the obligation starts here (p); bit 2: it is met here (q). */
export const P_BIT = 1;
export const Q_BIT = 2;

/**
 * The p and q bits of `property` at a world (`initial`: the world is the initial one). A
 * predicate that throws is a failure of the model or the suite, reported with the property's name.
 */
export function livenessBits(property: LivenessProperty, view: WorldView, initial: boolean): number {
  const what = `liveness property ${property.name}`;
  const holds = (predicate: (world: WorldView) => boolean): boolean => {
    let value: unknown;
    try {
      value = predicate(view);
    } catch (error) {
      throw new ModelError(`${what} threw: ${thrownMessage(error)}`, null, { cause: error });
    }
    return booleanOf(what, value);
  };
  if (property.kind === 'eventually') return (initial ? P_BIT : 0) | (holds(property.holds) ? Q_BIT : 0);
  return (holds(property.p) ? P_BIT : 0) | (holds(property.q) ? Q_BIT : 0);
}

/** A lasso's loop for people: "steps 7–12 repeat forever", or the stutter of the last world. */
export function describeLoop(loopStart: number, length: number): string {
  if (loopStart >= length) return `from step ${length} on nothing fair is enabled: the world stays as it is forever`;
  return loopStart + 1 === length ? `step ${length} repeats forever` : `steps ${loopStart + 1}–${length} repeat forever`;
}
