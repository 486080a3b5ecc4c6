/**
 * The three promises of Dean & Ghemawat's section 3.3 added for issue 22, each alone, by exhaustive
 * search on a configuration small enough to complete or to reach its shortest counterexample at
 * once: the correct model holds it, the shipped mutant that gives it teeth breaks it in the
 * shortest run. And the small pass's two new configurations: the one that completes is pinned.
 */
import { describe, expect, test } from 'vitest';
import { explore, withProperties, type Suite } from '../../src/index.js';
import mapreduce from './index.js';

const noFaults = { network: 'unordered', loss: 0, duplicate: 0, crash: 0, partition: 0 } as const;
/** The small pass's second configuration: a backup or a re-executed map beside the first attempt. */
const twoWorkers = { config: { workers: 2, maps: 1, reduces: 1, attempts: 2, retries: 0 }, faults: noFaults, maxStates: 20_000 };
/** Its third: one worker runs both reduces in turn, one re-send. */
const reducesInTurn = { config: { workers: 1, maps: 1, reduces: 2, attempts: 1, retries: 1 }, faults: noFaults };

async function search(suite: Suite, property: string | readonly string[] | null, options: Parameters<typeof explore>[1]) {
  const only = property === null ? suite : withProperties(suite, typeof property === 'string' ? [property] : property);
  const r = await explore(only, { ...options, deadlock: false });
  return { complete: r.complete, states: r.distinctStates, violation: r.violation && [r.violation.property, r.violation.actions.length, r.violation.message] };
}

test('the small pass searches two workers, then two reduces run in turn (searched whole, nothing violated)', async () => {
  expect(mapreduce.smallConfigs?.map((s) => s.config)).toEqual([twoWorkers.config, reducesInTurn.config]);
  expect(await search(mapreduce, null, reducesInTurn)).toEqual({ complete: true, states: 1208, violation: null });
});

test('the correct model holds completion-accepted-once and reducers-told-of-re-execution in the first 20,000 states of two workers', async () => {
  expect(await search(mapreduce, ['completion-accepted-once', 'reducers-told-of-re-execution'], twoWorkers)).toMatchObject({ complete: false, violation: null });
});

describe('completion-accepted-once (a completed task is not completed again)', () => {
  test('re-executes-completed-reduces is caught when the re-run reduce reports, in 27 steps', async () => {
    const options = { config: { workers: 1, maps: 1, reduces: 2, attempts: 2, retries: 0 }, faults: noFaults, mutant: 're-executes-completed-reduces' };
    expect((await search(mapreduce, 'completion-accepted-once', options)).violation).toEqual([
      'completion-accepted-once',
      27,
      'reduce 0 was completed by attempt 2 on w1, then again by attempt 4 on w1 (a completed reduce task is never re-executed)',
    ]);
  });
});

describe('reducers-told-of-re-execution (reduce workers hear of a re-executed map)', () => {
  test('relocation-to-map-worker is caught when the re-executed map completes, in 10 steps', async () => {
    expect((await search(mapreduce, 'reducers-told-of-re-execution', { ...twoWorkers, mutant: 'relocation-to-map-worker' })).violation).toEqual([
      'reducers-told-of-re-execution',
      10,
      'map task 0 completed again (attempt 3 on w1) while reduce attempt 2 ran on w2, and w2 was not told its new location',
    ]);
  });
});

describe('renames-only-written-files (commit renames a written temporary file)', () => {
  test('renames-before-written is caught as soon as its Rename is in flight, in 8 steps', async () => {
    expect((await search(mapreduce, 'renames-only-written-files', { ...reducesInTurn, mutant: 'renames-before-written' })).violation).toEqual([
      'renames-only-written-files',
      8,
      'w1 asks to rename tmp-0-a2 to out-0, but the file system holds no tmp-0-a2 (not written yet) and out-0 is not committed',
    ]);
  });
});
