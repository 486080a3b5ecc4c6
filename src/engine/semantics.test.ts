/**
 * The packed path's World functions (packed.ts: `initialWorld`, `enabledActions`, `step`, which
 * pack, list or step the tuple and unpack it) against the reference definition (semantics.ts): for every
 * registered model and each of its mutants, under each network semantics with every fault
 * enabled, seeded random walks compare at every step the enabled actions (same actions, same
 * order) and the successor of each of them (same nodes, messages in the same order, partition,
 * fault counters and observations in the same order). The packing runs warm, as it does in
 * the explorers: its tables are shared by every walk.
 */
import { describe, expect, test } from 'vitest';
import { suites } from '../../properties/registry.js';
import { canonical } from './canonical.js';
import { parseFaults, type NetworkSemantics } from './faults.js';
import { resolveInstance, type Instance } from './instance.js';
import { nodeKey, objectKey } from './node-step.js';
import { referenceEnabledActions, referenceInitialWorld, referenceStep } from './semantics.js';
import { enabledActions, initialWorld, step } from './packed.js';
import { envelopeKey, type World } from './world.js';

/** Everything that tells two worlds apart, order included (enabled actions follow the network order). */
function exact(world: World): string {
  return canonical({
    nodes: world.nodes.map(nodeKey),
    network: world.network.map(envelopeKey),
    partition: world.partition,
    used: world.used,
    observations: world.observations.map(objectKey),
  });
}

/** Walks `walks` seeded random paths of up to `depth` steps; returns how many steps were compared. */
function compare(instance: Instance, walks: number, depth: number, seed: number): number {
  let x = seed >>> 0 || 1;
  const next = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), x >>> 0);
  let compared = 0;
  expect(exact(initialWorld(instance))).toBe(exact(referenceInitialWorld(instance)));
  for (let w = 0; w < walks; w++) {
    let world = initialWorld(instance);
    for (let k = 0; k < depth; k++) {
      const fast = enabledActions(instance, world);
      const reference = referenceEnabledActions(instance, world);
      expect(fast.map((a) => canonical(a))).toEqual(reference.map((a) => canonical(a)));
      if (fast.length === 0) break;
      for (const action of fast) expect(exact(step(instance, world, action))).toBe(exact(referenceStep(instance, world, action)));
      compared += fast.length;
      world = step(instance, world, fast[next() % fast.length]!);
    }
  }
  return compared;
}

const NETWORKS: readonly NetworkSemantics[] = ['unordered', 'fifo', 'set'];

describe('the packed path (World functions) equals the reference semantics', () => {
  for (const suite of suites) {
    const mutants = [null, ...Object.keys(suite.model.mutants)];
    for (const network of NETWORKS) {
      test(`${suite.model.name}, ${network} network, the model and its ${mutants.length - 1} mutants`, () => {
        let compared = 0;
        for (const mutant of mutants) {
          const faults = parseFaults('loss=2,duplicate=2,crash=2,partition=1', network);
          const instance = resolveInstance(suite.model, { mutant, faults });
          compared += compare(instance, 4, 30, 7 + mutants.indexOf(mutant));
        }
        // Every combination took real steps (a walk that stopped at once would compare nothing).
        expect(compared).toBeGreaterThan(100 * mutants.length);
      });
    }
  }
});
