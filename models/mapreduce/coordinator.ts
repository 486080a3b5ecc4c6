/**
 * The coordinator (the paper's master). It picks idle workers and assigns them idle tasks,
 * tracking each task's state (idle, in-progress, completed) and each attempt of it; every attempt
 * of every task gets a fresh number. A completion report is accepted only from an attempt still
 * running (not abandoned, not beaten by another). Reduce tasks are assigned only once every map
 * task is complete. It learns of failures only by a Timeout{worker} environment event (the
 * paper's unanswered ping), which may also fire for a worker that is merely slow or cut off; it
 * then abandons the worker's in-progress attempts and resets its completed map tasks to idle,
 * since their output was on that worker's disk, and when a re-executed map completes, tells the
 * workers running reduce attempts the new location (Relocated). Near the end of a phase it may
 * start a backup attempt of an in-progress task (section 3.6). It checkpoints its task table at
 * every step, so its crash is an outage.
 */
import { and, emit, enqueueActions, setup } from 'xstate';
import { observe, send, type Effect } from '../../src/index.js';
import { replaceAt, type Kind, type Source } from './data.js';
import type { MapDone, ReduceDone, Received } from './messages.js';

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
export const startable = (c: CoordinatorContext) => (t: Task): boolean => idleTask(t) && t.attempts < c.maxAttempts;
const runsOn = (t: Task, worker: string): boolean => t.running.some((a) => a.worker === worker);
export const tasksOf = (c: CoordinatorContext, kind: Kind): readonly Task[] => (kind === 'map' ? c.mapTasks : c.reduceTasks);
const fieldOf = (kind: Kind) => (kind === 'map' ? 'mapTasks' : 'reduceTasks') as 'mapTasks' | 'reduceTasks';

/** The coordinator believes `worker` busy while an attempt of some task runs on it. */
export const isBusy = (c: CoordinatorContext, worker: string): boolean =>
  c.mapTasks.some((t) => runsOn(t, worker)) || c.reduceTasks.some((t) => runsOn(t, worker));
export const allMapsCompleted = (c: CoordinatorContext): boolean => c.mapTasks.every((t) => t.completed !== null);
export const allReducesCompleted = (c: CoordinatorContext): boolean => c.reduceTasks.every((t) => t.completed !== null);
/** Map tasks whose completed output sits on `worker`'s disk. */
export const holdsOutput = (c: CoordinatorContext, worker: string): boolean => c.mapTasks.some((t) => t.completed?.worker === worker);

/** The locations of every completed map task's output, in map order. */
function sourcesOf(c: CoordinatorContext): Source[] {
  return c.mapTasks.flatMap((t, map) => (t.completed ? [{ map, attempt: t.completed.attempt, worker: t.completed.worker }] : []));
}

/** Section 3.6: when no task of the current phase is idle, a task with one running attempt, not on `worker`. */
export function backupCandidate(c: CoordinatorContext, worker: string): { kind: Kind; task: number } | null {
  const kind: Kind = allMapsCompleted(c) ? 'reduce' : 'map';
  const tasks = tasksOf(c, kind);
  if (tasks.some(idleTask)) return null;
  const task = tasks.findIndex((t) => t.completed === null && t.running.length === 1 && !runsOn(t, worker) && t.attempts < c.maxAttempts);
  return task < 0 ? null : { kind, task };
}

/** What the helpers below use of enqueueActions' `enqueue` (the mutants call them too). */
export type Enqueue = {
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
export function declareFailed(c: CoordinatorContext, enqueue: Enqueue, worker: string, reExecuteCompletedMaps: boolean): void {
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

export const reportOf = (event: CoordinatorEvent) => {
  const e = event as Received<MapDone | ReduceDone>;
  return { kind: (e.type === 'MapDone' ? 'map' : 'reduce') as Kind, task: e.task, attempt: e.attempt, worker: e.from };
};
export const workerOf = (event: CoordinatorEvent): string => (event as { worker: string }).worker;

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
