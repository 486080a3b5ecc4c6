/**
 * The Raft server: one xstate machine with three states, follower, candidate and leader, exactly
 * the rules of Figure 2:
 * - every message carries a term: a newer term turns any server into a follower of that term
 *   first (and the message is then handled in that term); a message of an older term is refused;
 * - a server grants at most one vote per term, only to a candidate whose log is at least as
 *   up-to-date as its own (last log term, then last log index);
 * - a follower accepts entries only after the prevLogIndex/prevLogTerm consistency check,
 *   deletes a conflicting entry and all that follow it, appends what is new, and takes its
 *   commitIndex from leaderCommit (never beyond the last entry it was sent);
 * - a leader commits an entry only if it is of the leader's current term and stored on a
 *   majority (earlier entries then commit with it: the paper's Figure 8 is why).
 * A leader sends one entry per AppendEntries, the one at the follower's nextIndex; when the
 * follower stores it, the next one at once; when the follower's log does not match, it steps
 * nextIndex back and sends again at once. A candidate counts votes by voter, so a duplicated
 * vote counts once. currentTerm, votedFor and the log are persisted; a crash loses the rest.
 */
import { and, assign, emit, enqueueActions, raise, setup } from 'xstate';
import { observe, send, type Effect } from '../../src/index.js';
import { lastLogTerm, storeEntries, termAt, type Entry } from './log.js';
import type { RaftMessage } from './messages.js';

export interface RaftContext {
  readonly id: string;
  readonly peers: readonly string[];
  /** Persistent: the latest term this server has seen. */
  readonly currentTerm: number;
  /** Persistent: the candidate it voted for in currentTerm, or null. */
  readonly votedFor: string | null;
  /** Persistent: its log. */
  readonly log: readonly Entry[];
  /** Volatile: the highest index it knows to be committed. */
  readonly commitIndex: number;
  /** Volatile: the highest index it applied to its state machine. */
  readonly lastApplied: number;
  /** Candidate (volatile): the servers that granted their vote in this term, sorted. */
  readonly votesGranted: readonly string[];
  /** Leader (volatile): for each follower, the index of the next entry to send it. */
  readonly nextIndex: Readonly<Record<string, number>>;
  /** Leader (volatile): for each follower, the highest index known to be replicated on it. */
  readonly matchIndex: Readonly<Record<string, number>>;
}

type RaftEvent =
  | RaftMessage
  | { type: 'Timeout' }
  | { type: 'Heartbeat' }
  | { type: 'ClientRequest'; command: string }
  | { type: 'RECOVER' };

const majority = (context: RaftContext): number => Math.floor((context.peers.length + 1) / 2) + 1;

/** The AppendEntries a leader sends `peer` now: the entry at the peer's nextIndex, if any. */
function appendEntriesFor(context: RaftContext, peer: string): Effect {
  const next = context.nextIndex[peer] ?? context.log.length + 1;
  return send(peer, {
    type: 'AppendEntries',
    term: context.currentTerm,
    leaderId: context.id,
    prevLogIndex: next - 1,
    prevLogTerm: termAt(context.log, next - 1),
    entries: context.log.slice(next - 1, next),
    leaderCommit: context.commitIndex,
  });
}

/**
 * The highest index the leader may commit: stored on a majority (the leader counts itself) and,
 * when `currentTermOnly`, of the leader's current term. Figure 2's rule is `currentTermOnly`.
 */
export function committableIndex(context: RaftContext, currentTermOnly: boolean): number {
  for (let n = context.log.length; n > context.commitIndex; n--) {
    if (currentTermOnly && context.log[n - 1]!.term !== context.currentTerm) continue;
    const stored = 1 + context.peers.filter((p) => (context.matchIndex[p] ?? 0) >= n).length;
    if (stored >= majority(context)) return n;
  }
  return context.commitIndex;
}

export const ev = <T extends RaftEvent['type']>(event: RaftEvent, _type: T) => event as Extract<RaftEvent, { type: T }>;

