/**
 * A second batch of bugs written without reading the suite (issue 22): term handling, vote
 * counting and the leader's bookkeeping of what followers hold. Not in the model's mutants: the
 * bench's unseen section (bench/unseen.ts) measures how often the default `check` catches them,
 * and `check --load` can run them through a suite module that adds them.
 */
import { and, assign, enqueueActions } from 'xstate';
import { replaceHandler, send, type MutantSpec } from '../../src/index.js';
import { ev, raftServer } from './server.js';

/** The candidate counts every reply of this term as a vote, granted or not. */
const countsDeniedVotes = raftServer.provide({ guards: { voteGranted: () => true } });

/** The up-to-date check compares only the lengths of the logs, not the terms of their last entries. */
const comparesLogLengthOnly = raftServer.provide({
  guards: {
    candidateLogUpToDate: ({ context, event }) => ev(event, 'RequestVote').lastLogIndex >= context.log.length,
  },
});

/**
 * A leader that hears of a newer term in a reply adopts the term (and forgets its vote) but does
 * not step down: it goes on leading, now in a term where another server may be elected.
 */
const keepsLeading = replaceHandler(
  replaceHandler(raftServer, 'leader', 'AppendEntriesResponse', [
    { guard: 'newerTerm', actions: 'adoptTerm' },
    { guard: and(['sameTerm', 'appendSucceeded']), actions: ['recordMatch', 'advanceCommitIndex', 'applyCommitted', 'sendNextEntry'] },
    { guard: 'sameTerm', actions: 'retryEarlier' },
  ]),
  'leader',
  'RequestVoteResponse',
  { guard: 'newerTerm', actions: 'adoptTerm' },
);

/** On a successful reply the leader takes the follower to hold its whole log (matchIndex = its last index). */
const matchesWholeLog = raftServer.provide({
  actions: {
    recordMatch: assign(({ context, event }) => {
      const reply = ev(event, 'AppendEntriesResponse');
      const match = Math.max(context.matchIndex[reply.from] ?? 0, context.log.length);
      return { matchIndex: { ...context.matchIndex, [reply.from]: match }, nextIndex: { ...context.nextIndex, [reply.from]: match + 1 } };
    }),
  },
});

/** A new candidate sends its current term (the one it runs in) where the term of its last log entry belongs. */
const advertisesCurrentTerm = raftServer.provide({
  actions: {
    startElection: enqueueActions(({ context, enqueue }) => {
      const term = context.currentTerm + 1;
      enqueue.assign({ currentTerm: term, votedFor: context.id, votesGranted: [context.id] });
      for (const peer of context.peers) enqueue.emit(send(peer, { type: 'RequestVote', term, candidateId: context.id, lastLogIndex: context.log.length, lastLogTerm: term }));
    }),
  },
});

export const unseenMutants2: Readonly<Record<string, MutantSpec>> = {
  'counts-denied-votes': {
    description: 'a candidate counts every vote reply of its term, granted or denied',
    breaks: 'election-safety',
    roles: { server: { machine: countsDeniedVotes } },
  },
  'compares-log-length-only': {
    description: "a server grants its vote when the candidate's log is at least as long, whatever the terms of the last entries",
    breaks: 'leader-completeness',
    roles: { server: { machine: comparesLogLengthOnly } },
  },
  'keeps-leading-on-newer-term': {
    description: 'a leader that hears of a newer term in a reply adopts it but does not step down',
    breaks: 'election-safety',
    roles: { server: { machine: keepsLeading } },
  },
  'matches-whole-log': {
    description: "on a successful AppendEntries reply the leader records the follower as holding its whole log",
    breaks: 'state-machine-safety',
    roles: { server: { machine: matchesWholeLog } },
  },
  'advertises-current-term': {
    description: 'a candidate sends the term it runs in as lastLogTerm, so any log looks up to date next to its own',
    breaks: 'leader-completeness',
    roles: { server: { machine: advertisesCurrentTerm } },
  },
};
