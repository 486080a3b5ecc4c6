/**
 * Tuples between threads (tuple-wire.ts): two packings of one instance intern in different
 * orders, so their ids differ; a batch from one, decoded by the other, must unpack to the very
 * same worlds (exact keys, network order and observations included), and a definition crosses
 * once per peer: a second batch of worlds already sent carries none.
 */
import { describe, expect, test } from 'vitest';
import { suites } from '../../../properties/registry.js';
import { canonical } from '../../engine/canonical.js';
import { parseFaults, type NetworkSemantics } from '../../engine/faults.js';
import { resolveInstance, type Instance } from '../../engine/instance.js';
import { nodeKey, objectKey } from '../../engine/node-step.js';
import { Packed } from '../../engine/packed.js';
import { envelopeKey, type World } from '../../engine/world.js';
import { TupleReceiver, TupleSender, type TupleBatch } from './tuple-wire.js';

function exact(world: World): string {
  return canonical({ nodes: world.nodes.map(nodeKey), network: world.network.map(envelopeKey), partition: world.partition, used: world.used, observations: world.observations.map(objectKey) });
}

/** The first `limit` worlds of a breadth-first walk (duplicates kept: they are worlds all the same), as tuples of `packed`. */
function reachable(packed: Packed, limit: number): Int32Array {
  const { width } = packed;
  const out = new Int32Array(limit * width);
  packed.initial(out, 0);
  let count = 1;
  for (let at = 0; at < count && count < limit; at++) {
    const actions = packed.list(out, at * width);
    packed.setParent(out, at * width);
    for (let a = 0; a < actions && count < limit; a++) packed.successor(out, at * width, a, out, count++ * width);
  }
  return out.subarray(0, count * width);
}

function definitions(batch: TupleBatch): number {
  return batch.nodes.length + batch.envelopes.length + batch.observations.length + batch.networks.length + batch.observationSets.length + batch.faults.length;
}

function crossing(instance: Instance, limit: number): void {
  const a = new Packed(instance);
  const b = new Packed(instance);
  const tuples = reachable(a, limit);
  const count = tuples.length / a.width;
  // b interns the same worlds last-first, and a fault-free initial world first: its ids differ from a's.
  const own = new Int32Array(a.width);
  for (let k = count - 1; k >= 0; k--) b.pack(a.unpack(tuples, k * a.width), own, 0);
  const sender = new TupleSender(a);
  const receiver = new TupleReceiver(b);
  // Two batches: the second half names definitions the first half may already have sent.
  const half = Math.floor(count / 2);
  const first = sender.encode(tuples, 0, half);
  const second = sender.encode(tuples, half, count - half);
  const decoded = new Int32Array(tuples.length);
  receiver.decode(structuredClone(first), decoded, 0);
  receiver.decode(structuredClone(second), decoded, half * a.width);
  let differ = 0;
  for (let k = 0; k < count; k++) {
    expect(exact(b.unpack(decoded, k * a.width))).toBe(exact(a.unpack(tuples, k * a.width)));
    for (let j = 0; j < a.width; j++) if (decoded[k * a.width + j] !== tuples[k * a.width + j]) differ++;
    // Equal worlds, equal fingerprints in both threads.
    a.fingerprint(tuples, k * a.width);
    const fa = [a.hi, a.lo];
    b.fingerprint(decoded, k * a.width);
    expect([b.hi, b.lo]).toEqual(fa);
  }
  expect(differ).toBeGreaterThan(0);
  // Sent again: only ids cross, no definition.
  const again = sender.encode(tuples, 0, count);
  expect(definitions(again)).toBe(0);
  expect(definitions(first)).toBeGreaterThan(0);
  const twice = new Int32Array(tuples.length);
  receiver.decode(again, twice, 0);
  expect(Array.from(twice)).toEqual(Array.from(decoded));
}

describe('tuples cross threads with their definitions, once per peer', () => {
  const networks: readonly NetworkSemantics[] = ['unordered', 'fifo', 'set'];
  for (const name of ['two-phase-commit', 'paxos', 'raft']) {
    for (const network of networks) {
      test(`${name}, ${network} network, every fault`, () => {
        const suite = suites.find((s) => s.model.name === name)!;
        crossing(resolveInstance(suite.model, { faults: parseFaults('loss=1,duplicate=1,crash=1,partition=1', network) }), 600);
      });
    }
  }

  test('a batch naming an id its peer never defined is refused, not misread', () => {
    const suite = suites.find((s) => s.model.name === 'two-phase-commit')!;
    const instance = resolveInstance(suite.model, {});
    const a = new Packed(instance);
    const tuples = reachable(a, 50);
    const sender = new TupleSender(a);
    sender.encode(tuples, 0, 50); // defined to a receiver that never reads it
    const late = new TupleReceiver(new Packed(instance));
    expect(() => late.decode(sender.encode(tuples, 0, 50), new Int32Array(tuples.length), 0)).toThrow(/arrived before its definition/);
  });
});
