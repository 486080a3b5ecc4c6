/**
 * The fifth batch of bugs written without reading the suites (models/<m>/unseen-mutants-5.ts;
 * issue 22, the control batch): one per model that the default `check` finds cheaply, as it
 * finds it (its small pass, before any random run), so a change that blinds the default to them
 * fails here. The whole batch on seeds 1–5 is a bench section (bench/sections/7-bugs-5.ts:
 * minutes of CPU), measured before the default changed for batches 2–4
 * (bench/unseen-5-before.json).
 */
import { expect, test } from 'vitest';
import { smallPass } from '../src/index.js';
import { batchSuite } from '../bench/unseen-2.js';

const timeout = 300_000;

test.each([
  ['two-phase-commit', 'tm-abort-not-logged', 'decision-never-changes', 8],
  ['raft', 'appends-at-log-end', 'state-machine-safety', 21],
  ['paxos', 'promises-above-last-acceptance', 'promise-never-decreases', 4],
  ['mapreduce', 'completes-when-none-running', 'complete-only-when-committed', 10],
  ['quorum-kv', 'compares-timestamps-only', 'acked-write-durable', 11],
] as const)('%s, %s: the small pass of the default check finds it (%s, %i actions)', async (model, mutant, property, length) => {
  const pass = await smallPass(batchSuite(model, 5), { mutant });
  const v = pass.find((p) => p.violation !== null)?.violation;
  expect([v?.property, v?.actions.length]).toEqual([property, length]);
}, timeout);
