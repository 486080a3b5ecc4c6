/**
 * Sequential specifications: what a linearizable object must behave like when its operations are
 * applied one at a time. Plain TypeScript, no classes to extend: an initial state and a pure step.
 */
import { canonical } from '../engine/canonical.js';
import type { History } from './history.js';

export interface StepResult<S> {
  /** Whether the observed output is one the object may return from `state`. */
  readonly ok: boolean;
  /** The state after the operation (ignored when `ok` is false). */
  readonly next: S;
}

/**
 * Since 0.2.0. A sequential specification with state `S`, operation inputs `I` and outputs `O`.
 *
 * `step(state, input, output)` must be pure and deterministic. `output` is undefined when the
 * operation's outcome is unknown (it timed out): then the step says how the operation would
 * change the state whatever it returned (a read changes nothing; a compare-and-set swaps iff the
 * state matches) and returns `ok: true`.
 */
export interface Specification<S, I, O> {
  readonly name: string;
  init(): S;
  step(state: S, input: I, output: O | undefined): StepResult<S>;
  /**
   * P-compositionality: independent parts of a history (a key-value store's keys), each checked
   * alone from `init()`. The history is linearizable iff every part is.
   */
  partition?(history: History<I, O>): History<I, O>[];
  /**
   * What a failed operation means: undefined (the default) when it did not happen; an output
   * when the failure is itself an outcome (a compare-and-set that failed happened and returned
   * false).
   */
  failedOutput?(input: I): O | undefined;
  /** State equality for the memo (default: equal canonical JSON). */
  equal?(a: S, b: S): boolean;
  /** A 32-bit hash of a state, consistent with `equal` (default: a hash of its canonical JSON). */
  hash?(state: S): number;
  /** A state for people (default: canonical JSON). */
  describeState?(state: S): string;
  /** An operation for people, e.g. `write 3`, `read → 1`, `cas 1→2 → false` (default: JSON). */
  describeOperation?(input: I, output: O | undefined): string;
}

/** 32-bit FNV-1a of a string, finished with a murmur mix. */
export function hashString(text: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The specification's functions with their defaults filled in. */
export interface ResolvedSpec<S, I, O> {
  readonly spec: Specification<S, I, O>;
  readonly equal: (a: S, b: S) => boolean;
  readonly hash: (state: S) => number;
  readonly describeState: (state: S) => string;
  readonly describeOperation: (input: I, output: O | undefined) => string;
}

export function resolveSpec<S, I, O>(spec: Specification<S, I, O>): ResolvedSpec<S, I, O> {
  return {
    spec,
    equal: spec.equal ? spec.equal.bind(spec) : (a, b) => a === b || canonical(a) === canonical(b),
    hash: spec.hash ? spec.hash.bind(spec) : (s) => hashString(canonical(s)),
    describeState: spec.describeState ? spec.describeState.bind(spec) : (s) => canonical(s),
    describeOperation: spec.describeOperation
      ? spec.describeOperation.bind(spec)
      : (input, output) => `${canonical(input)}${output === undefined ? '' : ` → ${canonical(output)}`}`,
  };
}
