/**
 * Canonical serialisation and fingerprints.
 *
 * A world must have one key however its objects were built: key order never matters, and
 * collections whose order carries no meaning (an unordered network, the observation set) are
 * sorted by the caller before they get here.
 */
import { configure } from 'safe-stable-stringify';

const stable = configure({ deterministic: true, bigint: true, circularValue: Error });

/** JSON with object keys sorted: equal values give equal strings. */
export function canonical(value: unknown): string {
  return stable(value) ?? 'undefined';
}

/**
 * A 64-bit fingerprint of a string (two independent 32-bit FNV-1a-style lanes), as 16 hex digits.
 * Used to count distinct states without keeping them.
 */
export function fingerprint(text: string): string {
  let h1 = 0x811c9dc5 | 0;
  let h2 = 0x9747b28c | 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b);
  h1 = Math.imul(h1 ^ (h1 >>> 13), 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  h2 = Math.imul(h2 ^ (h2 >>> 16), 0x85ebca6b);
  h2 = Math.imul(h2 ^ (h2 >>> 13), 0xc2b2ae35);
  h2 ^= h2 >>> 16;
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}