export const raftSetup = setup({
  types: {
    context: {} as RaftContext,
    input: {} as { id: string; peers: readonly string[] },
    events: {} as RaftEvent,
    emitted: {} as Effect,
  },
  guards: {
    newerTerm: ({ context, event }) => 'term' in event && event.term > context.currentTerm,
    olderTerm: ({ context, event }) => 'term' in event && event.term < context.currentTerm,
    sameTerm: ({ context, event }) => 'term' in event && event.term === context.currentTerm,
    /** One vote per term: none yet, or the same candidate asking again. */
    notVotedForAnother: ({ context, event }) => context.votedFor === null || context.votedFor === ev(event, 'RequestVote').candidateId,
    /** §5.4.1: the candidate's last entry has a later term, or the same term and an index at least as high. */
    candidateLogUpToDate: ({ context, event }) => {
      const rv = ev(event, 'RequestVote');
      const myLastTerm = lastLogTerm(context.log);
      return rv.lastLogTerm > myLastTerm || (rv.lastLogTerm === myLastTerm && rv.lastLogIndex >= context.log.length);
    },
    /** A vote counts only if it was granted in this election (this term). */
    voteOfThisElection: ({ context, event }) => ev(event, 'RequestVoteResponse').term === context.currentTerm,
    voteGranted: ({ event }) => ev(event, 'RequestVoteResponse').voteGranted,
    wonElection: ({ context }) => context.votesGranted.length >= majority(context),
    /** The consistency check: the follower holds an entry at prevLogIndex with term prevLogTerm. */
    logMatches: ({ context, event }) => {
      const ae = ev(event, 'AppendEntries');
      return ae.prevLogIndex <= context.log.length && termAt(context.log, ae.prevLogIndex) === ae.prevLogTerm;
    },
    appendSucceeded: ({ event }) => ev(event, 'AppendEntriesResponse').success,
  },
  actions: {
    /** A newer term: adopt it, forget the vote, and drop any candidate or leader state. */
    adoptTerm: assign(({ event }) => ({
      currentTerm: (event as { term: number }).term,
      votedFor: null,
      votesGranted: [],
      nextIndex: {},
      matchIndex: {},
    })),
    /** Handle the same message again, now in its term (an internal event of the same step). */
    handleAgain: raise(({ event }) => event),

    startElection: enqueueActions(({ context, enqueue }) => {
      const term = context.currentTerm + 1;
      enqueue.assign({ currentTerm: term, votedFor: context.id, votesGranted: [context.id] });
      for (const peer of context.peers) {
        enqueue.emit(send(peer, { type: 'RequestVote', term, candidateId: context.id, lastLogIndex: context.log.length, lastLogTerm: lastLogTerm(context.log) }));
      }
    }),
    grantVote: enqueueActions(({ context, event, enqueue }) => {
      const rv = ev(event, 'RequestVote');
      enqueue.assign({ votedFor: rv.candidateId });
      enqueue.emit(send(rv.from, { type: 'RequestVoteResponse', term: context.currentTerm, voteGranted: true }));
    }),
    denyVote: emit(({ context, event }) => send(ev(event, 'RequestVote').from, { type: 'RequestVoteResponse', term: context.currentTerm, voteGranted: false })),
    countVote: assign({
      votesGranted: ({ context, event }) => {
        const voter = ev(event, 'RequestVoteResponse').from;
        return context.votesGranted.includes(voter) ? context.votesGranted : [...context.votesGranted, voter].sort();
      },
    }),

    /** Upon election: nextIndex just past the leader's log, matchIndex 0, and a heartbeat to each server. */
    becomeLeader: enqueueActions(({ context, enqueue }) => {
      const nextIndex = Object.fromEntries(context.peers.map((p) => [p, context.log.length + 1]));
      const matchIndex = Object.fromEntries(context.peers.map((p) => [p, 0]));
      enqueue.assign({ votesGranted: [], nextIndex, matchIndex });
      enqueue.emit(observe({ type: 'LeaderElected', node: context.id, term: context.currentTerm }));
      const leader = { ...context, nextIndex, matchIndex };
      for (const peer of context.peers) enqueue.emit(appendEntriesFor(leader, peer));
    }),
    sendAppendEntries: enqueueActions(({ context, enqueue }) => {
      for (const peer of context.peers) enqueue.emit(appendEntriesFor(context, peer));
    }),
    appendCommand: assign({
      log: ({ context, event }) => [...context.log, { term: context.currentTerm, command: ev(event, 'ClientRequest').command }],
    }),
    recordMatch: assign(({ context, event }) => {
      const reply = ev(event, 'AppendEntriesResponse');
      const match = Math.max(context.matchIndex[reply.from] ?? 0, reply.matchIndex);
      return {
        matchIndex: { ...context.matchIndex, [reply.from]: match },
        nextIndex: { ...context.nextIndex, [reply.from]: Math.max(context.nextIndex[reply.from] ?? 1, match + 1) },
      };
    }),
    /** The follower's log did not match: step back one entry (never below what it is known to hold) and retry. */
    retryEarlier: enqueueActions(({ context, event, enqueue }) => {
      const peer = ev(event, 'AppendEntriesResponse').from;
      const next = Math.max((context.matchIndex[peer] ?? 0) + 1, (context.nextIndex[peer] ?? 1) - 1);
      const nextIndex = { ...context.nextIndex, [peer]: next };
      enqueue.assign({ nextIndex });
      enqueue.emit(appendEntriesFor({ ...context, nextIndex }, peer));
    }),
    /** The follower stored what it was sent: send it the next entry, if there is one. */
    sendNextEntry: enqueueActions(({ context, event, enqueue }) => {
      const peer = ev(event, 'AppendEntriesResponse').from;
      if ((context.nextIndex[peer] ?? 1) <= context.log.length) enqueue.emit(appendEntriesFor(context, peer));
    }),
    advanceCommitIndex: enqueueActions(({ context, enqueue }) => {
      const commitIndex = committableIndex(context, true);
      for (let i = context.commitIndex + 1; i <= commitIndex; i++) {
        const entry = context.log[i - 1]!;
        enqueue.emit(observe({ type: 'EntryCommitted', index: i, term: entry.term, command: entry.command, leader: context.id, leaderTerm: context.currentTerm }));
      }
      enqueue.assign({ commitIndex });
    }),

    storeEntries: assign({
      log: ({ context, event }) => {
        const ae = ev(event, 'AppendEntries');
        return storeEntries(context.log, ae.prevLogIndex, ae.entries);
      },
    }),
    /** commitIndex = min(leaderCommit, index of the last new entry); it never moves back. */
    commitFromLeader: assign({
      commitIndex: ({ context, event }) => {
        const ae = ev(event, 'AppendEntries');
        const lastNew = Math.min(ae.prevLogIndex + ae.entries.length, context.log.length);
        return Math.max(context.commitIndex, Math.min(ae.leaderCommit, lastNew));
      },
    }),
    replyAppended: emit(({ context, event }) => {
      const ae = ev(event, 'AppendEntries');
      return send(ae.from, { type: 'AppendEntriesResponse', term: context.currentTerm, success: true, matchIndex: ae.prevLogIndex + ae.entries.length });
    }),
    replyMismatch: emit(({ context, event }) =>
      send(ev(event, 'AppendEntries').from, { type: 'AppendEntriesResponse', term: context.currentTerm, success: false, matchIndex: 0 }),
    ),

    /** Applies committed entries in log order, each once. */
    applyCommitted: enqueueActions(({ context, enqueue }) => {
      const upTo = Math.min(context.commitIndex, context.log.length);
      if (upTo <= context.lastApplied) return;
      for (let i = context.lastApplied + 1; i <= upTo; i++) {
        enqueue.emit(observe({ type: 'EntryApplied', node: context.id, index: i, command: context.log[i - 1]!.command }));
      }
      enqueue.assign({ lastApplied: upTo });
    }),
    observeRecovered: emit(({ context }) => observe({ type: 'Recovered', node: context.id, term: context.currentTerm })),
  },
});

