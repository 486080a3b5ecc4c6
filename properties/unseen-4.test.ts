/**
 * The fourth batch of bugs written without reading the suites (models/<m>/unseen-mutants-4.ts;
 * issue 22): one per model where the default `check` finds one cheaply, as it finds it at the
 * default seed, so a change that blinds the default to them fails here. The whole batch on seeds
 * 1–5 is a bench section (bench/sections/7-bugs-4.ts: minutes of CPU). Raft's two are found by
 * its small pass since the suite reads Figure 2's rules (properties/raft/rules.ts): a deposed
 * leader's late AppendEntries stored, in the first small configuration; a vote carried over to
 * the next election, in the five-server one (searched here alone: the pass searches the
 * three-server one whole before it, seconds of CPU).
 */
import { expect, test } from 'vitest';
import { checkRandom, searchSmall, smallPass } from '../src/index.js';
import { batchSuite } from '../bench/unseen-2.js';

const timeout = 300_000;

test.each([
  ['two-phase-commit', 'tm-counts-itself-as-voter', 'commit-needs-all-prepared', 3],
  // Issue 22: two values in ballot 1, found part-way through the first small configuration.
  ['paxos', 'keeps-first-accepted-value', 'one-value-per-ballot', 12],
  ['mapreduce', 'keeps-lost-maps-once-reducing', 'lost-maps-re-executed', 19],
  ['quorum-kv', 'store-not-persisted', 'acked-write-durable', 6],
  // Issue 22: write-all quorums with a duplicate and a crash; the put takes effect twice.
  ['quorum-kv', 're-executes-duplicate-request', 'one-version-per-put', 7],
  ['raft', 'accepts-stale-leader-entries', 'stale-requests-refused', 10],
] as const)('%s, %s: the small pass of the default check finds it (%s, %i actions)', async (model, mutant, property, length) => {
  const pass = await smallPass(batchSuite(model, 4), { mutant });
  const v = pass.find((p) => p.violation !== null)?.violation;
  expect([v?.property, v?.actions.length]).toEqual([property, length]);
}, timeout);

test('paxos, recovers-promise-from-acceptance: the default seed finds it within 40 random runs (promise-never-decreases)', () => {
  const r = checkRandom(batchSuite('paxos', 4), { mutant: 'recovers-promise-from-acceptance', seed: 1, runs: 40, minimize: false });
  expect([r.violation?.property, r.runs]).toEqual(['promise-never-decreases', 33]);
}, timeout);

test('raft, election-keeps-old-votes: the five-server small configuration of the default check finds it (votes-of-this-term, 4 actions)', async () => {
  const suite = batchSuite('raft', 4);
  const five = suite.smallConfigs!.find((c) => c.config.nodes === 5)!;
  const v = (await searchSmall(suite, five, { mutant: 'election-keeps-old-votes' })).violation;
  expect([v?.property, v?.actions.length, v?.message]).toEqual(['votes-of-this-term', 4, 'n1, candidate in term 2, counts a vote of n2, which is still in term 1']);
}, timeout);
