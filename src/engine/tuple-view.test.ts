/**
 * What properties see of a tuple (packed.ts's `view`, view.ts's TupleView) against the view of
 * the same world unpacked (`viewOf`): equal in every part on seeded walks of every model, under
 * every fault; node views are made once per (node, node-state id) and then only looked up; and
 * `stepBy` (an action given from outside) refuses what is not there, as the reference does.
 */
import { describe, expect, test } from 'vitest';
import { suites } from '../../properties/registry.js';
import { canonical } from './canonical.js';
import { parseFaults } from './faults.js';
import { resolveInstance, type Instance } from './instance.js';
import { Packed, step } from './packed.js';
import { viewOf, type WorldView } from './view.js';

/** Every part of a view, with the node and role look-ups, as text. */
function parts(instance: Instance, view: WorldView): string {
  const roles = [...new Set(instance.nodes.map((n) => n.role))];
  return canonical({
    nodes: view.nodes,
    network: view.network,
    observations: view.observations,
    params: view.params,
    faultsUsed: view.faultsUsed,
    byId: instance.nodes.map((n) => view.node(n.id)),
    byRole: roles.map((r) => view.role(r)),
  });
}

/** Seeded walks over tuples; calls `visit` with the packing and each tuple met. */
function walk(instance: Instance, walks: number, depth: number, visit: (packed: Packed, t: Int32Array) => void): void {
  let x = 0x2545f491;
  const next = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), x >>> 0);
  const packed = new Packed(instance);
  let here = new Int32Array(packed.width);
  let there = new Int32Array(packed.width);
  for (let w = 0; w < walks; w++) {
    packed.initial(here, 0);
    for (let d = 0; d < depth; d++) {
      visit(packed, here);
      const count = packed.list(here, 0);
      if (count === 0) break;
      packed.setParent(here, 0);
      packed.successor(here, 0, next() % count, there, 0);
      [here, there] = [there, here];
    }
  }
}

describe('tuple views', () => {
  for (const suite of suites) {
    test(`${suite.model.name}: the view of a tuple equals the view of its world, every part`, () => {
      const instance = resolveInstance(suite.model, { faults: parseFaults('loss,duplicate,crash,partition', 'unordered') });
      let compared = 0;
      walk(instance, 20, 25, (packed, t) => {
        expect(parts(instance, packed.view(t, 0))).toBe(parts(instance, viewOf(instance, packed.unpack(t, 0))));
        compared++;
      });
      expect(compared).toBeGreaterThan(100);
    });
  }

  test('node views are made once per node and node-state id, then looked up', () => {
    const suite = suites.find((s) => s.model.name === 'two-phase-commit')!;
    const instance = resolveInstance(suite.model, { preset: 'tla', config: { rms: 2 } });
    const packed = new Packed(instance);
    const initial = new Int32Array(packed.width);
    packed.initial(initial, 0);
    expect([...initial]).toEqual([0, 1, 2, 0, 0, 0]);
    // rm1 prepares (action 1, README's worked step): only slot 1 of the nodes changes.
    expect(packed.list(initial, 0)).toBe(5);
    packed.setParent(initial, 0);
    const prepared = new Int32Array(packed.width);
    packed.successor(initial, 0, 1, prepared, 0);
    expect([...prepared]).toEqual([0, 4, 2, 1, 1, 0]);
    const before = packed.view(initial, 0);
    const after = packed.view(prepared, 0);
    // Same ids, same objects: tm and rm2 did not change.
    expect(after.node('tm')).toBe(before.node('tm'));
    expect(after.node('rm2')).toBe(before.node('rm2'));
    expect(after.role('rm')[1]).toBe(before.node('rm2'));
    expect(after.node('rm1')).not.toBe(before.node('rm1'));
    expect(after.node('rm1')).toBe(packed.nodeView(1, 4));
    expect(after.node('rm1').context).toEqual({ id: 'rm1', tm: 'tm', status: 'prepared' });
    expect(after.network).toEqual([{ from: 'rm1', to: 'tm', message: { type: 'Prepared', rm: 'rm1' } }]);
    expect(after.observations).toEqual([{ type: 'Voted', rm: 'rm1' }]);
    // The network list is kept per network id.
    expect(packed.view(prepared, 0).network).toBe(after.network);
    // A view holds a copy of the ids: the tuple it came from may be overwritten.
    prepared.set(initial);
    expect(after.node('rm1').state).toBe('prepared');
    expect(() => after.node('nobody')).toThrow("no node 'nobody'");
  });

  test('an action given from outside that names what is not there is refused', () => {
    const suite = suites.find((s) => s.model.name === 'two-phase-commit')!;
    const instance = resolveInstance(suite.model, { preset: 'tla', config: { rms: 2 } });
    const packed = new Packed(instance);
    const initial = new Int32Array(packed.width);
    packed.initial(initial, 0);
    const start = packed.unpack(initial, 0);
    expect(() => step(instance, start, { type: 'drop', from: 'rm1', to: 'tm', message: { type: 'Prepared', rm: 'rm1' } })).toThrow(
      /no message .*Prepared.* in flight/,
    );
    expect(() => step(instance, start, { type: 'crash', node: 'rm9' })).toThrow("unknown node 'rm9'");
    expect(() => step(instance, start, { type: 'partition', groups: [['tm'], ['rm1']] })).toThrow('not a split of the nodes into two groups');
  });
});