export const raftServer = raftSetup.createMachine({
  id: 'raft',
  initial: 'follower',
  context: ({ input }) => ({
    id: input.id,
    peers: input.peers,
    currentTerm: 0,
    votedFor: null,
    log: [],
    commitIndex: 0,
    lastApplied: 0,
    votesGranted: [],
    nextIndex: {},
    matchIndex: {},
  }),
  // Rules for all servers. States handle messages of their own term; a message of another
  // term matches none of their transitions and comes here.
  on: {
    RequestVote: [
      { guard: 'newerTerm', target: '.follower', actions: ['adoptTerm', 'handleAgain'] },
      { guard: and(['sameTerm', 'notVotedForAnother', 'candidateLogUpToDate']), actions: 'grantVote' },
      { actions: 'denyVote' },
    ],
    RequestVoteResponse: { guard: 'newerTerm', target: '.follower', actions: 'adoptTerm' },
    AppendEntries: [
      { guard: 'newerTerm', target: '.follower', actions: ['adoptTerm', 'handleAgain'] },
      { guard: 'olderTerm', actions: 'replyMismatch' },
    ],
    AppendEntriesResponse: { guard: 'newerTerm', target: '.follower', actions: 'adoptTerm' },
  },
  states: {
    follower: {
      on: {
        Timeout: 'candidate',
        AppendEntries: [
          { guard: and(['sameTerm', 'logMatches']), actions: ['storeEntries', 'commitFromLeader', 'applyCommitted', 'replyAppended'] },
          { guard: 'sameTerm', actions: 'replyMismatch' },
        ],
        RECOVER: { actions: 'observeRecovered' },
      },
    },
    candidate: {
      entry: 'startElection',
      always: { guard: 'wonElection', target: 'leader' },
      on: {
        // No leader emerged in time: a new election in the next term.
        Timeout: { target: 'candidate', reenter: true },
        RequestVoteResponse: { guard: and(['voteOfThisElection', 'voteGranted']), actions: 'countVote' },
        // Another server won this term: follow it, and take its entries.
        AppendEntries: { guard: 'sameTerm', target: 'follower', actions: 'handleAgain' },
      },
    },
    leader: {
      entry: 'becomeLeader',
      on: {
        Heartbeat: { actions: 'sendAppendEntries' },
        ClientRequest: { actions: 'appendCommand' },
        AppendEntriesResponse: [
          { guard: and(['sameTerm', 'appendSucceeded']), actions: ['recordMatch', 'advanceCommitIndex', 'applyCommitted', 'sendNextEntry'] },
          { guard: 'sameTerm', actions: 'retryEarlier' },
        ],
      },
    },
  },
});
