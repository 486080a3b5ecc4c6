/**
 * The registry: every suite the command line knows, by model name. Adding a model means
 * adding one line here.
 */
import { type Suite } from '../src/index.js';
import twoPhaseCommit from './two-phase-commit/index.js';
import raft from './raft/index.js';
import paxos from './paxos/index.js';
import mapreduce from './mapreduce/index.js';
import quorumKv from './quorum-kv/index.js';

export const suites: readonly Suite[] = [twoPhaseCommit, raft, paxos, mapreduce, quorumKv];
