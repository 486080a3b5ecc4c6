/**
 * A MapReduce job: the user's map and reduce functions over a list of input records, and the
 * pure computations the workers run (Dean & Ghemawat 2004, section 3.1, steps 1, 3, 5, 6).
 *
 * Everything here is a pure function of its arguments, so a map attempt run twice produces the
 * same output (the paper's section 3.3 assumes deterministic operators; we do too).
 */

/** An intermediate or output value. */
export type Value = string | number;

/** A key/value pair, intermediate (from map) or final (from reduce). */
export type Pair = readonly [key: string, value: Value];

/** What a user supplies to run their own job through the model. */
export interface MapReduceJob {
  /** A short name, shown in the model's title. */
  readonly name: string;
  /** The input records, in order. The M map tasks take contiguous runs of them (the input splits). */
  readonly input: readonly string[];
  /** map(record) → intermediate pairs. Must be deterministic. */
  readonly map: (record: string) => readonly Pair[];
  /** reduce(key, values) → the output value for `key`. Values arrive in input order. */
  readonly reduce: (key: string, values: readonly Value[]) => Value;
}

/** The M input splits: contiguous runs of records, as even as possible, in input order. */
export function splitsOf(job: MapReduceJob, maps: number): string[][] {
  const splits: string[][] = Array.from({ length: maps }, () => []);
  job.input.forEach((record, i) => splits[Math.floor((i * maps) / job.input.length)]!.push(record));
  return splits;
}

/**
 * The partitioning function of section 4.1, hash(key) mod R, with a fixed string hash
 * (FNV-1a, then a mixing step so that short keys spread over the partitions).
 */
export function partitionOf(key: string, reduces: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) % reduces;
}

/** A map task: the split's pairs, in input order, divided into R partitions (the R local files). */
export function runMap(job: MapReduceJob, split: readonly string[], reduces: number): Pair[][] {
  const partitions: Pair[][] = Array.from({ length: reduces }, () => []);
  for (const record of split) for (const pair of job.map(record)) partitions[partitionOf(pair[0], reduces)]!.push(pair);
  return partitions;
}

/**
 * A reduce task: its partition of every map's output (in map order), sorted by key (stably,
 * so a key's values stay in input order), grouped, and reduced; the output sorted by key.
 */
export function runReduce(job: MapReduceJob, inputs: readonly (readonly Pair[])[]): Pair[] {
  return groupAndReduce(job, inputs.flat());
}

function groupAndReduce(job: MapReduceJob, pairs: readonly Pair[]): Pair[] {
  const sorted = [...pairs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const output: Pair[] = [];
  for (let i = 0; i < sorted.length; ) {
    const key = sorted[i]![0];
    const values: Value[] = [];
    for (; i < sorted.length && sorted[i]![0] === key; i++) values.push(sorted[i]![1]);
    output.push([key, job.reduce(key, values)]);
  }
  return output;
}

/**
 * The oracle: the job computed sequentially on one machine (map every record, group every
 * key, reduce), then cut into the R output partitions. It shares no code path with the
 * splits and the per-partition reduce above except the user's functions and the hash.
 */
export function sequentialOutput(job: MapReduceJob, reduces: number): Pair[][] {
  const output = groupAndReduce(job, job.input.flatMap((record) => [...job.map(record)]));
  const partitions: Pair[][] = Array.from({ length: reduces }, () => []);
  for (const pair of output) partitions[partitionOf(pair[0], reduces)]!.push(pair);
  return partitions;
}
