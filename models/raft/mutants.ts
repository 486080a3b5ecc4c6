/**
 * Mutants: known bugs, each a variant of the server machine, and the property that must catch it.
 */
import { assign, emit, enqueueActions } from 'xstate';
import { observe, send, type MutantSpec } from '../../src/index.js';
import { unseenMutants } from './unseen-mutants.js';
import { committableIndex, ev, raftServer } from './server.js';

/** 1. A server grants its vote without looking at votedFor. */
const votesTwice = raftServer.provide({ guards: { notVotedForAnother: () => true } });

/** 3. A server grants its vote without the log up-to-date check. */
const votesForStaleLog = raftServer.provide({ guards: { candidateLogUpToDate: () => true } });

/** 4. A leader commits the highest index stored on a majority, whatever its term (Figure 8). */
const commitsOldTerm = raftServer.provide({
  actions: {
    advanceCommitIndex: enqueueActions(({ context, enqueue }) => {
      const commitIndex = committableIndex(context, false);
      for (let i = context.commitIndex + 1; i <= commitIndex; i++) {
        const entry = context.log[i - 1]!;
        enqueue.emit(observe({ type: 'EntryCommitted', index: i, term: entry.term, command: entry.command, leader: context.id, leaderTerm: context.currentTerm }));
      }
      enqueue.assign({ commitIndex });
    }),
  },
});

/** 5. A follower stores entries without the prevLogIndex/prevLogTerm check. */
const skipsConsistencyCheck = raftServer.provide({ guards: { logMatches: () => true } });

/** 6. A candidate counts a granted vote whatever the term it was granted in. */
const countsStaleVotes = raftServer.provide({
  guards: { voteOfThisElection: ({ context, event }) => ev(event, 'RequestVoteResponse').term <= context.currentTerm },
});

/** 7. A leader writes a new command just after its commit index, over its uncommitted entries. */
const overwritesUncommitted = raftServer.provide({
  actions: {
    appendCommand: assign({
      log: ({ context, event }) => [...context.log.slice(0, context.commitIndex), { term: context.currentTerm, command: ev(event, 'ClientRequest').command }],
    }),
  },
});

/** 8. A leader applies a command as soon as it appends it, before it is committed. */
const appliesBeforeCommit = raftServer.provide({
  actions: {
    appendCommand: enqueueActions(({ context, event, enqueue }) => {
      const command = ev(event, 'ClientRequest').command;
      const log = [...context.log, { term: context.currentTerm, command }];
      for (let i = context.lastApplied + 1; i <= log.length; i++) {
        enqueue.emit(observe({ type: 'EntryApplied', node: context.id, index: i, command: log[i - 1]!.command }));
      }
      enqueue.assign({ log, lastApplied: log.length });
    }),
  },
});

/** A server never grants its vote to another: safe (no two leaders, ever), but no leader is ever elected. */
const grantsNoVotes = raftServer.provide({ guards: { notVotedForAnother: () => false } });

/**
 * A follower stores what it is sent but ignores leaderCommit: safe (it applies nothing that is
 * not committed), but it never applies anything a leader committed. Only liveness catches it.
 */
const ignoresLeaderCommit = raftServer.provide({ actions: { commitFromLeader: () => {} } });

/**
 * A server refuses a request of an older term but answers in the request's term (`reply.term =
 * args.term`), so a deposed leader or a stale candidate never learns from the refusal that a newer
 * term exists.
 */
const repliesInRequestTerm = raftServer.provide({
  actions: {
    denyVote: emit(({ event }) => {
      const rv = ev(event, 'RequestVote');
      return send(rv.from, { type: 'RequestVoteResponse', term: rv.term, voteGranted: false });
    }),
    replyMismatch: emit(({ event }) => {
      const ae = ev(event, 'AppendEntries');
      return send(ae.from, { type: 'AppendEntriesResponse', term: ae.term, success: false, matchIndex: 0 });
    }),
  },
});

/**
 * A follower answers every AppendEntries it stores as if it carried one entry (matchIndex
 * prevLogIndex + 1), a heartbeat too: the leader then counts it as holding the next entry it appends.
 */
const countsHeartbeatAsEntry = raftServer.provide({
  actions: {
    replyAppended: emit(({ context, event }) => {
      const ae = ev(event, 'AppendEntries');
      return send(ae.from, { type: 'AppendEntriesResponse', term: context.currentTerm, success: true, matchIndex: ae.prevLogIndex + 1 });
    }),
  },
});

