/**
 * MapReduce execution, after Dean & Ghemawat, "MapReduce: Simplified Data Processing on Large
 * Clusters" (OSDI 2004), sections 3.1–3.6.
 *
 * A coordinator (the paper's master) and W workers run one job: M map tasks over the input
 * splits, then R reduce tasks over the partitions of the intermediate keys. The coordinator
 * picks idle workers and assigns them idle tasks, tracking each task's state (idle,
 * in-progress, completed) and each attempt of it. A map attempt writes its R partitions to its
 * worker's local disk and reports them; once every map task is complete, a reduce attempt
 * fetches its partition from every map's location, reduces, writes a temporary file on the
 * shared file system and commits it by an atomic rename. The job is real: word count over a
 * small corpus (./word-count.ts) by default; `mapReduceModel(job)` runs any user-supplied
 * map and reduce functions (./job.ts).
 *
 * What is modelled, and how:
 * - Storage is part of the world, owned by the nodes that hold it. A worker's local disk is a
 *   field of its context (`disk`: attempt → R partitions). The shared file system (GFS in the
 *   paper) is a node of role `fs`, an xstate machine that receives Write and Rename messages
 *   and answers them; its files are persisted, so an fs crash is an outage, never a loss.
 *   Rename is atomic and the first commit wins: renaming onto an existing output file
 *   discards the temporary file (section 3.3, "Semantics in the Presence of Failures").
 * - Attempts. Every attempt of every task gets a fresh number from the coordinator. A
 *   completion report is accepted only from an attempt still running (not abandoned, not
 *   beaten by another); a worker ignores assignments older than one it already took.
 * - Failures (section 3.3). Any node may crash; a worker's disk survives a process crash, but a
 *   restarted worker may also come back empty (its machine was replaced): after RECOVER it
 *   chooses, as environment events, KeepDisk or LoseDisk. The coordinator learns of failures
 *   only by a Timeout{worker} environment event (the paper's unanswered ping), which may also
 *   fire for a worker that is merely slow or cut off. It then abandons the worker's in-progress
 *   attempts and resets its completed map tasks to idle, since their output was on that
 *   worker's disk; when a re-executed map completes, workers running reduce attempts are told
 *   the new location (Relocated). The coordinator checkpoints its task table at every step
 *   (the paper's periodic checkpoints, taken as often as possible), so its crash is an outage.
 * - Backup tasks (section 3.6). Near the end of a phase, when no task of it is idle, the
 *   coordinator may start a second attempt of an in-progress task on an idle worker; whichever
 *   attempt reports first completes the task.
 * - Simplifications. Reduce tasks are assigned only once every map task is complete (the paper
 *   pushes locations incrementally, but no reduce function runs before all of them are in).
 *   Input splits are read-only and always readable, so they are not modelled as files. Map and
 *   reduce functions are deterministic.
 * - Bounds, so that the state space is finite: each task gets at most `attempts` attempts
 *   (3 by default) and a reduce attempt re-sends what it waits on at most `retries` times.
 * - Time is an event: Assign, Backup, Timeout (coordinator), Work, Retry, KeepDisk, LoseDisk
 *   (workers) are environment events the explorer may pick at any step. Messages may be lost,
 *   duplicated and reordered; a worker re-sends what it waits on when it Retries.
 * - Observations: TaskAssigned, TaskCompleted (which attempt), AttemptAbandoned, WorkerFailed,
 *   WorkerRestarted, OutputCommitted (by the fs: partition, attempt and the map attempts its
 *   content was computed from) and JobCompleted.
 */
import { and, assign, emit, enqueueActions, setup, type AnyStateMachine } from 'xstate';
import { observe, send, defineModel, type Effect, type Model, type NodeSpec, type Params } from '../../src/index.js';
import { runMap, runReduce, splitsOf, type MapReduceJob, type Pair } from './job.js';
import { wordCount } from './word-count.js';

export type { MapReduceJob, Pair, Value } from './job.js';
export { sequentialOutput, runMap, runReduce, splitsOf, partitionOf } from './job.js';
export { wordCount, corpus } from './word-count.js';

// ---- Data -----------------------------------------------------------------------------------

