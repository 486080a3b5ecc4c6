/**
 * World fingerprints for counting distinct states during random exploration, without building
 * the world's key string at every step.
 *
 * A world's fingerprint is a 64-bit hash (two independent 32-bit lanes) that is equal for worlds
 * with equal `worldKey` and, barring a 2^-64-scale collision, different otherwise. It is built
 * from hashes kept per immutable object (node state, envelope, observation, fault counters,
 * partition): node states are hashed in node order; in-flight messages and observations, whose
 * order `worldKey` ignores, are combined by addition, which ignores order and keeps
 * multiplicity. FIFO networks, where order per link matters, hash the full `worldKey`.
 */
import type { Instance } from './instance.js';
import { nodeKey, objectKey, type NodeState } from './node-step.js';
import { envelopeMemo, partitionKey, worldKey, type Envelope, type World } from './world.js';

export interface Fingerprint {
  readonly hi: number;
  readonly lo: number;
}

/** Two independent 32-bit MurmurHash3-style hashes of a string. */
export function hashText(text: string): Fingerprint {
  let h1 = 0x3c6ef372 | 0;
  let h2 = 0x9e3779b9 | 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = round1(h1, c);
    h2 = round2(h2, c);
  }
  return { hi: avalanche(h1 ^ text.length), lo: avalanche(h2 ^ Math.imul(text.length, 0x27d4eb2d)) };
}

export function round1(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

export function round2(h: number, k: number): number {
  k = Math.imul(k, 0x85ebca77);
  k = (k << 13) | (k >>> 19);
  h ^= Math.imul(k, 0xc2b2ae3d);
  h = (h << 17) | (h >>> 15);
  return (Math.imul(h, 9) + 0x165667b1) | 0;
}

export function avalanche(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

// The mixing functions above are also used by packed.ts, whose fingerprints (the exhaustive
// search's) are sums of per-slot contributions; `worldFingerprint` serves random exploration,
// lassos, validate and the studio.

// Hashes are kept in the memos of node states and envelopes, and per object for the rest
// (a hidden non-enumerable property, or a WeakMap entry for frozen objects).
const objectHashes = new WeakMap<object, Fingerprint>();
const HASH = Symbol('protokit.hash');

function hashOf(o: object, key: (o: object) => string): Fingerprint {
  let h = (o as { [HASH]?: Fingerprint })[HASH] ?? objectHashes.get(o);
  if (h === undefined) {
    h = hashText(key(o));
    if (Object.isExtensible(o)) Object.defineProperty(o, HASH, { value: h, enumerable: false });
    else objectHashes.set(o, h);
  }
  return h;
}

/** A node state's fingerprint as the recorded logs carry it: 16 hex digits of the kit's own node-state hash. */
export function nodeStateFingerprint(state: NodeState): string {
  const h = hashText(nodeKey(state));
  return (h.hi >>> 0).toString(16).padStart(8, '0') + (h.lo >>> 0).toString(16).padStart(8, '0');
}

export function hashOfNode(instance: Instance, i: number, s: NodeState): Fingerprint {
  const memo = instance.roleOf[i]!.stepper.memoOf(s);
  return (memo.hash ??= hashText(memo.key));
}

export function hashOfEnvelope(e: Envelope): Fingerprint {
  const memo = envelopeMemo(e);
  return (memo.hash ??= hashText(memo.key));
}

export function hashOfObject(o: object): Fingerprint {
  return hashOf(o, objectKey);
}

function partitionText(p: object): string {
  return partitionKey(p as World['partition']);
}

export function hashOfPartition(p: object): Fingerprint {
  return hashOf(p, partitionText);
}

/** The fingerprint of `world` (see the module comment): equal `worldKey`s give equal fingerprints. */
export function worldFingerprint(instance: Instance, world: World): Fingerprint {
  if (instance.faults.network === 'fifo') return hashText(worldKey(instance, world));
  let h1 = 0x6a09e667 | 0;
  let h2 = 0xbb67ae85 | 0;
  for (let i = 0; i < world.nodes.length; i++) {
    const h = hashOfNode(instance, i, world.nodes[i]!);
    h1 = round1(h1, h.hi);
    h2 = round2(h2, h.lo);
  }
  let s1 = 0;
  let s2 = 0;
  for (const e of world.network) {
    const h = hashOfEnvelope(e);
    s1 = (s1 + h.hi) | 0;
    s2 = (s2 + h.lo) | 0;
  }
  h1 = round1(round1(h1, s1), world.network.length);
  h2 = round2(round2(h2, s2), world.network.length);
  s1 = 0;
  s2 = 0;
  for (const o of world.observations) {
    const h = hashOfObject(o);
    s1 = (s1 + h.hi) | 0;
    s2 = (s2 + h.lo) | 0;
  }
  h1 = round1(round1(h1, s1), world.observations.length);
  h2 = round2(round2(h2, s2), world.observations.length);
  // The fault counters are four small numbers: mixed in directly (no key string per new counter object).
  const { loss, duplicate, crash, partition } = world.used;
  h1 = round1(round1(round1(round1(h1, loss), duplicate), crash), partition);
  h2 = round2(round2(round2(round2(h2, loss), duplicate), crash), partition);
  if (world.partition !== null) {
    const p = hashOf(world.partition, partitionText);
    h1 = round1(h1, p.hi);
    h2 = round2(h2, p.lo);
  }
  return { hi: avalanche(h1), lo: avalanche(h2 ^ h1) };
}

/**
 * A set of 64-bit fingerprints in two typed arrays (open addressing, linear probing): 16 bytes
 * per fingerprint at most, no object per entry, so a long check's memory stays flat and small.
 */
export class FingerprintSet {
  private hi = new Uint32Array(1 << 12);
  private lo = new Uint32Array(1 << 12);
  private used = new Uint8Array(1 << 12);
  size = 0;

  /** Adds `f`; true when it was not in the set. */
  add(f: Fingerprint): boolean {
    if ((this.size + 1) * 2 > this.used.length) this.grow();
    const mask = this.used.length - 1;
    let slot = (f.hi ^ Math.imul(f.lo, 0x9e3779b1)) & mask;
    while (this.used[slot] === 1) {
      if (this.hi[slot] === f.hi && this.lo[slot] === f.lo) return false;
      slot = (slot + 1) & mask;
    }
    this.used[slot] = 1;
    this.hi[slot] = f.hi;
    this.lo[slot] = f.lo;
    this.size++;
    return true;
  }

  /** Whether `f` is in the set. */
  has(f: Fingerprint): boolean {
    const mask = this.used.length - 1;
    let slot = (f.hi ^ Math.imul(f.lo, 0x9e3779b1)) & mask;
    while (this.used[slot] === 1) {
      if (this.hi[slot] === f.hi && this.lo[slot] === f.lo) return true;
      slot = (slot + 1) & mask;
    }
    return false;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.hi.byteLength + this.lo.byteLength + this.used.byteLength;
  }

  private grow(): void {
    const { hi, lo, used } = this;
    this.hi = new Uint32Array(hi.length * 2);
    this.lo = new Uint32Array(lo.length * 2);
    this.used = new Uint8Array(used.length * 2);
    this.size = 0;
    for (let i = 0; i < used.length; i++) if (used[i] === 1) this.add({ hi: hi[i]!, lo: lo[i]! });
  }
}
