/**
 * A hash of a suite's code, for the handshake: a worker whose model differs from the
 * coordinator's (another version of a machine, a property edited, another --load file) must be
 * refused, since its successors would silently belong to another state space.
 *
 * The suite (model, properties, terminal test, mutants) is walked in a fixed order (object keys
 * sorted, each object once); the source text of every function met and every primitive value go
 * into a SHA-256. xstate machines are walked through their `config` and `implementations` only:
 * their other fields are built from these, some with counters that depend on load order.
 */
import { createHash } from 'node:crypto';

/** Bound on the values walked: a suite holds a few thousand; a cyclic or huge one stops here, hashed so far. */
const MAX_VALUES = 200_000;

export function codeHashOf(suite: object): string {
  const hash = createHash('sha256');
  const seen = new WeakSet<object>();
  let values = 0;
  const walk = (value: unknown): void => {
    if (++values > MAX_VALUES) return;
    if (typeof value === 'function') {
      hash.update(`f${value.toString()}\0`);
      return;
    }
    if (value === null || typeof value !== 'object') {
      hash.update(`${typeof value}:${String(value)}\0`);
      return;
    }
    if (seen.has(value)) {
      hash.update('@\0');
      return;
    }
    seen.add(value);
    if (Array.isArray(value)) {
      hash.update(`[${value.length}\0`);
      for (const v of value) walk(v);
      return;
    }
    const record = value as Record<string, unknown>;
    // An xstate machine: its definition is its config and named implementations.
    if ('config' in record && 'implementations' in record && typeof record.transition === 'function') {
      hash.update('machine\0');
      walk(record.config);
      walk(record.implementations);
      return;
    }
    const keys = Object.keys(record).sort();
    hash.update(`{${keys.length}\0`);
    for (const key of keys) {
      hash.update(`${key}\0`);
      walk(record[key]);
    }
  };
  walk(suite);
  return hash.digest('hex').slice(0, 16);
}
