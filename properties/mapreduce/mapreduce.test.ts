/**
 * MapReduce, 2 workers, M = 2, R = 2, every fault on: the correct model passes its budget with
 * every witness reached; each known bug is caught by the property it breaks, with a minimal
 * counterexample of known length (the exploration is seeded, so these are exact). A job of the
 * user's own runs through the same model and properties.
 */
import { describe, expect, test } from 'vitest';
import type { MapReduceJob } from '../../models/mapreduce/index.js';
import { checkSuite, expectCaught } from '../../src/index.js';
import { testMutants, type MutantExpectation } from '../mutants.js';
import { testLiveness } from '../liveness.js';
import suite, { mapReduceSuite } from './index.js';

describe('mapreduce', () => {
  test('the correct model holds every invariant and reaches every witness in its budget', () => {
    const result = checkSuite(suite);
    expect(result.runs).toBe(suite.budget.runs);
    expect(result.witnesses.map((w) => [w.name, w.reached])).toEqual([
      ['job-completes', true],
      ['completes-after-worker-crash', true],
      ['backup-commits-first', true],
    ]);
  });

  const expected: Record<string, MutantExpectation> = {
    'reduce-writes-in-place': { property: 'commit-once', step: 15 },
    // A lasso: the lost map is never assigned again while a reduce retries (and fails) for ever.
    'completed-maps-not-re-executed': { property: 'lost-maps-re-executed', step: 15 },
    'accepts-stale-attempt': { property: 'reads-only-reported-output', step: 12 },
    'reduce-starts-early': { property: 'output-matches-sequential', step: 6 },
    'reports-before-commit': { property: 'complete-only-when-committed', step: 11 },
    'partitions-by-maps': { property: 'output-matches-sequential', step: 11 },
    'serves-lost-output': { property: 'output-matches-sequential', step: 14 },
    'completes-on-running': { property: 'complete-only-when-committed', step: 5 },
    // Section 3.3's promises to the coordinator and the reduce workers (issue 22).
    're-executes-completed-reduces': { property: 'completion-accepted-once', step: 28 },
    'relocation-to-map-worker': { property: 'reducers-told-of-re-execution', step: 10 },
    'renames-before-written': { property: 'renames-only-written-files', step: 8 },
    // One worker that crashes holding the map; suspected, it keeps it: the job never ends (properties/mapreduce/liveness.test.ts).
    'ignores-failures': { property: 'job-eventually-completes', step: 5, options: { config: { workers: 1, maps: 1, reduces: 1, attempts: 2, retries: 0 }, faults: { network: 'unordered', loss: 0, duplicate: 0, crash: 1, partition: 0 } } },
  };

  testMutants(suite, expected);

  const small = { config: { workers: 1, maps: 1, reduces: 1, attempts: 2, retries: 0 }, faults: { network: 'unordered', loss: 0, duplicate: 0, crash: 0, partition: 0 } } as const;
  testLiveness(suite, {
    holds: {
      '1 worker, M = R = 1, 2 attempts, no faults': { ...small, states: 462 },
      '1 worker, M = R = 1, 2 attempts, one crash': { ...small, faults: { ...small.faults, crash: 1 }, states: 5702 },
    },
    caught: {
      // The worker is suspected after its map completed; the map stays completed, never re-run.
      'completed-maps-not-re-executed': { options: small, property: 'lost-maps-re-executed', prefix: 18, loop: 1 },
    },
    expected: {},
  });

  /** An inverted index (word → the documents it appears in), with string values. */
  const invertedIndex: MapReduceJob = {
    name: 'inverted index',
    input: ['d1 red fish', 'd2 blue fish', 'd3 red sun'],
    map: (record) => {
      const [doc, ...words] = record.split(' ');
      return words.map((word) => [word, doc!] as const);
    },
    reduce: (_word, docs) => [...new Set(docs.map(String))].sort().join(','),
  };

  test("a user's own job runs through the same model and properties", () => {
    const own = mapReduceSuite(invertedIndex, 'inverted-index');
    expect(own.model.name).toBe('inverted-index');
    const result = checkSuite(own, { runs: 200, traceDir: null });
    expect(result.witnesses.find((w) => w.name === 'job-completes')?.reached).toBe(true);
    expect(expectCaught(own, 'reduce-starts-early', { traceDir: null }).violation?.property).toBe('output-matches-sequential');
  });
});
