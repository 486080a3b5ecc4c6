/**
 * A fourth batch of bugs written without reading the suite (issue 22, point 4): failure handling
 * late in a job, duplicated and stale replies to a reduce worker, and a worker's attempts. Not in
 * the model's mutants: bench/unseen-4.ts measures how often the default `check` catches them. The
 * worker's are built per job. Written before any measurement (and before exploration changed for
 * issue 22's coverage-guided scheduling), and not adjusted after.
 */
import { assign, enqueueActions } from 'xstate';
import type { MutantSpec } from '../../src/index.js';
import { allMapsCompleted, coordinator, declareFailed, workerOf } from './coordinator.js';
import { replaceAt } from './data.js';
import type { MapReduceJob, Pair } from './job.js';
import type { FetchData, Received } from './messages.js';
import { reduceWork, workerMachine } from './worker.js';

/**
 * "Once every map is done, map output is no longer needed": a worker declared failed after the
 * last map completed keeps its completed maps, though reduce attempts may still have to fetch them.
 */
const keepsLostMapsOnceReducing = coordinator.provide({
  actions: {
    declareFailed: enqueueActions(({ context, event, enqueue }) => declareFailed(context, enqueue, workerOf(event), !allMapsCompleted(context))),
  },
});

export function unseenMutants4For(job: MapReduceJob): Readonly<Record<string, MutantSpec>> {
  const { machine: worker } = workerMachine(job);

  /** A reduce worker appends every FetchData it gets for a source, so a duplicated or re-sent reply counts its pairs twice. */
  const fetchAppendsDuplicates = worker.provide({
    guards: {
      expectedData: ({ context, event }) => {
        const w = reduceWork(context);
        const e = event as Received<FetchData>;
        return w !== null && e.reduceAttempt === w.attempt && w.sources.some((s) => s.map === e.map && s.attempt === e.attempt);
      },
    },
    actions: {
      storeFetched: assign(({ context, event }) => {
        const w = reduceWork(context)!;
        const e = event as Received<FetchData>;
        const i = w.sources.findIndex((s) => s.map === e.map && s.attempt === e.attempt);
        const had: readonly Pair[] = w.fetched[i] ?? [];
        return { current: { ...w, fetched: replaceAt(w.fetched, i, [...had, ...e.pairs]) } };
      }),
    },
  });

  /** A reduce worker matches FetchData to its sources by map and map attempt only, not by its own reduce attempt: a reply to an earlier reduce attempt (of another partition) is taken. */
  const acceptsFetchForEarlierAttempt = worker.provide({
    guards: {
      expectedData: ({ context, event }) => {
        const w = reduceWork(context);
        const e = event as Received<FetchData>;
        if (w === null) return false;
        const i = w.sources.findIndex((s) => s.map === e.map && s.attempt === e.attempt);
        return i >= 0 && w.fetched[i] === null;
      },
    },
  });

  /** A reduce worker that hears Written asks for its rename without checking that the file written is its own (a late reply to an earlier attempt). */
  const takesAnyWritten = worker.provide({
    guards: { myWrite: ({ context }) => (reduceWork(context)?.output ?? null) !== null },
  });

  return {
    'keeps-lost-maps-once-reducing': {
      description: "a worker declared failed after the last map completed keeps its completed maps, so a reduce that still needs that output waits for ever",
      breaks: 'lost-maps-re-executed',
      roles: { coordinator: { machine: keepsLostMapsOnceReducing } },
    },
    'fetch-appends-duplicates': {
      description: 'a reduce worker appends every reply to a fetch, so a duplicated or re-sent FetchData doubles its pairs',
      breaks: 'output-matches-sequential',
      roles: { worker: { machine: fetchAppendsDuplicates } },
    },
    'accepts-fetch-for-earlier-attempt': {
      description: "a reduce worker takes a FetchData meant for its earlier reduce attempt (another partition's pairs) when the map and map attempt match",
      breaks: 'output-matches-sequential',
      roles: { worker: { machine: acceptsFetchForEarlierAttempt } },
    },
    'takes-any-written': {
      description: "a reduce worker takes any Written as its own and asks for the rename before its file is written; the rename is refused but it reports the task done",
      breaks: 'complete-only-when-committed',
      roles: { worker: { machine: takesAnyWritten } },
    },
  };
}
