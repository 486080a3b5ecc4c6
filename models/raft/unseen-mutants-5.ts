/**
 * A fifth batch of bugs written without reading the suite (issue 22, point 4): the control batch,
 * written on 2026-12-08 before the default `check` was improved for batches 2–4, measured before
 * (bench/unseen-5-before.json) and not adjusted after. The up-to-date comparison, a re-sent entry
 * stored twice, a stale reply counted, and a majority rounded for the wrong cluster size. Not in
 * the model's mutants: bench/unseen-5.ts measures how often the default `check` catches them.
 */
import { and, assign, not } from 'xstate';
import { replaceHandler, type MutantSpec } from '../../src/index.js';
import { lastLogTerm } from './log.js';
import { ev, raftServer } from './server.js';

/**
 * §5.4.1 with its two keys swapped: the longer log wins, and the last term breaks ties. Why a
 * bug: a candidate with a long log of old terms gets the vote of a server holding a shorter log
 * that ends in a newer, committed entry; elected by that majority, it lacks the committed entry
 * (leader-completeness), e.g. three servers, an old leader that appended two entries nobody else
 * stored, and a newer leader that committed one entry on the other two.
 */
const upToDateComparesIndexFirst = raftServer.provide({
  guards: {
    candidateLogUpToDate: ({ context, event }) => {
      const rv = ev(event, 'RequestVote');
      return rv.lastLogIndex > context.log.length || (rv.lastLogIndex === context.log.length && rv.lastLogTerm >= lastLogTerm(context.log));
    },
  },
});

/**
 * The follower appends the entries it is sent at the end of its log once the consistency check
 * passes, instead of placing them after prevLogIndex. Why a bug: a re-sent or duplicated
 * AppendEntries (a heartbeat re-sends the entry at nextIndex until it is acknowledged) stores the
 * same entry twice, so the follower's log has an entry at an index the leader's has not, and the
 * next entry lands one index further than on the leader (log-matching).
 */
const appendsAtLogEnd = raftServer.provide({
  actions: {
    storeEntries: assign({ log: ({ context, event }) => [...context.log, ...ev(event, 'AppendEntries').entries] }),
  },
});

/**
 * Figure 2's "if a response contains a newer term, step down" is there, but a leader handles a
 * reply of an older term like one of its own: a late success from the time it led an earlier
 * term is taken as a match now. Why a bug: the follower's log may have been overwritten since
 * (another leader in between), so the leader counts it towards committing a current-term entry
 * that only the leader holds; a later leader elected without it loses a committed entry
 * (leader-completeness).
 */
const countsStaleAppendReplies = replaceHandler(raftServer, 'leader', 'AppendEntriesResponse', [
  { guard: and([not('newerTerm'), 'appendSucceeded']), actions: ['recordMatch', 'advanceCommitIndex', 'applyCommitted', 'sendNextEntry'] },
  { guard: 'sameTerm', actions: 'retryEarlier' },
]);

/**
 * "A majority is more than half of the other servers": the candidate counts its votes against
 * half of its peers. With 3 or 5 servers that is the right threshold (2 of 3, 3 of 5); with an
 * even cluster it is one short: 2 votes of 4 elect. Why a bug: `nodes=4` is a supported
 * configuration, in which two candidates of one term may each get two votes (their own and one
 * other) and both lead (election-safety).
 */
const halfTheClusterElects = raftServer.provide({
  guards: { wonElection: ({ context }) => context.votesGranted.length > context.peers.length / 2 },
});

export const unseenMutants5: Readonly<Record<string, MutantSpec>> = {
  'up-to-date-compares-index-first': {
    description: 'a server grants its vote to a longer log first and compares last terms only between logs of equal length',
    breaks: 'leader-completeness',
    roles: { server: { machine: upToDateComparesIndexFirst } },
  },
  'appends-at-log-end': {
    description: 'a follower appends the entries it is sent at the end of its log, so a re-sent entry is stored twice',
    breaks: 'log-matching',
    roles: { server: { machine: appendsAtLogEnd } },
  },
  'counts-stale-append-replies': {
    description: 'a leader takes a successful AppendEntries reply of an older term as a match in its current term',
    breaks: 'leader-completeness',
    roles: { server: { machine: countsStaleAppendReplies } },
  },
  'half-the-cluster-elects': {
    description: 'a candidate wins with votes from more than half of its peers, one vote short of a majority when the cluster is even',
    breaks: 'election-safety',
    roles: { server: { machine: halfTheClusterElects } },
  },
};
