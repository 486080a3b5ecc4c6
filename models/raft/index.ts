/**
 * Raft, after Ongaro & Ousterhout, "In Search of an Understandable Consensus Algorithm
 * (Extended Version)" (2014), Figure 2.
 *
 * Servers elect a leader per term; the leader takes client commands into its log and replicates
 * them with AppendEntries; an entry is committed once the leader has stored it on a majority, and
 * every server applies committed entries to its state machine in log order. Each server is one
 * xstate machine with three states, follower, candidate and leader, exactly the rules of Figure 2:
 * - every message carries a term: a newer term turns any server into a follower of that term
 *   first (and the message is then handled in that term); a message of an older term is refused;
 * - a server grants at most one vote per term, only to a candidate whose log is at least as
 *   up-to-date as its own (last log term, then last log index);
 * - a follower accepts entries only after the prevLogIndex/prevLogTerm consistency check,
 *   deletes a conflicting entry and all that follow it, appends what is new, and takes its
 *   commitIndex from leaderCommit (never beyond the last entry it was sent);
 * - a leader commits an entry only if it is of the leader's current term and stored on a
 *   majority (earlier entries then commit with it: the paper's Figure 8 is why).
 *
 * What is modelled, and how:
 * - Stable storage. currentTerm, votedFor and the log are persisted before a server answers; a
 *   crash loses commitIndex, lastApplied, the votes a candidate collected and a leader's
 *   nextIndex/matchIndex. A restarted server is a follower that re-applies its log as it learns
 *   the commit index again.
 * - Time is an event. An election Timeout may fire on any follower or candidate at any step (a
 *   leader does not time out); a leader's Heartbeat sends AppendEntries to every follower; a ClientRequest
 *   reaches a server that believes it is leader. Its command is derived from the leader's term
 *   and the index it will take (`c3.2`: term 3, index 2), so every command is fresh.
 * - Bounds, so that runs spend their steps on interleavings rather than on ever larger numbers:
 *   no Timeout once a server's term reaches `maxTerm`, and no ClientRequest once the leader's log
 *   holds `maxLog` entries (`--config maxTerm=12 maxLog=4` widens them).
 * - One entry per AppendEntries, as in Ongaro's TLA+ specification: the one at the follower's
 *   nextIndex (none for a heartbeat to an up-to-date follower). When the follower stores it, the
 *   leader sends the next one at once; when the follower's log does not match, the leader steps
 *   nextIndex back and sends again at once (Figure 2: "decrement nextIndex and retry").
 * - Network: unordered, with loss, duplication, crashes and partitions (their bounds are the
 *   model's default faults). Requests are not retried on a clock: a later Heartbeat sends again.
 * - AppendEntries replies carry, besides Figure 2's term and success, the index up to which the
 *   follower's log now matches the leader's (`matchIndex`, as in Ongaro's TLA+ specification):
 *   on a network that reorders and duplicates, the leader cannot infer it from "success" alone.
 * - A candidate counts votes by voter, so a duplicated vote counts once.
 * - Out of scope: membership changes, log compaction and snapshots, client sessions and reads.
 */
import { and, assign, emit, enqueueActions, raise, setup } from 'xstate';
import { observe, send, defineModel, type Effect, type NodeSpec, type Params } from '../../src/index.js';

// ---- The log --------------------------------------------------------------------------------

/** One log entry: the term in which a leader received it, and the client's command. */
export interface Entry {
  readonly term: number;
  readonly command: string;
}

/** Log indices start at 1, as in the paper; index 0 is "before the first entry" (term 0). */
const termAt = (log: readonly Entry[], index: number): number => (index === 0 ? 0 : (log[index - 1]?.term ?? -1));
const lastLogTerm = (log: readonly Entry[]): number => termAt(log, log.length);

/**
 * The follower's log after receiving `entries` placed after `prevLogIndex`: an existing entry
 * that conflicts with a new one (same index, different term) is deleted with all that follow
 * it; entries already present stay (a late or duplicated AppendEntries must not cut the log).
 */
function storeEntries(log: readonly Entry[], prevLogIndex: number, entries: readonly Entry[]): readonly Entry[] {
  let result = log;
  entries.forEach((entry, j) => {
    const index = prevLogIndex + 1 + j;
    if (index <= result.length) {
      if (result[index - 1]!.term !== entry.term) result = [...result.slice(0, index - 1), entry];
    } else {
      result = [...result, entry];
    }
  });
  return result;
}

// ---- Messages -------------------------------------------------------------------------------