export type Kind = 'map' | 'reduce';

/** Where a map task's output lives: the attempt that produced it and the worker whose disk holds it. */
export interface Source {
  readonly map: number;
  readonly attempt: number;
  readonly worker: string;
}

/** A reduce attempt's output file: its records and (ghost data) the map attempts they came from. */
export interface FileContent {
  readonly partition: number;
  readonly attempt: number;
  readonly records: readonly Pair[];
  readonly sources: readonly { readonly map: number; readonly attempt: number }[];
}

export const outputFile = (partition: number): string => `out-${partition}`;
export const tempFile = (partition: number, attempt: number): string => `tmp-${partition}-a${attempt}`;
const isOutputFile = (file: string): boolean => file.startsWith('out-');
/** The name of a map attempt's output on its worker's local disk. */
const diskKey = (map: number, attempt: number): string => `m${map}a${attempt}`;

// ---- Messages -------------------------------------------------------------------------------

/** coordinator → worker: run attempt `attempt` of map task `task` (over input split `task`). */
export type RunMap = { type: 'RunMap'; task: number; attempt: number };
/** coordinator → worker: run a reduce attempt, reading partition `task` from these map outputs. */
export type RunReduce = { type: 'RunReduce'; task: number; attempt: number; sources: readonly Source[] };
/** coordinator → reduce worker: a re-executed map's output is now at `source`. */
export type Relocated = { type: 'Relocated'; reduceAttempt: number; source: Source };
/** worker → coordinator: map attempt done; its R partitions are on my local disk. */
export type MapDone = { type: 'MapDone'; task: number; attempt: number };
/** worker → coordinator: reduce attempt done; its output is committed (by it or by another). */
export type ReduceDone = { type: 'ReduceDone'; task: number; attempt: number };
/** reduce worker → map worker: send me partition `partition` of map attempt (`map`, `attempt`). */
export type Fetch = { type: 'Fetch'; map: number; attempt: number; partition: number; reduceAttempt: number };
/** map worker → reduce worker: the requested partition. */
export type FetchData = { type: 'FetchData'; map: number; attempt: number; reduceAttempt: number; pairs: readonly Pair[] };
/** worker → fs: write (create or overwrite) `file`. */
export type Write = { type: 'Write'; file: string; content: FileContent };
/** fs → worker: `file` is written. */
export type Written = { type: 'Written'; file: string };
/** worker → fs: atomically rename `temp` to `output`, unless `output` exists (then discard `temp`). */
export type Rename = { type: 'Rename'; temp: string; output: string };
/** fs → worker: the rename is done; `committed` is false when another attempt committed first. */
export type Renamed = { type: 'Renamed'; temp: string; committed: boolean };

type Received<M> = M & { from: string };

// ---- The coordinator ------------------------------------------------------------------------

export interface Attempt {
  readonly attempt: number;
  readonly worker: string;
  readonly backup: boolean;
}

/** A task: its running attempts (none when idle) and, once completed, the attempt that completed it. */
export interface Task {
  readonly running: readonly Attempt[];
  readonly completed: Attempt | null;
  /** Attempts started so far (bounded by the `attempts` parameter). */
  readonly attempts: number;
}

export interface CoordinatorContext {
  readonly workers: readonly string[];
  /** The most attempts a task may get. */
  readonly maxAttempts: number;
  readonly mapTasks: readonly Task[];
  readonly reduceTasks: readonly Task[];
  /** The number the next attempt gets; attempts are numbered across all tasks. */
  readonly nextAttempt: number;
}

type CoordinatorEvent =
  | Received<MapDone>
  | Received<ReduceDone>
  | { type: 'Assign'; worker: string }
  | { type: 'Backup'; worker: string }
  | { type: 'Timeout'; worker: string }
  | { type: 'RECOVER' };

const idleTask = (t: Task): boolean => t.completed === null && t.running.length === 0;
/** An idle task that may still get an attempt. */
const startable = (c: CoordinatorContext) => (t: Task): boolean => idleTask(t) && t.attempts < c.maxAttempts;
const runsOn = (t: Task, worker: string): boolean => t.running.some((a) => a.worker === worker);
const tasksOf = (c: CoordinatorContext, kind: Kind): readonly Task[] => (kind === 'map' ? c.mapTasks : c.reduceTasks);
const fieldOf = (kind: Kind) => (kind === 'map' ? 'mapTasks' : 'reduceTasks') as 'mapTasks' | 'reduceTasks';

