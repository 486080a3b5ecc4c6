/**
 * Mutants written after the suite, without looking at what it checks (issue 12): bugs of the
 * kinds implementers make in recovery and task bookkeeping. Each was shown buggy by a replaying
 * counterexample before exploration was changed to find them. The worker's are built per job.
 */
import { emit, enqueueActions } from 'xstate';
import { send, type MutantSpec } from '../../src/index.js';
import { coordinator } from './coordinator.js';
import { diskKey } from './data.js';
import { runMap, splitsOf, type MapReduceJob } from './job.js';
import type { Fetch, Received } from './messages.js';
import { workerMachine } from './worker.js';

/** The coordinator takes "no reduce task is idle" for "every reduce task completed": running ones count as done. */
const completesOnRunning = coordinator.provide({
  guards: {
    jobComplete: ({ context }) => context.reduceTasks.every((t) => t.completed !== null || t.running.length > 0),
  },
});

export function unseenMutantsFor(job: MapReduceJob): Readonly<Record<string, MutantSpec>> {
  const { machine: worker } = workerMachine(job);

  /** A map worker partitions its output M ways (the number of map tasks) instead of R (the number of reduces). */
  const partitionsByMaps = worker.provide({
    actions: {
      runMap: enqueueActions(({ context, enqueue }) => {
        const w = context.current as { task: number; attempt: number };
        const partitions = runMap(job, splitsOf(job, context.maps)[w.task]!, context.maps);
        enqueue.assign({ disk: { ...context.disk, [diskKey(w.task, w.attempt)]: partitions }, current: null });
        enqueue.emit(send(context.coordinator, { type: 'MapDone', task: w.task, attempt: w.attempt }));
      }),
    },
  });

  /** A worker that lost its disk answers a Fetch for output it no longer has with an empty partition. */
  const servesLostOutput = worker.provide({
    guards: { hasOutput: () => true },
    actions: {
      serveFetch: emit(({ context, event }) => {
        const e = event as Received<Fetch>;
        const pairs = context.disk[diskKey(e.map, e.attempt)]?.[e.partition] ?? [];
        return send(e.from, { type: 'FetchData', map: e.map, attempt: e.attempt, reduceAttempt: e.reduceAttempt, pairs });
      }),
    },
  });

  return {
    'partitions-by-maps': {
      description: 'a map worker splits its output into M partitions (the number of map tasks) instead of R (the number of reduce tasks)',
      breaks: 'output-matches-sequential',
      roles: { worker: { machine: partitionsByMaps } },
    },
    'serves-lost-output': {
      description: 'a worker that came back without its disk answers a Fetch for a lost map output with an empty partition',
      breaks: 'output-matches-sequential',
      roles: { worker: { machine: servesLostOutput } },
    },
    'completes-on-running': {
      description: 'the coordinator counts the job complete once every reduce task has completed or is running',
      breaks: 'complete-only-when-committed',
      roles: { coordinator: { machine: completesOnRunning } },
    },
  };
}
