/**
 * The third batch of bugs written without reading the suites (issue 22): the mutants in
 * models/<m>/unseen-mutants-3.ts, four or five per model, written before anything measured them.
 * They are not in the models' mutants; a check of one runs the registered suite with the batch
 * added to its model's mutants. bench/sections/7-bugs-3.ts measures the default `check` on them.
 */
import type { MutantSpec } from '../src/index.js';
import { unseenMutants3 as twoPhaseCommit } from '../models/two-phase-commit/unseen-mutants-3.js';
import { unseenMutants3 as raft } from '../models/raft/unseen-mutants-3.js';
import { unseenMutants3 as paxos } from '../models/paxos/unseen-mutants-3.js';
import { unseenMutants3 as mapreduce } from '../models/mapreduce/unseen-mutants-3.js';
import { unseenMutants3 as quorumKv } from '../models/quorum-kv/unseen-mutants-3.js';

export const BATCH_3: Readonly<Record<string, Readonly<Record<string, MutantSpec>>>> = {
  'two-phase-commit': twoPhaseCommit,
  raft,
  paxos,
  mapreduce,
  'quorum-kv': quorumKv,
};
