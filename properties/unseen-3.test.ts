/**
 * The third batch of bugs written without reading the suites (models/<m>/unseen-mutants-3.ts;
 * issue 22): one per model, as the default `check` finds it at the default seed, so a change that
 * blinds the default to them fails here. The whole batch on seeds 1–5 is a bench section
 * (bench/sections/7-bugs-3.ts: minutes of CPU). Raft's two stop its small pass at once since the
 * suite reads Figure 2's rules (properties/raft/rules.ts); before, majority-of-peers was checked
 * here by 30 random runs (found at run 11, leader-completeness).
 */
import { expect, test } from 'vitest';
import { smallPass } from '../src/index.js';
import { batchSuite } from '../bench/unseen-2.js';

const timeout = 300_000;

test.each([
  ['two-phase-commit', 'tm-sends-before-logging', 'decision-never-changes', 8],
  ['paxos', 'accept-keeps-old-promise', 'accepted-within-promise', 6],
  ['mapreduce', 'failure-leaves-tasks-running', 'lost-maps-re-executed', 11],
  // Issue 22: found by the small pass's two-worker configuration (a map re-executed while the reduce waits).
  ['mapreduce', 'never-announces-re-executed-map', 'reducers-told-of-re-execution', 10],
  ['quorum-kv', 'drops-hint-when-offered', 'acked-write-durable', 7],
  // Issue 22: no retries and one lost message, the TM's recovery must tell every RM.
  ['two-phase-commit', 'tm-recovery-tells-only-known-voters', 'every-rm-learns-outcome', 7],
  // Issue 22: Dynamo checked for what it still promises, two puts of one coordinator around its restart.
  ['quorum-kv', 'forgets-clock-on-restart', 'versions-unique', 11],
  ['raft', 'majority-of-peers', 'votes-of-this-term', 1],
  ['raft', 'grants-without-recording-vote', 'votes-of-this-term', 3],
] as const)('%s, %s: the small pass of the default check finds it (%s, %i actions)', async (model, mutant, property, length) => {
  const pass = await smallPass(batchSuite(model, 3), { mutant });
  const v = pass.find((p) => p.violation !== null)?.violation;
  expect([v?.property, v?.actions.length]).toEqual([property, length]);
}, timeout);
