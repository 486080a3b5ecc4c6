/**
 * The messages of a MapReduce job (Dean & Ghemawat 2004, sections 3.1 and 3.3): assignments and
 * completion reports between the coordinator and the workers, fetches of map output between
 * workers, and writes and renames on the shared file system. Each comment names who sends it to whom.
 */
import type { FileContent, Source } from './data.js';
import type { Pair } from './job.js';

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

/** A message as a node receives it: with its sender. */
export type Received<M> = M & { from: string };
