/**
 * A third batch of bugs written without reading the suite (issue 22): task attempts, failure
 * handling and the bookkeeping of completions. Not in the model's mutants: bench/unseen-3.ts
 * measures how often the default `check` catches them. Written before any measurement, and not
 * adjusted after.
 */
import { enqueueActions } from 'xstate';
import { observe, send, type MutantSpec } from '../../src/index.js';
import { coordinator, reportOf, tasksOf, workerOf, type CoordinatorContext, type Task } from './coordinator.js';
import { replaceAt, type Kind } from './data.js';

const fieldOf = (kind: Kind) => (kind === 'map' ? 'mapTasks' : 'reduceTasks') as 'mapTasks' | 'reduceTasks';

/** On a completion report the coordinator removes only the reporting attempt: a backup of the task goes on running, and its report is accepted too. */
const completionLeavesBackupRunning = coordinator.provide({
  actions: {
    complete: enqueueActions(({ context, event, enqueue }) => {
      const r = reportOf(event);
      const tasks = tasksOf(context, r.kind);
      const task = tasks[r.task]!;
      const backup = task.running.find((a) => a.attempt === r.attempt)?.backup ?? false;
      const running = task.running.filter((a) => a.attempt !== r.attempt);
      enqueue.assign({ [fieldOf(r.kind)]: replaceAt(tasks, r.task, { ...task, running, completed: { attempt: r.attempt, worker: r.worker, backup } }) } as Partial<CoordinatorContext>);
      enqueue.emit(observe({ type: 'TaskCompleted', kind: r.kind, task: r.task, attempt: r.attempt, worker: r.worker }));
      if (r.kind === 'map') {
        for (const t of context.reduceTasks) {
          for (const a of t.running) enqueue.emit(send(a.worker, { type: 'Relocated', reduceAttempt: a.attempt, source: { map: r.task, attempt: r.attempt, worker: r.worker } }));
        }
      }
    }),
  },
});

/** A failed worker's completed maps are re-queued, but the attempts it was running stay marked running: nobody runs them again. */
const failureLeavesTasksRunning = coordinator.provide({
  actions: {
    declareFailed: enqueueActions(({ context, event, enqueue }) => {
      const worker = workerOf(event);
      enqueue.emit(observe({ type: 'WorkerFailed', worker, afterAttempt: context.nextAttempt - 1 }));
      const mapTasks = context.mapTasks.map((t): Task => (t.completed?.worker === worker ? { ...t, completed: null } : t));
      enqueue.assign({ mapTasks });
    }),
  },
});

/** A re-executed map's new location is recorded but not sent to the reduce workers already running (section 3.3's notification is missing). */
const neverAnnouncesReExecutedMap = coordinator.provide({
  actions: {
    complete: enqueueActions(({ context, event, enqueue }) => {
      const r = reportOf(event);
      const tasks = tasksOf(context, r.kind);
      const backup = tasks[r.task]!.running.find((a) => a.attempt === r.attempt)?.backup ?? false;
      enqueue.assign({ [fieldOf(r.kind)]: replaceAt(tasks, r.task, { ...tasks[r.task]!, running: [], completed: { attempt: r.attempt, worker: r.worker, backup } }) } as Partial<CoordinatorContext>);
      enqueue.emit(observe({ type: 'TaskCompleted', kind: r.kind, task: r.task, attempt: r.attempt, worker: r.worker }));
    }),
  },
});

/** The attempt limit is checked with ≤ where < was meant: a task gets one attempt more than allowed. */
const startableOneMore = (c: CoordinatorContext) => (t: Task): boolean => t.completed === null && t.running.length === 0 && t.attempts <= c.maxAttempts;
const busy = (c: CoordinatorContext, worker: string): boolean => [...c.mapTasks, ...c.reduceTasks].some((t) => t.running.some((a) => a.worker === worker));
const attemptLimitOffByOne = coordinator.provide({
  guards: {
    idleMapFor: ({ context, event }) => !busy(context, workerOf(event)) && context.mapTasks.some(startableOneMore(context)),
    idleReduceFor: ({ context, event }) => !busy(context, workerOf(event)) && context.reduceTasks.some(startableOneMore(context)),
  },
  actions: {
    assignMap: enqueueActions(({ context, event, enqueue }) => start(context, enqueue, 'map', context.mapTasks.findIndex(startableOneMore(context)), workerOf(event))),
    assignReduce: enqueueActions(({ context, event, enqueue }) => start(context, enqueue, 'reduce', context.reduceTasks.findIndex(startableOneMore(context)), workerOf(event))),
  },
});

/** The coordinator's startAttempt (not exported), for the off-by-one mutant's own assignment actions. */
function start(c: CoordinatorContext, enqueue: { assign(p: Partial<CoordinatorContext>): void; emit(e: ReturnType<typeof send>): void }, kind: Kind, task: number, worker: string): void {
  const attempt = c.nextAttempt;
  const tasks = tasksOf(c, kind);
  const t = tasks[task]!;
  enqueue.assign({ [fieldOf(kind)]: replaceAt(tasks, task, { ...t, running: [...t.running, { attempt, worker, backup: false }], attempts: t.attempts + 1 }), nextAttempt: attempt + 1 });
  if (kind === 'map') {
    enqueue.emit(send(worker, { type: 'RunMap', task, attempt }));
    enqueue.emit(observe({ type: 'TaskAssigned', kind, task, attempt, worker, backup: false }));
  } else {
    const sources = c.mapTasks.flatMap((m, map) => (m.completed ? [{ map, attempt: m.completed.attempt, worker: m.completed.worker }] : []));
    enqueue.emit(send(worker, { type: 'RunReduce', task, attempt, sources }));
    enqueue.emit(observe({ type: 'TaskAssigned', kind, task, attempt, worker, backup: false, sources }));
  }
}


export const unseenMutants3: Readonly<Record<string, MutantSpec>> = {
  'completion-leaves-backup-running': {
    description: 'a completion report removes only the reporting attempt, so a backup of the same task runs on and its report completes the task again',
    breaks: 'commit-once',
    roles: { coordinator: { machine: completionLeavesBackupRunning } },
  },
  'failure-leaves-tasks-running': {
    description: "declaring a worker failed re-queues its completed maps but leaves its running attempts marked running, so they never run again",
    breaks: 'job-eventually-completes',
    roles: { coordinator: { machine: failureLeavesTasksRunning } },
  },
  'never-announces-re-executed-map': {
    description: "a map completed again after its worker failed is not announced to the reduce workers already waiting for it",
    breaks: 'job-eventually-completes',
    roles: { coordinator: { machine: neverAnnouncesReExecutedMap } },
  },
  'attempt-limit-off-by-one': {
    description: 'a task may be started while its attempts are ≤ the limit (not <), one attempt more than allowed',
    breaks: 'job-eventually-completes',
    roles: { coordinator: { machine: attemptLimitOffByOne } },
  },
};
