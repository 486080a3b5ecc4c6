/**
 * The worker. A map attempt runs the user's map over its input split and writes the R
 * partitions to the worker's local disk (`disk`, a field of its context), then reports them; it
 * serves them to reduce workers that Fetch them. Once every map is complete, a reduce attempt
 * fetches its partition from every map's location, reduces, writes a temporary file on the
 * shared file system and commits it by an atomic rename. A worker ignores assignments older than
 * one it already took, and re-sends what it waits on when it Retries. Its disk survives a process
 * crash, but a restarted worker may also come back empty (its machine was replaced): after
 * RECOVER it chooses, as environment events, KeepDisk or LoseDisk.
 */
import { assign, emit, enqueueActions, setup, type AnyStateMachine } from 'xstate';
import { observe, send, type Effect } from '../../src/index.js';
import { diskKey, outputFile, replaceAt, tempFile, type FileContent, type Source } from './data.js';
import { runMap, runReduce, splitsOf, type MapReduceJob, type Pair } from './job.js';
import type { Fetch, FetchData, Received, Relocated, Renamed, RunMap, RunReduce, Written } from './messages.js';

type MapWork = { readonly kind: 'map'; readonly task: number; readonly attempt: number };
type ReduceWork = {
  readonly kind: 'reduce';
  readonly task: number;
  readonly attempt: number;
  readonly sources: readonly Source[];
  /** Aligned with `sources`: the fetched partition, or null while still missing. */
  readonly fetched: readonly (readonly Pair[] | null)[];
  /** Once reduced: the file written and its content. */
  readonly output: { readonly file: string; readonly content: FileContent } | null;
  /** Times this attempt re-sent what it waits on (bounded by the `retries` parameter). */
  readonly retries: number;
};

export interface WorkerContext {
  readonly id: string;
  readonly coordinator: string;
  readonly fs: string;
  readonly maps: number;
  readonly reduces: number;
  readonly maxRetries: number;
  /** The local disk (persisted: it survives a process crash, unless the worker comes back empty). */
  readonly disk: Readonly<Record<string, readonly (readonly Pair[])[]>>;
  /** The newest attempt this worker took; older assignments (duplicates, delays) are ignored. */
  readonly lastAttempt: number;
  readonly current: MapWork | ReduceWork | null;
}

type WorkerInput = { id: string; coordinator: string; fs: string; maps: number; reduces: number; maxRetries: number };

type WorkerEvent =
  | Received<RunMap>
  | Received<RunReduce>
  | Received<Relocated>
  | Received<Fetch>
  | Received<FetchData>
  | Received<Written>
  | Received<Renamed>
  | { type: 'Work' }
  | { type: 'Retry' }
  | { type: 'KeepDisk' }
  | { type: 'LoseDisk' }
  | { type: 'RECOVER' };

export const reduceWork = (c: WorkerContext): ReduceWork | null => (c.current?.kind === 'reduce' ? c.current : null);

function fetchesFor(w: ReduceWork): Effect[] {
  return w.sources.flatMap((s, i) =>
    w.fetched[i] === null ? [send(s.worker, { type: 'Fetch', map: s.map, attempt: s.attempt, partition: w.task, reduceAttempt: w.attempt })] : [],
  );
}

