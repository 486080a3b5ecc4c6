/** The cluster's wire: frames, world tuples and items sent once per peer (no NATS here). */
import { describe, expect, test } from 'vitest';
import { resolveInstance } from '../engine/instance.js';
import { enabledActions, initialWorld, step } from '../engine/packed.js';
import { suites } from '../../properties/registry.js';
import { encodeWorld, WorldDecoder } from './engine-adapter.js';
import { frame, ItemsIn, ItemsOut, ProtocolError, pushTuple, readTuple, tupleStarts, unframe } from './wire.js';

const twoPhase = suites.find((s) => s.model.name === 'two-phase-commit')!;

describe('cluster wire', () => {
  test('a frame gives back its header and arrays; a cut one is a ProtocolError', () => {
    const data = frame({ op: 'expand', unit: 3 }, [Uint32Array.of(1, 2, 3), new Uint32Array(0), Uint32Array.of(0xffffffff)]);
    const { header, arrays } = unframe<{ op: string; unit: number }>(data);
    expect(header).toEqual({ op: 'expand', unit: 3 });
    expect(arrays.map((a) => Array.from(a))).toEqual([[1, 2, 3], [], [0xffffffff]]);
    expect(() => unframe(data.subarray(0, data.length - 2))).toThrow(ProtocolError);
    expect(() => unframe(new Uint8Array(3))).toThrow(ProtocolError);
  });

  test("worlds cross as tuples: the same worlds come back, and an item's text crosses once", () => {
    const instance = resolveInstance(twoPhase.model, { config: { preset: 'tla', rms: 3 } });
    const worlds = [initialWorld(instance)];
    // The first 60 worlds breadth-first (duplicates and all).
    for (let k = 0; worlds.length < 60; k++) for (const a of enabledActions(instance, worlds[k]!)) worlds.push(step(instance, worlds[k]!, a));
    expect(worlds.length).toBeGreaterThanOrEqual(60);
    const out = new ItemsOut();
    const tuples: number[] = [];
    for (const w of worlds) pushTuple(encodeWorld(w), (item) => out.id(item), tuples);
    const fresh = out.takeFresh();
    const into = new ItemsIn<string>((t) => t);
    into.define(fresh);
    const packed = Uint32Array.from(tuples);
    const starts = tupleStarts(packed, worlds.length);
    const decoder = new WorldDecoder();
    const back = starts.slice(0, -1).map((at) => decoder.decode(readTuple(packed, at, (id) => into.get(id)).text));
    expect(back.map(encodeWorld)).toEqual(worlds.map(encodeWorld));
    // Far fewer item texts than items used: each crossed once.
    expect(fresh.texts.length).toBe(new Set(fresh.texts).size);
    expect(fresh.texts.length).toBeLessThan(tuples.length / 2);
    // Nothing new the second time.
    for (const w of worlds) pushTuple(encodeWorld(w), (item) => out.id(item), []);
    expect(out.takeFresh().texts).toEqual([]);
    // A definition out of order (a lost message) is refused, not guessed.
    expect(() => into.define({ first: fresh.texts.length + 5, texts: ['x'] })).toThrow(/a message was lost/);
    expect(() => tupleStarts(packed, worlds.length + 1)).toThrow(ProtocolError);
  });
});
