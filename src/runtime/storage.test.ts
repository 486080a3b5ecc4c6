/**
 * File storage as checkpoint and journal: a save writes what changed (a Raft log's new entries,
 * not the log), a load replays the journal onto its checkpoint exactly, a torn last line is
 * ignored, lines from before a newer checkpoint are skipped, a damaged line is refused with the
 * file and line named, and a checkpoint is written once the journal outgrows the last one.
 */
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { applyDelta, diffPersisted, sameJson } from './json-delta.js';
import { fileStorage, type StoredNode } from './storage.js';

const dir = mkdtempSync(join(tmpdir(), 'protokit-storage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Entry = { term: number; command: string };
const entry = (i: number, term = 1): Entry => ({ term, command: `put k${i % 5} v${i}` });
const record = (incarnation: number, persisted: Record<string, unknown>): StoredNode => ({ format: 'protokit-node/1', model: 'raft', node: 'n1', incarnation, persisted });
const lines = (path: string) => readFileSync(`${path}.journal`, 'utf8').split('\n').filter((l) => l.length > 0);

describe('deltas of persisted fields', () => {
  test('an append keeps the prefix and adds the new items; a conflict keeps less; other fields are set or removed', () => {
    const log = [entry(0), entry(1)];
    expect(diffPersisted({ currentTerm: 1, log }, { currentTerm: 1, log: [...log, entry(2)] })).toEqual({ lists: { log: { keep: 2, add: [entry(2)] } } });
    expect(diffPersisted({ currentTerm: 1, log }, { currentTerm: 2, log: [log[0], entry(1, 2)] })).toEqual({ set: { currentTerm: 2 }, lists: { log: { keep: 1, add: [entry(1, 2)] } } });
    expect(diffPersisted({ votedFor: 'n2', log }, { log: [...log] })).toEqual({ unset: ['votedFor'] });
    expect(diffPersisted({ log }, { log: JSON.parse(JSON.stringify(log)) })).toBeNull();
    expect(applyDelta({ log }, { lists: { log: { keep: 3, add: [] } } })).toBe('lists.log: expected { keep: 0..2, add: [...] }');
    expect(applyDelta({ log }, { lists: { log: { keep: 1, add: [entry(9)] } } })).toEqual({ log: [entry(0), entry(9)] });
    expect(sameJson({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(sameJson({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toBe(false);
    expect(sameJson([1], { 0: 1 })).toBe(false);
  });
});

describe('fileStorage: checkpoint and journal', () => {
  test('saves append only what changed, whatever the log length; a load replays them exactly', async () => {
    const path = join(dir, 'replay', 'n1.json');
    const storage = fileStorage(path);
    let log: Entry[] = Array.from({ length: 2000 }, (_, i) => entry(i));
    await storage.save(record(1, { currentTerm: 1, votedFor: 'n2', log }));
    const checkpointSize = statSync(path).size;
    for (let i = 2000; i < 2010; i++) {
      log = [...log, entry(i)];
      await storage.save(record(1, { currentTerm: 1, votedFor: 'n2', log }));
    }
    // A conflicting entry replaces the last two, and a new term forgets the vote.
    log = [...log.slice(0, 2008), entry(2008, 2)];
    await storage.save(record(1, { currentTerm: 2, log }));
    await storage.save(record(1, { currentTerm: 2, log })); // nothing changed: nothing written
    expect(statSync(path).size).toBe(checkpointSize);
    const journal = lines(path);
    expect(journal).toHaveLength(11);
    expect(Math.max(...journal.map((l) => l.length))).toBeLessThan(200);
    expect(JSON.parse(journal[10]!)).toMatchObject({ set: { currentTerm: 2 }, unset: ['votedFor'], lists: { log: { keep: 2008, add: [entry(2008, 2)] } } });
    expect(await fileStorage(path).load()).toEqual(record(1, { currentTerm: 2, log }));
  });

  test('a torn last line is ignored, and the next save writes a checkpoint', async () => {
    const path = join(dir, 'torn', 'n1.json');
    const storage = fileStorage(path);
    await storage.save(record(1, { currentTerm: 1, log: [entry(0)] }));
    await storage.save(record(1, { currentTerm: 1, log: [entry(0), entry(1)] }));
    appendFileSync(`${path}.journal`, '{"generation":"x","lists":{"lo');
    const again = fileStorage(path);
    expect(await again.load()).toEqual(record(1, { currentTerm: 1, log: [entry(0), entry(1)] }));
    await again.save(record(2, { currentTerm: 1, log: [entry(0), entry(1)] }));
    expect(readFileSync(`${path}.journal`, 'utf8')).toBe('');
    await again.save(record(2, { currentTerm: 3, log: [entry(0), entry(1)] }));
    expect(lines(path)).toHaveLength(1);
    expect(await fileStorage(path).load()).toEqual(record(2, { currentTerm: 3, log: [entry(0), entry(1)] }));
  });

  test('lines of an older checkpoint (a crash before the journal was emptied) are skipped', async () => {
    const path = join(dir, 'stale', 'n1.json');
    const storage = fileStorage(path);
    await storage.save(record(1, { currentTerm: 1 }));
    await storage.save(record(1, { currentTerm: 2 }));
    copyFileSync(`${path}.journal`, join(dir, 'stale', 'old.journal'));
    await storage.save(record(2, { currentTerm: 2 })); // a checkpoint: the journal is emptied
    copyFileSync(join(dir, 'stale', 'old.journal'), `${path}.journal`); // as if emptying it never landed
    expect(await fileStorage(path).load()).toEqual(record(2, { currentTerm: 2 }));
  });

  test('a damaged line is refused with the file and the line named', async () => {
    const path = join(dir, 'damaged', 'n1.json');
    const storage = fileStorage(path);
    await storage.save(record(1, { log: [entry(0)] }));
    await storage.save(record(1, { log: [entry(0), entry(1)] }));
    const generation = (JSON.parse(readFileSync(path, 'utf8')) as { generation: string }).generation;
    writeFileSync(`${path}.journal`, `${readFileSync(`${path}.journal`, 'utf8')}{"generation":"${generation}","lists":{"log":{"keep":7,"add":[]}}}\n`);
    await expect(fileStorage(path).load()).rejects.toThrow(`${path}.journal: line 2: lists.log: expected { keep: 0..2, add: [...] }`);
    writeFileSync(`${path}.journal`, 'not json\n');
    await expect(fileStorage(path).load()).rejects.toThrow(`${path}.journal: line 1 is not JSON`);
  });

  test('once the journal outgrows the checkpoint, the next save writes a checkpoint', async () => {
    const path = join(dir, 'grow', 'n1.json');
    const storage = fileStorage(path, { minJournalBytes: 0 });
    let log: Entry[] = [entry(0), entry(1), entry(2)];
    await storage.save(record(1, { log }));
    const first = statSync(path).size;
    const journalSizes: number[] = [];
    for (let i = 3; i < 12; i++) {
      log = [...log, entry(i)];
      await storage.save(record(1, { log }));
      journalSizes.push(lines(path).length);
    }
    // Each line (~100 bytes: the checkpoint's id and one entry) adds an entry; the checkpoint
    // (~200 bytes with 3 entries) is rewritten when the journal would pass it, and holds the whole
    // log then, so checkpoints come further apart as the log grows.
    expect(journalSizes).toEqual([1, 2, 0, 1, 2, 0, 1, 2, 3]);
    expect(statSync(path).size).toBeGreaterThan(first);
    expect(await fileStorage(path).load()).toEqual(record(1, { log }));
  });
});
