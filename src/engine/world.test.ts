/**
 * The engine's promises, checked on Two-Phase Commit: step is pure, the order of enabled actions
 * is stable, a crash keeps exactly the persisted fields, loss and duplication do what they say.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import suite from '../../properties/two-phase-commit/index.js';
import { canonical } from './canonical.js';
import { parseFaults } from './faults.js';
import { resolveInstance } from './instance.js';
import { worldKey, type World } from './world.js';
import { enabledActions, initialWorld, step } from './packed.js';

const instance = resolveInstance(suite.model, { faults: parseFaults('loss=5,duplicate=5,crash=5,partition=2', 'unordered') });

/** A world reached by following `choices` from the initial world. */
function walk(choices: readonly number[]): World {
  let world = initialWorld(instance);
  for (const choice of choices) {
    const enabled = enabledActions(instance, world);
    if (enabled.length === 0) break;
    world = step(instance, world, enabled[choice % enabled.length]!);
  }
  return world;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const choices = fc.array(fc.nat(), { maxLength: 30 });

describe('world', () => {
  test('step never mutates its input (every action from every reachable world)', () => {
    fc.assert(
      fc.property(choices, (path) => {
        const world = walk(path);
        const before = canonical(world);
        for (const action of enabledActions(instance, world)) {
          step(instance, world, action);
          expect(canonical(world)).toBe(before);
        }
      }),
      { numRuns: 200, seed: 1 },
    );
  });

  test('step works on deeply frozen worlds (nothing writes into a world)', () => {
    fc.assert(
      fc.property(choices, (path) => {
        const world = deepFreeze(walk(path));
        for (const action of enabledActions(instance, world)) step(instance, world, action);
      }),
      { numRuns: 100, seed: 2 },
    );
  });

  test('the same world gives the same enabled actions in the same order, and the same successors', () => {
    fc.assert(
      fc.property(choices, (path) => {
        const a = walk(path);
        const b = walk(path);
        expect(a).not.toBe(b);
        const ea = enabledActions(instance, a);
        expect(canonical(enabledActions(instance, b))).toBe(canonical(ea));
        for (const action of ea) expect(worldKey(instance, step(instance, b, action))).toBe(worldKey(instance, step(instance, a, action)));
      }),
      { numRuns: 100, seed: 3 },
    );
  });

  test('enabled actions come in the documented order of kinds', () => {
    const order = ['deliver', 'env', 'drop', 'duplicate', 'crash', 'restart', 'partition', 'heal'];
    fc.assert(
      fc.property(choices, (path) => {
        const kinds = enabledActions(instance, walk(path)).map((a) => order.indexOf(a.type));
        expect(kinds).toEqual([...kinds].sort((x, y) => x - y));
      }),
      { numRuns: 200, seed: 4 },
    );
  });

  test('the initial world: every node up in its initial state, nothing in flight', () => {
    const world = initialWorld(instance);
    expect(world.nodes.map((n) => [n.up, n.value])).toEqual([
      [true, 'init'],
      [true, 'working'],
      [true, 'working'],
      [true, 'working'],
    ]);
    expect(world.network).toEqual([]);
    expect(enabledActions(instance, world).map((a) => (a.type === 'env' ? `${a.node}:${a.event.type}` : a.type))).toEqual([
      'tm:Timeout',
      'rm1:Prepare',
      'rm1:ChooseToAbort',
      'rm2:Prepare',
      'rm2:ChooseToAbort',
      'rm3:Prepare',
      'rm3:ChooseToAbort',
      'crash',
      'crash',
      'crash',
      'crash',
      'partition',
      'partition',
      'partition',
      'partition',
      'partition',
      'partition',
      'partition',
    ]);
  });

  test('a crash keeps exactly the persisted fields; a restart restores them and recovers', () => {
    let world = initialWorld(instance);
    world = step(instance, world, { type: 'env', node: 'rm1', event: { type: 'Prepare' } });
    world = step(instance, world, { type: 'crash', node: 'rm1' });
    expect(world.nodes[1]).toEqual({ up: false, value: null, context: { status: 'prepared' } });
    expect(enabledActions(instance, world).some((a) => a.type === 'env' && a.node === 'rm1')).toBe(false);
    world = step(instance, world, { type: 'restart', node: 'rm1' });
    expect(world.nodes[1]).toEqual({ up: true, value: 'prepared', context: { id: 'rm1', tm: 'tm', status: 'prepared' } });
    // Recovery re-sends the vote: the TM may have missed it.
    expect(world.network.filter((e) => e.message.type === 'Prepared')).toHaveLength(2);

    // The TM persists its decision and nothing else: the Prepared votes it had counted are lost.
    let tmWorld = initialWorld(instance);
    tmWorld = step(instance, tmWorld, { type: 'env', node: 'rm1', event: { type: 'Prepare' } });
    tmWorld = step(instance, tmWorld, { type: 'deliver', from: 'rm1', to: 'tm', message: { type: 'Prepared', rm: 'rm1' } });
    expect(tmWorld.nodes[0]!.context.prepared).toEqual(['rm1']);
    tmWorld = step(instance, tmWorld, { type: 'crash', node: 'tm' });
    expect(tmWorld.nodes[0]).toEqual({ up: false, value: null, context: { decision: null } });
    tmWorld = step(instance, tmWorld, { type: 'restart', node: 'tm' });
    expect(tmWorld.nodes[0]!.context).toEqual({ rms: ['rm1', 'rm2', 'rm3'], prepared: [], decision: null });
  });

  test('loss removes one copy of a message; duplication adds one; each counts against its bound', () => {
    const prepared = { from: 'rm1', to: 'tm', message: { type: 'Prepared', rm: 'rm1' } } as const;
    let world = step(instance, initialWorld(instance), { type: 'env', node: 'rm1', event: { type: 'Prepare' } });
    world = step(instance, world, { type: 'duplicate', ...prepared });
    expect(world.network).toHaveLength(2);
    expect(world.used.duplicate).toBe(1);
    // Identical copies give one action of each kind.
    expect(enabledActions(instance, world).filter((a) => a.type === 'deliver')).toHaveLength(1);
    world = step(instance, world, { type: 'drop', ...prepared });
    expect(world.network).toHaveLength(1);
    expect(world.used.loss).toBe(1);
    world = step(instance, world, { type: 'deliver', ...prepared });
    expect(world.network).toHaveLength(0);
    expect(world.nodes[0]!.context.prepared).toEqual(['rm1']);

    const bounded = resolveInstance(suite.model, { faults: parseFaults('loss=1', 'unordered') });
    let w = step(bounded, initialWorld(bounded), { type: 'env', node: 'rm1', event: { type: 'Prepare' } });
    w = step(bounded, w, { type: 'env', node: 'rm2', event: { type: 'Prepare' } });
    expect(enabledActions(bounded, w).filter((a) => a.type === 'drop')).toHaveLength(2);
    w = step(bounded, w, { type: 'drop', ...prepared });
    expect(enabledActions(bounded, w).filter((a) => a.type === 'drop')).toHaveLength(0);
    expect(enabledActions(bounded, w).some((a) => a.type === 'duplicate' || a.type === 'crash')).toBe(false);
  });

  test('a partition stops deliveries across it until healed', () => {
    let world = step(instance, initialWorld(instance), { type: 'env', node: 'rm1', event: { type: 'Prepare' } });
    world = step(instance, world, { type: 'partition', groups: [['tm', 'rm2', 'rm3'], ['rm1']] });
    expect(enabledActions(instance, world).some((a) => a.type === 'deliver')).toBe(false);
    expect(enabledActions(instance, world).at(-1)).toEqual({ type: 'heal' });
    world = step(instance, world, { type: 'heal' });
    expect(enabledActions(instance, world)[0]).toEqual({ type: 'deliver', from: 'rm1', to: 'tm', message: { type: 'Prepared', rm: 'rm1' } });
  });

  test('fifo networks deliver each link in send order; set networks never consume', () => {
    const fifo = resolveInstance(suite.model, { faults: parseFaults('', 'fifo') });
    let w = step(fifo, initialWorld(fifo), { type: 'env', node: 'rm1', event: { type: 'Prepare' } });
    w = step(fifo, w, { type: 'env', node: 'rm1', event: { type: 'Timeout' } });
    w = step(fifo, w, { type: 'env', node: 'rm2', event: { type: 'Prepare' } });
    expect(enabledActions(fifo, w).filter((a) => a.type === 'deliver').map((a) => (a.type === 'deliver' ? a.from : ''))).toEqual(['rm1', 'rm2']);

    const tla = resolveInstance(suite.model, { preset: 'tla' });
    let s = step(tla, initialWorld(tla), { type: 'env', node: 'rm1', event: { type: 'Prepare' } });
    const deliver = enabledActions(tla, s).find((a) => a.type === 'deliver')!;
    s = step(tla, s, deliver);
    expect(s.network).toHaveLength(1);
    // Receiving the same Prepared again would change nothing, so it is not offered.
    expect(enabledActions(tla, s).some((a) => a.type === 'deliver')).toBe(false);
  });
});
