/**
 * The tuple canonical form against the text one (symmetry.ts), on every reachable state of one
 * small configuration per model that declares symmetry: the least tuple lies in the state's
 * class, one least tuple per class, and its fingerprint does not depend on interning order
 * (two packings that met the states in opposite orders, as two threads would).
 */
import { describe, expect, test } from 'vitest';
import paxos from '../../../properties/paxos/index.js';
import raft from '../../../properties/raft/index.js';
import twoPhase from '../../../properties/two-phase-commit/index.js';
import { resolveInstance, type Instance, type InstanceOptions } from '../../engine/instance.js';
import { Packed, enabledActions, initialWorld, step } from '../../engine/packed.js';
import { worldKey, type World } from '../../engine/world.js';
import type { Suite } from '../../properties/suite.js';
import { Symmetry } from './symmetry.js';
import { TupleSymmetry } from './tuple-symmetry.js';

/** Every reachable world; those with more than `maxInFlight` messages in flight are not expanded (as explore's bound). */
function reachable(instance: Instance, maxInFlight: number): World[] {
  const seen = new Map<string, World>();
  let frontier = [initialWorld(instance)];
  seen.set(worldKey(instance, frontier[0]!), frontier[0]!);
  while (frontier.length > 0) {
    const next: World[] = [];
    for (const w of frontier) {
      if (w.network.length > maxInFlight) continue;
      for (const a of enabledActions(instance, w)) {
        const s = step(instance, w, a);
        const k = worldKey(instance, s);
        if (!seen.has(k)) {
          seen.set(k, s);
          next.push(s);
        }
      }
    }
    frontier = next;
  }
  return [...seen.values()];
}

/** The least tuple of `world`'s class, as a world, and its fingerprint. */
function canonicalOf(packed: Packed, tuples: TupleSymmetry, world: World): { world: World; fingerprint: string } {
  const t = new Int32Array(packed.width);
  packed.pack(world, t, 0);
  tuples.canonicalize(t, 0, t, 0);
  packed.fingerprint(t, 0);
  return { world: packed.unpack(t, 0), fingerprint: `${packed.hi}:${packed.lo}` };
}

describe('symmetry on the tuple gives the text form\'s classes', () => {
  // [name, suite, options, most messages in flight expanded, reachable states, classes] (explore's counts)
  test.each([
    ['two-phase-commit tla rms=3', twoPhase, { config: { preset: 'tla', rms: 3 } }, Infinity, 288, 80],
    ['two-phase-commit tla rms=2, fifo, a partition', twoPhase, { config: { preset: 'tla', rms: 2 }, faults: { network: 'fifo', loss: 0, duplicate: 0, crash: 0, partition: 1 } }, Infinity, 600, 324],
    ['paxos tla maxBallot=0', paxos, { config: { preset: 'tla', maxBallot: 0 } }, Infinity, 73, 25],
    ['raft split-votes, 5 in flight', raft, { config: { preset: 'split-votes' } }, 5, 116, 24],
  ] as const)('%s', (_name, suite, options, maxInFlight, states, classes) => {
    const instance = resolveInstance((suite as Suite).model, options as InstanceOptions);
    const text = new Symmetry(instance);
    const worlds = reachable(instance, maxInFlight);
    const forward = new Packed(instance);
    const backward = new Packed(instance);
    const inForward = new TupleSymmetry(text, forward);
    const inBackward = new TupleSymmetry(text, backward);
    // Intern every state in opposite orders first, so that the two packings' ids order them oppositely.
    const t = new Int32Array(forward.width);
    for (const w of worlds) forward.pack(w, t, 0);
    for (const w of worlds.slice().reverse()) backward.pack(w, t, 0);
    const fromBackward = new Map(worlds.slice().reverse().map((w) => [w, canonicalOf(backward, inBackward, w).fingerprint]));
    const leastByClass = new Map<string, Set<string>>();
    for (const w of worlds) {
      const textKey = text.canonicalKey(w);
      const least = canonicalOf(forward, inForward, w);
      expect(text.canonicalKey(least.world)).toBe(textKey);
      expect(least.fingerprint).toBe(fromBackward.get(w));
      const set = leastByClass.get(textKey) ?? new Set<string>();
      set.add(worldKey(instance, least.world));
      leastByClass.set(textKey, set);
    }
    expect([...leastByClass.values()].every((s) => s.size === 1)).toBe(true);
    expect([worlds.length, leastByClass.size]).toEqual([states, classes]);
  });
});