/** Candidate → every other server: "vote for me in `term`"; the last log entry shows how up-to-date it is. */
export type RequestVote = { type: 'RequestVote'; term: number; candidateId: string; lastLogIndex: number; lastLogTerm: number };
/** Server → candidate: its current term, and whether it granted its vote. */
export type RequestVoteResponse = { type: 'RequestVoteResponse'; term: number; voteGranted: boolean };
/** Leader → follower: entries to store after prevLogIndex (none for a heartbeat), and the leader's commit index. */
export type AppendEntries = {
  type: 'AppendEntries';
  term: number;
  leaderId: string;
  prevLogIndex: number;
  prevLogTerm: number;
  entries: readonly Entry[];
  leaderCommit: number;
};
/** Follower → leader: its current term, whether the entries were stored, and up to where its log matches. */
export type AppendEntriesResponse = { type: 'AppendEntriesResponse'; term: number; success: boolean; matchIndex: number };

type Received<M> = M & { from: string };
type RaftMessage = Received<RequestVote> | Received<RequestVoteResponse> | Received<AppendEntries> | Received<AppendEntriesResponse>;

// ---- The server -----------------------------------------------------------------------------

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
function committableIndex(context: RaftContext, currentTermOnly: boolean): number {
  for (let n = context.log.length; n > context.commitIndex; n--) {
    if (currentTermOnly && context.log[n - 1]!.term !== context.currentTerm) continue;
    const stored = 1 + context.peers.filter((p) => (context.matchIndex[p] ?? 0) >= n).length;
    if (stored >= majority(context)) return n;
  }
  return context.commitIndex;
}

const ev = <T extends RaftEvent['type']>(event: RaftEvent, _type: T) => event as Extract<RaftEvent, { type: T }>;

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

// ---- Wiring ---------------------------------------------------------------------------------

function serverIds(params: Params): string[] {
  return Array.from({ length: Number(params.nodes) }, (_, i) => `n${i + 1}`);
}

function cluster(params: Params): NodeSpec[] {
  const ids = serverIds(params);
  return ids.map((id) => ({ id, role: 'server', input: { id, peers: ids.filter((p) => p !== id) } }));
}

// ---- Mutants: known bugs, each a variant of the machine above ------------------------------

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

export default defineModel({
  name: 'raft',
  title: 'Raft (Ongaro & Ousterhout, "In Search of an Understandable Consensus Algorithm", 2014, Figure 2)',
  params: {
    nodes: { default: 3, min: 3, max: 7, description: 'number of servers' },
    maxTerm: { default: 8, min: 1, max: 20, description: 'no election timeout once a server reaches this term' },
    maxLog: { default: 3, min: 1, max: 20, description: 'a leader takes no client request once its log holds this many entries' },
  },
  roles: {
    server: {
      machine: raftServer,
      persist: ['currentTerm', 'votedFor', 'log'],
      environment: (node, params) => {
        const c = node.context as RaftContext;
        if (node.state === 'leader') {
          const heartbeat = { type: 'Heartbeat' };
          if (c.log.length >= Number(params.maxLog)) return [heartbeat];
          return [heartbeat, { type: 'ClientRequest', command: `c${c.currentTerm}.${c.log.length + 1}` }];
        }
        return c.currentTerm < Number(params.maxTerm) ? [{ type: 'Timeout' }] : [];
      },
    },
  },
  nodes: cluster,
  faults: { network: 'unordered', loss: 2, duplicate: 2, crash: 2, partition: 1 },
  symmetric: ['server'],
  // Terms are the scarce resource of a run: a Timeout that comes too often starts elections that
  // nobody finishes. Rare timeouts and heartbeats let each term play out (and let Figure 8's
  // interleavings, which need several complete elections, happen); measured in the README.
  // Quiet nodes (a few servers time out in a run, the others only vote and store) make Figure 8
  // on 5 servers about twice as likely per run (src/explore/strategy.ts).
  exploration: { weights: { deliver: 16 }, eventWeights: { Timeout: 1, Heartbeat: 1, ClientRequest: 2 }, quietNodes: true },
  mutants: {
    'votes-twice': {
      description: 'a server grants its vote without checking votedFor, so it may vote twice in a term',
      breaks: 'election-safety',
      roles: { server: { machine: votesTwice } },
    },
    'forgets-term-and-vote': {
      description: 'currentTerm and votedFor are not persisted: after a crash a server may vote again in a term',
      breaks: 'election-safety',
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
      breaks: 'election-safety',
      roles: { server: { machine: countsStaleVotes } },
    },
    'overwrites-uncommitted': {
      description: 'a leader writes a new command right after its commit index, over its uncommitted entries',
      breaks: 'leader-append-only',
      roles: { server: { machine: overwritesUncommitted } },
    },
    'applies-before-commit': {
      description: 'a leader applies a command as soon as it appends it, before it is committed',
      breaks: 'state-machine-safety',
      roles: { server: { machine: appliesBeforeCommit } },
    },
  },
});
