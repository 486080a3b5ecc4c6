/**
 * The packed representation (packed.ts) against the reference definition (semantics.ts): for
 * every registered model and each of its mutants, under each network semantics with every fault
 * enabled, seeded random walks compare at every step the listed actions (same actions, same
 * order) and each successor, unpacked (same nodes, messages in the same order, partition, fault
 * counters, observations in the same order). The successor's incremental fingerprint must equal
 * the fingerprint of its tuple computed from scratch, and along the walks equal world keys must
 * give equal fingerprints and different keys different ones.
 */
import { describe, expect, test } from 'vitest';
import { suites } from '../../properties/registry.js';
import { canonical } from './canonical.js';
import { parseFaults, type NetworkSemantics } from './faults.js';
import { resolveInstance, type Instance } from './instance.js';
import { nodeKey, objectKey } from './node-step.js';
import { referenceEnabledActions, referenceInitialWorld, referenceStep } from './semantics.js';
import { Packed } from './packed.js';
import { envelopeKey, worldKey, type World } from './world.js';

function exact(world: World): string {
  return canonical({
    nodes: world.nodes.map(nodeKey),
    network: world.network.map(envelopeKey),
    partition: world.partition,
    used: world.used,
    observations: world.observations.map(objectKey),
  });
}

function compare(instance: Instance, walks: number, depth: number, seed: number, keys: Map<string, string>): number {
  let x = seed >>> 0 || 1;
  const next = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), x >>> 0);
  const packed = new Packed(instance);
  const k = packed.width;
  const parent = new Int32Array(k);
  const child = new Int32Array(k);
  const fresh = new Int32Array(k);
  let compared = 0;
  packed.initial(parent, 0);
  expect(exact(packed.unpack(parent, 0))).toBe(exact(referenceInitialWorld(instance)));
  const fingerprintText = () => `${packed.hi}:${packed.lo}`;
  const note = (world: World, fingerprint: string) => {
    const key = worldKey(instance, world);
    const known = keys.get(fingerprint);
    if (known !== undefined) expect(known).toBe(key);
    keys.set(fingerprint, key);
    keys.set(`key:${key}`, fingerprint);
  };
  for (let w = 0; w < walks; w++) {
    packed.initial(parent, 0);
    for (let d = 0; d < depth; d++) {
      const world = packed.unpack(parent, 0);
      const count = packed.list(parent, 0);
      const listed = Array.from({ length: count }, (_, a) => packed.actionAt(a));
      const reference = referenceEnabledActions(instance, world);
      expect(listed.map((a) => canonical(a))).toEqual(reference.map((a) => canonical(a)));
      if (count === 0) break;
      packed.setParent(parent, 0);
      for (let a = 0; a < count; a++) {
        packed.successor(parent, 0, a, child, 0);
        const incremental = fingerprintText();
        const expected = referenceStep(instance, world, listed[a]!);
        expect(exact(packed.unpack(child, 0))).toBe(exact(expected));
        // The same world packed from its objects: the same fingerprint, from scratch.
        packed.pack(expected, fresh, 0);
        packed.fingerprint(fresh, 0);
        expect(fingerprintText()).toBe(incremental);
        note(expected, incremental);
        const key = keys.get(`key:${worldKey(instance, expected)}`);
        expect(key).toBe(incremental);
      }
      compared += count;
      const chosen = next() % count;
      packed.list(parent, 0);
      packed.setParent(parent, 0);
      packed.successor(parent, 0, chosen, child, 0);
      parent.set(child);
    }
  }
  return compared;
}

const NETWORKS: readonly NetworkSemantics[] = ['unordered', 'fifo', 'set'];

describe('the packed representation equals the reference semantics', () => {
  for (const suite of suites) {
    const mutants = [null, ...Object.keys(suite.model.mutants)];
    for (const network of NETWORKS) {
      test(`${suite.model.name}, ${network} network, the model and its ${mutants.length - 1} mutants`, () => {
        let compared = 0;
        for (const mutant of mutants) {
          const faults = parseFaults('loss=2,duplicate=2,crash=2,partition=1', network);
          const instance = resolveInstance(suite.model, { mutant, faults });
          compared += compare(instance, 2, 25, 7 + mutants.indexOf(mutant), new Map());
        }
        expect(compared).toBeGreaterThan(50 * mutants.length);
      });
    }
  }
});

describe('fingerprints follow world keys', () => {
  const suite = suites.find((s) => s.model.name === 'two-phase-commit')!;
  const fingerprintOf = (packed: Packed, world: World): string => {
    const t = new Int32Array(packed.width);
    packed.pack(world, t, 0);
    packed.fingerprint(t, 0);
    return `${packed.hi}:${packed.lo}`;
  };
  const withNetwork = (instance: Instance, network: World['network']): World => ({ ...referenceInitialWorld(instance), network });
  const [tm, rm1, rm2] = ['tm', 'rm1', 'rm2'];
  const a = { from: tm, to: rm1, message: { type: 'Prepare' } };
  const b = { from: tm, to: rm1, message: { type: 'Commit' } };
  const c = { from: tm, to: rm2, message: { type: 'Prepare' } };

  test('fifo: the order on one link counts, the interleaving of links does not', () => {
    const instance = resolveInstance(suite.model, { faults: parseFaults('', 'fifo') });
    const packed = new Packed(instance);
    expect(fingerprintOf(packed, withNetwork(instance, [a, c, b]))).toBe(fingerprintOf(packed, withNetwork(instance, [c, a, b])));
    expect(fingerprintOf(packed, withNetwork(instance, [a, b, c]))).not.toBe(fingerprintOf(packed, withNetwork(instance, [b, a, c])));
  });

  test('unordered: the order of messages does not count, their multiplicity does', () => {
    const instance = resolveInstance(suite.model, { faults: parseFaults('', 'unordered') });
    const packed = new Packed(instance);
    expect(fingerprintOf(packed, withNetwork(instance, [a, b, c]))).toBe(fingerprintOf(packed, withNetwork(instance, [c, b, a])));
    expect(fingerprintOf(packed, withNetwork(instance, [a, a, b]))).not.toBe(fingerprintOf(packed, withNetwork(instance, [a, b, b])));
  });
});
