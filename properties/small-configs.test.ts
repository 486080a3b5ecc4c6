/**
 * Each suite's small configuration (issue 12): exhaustive search completes, and reaches what bugs
 * need (a crash and recovery, a second term or ballot, two proposers and a learner, maps !=
 * reduces). Counts pinned, as src/explore/bfs/search.test.ts pins the README's configurations.
 */
import { expect, test } from 'vitest';
import { explore } from '../src/index.js';
import { suites } from './registry.js';

const pinned: Record<string, { states: number; depth: number; witnesses: string[] }> = {
  'two-phase-commit': { states: 1292, depth: 14, witnesses: ['commits', 'aborts', 'commits-after-recovery'] },
  raft: { states: 75781, depth: 43, witnesses: ['leader-elected', 'entry-committed'] },
  paxos: { states: 158458, depth: 25, witnesses: ['chosen', 'learned', 'chosen-after-competition'] },
  mapreduce: { states: 62227, depth: 43, witnesses: ['job-completes', 'completes-after-worker-crash'] },
  // Issue 22: a sloppy quorum with one client of one operation: no get, so no read witness.
  'quorum-kv': { states: 498, depth: 16, witnesses: ['hint-handed-over', 'sibling-resolved'] },
};

test('every registered suite declares a small configuration', () => {
  expect(suites.filter((s) => s.small === undefined).map((s) => s.model.name)).toEqual([]);
});

test.each(suites.filter((s) => s.small !== undefined).map((s) => [s.model.name, s] as const))('%s: its small configuration is searched completely', async (name, suite) => {
  const small = suite.small!;
  const r = await explore(suite, { config: small.config, faults: small.faults, maxInFlight: small.maxInFlight });
  const want = pinned[name]!;
  expect([r.complete, r.violation, r.distinctStates, r.depth]).toEqual([true, null, want.states, want.depth]);
  expect(r.witnesses.filter((w) => w.reached).map((w) => w.name)).toEqual(want.witnesses);
});
