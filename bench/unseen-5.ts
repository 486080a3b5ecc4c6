/**
 * The fifth batch of bugs written without reading the suites (issue 22, point 4): the control
 * batch, the mutants in models/<m>/unseen-mutants-5.ts, four per model, written on 2026-12-08
 * while the default `check` was being improved for batches 2–4, and measured before those changes
 * landed (bench/unseen-5-before.json), so that "after" shows whether the improvements generalise
 * to bugs nobody tuned for. They are not in the models' mutants; a check of one runs the
 * registered suite with the batch added to its model's mutants. bench/sections/7-bugs-5.ts
 * measures the default `check` on them.
 */
import type { MutantSpec } from '../src/index.js';
import { unseenMutants5 as twoPhaseCommit } from '../models/two-phase-commit/unseen-mutants-5.js';
import { unseenMutants5 as raft } from '../models/raft/unseen-mutants-5.js';
import { unseenMutants5 as paxos } from '../models/paxos/unseen-mutants-5.js';
import { unseenMutants5For } from '../models/mapreduce/unseen-mutants-5.js';
import { wordCount } from '../models/mapreduce/word-count.js';
import { unseenMutants5 as quorumKv } from '../models/quorum-kv/unseen-mutants-5.js';

export const BATCH_5: Readonly<Record<string, Readonly<Record<string, MutantSpec>>>> = {
  'two-phase-commit': twoPhaseCommit,
  raft,
  paxos,
  mapreduce: unseenMutants5For(wordCount),
  'quorum-kv': quorumKv,
};
