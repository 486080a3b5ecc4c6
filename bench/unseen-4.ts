/**
 * The fourth batch of bugs written without reading the suites (issue 22, point 4): the mutants in
 * models/<m>/unseen-mutants-4.ts, four or five per model, written before anything measured them
 * and before exploration changed for coverage-guided scheduling. They are not in the models'
 * mutants; a check of one runs the registered suite with the batch added to its model's mutants.
 * bench/sections/7-bugs-4.ts measures the default `check` on them.
 */
import type { MutantSpec } from '../src/index.js';
import { unseenMutants4 as twoPhaseCommit } from '../models/two-phase-commit/unseen-mutants-4.js';
import { unseenMutants4 as raft } from '../models/raft/unseen-mutants-4.js';
import { unseenMutants4 as paxos } from '../models/paxos/unseen-mutants-4.js';
import { unseenMutants4For } from '../models/mapreduce/unseen-mutants-4.js';
import { wordCount } from '../models/mapreduce/word-count.js';
import { unseenMutants4 as quorumKv } from '../models/quorum-kv/unseen-mutants-4.js';

export const BATCH_4: Readonly<Record<string, Readonly<Record<string, MutantSpec>>>> = {
  'two-phase-commit': twoPhaseCommit,
  raft,
  paxos,
  mapreduce: unseenMutants4For(wordCount),
  'quorum-kv': quorumKv,
};
