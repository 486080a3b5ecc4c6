/** The cluster's wire: frames, world tuples and items sent once per peer (no NATS here). */
import { describe, expect, test } from 'vitest';
import { resolveInstance } from '../engine/instance.js';
import { enabledActions, initialWorld, step } from '../engine/packed.js';
import { suites } from '../../properties/registry.js';
import { encodeWorld, WorldDecoder } from './engine-adapter.js';
import { ItemsToPeer, ItemTable } from './items.js';
import { frame, ItemsIn, mapTuples, ProtocolError, pushTuple, readTuple, TupleList, tupleStarts, unframe } from './wire.js';

const twoPhase = suites.find((s) => s.model.name === 'two-phase-commit')!;

describe('cluster wire', () => {
  test('a frame gives back its header and arrays; a cut one is a ProtocolError', () => {
    const data = frame({ op: 'expand', unit: 3 }, [Uint32Array.of(1, 2, 255), new Uint32Array(0), Uint32Array.of(256, 65535, 7), Uint32Array.of(0xffffffff, 65536)]);
    const { header, arrays } = unframe<{ op: string; unit: number }>(data);
    expect(header).toEqual({ op: 'expand', unit: 3 });
    expect(arrays.map((a) => Array.from(a))).toEqual([[1, 2, 255], [], [256, 65535, 7], [0xffffffff, 65536]]);
    // Each array at the narrowest width that holds it (1, 2 or 4 bytes a value, padded to 4): a 24-byte header after 8, then 4+4, 4, 4+8, 4+8.
    expect(data.length).toBe(8 + 24 + 8 + 4 + 12 + 12);
    // The same frame read from inside a bigger Buffer (as NATS hands it over, at an odd offset) reads the same.
    const pool = Buffer.alloc(data.length + 3);
    pool.set(data, 3);
    expect(unframe(pool.subarray(3)).arrays.map((a) => Array.from(a))).toEqual(arrays.map((a) => Array.from(a)));
    // A length word naming no width is refused.
    const bad = data.slice();
    new DataView(bad.buffer).setUint32(32, 0xc0000003, true);
    expect(() => unframe(bad)).toThrow(/has no width/);
    expect(() => unframe(data.subarray(0, data.length - 2))).toThrow(ProtocolError);
    expect(() => unframe(new Uint8Array(3))).toThrow(ProtocolError);
  });

  test("worlds cross as tuples: the same worlds come back, and an item's text crosses once", () => {
    const instance = resolveInstance(twoPhase.model, { config: { preset: 'tla', rms: 3 } });
    const worlds = [initialWorld(instance)];
    // The first 60 worlds breadth-first (duplicates and all).
    for (let k = 0; worlds.length < 60; k++) for (const a of enabledActions(instance, worlds[k]!)) worlds.push(step(instance, worlds[k]!, a));
    expect(worlds.length).toBeGreaterThanOrEqual(60);
    const table = new ItemTable();
    const out = new ItemsToPeer(table);
    const tuples: number[] = [];
    for (const w of worlds) pushTuple(encodeWorld(w), (item) => out.id(table.intern(item)), tuples);
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
    for (const w of worlds) pushTuple(encodeWorld(w), (item) => out.id(table.intern(item)), []);
    expect(out.takeFresh().texts).toEqual([]);
    // A definition out of order (a lost message) is refused, not guessed.
    expect(() => into.define({ first: fresh.texts.length + 5, texts: ['x'] })).toThrow(/a message was lost/);
    expect(() => tupleStarts(packed, worlds.length + 1)).toThrow(ProtocolError);
  });

  test("a tuple changes numbering item by item (a peer's numbers to the run's and back), with no text", () => {
    const instance = resolveInstance(twoPhase.model, { config: { preset: 'tla', rms: 3 } });
    const worlds = [initialWorld(instance)];
    for (let k = 0; worlds.length < 40; k++) for (const a of enabledActions(instance, worlds[k]!)) worlds.push(step(instance, worlds[k]!, a));
    // The worker's side: its own table and numbers.
    const workerTable = new ItemTable();
    const workerOut = new ItemsToPeer(workerTable);
    const fromWorker: number[] = [];
    for (const w of worlds) pushTuple(encodeWorld(w), (item) => workerOut.id(workerTable.intern(item)), fromWorker);
    // The coordinator's: a run table that already holds other items, so the numbers differ.
    const run = new ItemTable();
    run.intern('something else');
    run.intern('and more');
    const received = new ItemsIn<number>((text) => run.intern(text));
    received.define(workerOut.takeFresh());
    const inRun = mapTuples(Uint32Array.from(fromWorker), worlds.length, (id) => received.get(id));
    expect(Array.from(inRun)).not.toEqual(fromWorker);
    const list = new TupleList();
    const tenth = tupleStarts(inRun, worlds.length)[10]!;
    list.append(inRun.subarray(0, tenth), 10);
    list.append(inRun.subarray(tenth), worlds.length - 10);
    expect(list.count).toBe(worlds.length);
    const decoder = new WorldDecoder();
    const back = Array.from({ length: worlds.length }, (_, k) => encodeWorld(decoder.decode(list.text(k, (id) => run.text(id)))));
    expect(back).toEqual(worlds.map(encodeWorld));
    // Out to another peer: its numbers, then back to the run's, give the same tuples.
    const peer = new ItemsToPeer(run);
    const toPeer = mapTuples(list.slice(5, 25), 20, (id) => peer.id(id));
    const peerIn = new ItemsIn<number>((text) => run.intern(text));
    peerIn.define(peer.takeFresh());
    expect(Array.from(mapTuples(toPeer, 20, (id) => peerIn.get(id)))).toEqual(Array.from(list.slice(5, 25)));
    // Cut short, one too many, or an item never defined: refused.
    expect(() => mapTuples(inRun.subarray(0, inRun.length - 1), worlds.length, (id) => id)).toThrow(ProtocolError);
    expect(() => mapTuples(inRun, worlds.length - 1, (id) => id)).toThrow(/numbers after the last of/);
    expect(() => mapTuples(Uint32Array.of(1, 99, 0, 0, 0, 0), 1, (id) => received.get(id))).toThrow(/item 99 was never defined/);
  });
});