/** Builds the worker machine for a job: map and reduce run the user's functions. */
export function workerMachine(job: MapReduceJob) {
  const splitCache = new Map<number, string[][]>();
  const splits = (maps: number): string[][] => {
    let s = splitCache.get(maps);
    if (s === undefined) splitCache.set(maps, (s = splitsOf(job, maps)));
    return s;
  };

  /** Reduces the fetched partitions (in map order) into the content of this attempt's output file. */
  const reduceOutput = (w: ReduceWork): FileContent => ({
    partition: w.task,
    attempt: w.attempt,
    records: runReduce(job, w.fetched as (readonly Pair[])[]),
    sources: w.sources.map((s) => ({ map: s.map, attempt: s.attempt })),
  });

  const setupWorker = setup({
    types: {
      context: {} as WorkerContext,
      input: {} as WorkerInput,
      events: {} as WorkerEvent,
      emitted: {} as Effect,
    },
    guards: {
      newerAttempt: ({ context, event }) => (event as Received<RunMap>).attempt > context.lastAttempt,
      hasOutput: ({ context, event }) => {
        const e = event as Received<Fetch>;
        return context.disk[diskKey(e.map, e.attempt)] !== undefined;
      },
      expectedData: ({ context, event }) => {
        const w = reduceWork(context);
        const e = event as Received<FetchData>;
        if (w === null || e.reduceAttempt !== w.attempt) return false;
        const i = w.sources.findIndex((s) => s.map === e.map && s.attempt === e.attempt);
        return i >= 0 && w.fetched[i] === null;
      },
      /** A relocation for this attempt of a map output it has not read yet. */
      relocation: ({ context, event }) => {
        const w = reduceWork(context);
        const e = event as Received<Relocated>;
        if (w === null || e.reduceAttempt !== w.attempt) return false;
        const i = w.sources.findIndex((s) => s.map === e.source.map);
        return i >= 0 && w.fetched[i] === null && w.sources[i]!.attempt !== e.source.attempt;
      },
      fetchedAll: ({ context }) => reduceWork(context)?.fetched.every((p) => p !== null) ?? false,
      myWrite: ({ context, event }) => reduceWork(context)?.output?.file === (event as Received<Written>).file,
      myRename: ({ context, event }) => reduceWork(context)?.output?.file === (event as Received<Renamed>).temp,
      mayRetry: ({ context }) => (reduceWork(context)?.retries ?? context.maxRetries) < context.maxRetries,
    },
    actions: {
      startMap: assign(({ event }) => {
        const e = event as Received<RunMap>;
        return { current: { kind: 'map' as const, task: e.task, attempt: e.attempt }, lastAttempt: e.attempt };
      }),
      startReduce: enqueueActions(({ event, enqueue }) => {
        const e = event as Received<RunReduce>;
        const work: ReduceWork = { kind: 'reduce', task: e.task, attempt: e.attempt, sources: e.sources, fetched: e.sources.map(() => null), output: null, retries: 0 };
        enqueue.assign({ current: work, lastAttempt: e.attempt });
        for (const fx of fetchesFor(work)) enqueue.emit(fx);
      }),
      /** Section 3.1 step 4: the map output, partitioned R ways, goes to the local disk; its location to the coordinator. */
      runMap: enqueueActions(({ context, enqueue }) => {
        const w = context.current as MapWork;
        const partitions = runMap(job, splits(context.maps)[w.task]!, context.reduces);
        enqueue.assign({ disk: { ...context.disk, [diskKey(w.task, w.attempt)]: partitions }, current: null });
        enqueue.emit(send(context.coordinator, { type: 'MapDone', task: w.task, attempt: w.attempt }));
      }),
      serveFetch: emit(({ context, event }) => {
        const e = event as Received<Fetch>;
        const pairs = context.disk[diskKey(e.map, e.attempt)]![e.partition] ?? [];
        return send(e.from, { type: 'FetchData', map: e.map, attempt: e.attempt, reduceAttempt: e.reduceAttempt, pairs });
      }),
      storeFetched: assign(({ context, event }) => {
        const w = reduceWork(context)!;
        const e = event as Received<FetchData>;
        const i = w.sources.findIndex((s) => s.map === e.map && s.attempt === e.attempt);
        return { current: { ...w, fetched: replaceAt(w.fetched, i, e.pairs) } };
      }),
      relocate: enqueueActions(({ context, event, enqueue }) => {
        const w = reduceWork(context)!;
        const e = event as Received<Relocated>;
        const next: ReduceWork = { ...w, sources: w.sources.map((s) => (s.map === e.source.map ? e.source : s)) };
        enqueue.assign({ current: next });
        enqueue.emit(send(e.source.worker, { type: 'Fetch', map: e.source.map, attempt: e.source.attempt, partition: w.task, reduceAttempt: w.attempt }));
      }),
      countRetry: assign(({ context }) => {
        const w = reduceWork(context)!;
        return { current: { ...w, retries: w.retries + 1 } };
      }),
      refetch: enqueueActions(({ context, enqueue }) => {
        for (const fx of fetchesFor(reduceWork(context)!)) enqueue.emit(fx);
      }),
      /** Section 3.1 step 5: reduce, then write to a private temporary file. */
      writeOutput: enqueueActions(({ context, enqueue }) => {
        const w = reduceWork(context)!;
        const output = { file: tempFile(w.task, w.attempt), content: reduceOutput(w) };
        enqueue.assign({ current: { ...w, output } });
        enqueue.emit(send(context.fs, { type: 'Write', file: output.file, content: output.content }));
      }),
      rewrite: emit(({ context }) => {
        const { output } = reduceWork(context)!;
        return send(context.fs, { type: 'Write', file: output!.file, content: output!.content });
      }),
      /** Section 3.3: commit by atomically renaming the temporary file to the final output file. */
      requestRename: emit(({ context }) => {
        const w = reduceWork(context)!;
        return send(context.fs, { type: 'Rename', temp: w.output!.file, output: outputFile(w.task) });
      }),
      reportReduceDone: enqueueActions(({ context, enqueue }) => {
        const w = reduceWork(context)!;
        enqueue.assign({ current: null });
        enqueue.emit(send(context.coordinator, { type: 'ReduceDone', task: w.task, attempt: w.attempt }));
      }),
      loseDisk: assign({ disk: {} }),
      observeKeptDisk: emit(({ context }) => observe({ type: 'WorkerRestarted', worker: context.id, disk: 'kept' })),
      observeLostDisk: emit(({ context }) => observe({ type: 'WorkerRestarted', worker: context.id, disk: 'lost' })),
    },
  });

  /** What a live worker does in any state: take a newer assignment (dropping what it was doing), serve its map outputs. */
  const on = (extra: object) => ({
    RunMap: { guard: 'newerAttempt', target: '#worker.mapping', actions: 'startMap' },
    RunReduce: { guard: 'newerAttempt', target: '#worker.fetching', actions: 'startReduce' },
    Fetch: { guard: 'hasOutput', actions: 'serveFetch' },
    ...extra,
  });

  const config = {
    id: 'worker',
    initial: 'idle',
    context: ({ input }: { input: WorkerInput }) => ({
      ...input,
      disk: {},
      lastAttempt: 0,
      current: null,
    }),
    on: { RECOVER: { target: '.recovering' } },
    states: {
      idle: { on: on({}) },
      mapping: { on: on({ Work: { target: 'idle', actions: 'runMap' } }) },
      fetching: {
        always: { guard: 'fetchedAll', target: 'writing', actions: 'writeOutput' },
        on: on({
          FetchData: { guard: 'expectedData', actions: 'storeFetched' },
          Relocated: { guard: 'relocation', actions: 'relocate' },
          Retry: { guard: 'mayRetry', actions: ['countRetry', 'refetch'] },
        }),
      },
      writing: {
        on: on({
          Written: { guard: 'myWrite', target: 'committing', actions: 'requestRename' },
          Retry: { guard: 'mayRetry', actions: ['countRetry', 'rewrite'] },
        }),
      },
      committing: {
        on: on({
          Renamed: { guard: 'myRename', target: 'idle', actions: 'reportReduceDone' },
          Retry: { guard: 'mayRetry', actions: ['countRetry', 'requestRename'] },
        }),
      },
      // Restarted: the process is back; its disk either survived or was lost with the machine.
      recovering: {
        on: {
          KeepDisk: { target: 'idle', actions: 'observeKeptDisk' },
          LoseDisk: { target: 'idle', actions: ['loseDisk', 'observeLostDisk'] },
        },
      },
    },
  };
  return { setup: setupWorker, config, machine: setupWorker.createMachine(config as never) as unknown as AnyStateMachine };
}
