/**
 * Mutants: known bugs, each a variant of one role's machine, and the property that must catch it.
 * The worker's mutants are built per job, like the worker.
 */
import { enqueueActions } from 'xstate';
import { replaceHandler, send, type MutantSpec } from '../../src/index.js';
import { coordinator, declareFailed, reportOf, tasksOf, workerOf } from './coordinator.js';
import { outputFile, type FileContent } from './data.js';
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

  return { writesInPlace, reportsBeforeCommit };
}

/** The mutants of a job's model. */
export function mutantsFor(job: MapReduceJob): Readonly<Record<string, MutantSpec>> {
  const { writesInPlace, reportsBeforeCommit } = workerMutants(job);
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
    // Written after the suite, for issue 12 (./unseen-mutants.ts).
    ...unseenMutantsFor(job),
  };
}
