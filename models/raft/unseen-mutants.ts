/**
 * Mutants written after the suite, without looking at what it checks (issue 12): bugs of the
 * kinds implementers make in recovery, vote counting and log bookkeeping. Each was shown buggy
 * by a replaying counterexample before exploration was changed to find them. (A fourth, a
 * candidate keeping the votes of its previous term, turned out to be no bug with 3 servers: a
 * candidate with a majority is already leader, so it only ever carries its own vote. It needs 5.)
 */
import { assign } from 'xstate';
import type { MutantSpec } from '../../src/index.js';
import { ev, raftServer } from './server.js';

/** A follower cuts its log after prevLogIndex on every AppendEntries, even a stale one that conflicts with nothing. */
const truncatesOnAppend = raftServer.provide({
  actions: {
    storeEntries: assign({
      log: ({ context, event }) => {
        const ae = ev(event, 'AppendEntries');
        return [...context.log.slice(0, ae.prevLogIndex), ...ae.entries];
      },
    }),
  },
});

/** A follower takes the leader's commit index as it is, not bounded by the last entry it verified. */
const commitsToLeaderCommit = raftServer.provide({
  actions: {
    commitFromLeader: assign({
      commitIndex: ({ context, event }) => Math.max(context.commitIndex, Math.min(ev(event, 'AppendEntries').leaderCommit, context.log.length)),
    }),
  },
});

export const unseenMutants: Readonly<Record<string, MutantSpec>> = {
  'truncates-on-append': {
    description: 'a follower deletes every entry after prevLogIndex on each AppendEntries, even a late one that conflicts with nothing',
    breaks: 'leader-completeness',
    roles: { server: { machine: truncatesOnAppend } },
  },
  'commits-to-leader-commit': {
    description: "a follower advances its commit index to the leader's, past the entries the leader's message verified",
    breaks: 'state-machine-safety',
    roles: { server: { machine: commitsToLeaderCommit } },
  },
  'forgets-vote': {
    description: 'votedFor is not persisted (currentTerm and the log are): after a crash a server may vote again in its term',
    breaks: 'persistent-state-kept',
    roles: { server: { persist: ['currentTerm', 'log'] } },
  },
};
