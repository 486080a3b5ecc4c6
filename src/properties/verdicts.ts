/**
 * What a property's return value means, enforced: an invariant returns `undefined` (it holds) or
 * a string (violated: what it saw); a witness or a liveness predicate returns a boolean. Any
 * other value is an error of the model (ModelError, exit 4) naming the property and the value.
 */
import { ModelError } from '../engine/errors.js';

export interface Violation {
  readonly property: string;
  readonly message: string;
}

/**
 * What an invariant's return value means: undefined holds, a string is a violation saying what
 * it saw; anything else is an error of the model naming the property and the value.
 */
export function verdictOf(name: string, verdict: unknown): Violation | null {
  if (verdict === undefined) return null;
  if (typeof verdict === 'string') return { property: name, message: verdict };
  throw new ModelError(
    `property ${name} returned ${shownValue(verdict)}; an invariant returns undefined when it holds, or a string saying what it saw (e.g. (w) => (ok ? undefined : 'what went wrong'))`,
  );
}

/** A witness's (or a liveness predicate's) answer, which must be a boolean. */
export function booleanOf(what: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  throw new ModelError(`${what} returned ${shownValue(value)}; it returns true or false`);
}

/** A returned value for the one line that reports it: a few characters, never the whole object. */
function shownValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (Array.isArray(value)) return 'an array';
  return 'an object';
}

