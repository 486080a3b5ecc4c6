/**
 * Successor fingerprints derived from the parent (successor.ts) equal the fingerprints of the
 * successors built by `step`, for every action the module derives, on every model and network
 * semantics: with faults (unordered network: a delivery consumes its message; crashes, partitions),
 * on a set network (a message re-sent while in flight is not added), on the `tla` presets, and under
 * every mutant, whose steps differ.
 */
import { describe, expect, test } from 'vitest';
import { suites } from '../../../properties/registry.js';
import type { FaultSettings } from '../../engine/faults.js';
import type { Model } from '../../engine/model.js';
import { resolveInstance, type InstanceOptions } from '../../engine/instance.js';
import { worldKey, type World } from '../../engine/world.js';
import { enabledActions, initialWorld, listedSteps, step } from '../../engine/fast-step.js';
import { ParentParts, successorFingerprint } from './successor.js';
import { worldFingerprint } from '../../engine/fingerprint.js';

const faults: FaultSettings = { network: 'unordered', loss: 1, duplicate: 1, crash: 1, partition: 1 };
// A set network with the models' own steps: retries re-send messages already in flight.
const setNetwork: FaultSettings = { network: 'set', loss: 0, duplicate: 0, crash: 1, partition: 0 };

/** Breadth-first over the first `limit` worlds; for each, every enabled action. Returns [derived, compared]. */
function compare(model: Model, options: InstanceOptions, limit: number): [number, number] {
  const instance = resolveInstance(model, options);
  let derived = 0;
  let mismatches = 0;
  const seen = new Set<string>();
  let frontier: World[] = [initialWorld(instance)];
  while (frontier.length > 0 && seen.size < limit) {
    const next: World[] = [];
    for (const world of frontier) {
      const parent = new ParentParts(instance, world);
      const actions = enabledActions(instance, world);
      // The node steps the listing computed, as the searches pass them (copied: `step` below lists nothing, but the test should not lean on it).
      const steps = listedSteps().slice(0, actions.length);
      for (let a = 0; a < actions.length; a++) {
        const action = actions[a]!;
        const successor = step(instance, world, action);
        const expected = worldFingerprint(instance, successor);
        const f = successorFingerprint(instance, parent, action);
        if (f !== null) {
          derived++;
          if (f.hi !== expected.hi || f.lo !== expected.lo) mismatches++;
        }
        // With the listing's step: the same fingerprint.
        const g = successorFingerprint(instance, parent, action, steps[a]!);
        if ((g === null) !== (f === null) || (g !== null && (g.hi !== expected.hi || g.lo !== expected.lo))) mismatches++;
        const key = worldKey(instance, successor);
        if (!seen.has(key) && seen.size < limit) {
          seen.add(key);
          next.push(successor);
        }
      }
    }
    frontier = next;
  }
  return [derived, mismatches];
}

describe('successor fingerprints equal those of the built successors', () => {
  const cases = suites.flatMap((suite) => {
    const model = suite.model;
    const variants = [null, ...Object.keys(model.mutants)];
    return variants.flatMap((mutant) => [
      [`${model.name}${mutant ? ` (${mutant})` : ''}, faults`, model, { mutant, faults }] as const,
      [`${model.name}${mutant ? ` (${mutant})` : ''}, set network`, model, { mutant, faults: setNetwork }] as const,
      ...(model.presets?.tla ? [[`${model.name}${mutant ? ` (${mutant})` : ''}, tla`, model, { mutant, config: { preset: 'tla' } }] as const] : []),
    ]);
  });
  test.each(cases)('%s', (_name, model, options) => {
    const [derived, mismatches] = compare(model, options as InstanceOptions, 400);
    expect(derived).toBeGreaterThan(0);
    expect(mismatches).toBe(0);
  });
});
