/**
 * Data the MapReduce roles share: where a map task's output lives, what a reduce attempt's
 * output file holds, and the names of files on the shared file system and on a worker's disk.
 */
import type { Pair } from './job.js';

export type Kind = 'map' | 'reduce';

/** Where a map task's output lives: the attempt that produced it and the worker whose disk holds it. */
export interface Source {
  readonly map: number;
  readonly attempt: number;
  readonly worker: string;
}

/** A reduce attempt's output file: its records and (ghost data) the map attempts they came from. */
export interface FileContent {
  readonly partition: number;
  readonly attempt: number;
  readonly records: readonly Pair[];
  readonly sources: readonly { readonly map: number; readonly attempt: number }[];
}

export const outputFile = (partition: number): string => `out-${partition}`;
export const tempFile = (partition: number, attempt: number): string => `tmp-${partition}-a${attempt}`;
export const isOutputFile = (file: string): boolean => file.startsWith('out-');
/** The name of a map attempt's output on its worker's local disk. */
export const diskKey = (map: number, attempt: number): string => `m${map}a${attempt}`;

/** A copy of `items` with `item` at index `i`. */
export function replaceAt<T>(items: readonly T[], i: number, item: T): T[] {
  const copy = items.slice();
  copy[i] = item;
  return copy;
}