/** The coordinator believes `worker` busy while an attempt of some task runs on it. */
export const isBusy = (c: CoordinatorContext, worker: string): boolean =>
  c.mapTasks.some((t) => runsOn(t, worker)) || c.reduceTasks.some((t) => runsOn(t, worker));
export const allMapsCompleted = (c: CoordinatorContext): boolean => c.mapTasks.every((t) => t.completed !== null);
export const allReducesCompleted = (c: CoordinatorContext): boolean => c.reduceTasks.every((t) => t.completed !== null);
/** Map tasks whose completed output sits on `worker`'s disk. */
const holdsOutput = (c: CoordinatorContext, worker: string): boolean => c.mapTasks.some((t) => t.completed?.worker === worker);

/** The locations of every completed map task's output, in map order. */
function sourcesOf(c: CoordinatorContext): Source[] {
  return c.mapTasks.flatMap((t, map) => (t.completed ? [{ map, attempt: t.completed.attempt, worker: t.completed.worker }] : []));
}

/** Section 3.6: when no task of the current phase is idle, a task with one running attempt, not on `worker`. */
function backupCandidate(c: CoordinatorContext, worker: string): { kind: Kind; task: number } | null {
  const kind: Kind = allMapsCompleted(c) ? 'reduce' : 'map';
  const tasks = tasksOf(c, kind);
  if (tasks.some(idleTask)) return null;
  const task = tasks.findIndex((t) => t.completed === null && t.running.length === 1 && !runsOn(t, worker) && t.attempts < c.maxAttempts);
  return task < 0 ? null : { kind, task };
}

function replaceAt<T>(items: readonly T[], i: number, item: T): T[] {
  const copy = items.slice();
  copy[i] = item;
  return copy;
}

type Enqueue = {
  assign: (patch: Partial<CoordinatorContext>) => void;
  emit: (effect: Effect) => void;
};

/** Starts a new attempt of a task on `worker`: the assignment message and its observation. */
function startAttempt(c: CoordinatorContext, enqueue: Enqueue, kind: Kind, task: number, worker: string, backup: boolean): void {
  const attempt = c.nextAttempt;
  const tasks = tasksOf(c, kind);
  const t = tasks[task]!;
  const started: Task = { ...t, running: [...t.running, { attempt, worker, backup }], attempts: t.attempts + 1 };
  enqueue.assign({ [fieldOf(kind)]: replaceAt(tasks, task, started), nextAttempt: attempt + 1 });
  if (kind === 'map') {
    enqueue.emit(send(worker, { type: 'RunMap', task, attempt }));
    enqueue.emit(observe({ type: 'TaskAssigned', kind, task, attempt, worker, backup }));
  } else {
    const sources = sourcesOf(c);
    enqueue.emit(send(worker, { type: 'RunReduce', task, attempt, sources }));
    enqueue.emit(observe({ type: 'TaskAssigned', kind, task, attempt, worker, backup, sources }));
  }
}

/**
 * Section 3.3, worker failure: abandon the worker's in-progress attempts and, when
 * `reExecuteCompletedMaps`, reset its completed map tasks to idle (their output was on its disk).
 */
function declareFailed(c: CoordinatorContext, enqueue: Enqueue, worker: string, reExecuteCompletedMaps: boolean): void {
  // Numbered by the attempts started so far, so that failures between attempts are told apart.
  enqueue.emit(observe({ type: 'WorkerFailed', worker, afterAttempt: c.nextAttempt - 1 }));
  const reset = (kind: Kind) =>
    tasksOf(c, kind).map((t, task) => {
      for (const a of t.running) {
        if (a.worker === worker) enqueue.emit(observe({ type: 'AttemptAbandoned', kind, task, attempt: a.attempt, worker }));
      }
      const running = t.running.filter((a) => a.worker !== worker);
      const lost = kind === 'map' && reExecuteCompletedMaps && t.completed?.worker === worker;
      return { ...t, running, completed: lost ? null : t.completed };
    });
  enqueue.assign({ mapTasks: reset('map'), reduceTasks: reset('reduce') });
}