/** A leader counts itself twice when it counts the servers that store an entry (its own log, and once more). */
const countsLeaderTwice = raftServer.provide({
  actions: {
    advanceCommitIndex: enqueueActions(({ context, enqueue }) => {
      const majority = Math.floor((context.peers.length + 1) / 2) + 1;
      let commitIndex = context.commitIndex;
      for (let n = context.log.length; n > context.commitIndex; n--) {
        if (context.log[n - 1]!.term !== context.currentTerm) continue;
        const stored = 2 + context.peers.filter((p) => (context.matchIndex[p] ?? 0) >= n).length;
        if (stored >= majority) {
          commitIndex = n;
          break;
        }
      }
      for (let i = context.commitIndex + 1; i <= commitIndex; i++) {
        const entry = context.log[i - 1]!;
        enqueue.emit(observe({ type: 'EntryCommitted', index: i, term: entry.term, command: entry.command, leader: context.id, leaderTerm: context.currentTerm }));
      }
      enqueue.assign({ commitIndex });
    }),
  },
});

/** A follower takes leaderCommit before the consistency check: it raises its commit index on an AppendEntries of its term that it refuses. */
const commitsOnRefusedAppend = raftServer.provide({
  actions: {
    replyMismatch: enqueueActions(({ context, event, enqueue }) => {
      const ae = ev(event, 'AppendEntries');
      if (ae.term === context.currentTerm) enqueue.assign({ commitIndex: Math.max(context.commitIndex, Math.min(ae.leaderCommit, context.log.length)) });
      enqueue.emit(send(ae.from, { type: 'AppendEntriesResponse', term: context.currentTerm, success: false, matchIndex: 0 }));
    }),
  },
});

export const mutants: Readonly<Record<string, MutantSpec>> = {
  'grants-no-votes': {
    description: 'a server never grants its vote to another candidate, so no election can be won',
    breaks: 'leader-eventually-elected',
    roles: { server: { machine: grantsNoVotes } },
  },
  'votes-twice': {
    description: 'a server grants its vote without checking votedFor, so it may vote twice in a term',
    breaks: 'election-safety',
    roles: { server: { machine: votesTwice } },
  },
  'forgets-term-and-vote': {
    description: 'currentTerm and votedFor are not persisted: after a crash a server may vote again in a term',
    breaks: 'persistent-state-kept',
    roles: { server: { persist: ['log'] } },
  },
  'votes-for-stale-log': {
    description: 'a server grants its vote without the log up-to-date check',
    breaks: 'leader-completeness',
    roles: { server: { machine: votesForStaleLog } },
  },
  'commits-old-term': {
    description: "a leader commits an earlier term's entry once it is stored on a majority (Figure 8)",
    breaks: 'leader-completeness',
    roles: { server: { machine: commitsOldTerm } },
  },
  'skips-consistency-check': {
    description: 'a follower stores entries without the prevLogIndex/prevLogTerm check',
    breaks: 'log-matching',
    roles: { server: { machine: skipsConsistencyCheck } },
  },
  'counts-stale-votes': {
    description: 'a candidate counts votes granted in an older term',
    // Seen when the stale vote is counted (§5.2), before it makes a second leader (election-safety).
    breaks: 'votes-of-this-term',
    roles: { server: { machine: countsStaleVotes } },
  },
  'overwrites-uncommitted': {
    description: 'a leader writes a new command right after its commit index, over its uncommitted entries',
    breaks: 'leader-append-only',
    roles: { server: { machine: overwritesUncommitted } },
  },
  'applies-before-commit': {
    description: 'a leader applies a command as soon as it appends it, before it is committed',
    // Seen at the apply (§5.3), before another server applies another command there (state-machine-safety).
    breaks: 'applied-only-committed',
    roles: { server: { machine: appliesBeforeCommit } },
  },
  'ignores-leader-commit': {
    description: "a follower ignores the leader's commit index, so it never applies a committed entry",
    breaks: 'stable-leader-commits-applied',
    roles: { server: { machine: ignoresLeaderCommit } },
  },
  // Written with the properties of properties/raft/rules.ts (issue 22), one to give each teeth.
  'replies-in-request-term': {
    description: "a server refuses a request of an older term but answers in the request's term, so its sender never learns of the newer one",
    breaks: 'stale-requests-refused',
    roles: { server: { machine: repliesInRequestTerm } },
  },
  'counts-heartbeat-as-entry': {
    description: 'a follower answers every AppendEntries as if it carried one entry, a heartbeat too, so the leader counts it for an entry it lacks',
    breaks: 'match-index-held',
    roles: { server: { machine: countsHeartbeatAsEntry } },
  },
  'counts-leader-twice': {
    description: 'a leader counts itself twice among the servers that store an entry, so it commits with one server too few',
    breaks: 'committed-on-majority',
    roles: { server: { machine: countsLeaderTwice } },
  },
  'commits-on-refused-append': {
    description: "a follower raises its commit index to the leader's before the consistency check, so also on an AppendEntries it refuses",
    breaks: 'commit-within-verified',
    roles: { server: { machine: commitsOnRefusedAppend } },
  },
  // Written after the suite, for issue 12 (./unseen-mutants.ts).
  ...unseenMutants,
};
