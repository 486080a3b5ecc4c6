/**
 * A fourth batch of bugs written without reading the suite (issue 22, point 4): stale messages,
 * term handling in votes, the repair of a follower's log, and what a restart believes. Not in the
 * model's mutants: bench/unseen-4.ts measures how often the default `check` catches them. Written
 * before any measurement (and before exploration changed for issue 22's coverage-guided
 * scheduling), and not adjusted after.
 */
import { and, emit, enqueueActions } from 'xstate';
import { observe, replaceHandler, send, type MutantSpec } from '../../src/index.js';
import { termAt } from './log.js';
import { ev, raftServer } from './server.js';

/** A follower checks that the leader's log matches but not that its term is current: a deposed leader's late AppendEntries is stored. */
const acceptsStaleLeaderEntries = replaceHandler(raftServer, 'follower', 'AppendEntries', [
  {
    guard: ({ context, event }) => {
      const ae = ev(event, 'AppendEntries');
      return ae.term <= context.currentTerm && ae.prevLogIndex <= context.log.length && termAt(context.log, ae.prevLogIndex) === ae.prevLogTerm;
    },
    actions: ['storeEntries', 'commitFromLeader', 'applyCommitted', 'replyAppended'],
  },
  { guard: 'sameTerm', actions: 'replyMismatch' },
]);

/**
 * A vote request of an older term is not refused: a server that has not voted in its own term
 * grants it, answering in the candidate's term, so that the candidate counts it.
 */
const grantsStaleVoteRequests = replaceHandler(
  raftServer.provide({
    actions: {
      grantVote: enqueueActions(({ event, enqueue }) => {
        const rv = ev(event, 'RequestVote');
        enqueue.assign({ votedFor: rv.candidateId });
        enqueue.emit(send(rv.from, { type: 'RequestVoteResponse', term: rv.term, voteGranted: true }));
      }),
    },
  }),
  '',
  'RequestVote',
  [
    { guard: 'newerTerm', target: '.follower', actions: ['adoptTerm', 'handleAgain'] },
    { guard: and(['notVotedForAnother', 'candidateLogUpToDate']), actions: 'grantVote' },
    { actions: 'denyVote' },
  ],
);

/**
 * "Fast backup" confused with a match: a follower that refuses entries reports how far its log
 * goes, and the leader records that as the follower's match index (the entries there may
 * conflict), so it counts the follower towards a commit it does not hold.
 */
const backsUpToFollowerHint = raftServer.provide({
  actions: {
    replyMismatch: emit(({ context, event }) => {
      const ae = ev(event, 'AppendEntries');
      return send(ae.from, { type: 'AppendEntriesResponse', term: context.currentTerm, success: false, matchIndex: Math.max(0, Math.min(context.log.length, ae.prevLogIndex - 1)) });
    }),
    retryEarlier: enqueueActions(({ context, event, enqueue }) => {
      const reply = ev(event, 'AppendEntriesResponse');
      const peer = reply.from;
      const match = Math.max(context.matchIndex[peer] ?? 0, reply.matchIndex);
      const nextIndex = { ...context.nextIndex, [peer]: match + 1 };
      enqueue.assign({ nextIndex, matchIndex: { ...context.matchIndex, [peer]: match } });
      const next = match + 1;
      enqueue.emit(send(peer, { type: 'AppendEntries', term: context.currentTerm, leaderId: context.id, prevLogIndex: next - 1, prevLogTerm: termAt(context.log, next - 1), entries: context.log.slice(next - 1, next), leaderCommit: context.commitIndex }));
    }),
  },
});

/** A restarted server takes everything in its log on disk as committed, and applies it. */
const recoveryAppliesWholeLog = raftServer.provide({
  actions: {
    observeRecovered: enqueueActions(({ context, enqueue }) => {
      enqueue.emit(observe({ type: 'Recovered', node: context.id, term: context.currentTerm }));
      const upTo = context.log.length;
      for (let i = context.lastApplied + 1; i <= upTo; i++) {
        enqueue.emit(observe({ type: 'EntryApplied', node: context.id, index: i, command: context.log[i - 1]!.command }));
      }
      enqueue.assign({ commitIndex: upTo, lastApplied: Math.max(context.lastApplied, upTo) });
    }),
  },
});

/** A candidate that times out and starts another election keeps the votes it had counted in the last one. */
const electionKeepsOldVotes = raftServer.provide({
  actions: {
    startElection: enqueueActions(({ context, enqueue }) => {
      const term = context.currentTerm + 1;
      const votes = context.votesGranted.includes(context.id) ? context.votesGranted : [...context.votesGranted, context.id].sort();
      enqueue.assign({ currentTerm: term, votedFor: context.id, votesGranted: votes });
      const last = context.log.length;
      for (const peer of context.peers) {
        enqueue.emit(send(peer, { type: 'RequestVote', term, candidateId: context.id, lastLogIndex: last, lastLogTerm: termAt(context.log, last) }));
      }
    }),
  },
});

export const unseenMutants4: Readonly<Record<string, MutantSpec>> = {
  'accepts-stale-leader-entries': {
    description: "a follower stores a deposed leader's late AppendEntries when the logs match, without checking its term",
    breaks: 'leader-completeness',
    roles: { server: { machine: acceptsStaleLeaderEntries } },
  },
  'grants-stale-vote-requests': {
    description: 'a server grants a vote request of an older term (answering in that term) when it has not voted in its own',
    breaks: 'election-safety',
    roles: { server: { machine: grantsStaleVoteRequests } },
  },
  'backs-up-to-follower-hint': {
    description: "a refusing follower reports how far its log goes, and the leader takes that as the follower's match index",
    breaks: 'leader-completeness',
    roles: { server: { machine: backsUpToFollowerHint } },
  },
  'recovery-applies-whole-log': {
    description: 'a restarted server takes its whole log on disk as committed and applies it',
    breaks: 'state-machine-safety',
    roles: { server: { machine: recoveryAppliesWholeLog } },
  },
  'election-keeps-old-votes': {
    description: "a candidate's next election starts with the votes counted in its previous one",
    breaks: 'election-safety',
    roles: { server: { machine: electionKeepsOldVotes } },
  },
};
