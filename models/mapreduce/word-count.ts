/**
 * The job the model ships with: word count (the paper's section 2.1 example) over a tiny
 * corpus. Four lines and six distinct words keep the world small while every map task still
 * writes to every partition for the default R = 2.
 */
import type { MapReduceJob } from './job.js';

export const corpus: readonly string[] = [
  'to be or not to be',
  'to do is to be',
  'to be is to do',
  'do be do be do',
];

export const wordCount: MapReduceJob = {
  name: 'word count',
  input: corpus,
  map: (line) => line.split(/\s+/).filter(Boolean).map((word) => [word, 1] as const),
  reduce: (_word, counts) => counts.reduce<number>((sum, n) => sum + Number(n), 0),
};
