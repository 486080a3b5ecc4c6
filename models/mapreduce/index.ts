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
// The model, one file per role, read in this order (each file imports only the ones below it):
//   model.ts        the wiring (coordinator, workers, fs), environments, parameters, faults
//   mutants.ts      the known bugs, each a variant of one role, and the property that catches it
//   coordinator.ts  the coordinator: assigns attempts, declares failures, starts backups
//   worker.ts       the worker: runs map and reduce attempts, serves map output, commits by rename
//   file-system.ts  the shared file system node: Write, and atomic Rename where the first commit wins
//   messages.ts     the messages, each with who sends it to whom
//   data.ts         map output locations, output file contents, file names
//   job.ts          the job: map and reduce functions and what the workers compute (word-count.ts: the default job)
export { default, mapReduceModel, COORDINATOR, FS, workerIds } from './model.js';
export type { MapReduceJob, Pair, Value } from './job.js';
export { sequentialOutput, runMap, runReduce, splitsOf, partitionOf } from './job.js';
export { wordCount, corpus } from './word-count.js';
export { outputFile, tempFile, type FileContent, type Kind, type Source } from './data.js';
export type { Fetch, FetchData, MapDone, ReduceDone, Relocated, Rename, Renamed, RunMap, RunReduce, Write, Written } from './messages.js';
export {
  allMapsCompleted,
  allReducesCompleted,
  coordinator,
  coordinatorSetup,
  isBusy,
  type Attempt,
  type CoordinatorContext,
  type Task,
} from './coordinator.js';
export { workerMachine, type WorkerContext } from './worker.js';
export { fileSystem, fsSetup, type FsContext } from './file-system.js';