/** Records a completion report from attempt `attempt` of a task. */
function complete(c: CoordinatorContext, enqueue: Enqueue, kind: Kind, task: number, attempt: number, worker: string): void {
  const tasks = tasksOf(c, kind);
  const backup = tasks[task]!.running.find((a) => a.attempt === attempt)?.backup ?? false;
  enqueue.assign({ [fieldOf(kind)]: replaceAt(tasks, task, { ...tasks[task]!, running: [], completed: { attempt, worker, backup } }) });
  enqueue.emit(observe({ type: 'TaskCompleted', kind, task, attempt, worker }));
  if (kind === 'map') {
    // Section 3.3: workers executing reduce tasks are notified of a (re-executed) map's location.
    for (const r of c.reduceTasks) {
      for (const a of r.running) enqueue.emit(send(a.worker, { type: 'Relocated', reduceAttempt: a.attempt, source: { map: task, attempt, worker } }));
    }
  }
}

const reportOf = (event: CoordinatorEvent) => {
  const e = event as Received<MapDone | ReduceDone>;
  return { kind: (e.type === 'MapDone' ? 'map' : 'reduce') as Kind, task: e.task, attempt: e.attempt, worker: e.from };
};
const workerOf = (event: CoordinatorEvent): string => (event as { worker: string }).worker;

export const coordinatorSetup = setup({
  types: {
    context: {} as CoordinatorContext,
    input: {} as { workers: readonly string[]; maps: number; reduces: number; maxAttempts: number },
    events: {} as CoordinatorEvent,
    emitted: {} as Effect,
  },
  guards: {
    /** The worker is idle (as far as the coordinator knows) and a map task is idle. */
    idleMapFor: ({ context, event }) => !isBusy(context, workerOf(event)) && context.mapTasks.some(startable(context)),
    idleReduceFor: ({ context, event }) => !isBusy(context, workerOf(event)) && context.reduceTasks.some(startable(context)),
    /** Reduce tasks start only once every map task is complete: their input must all exist. */
    reducesMayStart: ({ context }) => allMapsCompleted(context),
    backupFor: ({ context, event }) => !isBusy(context, workerOf(event)) && backupCandidate(context, workerOf(event)) !== null,
    hasWork: ({ context, event }) => isBusy(context, workerOf(event)) || holdsOutput(context, workerOf(event)),
    /** A report counts only from an attempt still running: not abandoned, not beaten by another. */
    reportAccepted: ({ context, event }) => {
      const r = reportOf(event);
      return tasksOf(context, r.kind)[r.task]?.running.some((a) => a.attempt === r.attempt) ?? false;
    },
    jobComplete: ({ context }) => allReducesCompleted(context),
  },
  actions: {
    assignMap: enqueueActions(({ context, event, enqueue }) =>
      startAttempt(context, enqueue as unknown as Enqueue, 'map', context.mapTasks.findIndex(startable(context)), workerOf(event), false),
    ),
    assignReduce: enqueueActions(({ context, event, enqueue }) =>
      startAttempt(context, enqueue as unknown as Enqueue, 'reduce', context.reduceTasks.findIndex(startable(context)), workerOf(event), false),
    ),
    startBackup: enqueueActions(({ context, event, enqueue }) => {
      const candidate = backupCandidate(context, workerOf(event))!;
      startAttempt(context, enqueue as unknown as Enqueue, candidate.kind, candidate.task, workerOf(event), true);
    }),
    declareFailed: enqueueActions(({ context, event, enqueue }) => declareFailed(context, enqueue as unknown as Enqueue, workerOf(event), true)),
    complete: enqueueActions(({ context, event, enqueue }) => {
      const r = reportOf(event);
      complete(context, enqueue as unknown as Enqueue, r.kind, r.task, r.attempt, r.worker);
    }),
    observeJobCompleted: emit(() => observe({ type: 'JobCompleted' })),
  },
});

