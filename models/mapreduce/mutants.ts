/**
 * Mutants: known bugs, each a variant of one role's machine, and the property that must catch it.
 * The worker's mutants are built per job, like the worker.
 */
import { enqueueActions } from 'xstate';
import { observe, replaceHandler, send, type MutantSpec } from '../../src/index.js';
import { coordinator, declareFailed, reportOf, tasksOf, workerOf, type CoordinatorContext, type Enqueue } from './coordinator.js';
import { outputFile, replaceAt, tempFile, type FileContent } from './data.js';
import { runReduce, type MapReduceJob, type Pair } from './job.js';
import { reduceWork, workerMachine } from './worker.js';
import { unseenMutantsFor } from './unseen-mutants.js';

/** Reduces are assigned as soon as no map task is idle, before every map task is complete. */
const startsReducesEarly = coordinator.provide({ guards: { reducesMayStart: () => true } });

/** A worker declared failed loses its in-progress attempts, but its completed map tasks stay completed. */
const keepsLostMaps = coordinator.provide({
  actions: {
    declareFailed: enqueueActions(({ context, event, enqueue }) =>
      declareFailed(context, enqueue, workerOf(event), false),
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

/**
 * The coordinator's failure detector fires but does nothing: a worker it suspects keeps its
 * tasks. Safe (nothing is run twice), but a task whose worker lost it (a crash, a lost
 * message) stays assigned for ever, and the job never completes. Only liveness catches it.
 */
const ignoresFailures = coordinator.provide({ actions: { declareFailed: () => {} } });

/**
 * A worker declared failed has its completed reduce tasks re-queued too, as if their output had
 * been on its disk like a map's (section 3.3: it is on the global file system, so they need not
 * run again). The re-run's rename loses to the first commit, and its report completes the task twice.
 */
const reExecutesCompletedReduces = coordinator.provide({
  actions: {
    declareFailed: enqueueActions(({ context, event, enqueue }) => {
      const worker = workerOf(event);
      const requeueReduces: Enqueue = {
        emit: (effect) => enqueue.emit(effect),
        assign: (patch) =>
          enqueue.assign({ ...patch, reduceTasks: (patch.reduceTasks ?? context.reduceTasks).map((t) => (t.completed?.worker === worker ? { ...t, completed: null } : t)) }),
      };
      declareFailed(context, requeueReduces, worker, true);
    }),
  },
});

/**
 * On a map's completion, the coordinator sends the new location to the map's own worker instead
 * of the workers running reduce attempts (`worker` for `a.worker`): the reducers never hear of it.
 */
const relocationToMapWorker = coordinator.provide({
  actions: {
    complete: enqueueActions(({ context, event, enqueue }) => {
      const r = reportOf(event);
      const field = r.kind === 'map' ? 'mapTasks' : 'reduceTasks';
      const tasks = tasksOf(context, r.kind);
      const backup = tasks[r.task]!.running.find((a) => a.attempt === r.attempt)?.backup ?? false;
      enqueue.assign({ [field]: replaceAt(tasks, r.task, { ...tasks[r.task]!, running: [], completed: { attempt: r.attempt, worker: r.worker, backup } }) } as Partial<CoordinatorContext>);
      enqueue.emit(observe({ type: 'TaskCompleted', kind: r.kind, task: r.task, attempt: r.attempt, worker: r.worker }));
      if (r.kind !== 'map') return;
      for (const t of context.reduceTasks) {
        for (const a of t.running) enqueue.emit(send(r.worker, { type: 'Relocated', reduceAttempt: a.attempt, source: { map: r.task, attempt: r.attempt, worker: r.worker } }));
      }
    }),
  },
});

function workerMutants(job: MapReduceJob) {
  const { machine: worker } = workerMachine(job);

  /** The reduce worker writes straight to the output file (no temporary file, no rename). */
  const writesInPlace = replaceHandler(
    worker.provide({
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
    }),
    'writing',
    'Written',
    { guard: 'myWrite', target: 'idle', actions: 'reportReduceDone' },
  );

  /** The reduce worker reports completion as soon as it asks for the rename, not once it is done. */
  const reportsBeforeCommit = worker.provide({
    actions: {
      requestRename: enqueueActions(({ context, enqueue }) => {
        const w = reduceWork(context)!;
        enqueue.emit(send(context.fs, { type: 'Rename', temp: w.output!.file, output: outputFile(w.task) }));
        enqueue.emit(send(context.coordinator, { type: 'ReduceDone', task: w.task, attempt: w.attempt }));
      }),
    },
  });

  /** The reduce worker sends its Rename right behind its Write ("the file system applies them in order"); on an unordered network the rename may arrive first. */
  const renamesBeforeWritten = worker.provide({
    actions: {
      writeOutput: enqueueActions(({ context, enqueue }) => {
        const w = reduceWork(context)!;
        const content: FileContent = {
          partition: w.task,
          attempt: w.attempt,
          records: runReduce(job, w.fetched as (readonly Pair[])[]),
          sources: w.sources.map((s) => ({ map: s.map, attempt: s.attempt })),
        };
        const output = { file: tempFile(w.task, w.attempt), content };
        enqueue.assign({ current: { ...w, output } });
        enqueue.emit(send(context.fs, { type: 'Write', file: output.file, content }));
        enqueue.emit(send(context.fs, { type: 'Rename', temp: output.file, output: outputFile(w.task) }));
      }),
    },
  });

  return { writesInPlace, reportsBeforeCommit, renamesBeforeWritten };
}

/** The mutants of a job's model. */
export function mutantsFor(job: MapReduceJob): Readonly<Record<string, MutantSpec>> {
  const { writesInPlace, reportsBeforeCommit, renamesBeforeWritten } = workerMutants(job);
  return {
    'reduce-writes-in-place': {
      description: 'a reduce attempt writes its output file in place, without a temporary file and an atomic rename',
      breaks: 'commit-once',
      roles: { worker: { machine: writesInPlace } },
    },
    'completed-maps-not-re-executed': {
      description: 'when a worker is declared failed, its completed map tasks are not re-executed (their output was on its disk)',
      breaks: 'lost-maps-re-executed',
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
    'ignores-failures': {
      description: 'a worker declared failed keeps its tasks: one that lost its task (crashed, or a message was lost) holds it for ever',
      breaks: 'job-eventually-completes',
      roles: { coordinator: { machine: ignoresFailures } },
    },
    're-executes-completed-reduces': {
      description: "a worker declared failed has its completed reduce tasks re-queued too, though their output is on the global file system: a task's completion is accepted twice",
      breaks: 'completion-accepted-once',
      roles: { coordinator: { machine: reExecutesCompletedReduces } },
    },
    'relocation-to-map-worker': {
      description: "the new location of a re-executed map is sent to the map's own worker, not to the workers running reduce attempts",
      breaks: 'reducers-told-of-re-execution',
      roles: { coordinator: { machine: relocationToMapWorker } },
    },
    'renames-before-written': {
      description: 'a reduce worker sends its Rename right behind its Write, so on an unordered network the rename may overtake the write',
      breaks: 'renames-only-written-files',
      roles: { worker: { machine: renamesBeforeWritten } },
    },
    // Written after the suite, for issue 12 (./unseen-mutants.ts).
    ...unseenMutantsFor(job),
  };
}
