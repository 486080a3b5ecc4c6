/**
 * A cache of the transition graph random runs walk, keyed by world fingerprint. Runs of one check
 * start from the same initial world and revisit the same states again and again (Two-Phase Commit
 * with 3 RMs: 288 states over 60,000 steps); for a state met before, its enabled actions and the
 * successors already taken from it are looked up instead of computed again. The 64-bit world
 * fingerprint identifies a state here as it does in the exhaustive search, with one addition: the
 * fingerprint ignores the order of the messages in flight and of the observations, which the
 * order of enabled actions (and so a run's choices) follows, so a state is only taken from the
 * cache when that order is the same too. The counterexample
 * of a failing run is rebuilt from its actions with the plain step and checked (random.ts), so
 * a cache entry never reaches a trace.
 *
 * Bounded: past `limit` states no new state is cached (those cached keep serving), so a check
 * of a large state space keeps bounded memory and pays only the lookups.
 */
import type { Action } from '../../engine/actions.js';
import { hashOfObject, type Fingerprint } from '../../engine/fingerprint.js';
import { envelopeKey, type World } from '../../engine/world.js';

/** A successor taken from a cached state: the world and its fingerprint. */
export interface Edge {
  readonly world: World;
  readonly fingerprint: Fingerprint;
}

export interface CachedState {
  readonly hi: number;
  readonly lo: number;
  /** The world cached (a run walking cached edges holds this very object). */
  readonly world: World;
  readonly actions: readonly Action[];
  /** Per enabled action (by index), the successor once taken. */
  readonly next: (Edge | undefined)[];
}

/** States cached at most: enough for the small configurations random checks revisit most. */
export const TRANSITION_CACHE_LIMIT = 50_000;

export class TransitionCache {
  private readonly states = new Map<number, CachedState>();

  constructor(private readonly limit = TRANSITION_CACHE_LIMIT) {}

  get size(): number {
    return this.states.size;
  }

  /** The cached state of `world` (whose fingerprint is `f`), or undefined. */
  get(f: Fingerprint, world: World): CachedState | undefined {
    const s = this.states.get(keyOf(f));
    if (s === undefined || s.hi !== f.hi || s.lo !== f.lo) return undefined;
    return s.world === world || sameOrder(s.world, world) ? s : undefined;
  }

  /** Caches a world's enabled actions; undefined when the cache is full (or holds the state in another order). */
  add(f: Fingerprint, world: World, actions: readonly Action[]): CachedState | undefined {
    if (this.states.size >= this.limit) return undefined;
    const key = keyOf(f);
    if (this.states.has(key)) return undefined;
    const s: CachedState = { hi: f.hi, lo: f.lo, world, actions, next: new Array(actions.length) };
    this.states.set(key, s);
    return s;
  }
}

/** Two worlds of one fingerprint (so equal as multisets): whether their messages and observations come in the same order. */
function sameOrder(a: World, b: World): boolean {
  if (a.network.length !== b.network.length || a.observations.length !== b.observations.length) return false;
  for (let i = 0; i < a.network.length; i++) {
    const x = a.network[i]!;
    const y = b.network[i]!;
    if (x !== y && envelopeKey(x) !== envelopeKey(y)) return false;
  }
  for (let i = 0; i < a.observations.length; i++) {
    const x = a.observations[i]!;
    const y = b.observations[i]!;
    if (x === y) continue;
    const hx = hashOfObject(x);
    const hy = hashOfObject(y);
    if (hx.hi !== hy.hi || hx.lo !== hy.lo) return false;
  }
  return true;
}

/**
 * 30 bits of the fingerprint as a Map key: a small integer, which a Map hashes fastest. Both
 * halves are checked on lookup; of two states sharing a key, only the first is cached.
 */
function keyOf(f: Fingerprint): number {
  return (f.hi ^ (f.lo >>> 2)) & 0x3fffffff;
}
