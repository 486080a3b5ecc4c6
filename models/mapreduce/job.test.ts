/**
 * The job's pure computations: word count's known answer, and for any input, M and R, the
 * distributed computation (M splits, partitioned map outputs, R reduces) equals the sequential
 * oracle the properties compare against.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { runMap, runReduce, sequentialOutput, splitsOf, type MapReduceJob } from './job.js';
import { corpus, wordCount } from './word-count.js';

function distributed(job: MapReduceJob, maps: number, reduces: number) {
  const mapOutputs = splitsOf(job, maps).map((split) => runMap(job, split, reduces));
  return Array.from({ length: reduces }, (_, r) => runReduce(job, mapOutputs.map((partitions) => partitions[r]!)));
}

describe('mapreduce job', () => {
  test('word count over the shipped corpus, in R = 2 partitions', () => {
    expect(corpus).toHaveLength(4);
    expect(sequentialOutput(wordCount, 2)).toEqual([
      [['be', 6], ['do', 5], ['is', 2], ['to', 6]],
      [['not', 1], ['or', 1]],
    ]);
  });

  test('splits are contiguous, in order, and cover the input', () => {
    expect(splitsOf(wordCount, 3)).toEqual([[corpus[0], corpus[1]], [corpus[2]], [corpus[3]]]);
  });

  test('for any input, M and R, the distributed job equals the sequential one', () => {
    const words = fc.constantFrom('a', 'b', 'c', 'dd', 'eee');
    fc.assert(
      fc.property(
        fc.array(fc.array(words, { maxLength: 5 }).map((ws) => ws.join(' ')), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 4 }),
        (input, m, reduces) => {
          const job = { ...wordCount, input };
          const maps = Math.min(m, input.length);
          expect(distributed(job, maps, reduces)).toEqual(sequentialOutput(job, reduces));
        },
      ),
      { seed: 5, numRuns: 300 },
    );
  });
});
