/**
 * A fifth batch of bugs written without reading the suite (issue 22, point 4): the control batch,
 * written on 2026-12-08 before the default `check` was improved for batches 2–4, measured before
 * (bench/unseen-5-before.json) and not adjusted after. A retry that skips the atomic rename, a
 * completion test that counts abandoned tasks, a refused rename that deletes the wrong file, and
 * a file system that keeps its files in memory. Not in the model's mutants: bench/unseen-5.ts
 * measures how often the default `check` catches them. The worker's are built per job.
 */
import { enqueueActions } from 'xstate';
import { send, type MutantSpec } from '../../src/index.js';
import { coordinator } from './coordinator.js';
import { outputFile } from './data.js';
import { fileSystem } from './file-system.js';
import type { MapReduceJob } from './job.js';
import type { Received, Rename } from './messages.js';
import { reduceWork, workerMachine } from './worker.js';

/**
 * "Every reduce task has been started and none is running any more, so the job is done": the
 * coordinator's completion test looks at running attempts, not at completions. Why a bug: when a
 * worker running the last reduce attempt is declared failed, its attempt is abandoned and the
 * task is idle again, uncommitted; the coordinator reports the job complete
 * (complete-only-when-committed).
 */
const completesWhenNoneRunning = coordinator.provide({
  guards: { jobComplete: ({ context }) => context.reduceTasks.every((t) => t.attempts > 0 && t.running.length === 0) },
});

/**
 * A refused rename (the output exists: another attempt committed first) is meant to discard the
 * temporary file; the file system deletes the output file instead (the two names swapped). Why a
 * bug: the committed output disappears, and the loser's temporary file is left, so a repeated or
 * duplicated Rename of it commits the partition a second time (commit-once).
 */
const discardRemovesOutput = fileSystem.provide({
  actions: {
    discardRename: enqueueActions(({ context, event, enqueue }) => {
      const e = event as Received<Rename>;
      const { [e.output]: _removed, ...rest } = context.files;
      enqueue.assign({ files: rest });
      enqueue.emit(send(e.from, { type: 'Renamed', temp: e.temp, committed: false }));
    }),
  },
});

export function unseenMutants5For(job: MapReduceJob): Readonly<Record<string, MutantSpec>> {
  const { machine: worker } = workerMachine(job);

  /**
   * "The rename's answer was lost: this time write the output file directly": a reduce worker that
   * retries while committing writes its output in place instead of asking again for the rename.
   * Why a bug: the rename may have succeeded (only its answer was lost or is late), or a backup may
   * have committed first; the write commits the partition again (commit-once; section 3.3 relies
   * on the atomic rename so that the output is produced by one execution).
   */
  const retryWritesOutputDirectly = worker.provide({
    actions: {
      requestRename: enqueueActions(({ context, event, enqueue }) => {
        const w = reduceWork(context)!;
        if (event.type === 'Retry') enqueue.emit(send(context.fs, { type: 'Write', file: outputFile(w.task), content: w.output!.content }));
        else enqueue.emit(send(context.fs, { type: 'Rename', temp: w.output!.file, output: outputFile(w.task) }));
      }),
    },
  });

  return {
    'retry-writes-output-directly': {
      description: 'a reduce worker that retries while committing writes its output file in place instead of asking for the rename again',
      breaks: 'commit-once',
      roles: { worker: { machine: retryWritesOutputDirectly } },
    },
    'completes-when-none-running': {
      description: 'the coordinator reports the job complete once every reduce task was started and none is running, abandoned ones included',
      breaks: 'complete-only-when-committed',
      roles: { coordinator: { machine: completesWhenNoneRunning } },
    },
    'discard-removes-output': {
      description: 'a rename refused because the output exists deletes the output file instead of the temporary one',
      breaks: 'commit-once',
      roles: { fs: { machine: discardRemovesOutput } },
    },
    // The file system keeps its files in memory. Why a bug: the paper's output lives on GFS,
    // which survives machine failures; here an fs crash loses committed outputs and temporary
    // files, and a reduce re-executed or retried afterwards commits its partition again
    // (commit-once).
    'fs-keeps-files-in-memory': {
      description: 'the shared file system does not persist its files, so a crash loses committed output that a later attempt commits again',
      breaks: 'commit-once',
      roles: { fs: { persist: [] } },
    },
  };
}