export const coordinator = coordinatorSetup.createMachine({
  id: 'coordinator',
  initial: 'running',
  context: ({ input }) => ({
    workers: input.workers,
    maxAttempts: input.maxAttempts,
    mapTasks: Array.from({ length: input.maps }, () => ({ running: [], completed: null, attempts: 0 })),
    reduceTasks: Array.from({ length: input.reduces }, () => ({ running: [], completed: null, attempts: 0 })),
    nextAttempt: 1,
  }),
  states: {
    running: {
      // The job is complete once every reduce task is: its output is committed.
      always: { guard: 'jobComplete', target: 'done', actions: 'observeJobCompleted' },
      on: {
        Assign: [
          { guard: 'idleMapFor', actions: 'assignMap' },
          { guard: and(['reducesMayStart', 'idleReduceFor']), actions: 'assignReduce' },
        ],
        Backup: { guard: 'backupFor', actions: 'startBackup' },
        Timeout: { guard: 'hasWork', actions: 'declareFailed' },
        MapDone: { guard: 'reportAccepted', actions: 'complete' },
        ReduceDone: { guard: 'reportAccepted', actions: 'complete' },
        // The task table is checkpointed, so a restarted coordinator carries on from it.
        RECOVER: { guard: 'jobComplete', target: 'done' },
      },
    },
    done: {},
  },
});

// ---- The workers ----------------------------------------------------------------------------

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

const reduceWork = (c: WorkerContext): ReduceWork | null => (c.current?.kind === 'reduce' ? c.current : null);

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

// ---- The shared file system -----------------------------------------------------------------

export interface FsContext {
  /** Every file on the shared file system (persisted: it is replicated, it never loses data). */
  readonly files: Readonly<Record<string, FileContent>>;
}

type FsEvent = Received<Write> | Received<Rename> | { type: 'RECOVER' };

function committed(content: FileContent) {
  return { type: 'OutputCommitted', partition: content.partition, attempt: content.attempt, sources: content.sources };
}

export const fsSetup = setup({
  types: { context: {} as FsContext, events: {} as FsEvent, emitted: {} as Effect },
  guards: {
    /** The rename commits: the temporary file exists and no output file has been committed yet. */
    renameCommits: ({ context, event }) => {
      const e = event as Received<Rename>;
      return context.files[e.temp] !== undefined && context.files[e.output] === undefined;
    },
    /** Another attempt committed first: this rename is discarded (and a repeated one answered again). */
    outputExists: ({ context, event }) => context.files[(event as Received<Rename>).output] !== undefined,
  },
  actions: {
    write: enqueueActions(({ context, event, enqueue }) => {
      const e = event as Received<Write>;
      enqueue.assign({ files: { ...context.files, [e.file]: e.content } });
      enqueue.emit(send(e.from, { type: 'Written', file: e.file }));
      // A write straight to an output file makes it visible at once: that is a commit.
      if (isOutputFile(e.file)) enqueue.emit(observe(committed(e.content)));
    }),
    commitRename: enqueueActions(({ context, event, enqueue }) => {
      const e = event as Received<Rename>;
      const { [e.temp]: content, ...rest } = context.files;
      enqueue.assign({ files: { ...rest, [e.output]: content! } });
      enqueue.emit(send(e.from, { type: 'Renamed', temp: e.temp, committed: true }));
      enqueue.emit(observe(committed(content!)));
    }),
    discardRename: enqueueActions(({ context, event, enqueue }) => {
      const e = event as Received<Rename>;
      const { [e.temp]: _discarded, ...rest } = context.files;
      enqueue.assign({ files: rest });
      enqueue.emit(send(e.from, { type: 'Renamed', temp: e.temp, committed: false }));
    }),
  },
});

export const fileSystem = fsSetup.createMachine({
  id: 'fs',
  initial: 'serving',
  context: () => ({ files: {} }),
  states: {
    serving: {
      on: {
        Write: { actions: 'write' },
        Rename: [
          { guard: 'renameCommits', actions: 'commitRename' },
          { guard: 'outputExists', actions: 'discardRename' },
        ],
      },
    },
  },
});

// ---- Wiring ---------------------------------------------------------------------------------

