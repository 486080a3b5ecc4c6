/**
 * A third batch of bugs written without reading the suite (issue 22): what is persisted, how a
 * follower reports what it holds, how votes and replicas are counted. Not in the model's mutants:
 * bench/unseen-3.ts measures how often the default `check` catches them. Written before any
 * measurement, and not adjusted after.
 */
import { emit, enqueueActions } from 'xstate';
import { observe, send, type MutantSpec } from '../../src/index.js';
import { termAt } from './log.js';
import { ev, raftServer } from './server.js';

/** A follower answers a successful AppendEntries with the length of its whole log as its match index (stale entries past the new ones included). */
const repliesLogLengthAsMatch = raftServer.provide({
  actions: {
    replyAppended: emit(({ context, event }) => {
      const ae = ev(event, 'AppendEntries');
      return send(ae.from, { type: 'AppendEntriesResponse', term: context.currentTerm, success: true, matchIndex: context.log.length });
    }),
  },
});

/** "A majority of the peers" where a majority of the cluster was meant: with 3 servers a candidate wins with its own vote. */
const majorityOfPeers = raftServer.provide({
  guards: { wonElection: ({ context }) => context.votesGranted.length >= Math.ceil(context.peers.length / 2) },
});

/** The leader counts a follower as holding everything up to nextIndex − 1 (what it sent, not what was acknowledged). */
const commitsOnNextIndex = raftServer.provide({
  actions: {
    advanceCommitIndex: enqueueActions(({ context, enqueue }) => {
      const majority = Math.floor((context.peers.length + 1) / 2) + 1;
      let commitIndex = context.commitIndex;
      for (let n = context.log.length; n > context.commitIndex; n--) {
        if (context.log[n - 1]!.term !== context.currentTerm) continue;
        const stored = 1 + context.peers.filter((p) => (context.nextIndex[p] ?? 1) - 1 >= n).length;
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
    // The leader also moves nextIndex past every entry it sends, as an optimistic pipeline does.
    sendAppendEntries: enqueueActions(({ context, enqueue }) => {
      const nextIndex = { ...context.nextIndex };
      for (const peer of context.peers) {
        const next = nextIndex[peer] ?? context.log.length + 1;
        enqueue.emit(send(peer, { type: 'AppendEntries', term: context.currentTerm, leaderId: context.id, prevLogIndex: next - 1, prevLogTerm: termAt(context.log, next - 1), entries: context.log.slice(next - 1, next), leaderCommit: context.commitIndex }));
        if (next <= context.log.length) nextIndex[peer] = next + 1;
      }
      enqueue.assign({ nextIndex });
    }),
  },
});

/** A vote is granted without being recorded first: the reply goes out, votedFor stays as it was. */
const grantsWithoutRecording = raftServer.provide({
  actions: {
    grantVote: emit(({ context, event }) => send(ev(event, 'RequestVote').from, { type: 'RequestVoteResponse', term: context.currentTerm, voteGranted: true })),
  },
});


export const unseenMutants3: Readonly<Record<string, MutantSpec>> = {
  'log-not-persisted': {
    description: 'a server persists its term and vote but keeps its log in memory: after a restart its log is empty',
    breaks: 'leader-completeness',
    roles: { server: { persist: ['currentTerm', 'votedFor'] } },
  },
  'replies-log-length-as-match': {
    description: 'a follower reports its whole log length as its match index, counting stale entries past those it just stored',
    breaks: 'state-machine-safety',
    roles: { server: { machine: repliesLogLengthAsMatch } },
  },
  'majority-of-peers': {
    description: 'a candidate needs a majority of its peers, not of the cluster, so with three servers its own vote elects it',
    breaks: 'election-safety',
    roles: { server: { machine: majorityOfPeers } },
  },
  'commits-on-next-index': {
    description: 'the leader advances nextIndex as it sends and counts a follower as holding everything below it, acknowledged or not',
    breaks: 'state-machine-safety',
    roles: { server: { machine: commitsOnNextIndex } },
  },
  'grants-without-recording-vote': {
    description: 'a server replies to a vote request with a grant without recording votedFor, so it may vote again in the term',
    breaks: 'election-safety',
    roles: { server: { machine: grantsWithoutRecording } },
  },
};
