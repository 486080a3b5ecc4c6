/**
 * A second batch of bugs written without reading the suite (issue 22): task bookkeeping,
 * recovery and partitioning. Not in the model's mutants: the bench's unseen section
 * (bench/unseen.ts) measures how often the default `check` catches them. The worker's are built
 * per job.
 */
import { enqueueActions } from 'xstate';
import { send, type MutantSpec } from '../../src/index.js';
import { coordinator } from './coordinator.js';
import { diskKey, tempFile, type FileContent } from './data.js';
import { partitionOf, runReduce, splitsOf, type MapReduceJob, type Pair } from './job.js';
import { reduceWork, workerMachine } from './worker.js';

/** The coordinator ends the job as soon as some reduce task completed ("any" where "every" was meant). */
const completesOnFirstReduce = coordinator.provide({
  guards: { jobComplete: ({ context }) => context.reduceTasks.some((t) => t.completed !== null) },
});

export function unseenMutants2For(job: MapReduceJob): Readonly<Record<string, MutantSpec>> {
  const { machine: worker } = workerMachine(job);

  /** A reduce attempt reduces once one map's partition has arrived, with what it has, not waiting for the others. */
  const reducesOnFirstFetch = worker.provide({
    guards: { fetchedAll: ({ context }) => reduceWork(context)?.fetched.some((p) => p !== null) ?? false },
    actions: {
      writeOutput: enqueueActions(({ context, enqueue }) => {
        const w = reduceWork(context)!;
        const records = runReduce(job, w.fetched.filter((p): p is readonly Pair[] => p !== null));
        const content: FileContent = { partition: w.task, attempt: w.attempt, records, sources: w.sources.map((s) => ({ map: s.map, attempt: s.attempt })) };
        const output = { file: tempFile(w.task, w.attempt), content };
        enqueue.assign({ current: { ...w, output } });
        enqueue.emit(send(context.fs, { type: 'Write', file: output.file, content }));
      }),
    },
  });

  /** A map worker hashes each pair's value, not its key, to choose the partition. */
  const partitionsByValue = worker.provide({
    actions: {
      runMap: enqueueActions(({ context, enqueue }) => {
        const w = context.current as { task: number; attempt: number };
        const partitions: Pair[][] = Array.from({ length: context.reduces }, () => []);
        for (const record of splitsOf(job, context.maps)[w.task]!) for (const pair of job.map(record)) partitions[partitionOf(String(pair[1]), context.reduces)]!.push(pair);
        enqueue.assign({ disk: { ...context.disk, [diskKey(w.task, w.attempt)]: partitions }, current: null });
        enqueue.emit(send(context.coordinator, { type: 'MapDone', task: w.task, attempt: w.attempt }));
      }),
    },
  });

  return {
    'reduces-on-first-fetch': {
      description: "a reduce attempt reduces as soon as one map's partition arrived, without waiting for the others",
      breaks: 'output-matches-sequential',
      roles: { worker: { machine: reducesOnFirstFetch } },
    },
    'completes-on-first-reduce': {
      description: 'the coordinator declares the job complete once some reduce task completed',
      breaks: 'complete-only-when-committed',
      roles: { coordinator: { machine: completesOnFirstReduce } },
    },
    'partitions-by-value': {
      description: "a map worker chooses each pair's partition by hashing its value instead of its key",
      breaks: 'output-matches-sequential',
      roles: { worker: { machine: partitionsByValue } },
    },
    'forgets-attempt-counter': {
      description: 'the coordinator checkpoints its task table but not its attempt counter: after a restart it numbers attempts from 1 again',
      breaks: 'job-eventually-completes',
      roles: { coordinator: { persist: ['mapTasks', 'reduceTasks'] } },
    },
  };
}