export const COORDINATOR = 'coordinator';
export const FS = 'fs';

export function workerIds(params: Params): string[] {
  return Array.from({ length: Number(params.workers) }, (_, i) => `w${i + 1}`);
}

function cluster(params: Params): NodeSpec[] {
  const workers = workerIds(params);
  const maps = Number(params.maps);
  const reduces = Number(params.reduces);
  const maxRetries = Number(params.retries);
  return [
    { id: COORDINATOR, role: 'coordinator', input: { workers, maps, reduces, maxAttempts: Number(params.attempts) } },
    ...workers.map((id) => ({ id, role: 'worker', input: { id, coordinator: COORDINATOR, fs: FS, maps, reduces, maxRetries } })),
    { id: FS, role: 'fs', input: {} },
  ];
}

/**
 * The coordinator's environment, per worker: Assign when it is idle and some task is idle,
 * Backup when it is idle and a backup is due, Timeout when it has work (running or on its disk).
 * These are supersets of what the guards accept, so that they hold for every mutant too.
 */
function coordinatorEnvironment(node: { state: unknown; context: Readonly<Record<string, any>> }) {
  if (node.state !== 'running') return [];
  const c = node.context as CoordinatorContext;
  const someIdle = c.mapTasks.some(startable(c)) || c.reduceTasks.some(startable(c));
  return c.workers.flatMap((worker) => {
    const events: { type: string; worker: string }[] = [];
    if (!isBusy(c, worker)) {
      if (someIdle) events.push({ type: 'Assign', worker });
      if (backupCandidate(c, worker) !== null) events.push({ type: 'Backup', worker });
    }
    if (isBusy(c, worker) || holdsOutput(c, worker)) events.push({ type: 'Timeout', worker });
    return events;
  });
}

const WORKER_EVENTS: Readonly<Record<string, readonly { type: string }[]>> = {
  mapping: [{ type: 'Work' }],
  fetching: [{ type: 'Retry' }],
  writing: [{ type: 'Retry' }],
  committing: [{ type: 'Retry' }],
  recovering: [{ type: 'KeepDisk' }, { type: 'LoseDisk' }],
};

// ---- Mutants: known bugs, each a variant of the machines above ----------------------------

/** Reduces are assigned as soon as no map task is idle, before every map task is complete. */
const startsReducesEarly = coordinator.provide({ guards: { reducesMayStart: () => true } });

/** A worker declared failed loses its in-progress attempts, but its completed map tasks stay completed. */
const keepsLostMaps = coordinator.provide({
  actions: {
    declareFailed: enqueueActions(({ context, event, enqueue }) =>
      declareFailed(context, enqueue as unknown as Enqueue, workerOf(event), false),
    ),
  },
});

/** The coordinator accepts any report for a task not yet completed, from whatever attempt. */
const acceptsStaleReports = coordinator.provide({
  guards: {
    reportAccepted: ({ context, event }) => {
      const r = reportOf(event);
      return tasksOf(context, r.kind)[r.task]?.completed === null;
    },
  },
});

function workerMutants(job: MapReduceJob) {
  const { setup: workerSetup, config } = workerMachine(job);

  /** The reduce worker writes straight to the output file (no temporary file, no rename). */
  const writesInPlace = workerSetup
    .extend({
      actions: {
        writeOutput: enqueueActions(({ context, enqueue }) => {
          const w = reduceWork(context)!;
          const content: FileContent = {
            partition: w.task,
            attempt: w.attempt,
            records: runReduce(job, w.fetched as (readonly Pair[])[]),
            sources: w.sources.map((s) => ({ map: s.map, attempt: s.attempt })),
          };
          const output = { file: outputFile(w.task), content };
          enqueue.assign({ current: { ...w, output } });
          enqueue.emit(send(context.fs, { type: 'Write', file: output.file, content }));
        }),
      },
    })
    .createMachine({
      ...config,
      states: {
        ...config.states,
        writing: {
          on: {
            ...config.states.writing.on,
            Written: { guard: 'myWrite', target: 'idle', actions: 'reportReduceDone' },
          },
        },
      },
    } as never) as unknown as AnyStateMachine;

  /** The reduce worker reports completion as soon as it asks for the rename, not once it is done. */
  const reportsBeforeCommit = workerSetup
    .extend({
      actions: {
        requestRename: enqueueActions(({ context, enqueue }) => {
          const w = reduceWork(context)!;
          enqueue.emit(send(context.fs, { type: 'Rename', temp: w.output!.file, output: outputFile(w.task) }));
          enqueue.emit(send(context.coordinator, { type: 'ReduceDone', task: w.task, attempt: w.attempt }));
        }),
      },
    })
    .createMachine(config as never) as unknown as AnyStateMachine;

  return { writesInPlace, reportsBeforeCommit };
}

// ---- The model ------------------------------------------------------------------------------

/**
 * Since 0.1.0. The MapReduce model for a job: word count by default, or any user-supplied
 * map and reduce functions over any list of input records.
 */
export function mapReduceModel(job: MapReduceJob, name = 'mapreduce'): Model {
  const { machine: worker } = workerMachine(job);
  const { writesInPlace, reportsBeforeCommit } = workerMutants(job);
  const records = job.input.length;
  return defineModel({
    name,
    title: `MapReduce execution, ${job.name} (Dean & Ghemawat, "MapReduce: Simplified Data Processing on Large Clusters", 2004)`,
    params: {
      workers: { default: 2, min: 1, max: 6, description: 'number of workers' },
      maps: { default: Math.min(2, records), min: 1, max: records, description: `map tasks M (input splits of the ${records} input records)` },
      reduces: { default: 2, min: 1, max: 4, description: 'reduce tasks R (output partitions)' },
      attempts: { default: 3, min: 1, max: 8, description: 'most attempts of one task (re-executions and backups included)' },
      retries: { default: 2, min: 0, max: 8, description: 'most re-sends by one reduce attempt of what it waits on' },
    },
    roles: {
      coordinator: { machine: coordinator, persist: ['mapTasks', 'reduceTasks', 'nextAttempt'], environment: coordinatorEnvironment },
      worker: { machine: worker, persist: ['disk'], environment: (node) => (node.up ? (WORKER_EVENTS[String(node.state)] ?? []) : []) },
      fs: { machine: fileSystem, persist: ['files'] },
    },
    nodes: cluster,
    faults: { network: 'unordered', loss: 2, duplicate: 2, crash: 2, partition: 1 },
    // A job takes ~30 steps without faults. Progress (delivering, assigning, working) is common;
    // faults, retries, backups and above all timeouts (each one re-executes work) are rare, so
    // that most runs finish the job within the budget's depth, failures and all.
    exploration: {
      weights: { deliver: 32, crash: 2, restart: 12, drop: 2, duplicate: 2, partition: 1, heal: 8 },
      eventWeights: { Assign: 20, Work: 20, KeepDisk: 8, LoseDisk: 8, Backup: 4, Retry: 2, Timeout: 1 },
    },
    mutants: {
      'reduce-writes-in-place': {
        description: 'a reduce attempt writes its output file in place, without a temporary file and an atomic rename',
        breaks: 'commit-once',
        roles: { worker: { machine: writesInPlace } },
      },
      'completed-maps-not-re-executed': {
        description: 'when a worker is declared failed, its completed map tasks are not re-executed (their output was on its disk)',
        breaks: 'no-reads-of-lost-output',
        roles: { coordinator: { machine: keepsLostMaps } },
      },
      'accepts-stale-attempt': {
        description: 'the coordinator accepts a completion report from an attempt it abandoned (a stale attempt)',
        breaks: 'reads-only-reported-output',
        roles: { coordinator: { machine: acceptsStaleReports } },
      },
      'reduce-starts-early': {
        description: 'reduce tasks are assigned before every map task is complete',
        breaks: 'output-matches-sequential',
        roles: { coordinator: { machine: startsReducesEarly } },
      },
      'reports-before-commit': {
        description: 'a reduce worker reports its task done when it asks for the rename, before the output is committed',
        breaks: 'complete-only-when-committed',
        roles: { worker: { machine: reportsBeforeCommit } },
      },
    },
  });
}

export default mapReduceModel(wordCount);
