/**
 * What the paper states beside Figure 3 and no Figure 3 property sees until much later (issue 22):
 * the rules of Figure 2 and section 5 whose breach is the *first* wrong step of a bug, read at that
 * step. Figure 3's properties see a bug only when it has grown into two leaders of a term or two
 * commands applied at one index, which may take a second election, a later term or a lagging
 * follower; these see the wrong vote, the wrong reply, the wrong bookkeeping where it happens.
 *
 * - §5.1 and Figure 2's receiver rule 1: a request of an older term is refused (a stale
 *   RequestVote or AppendEntries, delayed or duplicated by the network, changes nothing).
 * - §5.2: a candidate wins with votes granted to it *in its term*: each vote it counts is of the
 *   current election.
 * - Figure 2's leader state: matchIndex is "the highest log entry known to be replicated" on a
 *   server, so that server holds the leader's entries up to it.
 * - §5.3: an entry is committed once stored on a majority, and committed entries are durable:
 *   it stays on a majority; only committed entries are applied.
 * - Figure 2's AppendEntries receiver rule 5: a follower commits up to min(leaderCommit, index of
 *   the last new entry), never entries of its own the request did not verify.
 *
 * Each holds on every state of the suite's small configuration (properties/small-configs.test.ts
 * searches it whole) and in the default check's runs at seeds 1–20, and has a shipped mutant that
 * breaks it first (models/raft/mutants.ts; properties/raft/rules.test.ts pins each).
 */
import type { Entry, RaftContext } from '../../models/raft/index.js';
import { always, alwaysStep, type EnvelopeOf, type NodeView, type Observation, type WorldView } from '../../src/index.js';

const ctx = (node: NodeView): Partial<RaftContext> => node.context as Partial<RaftContext>;
const logOf = (node: NodeView): readonly Entry[] => ctx(node).log ?? [];
const majorityOf = (w: WorldView): number => Math.floor(w.role('server').length / 2) + 1;
const sameEntry = (a: Entry | undefined, b: Entry | undefined): boolean => a !== undefined && b !== undefined && a.term === b.term && a.command === b.command;
const entryText = (e: Entry | undefined): string => (e === undefined ? 'nothing' : `${e.command} (term ${e.term})`);

/** What a request of an older term must leave as it was: the receiver's role and what it persists. */
const untouched = (a: NodeView, b: NodeView): boolean =>
  a.state === b.state && ctx(a).currentTerm === ctx(b).currentTerm && ctx(a).votedFor === ctx(b).votedFor && sameLog(logOf(a), logOf(b));
const sameLog = (a: readonly Entry[], b: readonly Entry[]): boolean => a.length === b.length && a.every((e, i) => sameEntry(e, b[i]));

/** The replies of `type` from `from` to `to` that this step put on the network (a multiset difference). */
function newReplies(before: WorldView, after: WorldView, from: string, to: string, type: string): EnvelopeOf[] {
  const key = (e: EnvelopeOf): string => JSON.stringify(e.message);
  const ours = (e: EnvelopeOf): boolean => e.from === from && e.to === to && e.message.type === type;
  const had = new Map<string, number>();
  for (const e of before.network) if (ours(e)) had.set(key(e), (had.get(key(e)) ?? 0) + 1);
  const added: EnvelopeOf[] = [];
  for (const e of after.network) {
    if (!ours(e)) continue;
    const left = had.get(key(e)) ?? 0;
    if (left > 0) had.set(key(e), left - 1);
    else added.push(e);
  }
  return added;
}

const REPLY: Readonly<Record<string, { type: string; yes: string }>> = {
  RequestVote: { type: 'RequestVoteResponse', yes: 'voteGranted' },
  AppendEntries: { type: 'AppendEntriesResponse', yes: 'success' },
};

/**
 * §5.1: "If a server receives a request with a stale term number, it rejects the request"
 * (Figure 2, both RPCs: "Reply false if term < currentTerm"; the reply carries currentTerm "for
 * the candidate / leader to update itself"). Read at the delivery: a request of an older term
 * leaves the receiver's role, term, vote and log as they were, and is answered false, in the
 * receiver's term.
 */
export const staleRequestsRefused = alwaysStep(
  'stale-requests-refused',
  'a RequestVote or AppendEntries of an older term than the receiver\'s is refused: answered false in the receiver\'s term, changing nothing',
  (before, after, action) => {
    if (action.type !== 'deliver') return;
    const reply = REPLY[action.message.type];
    if (reply === undefined) return;
    const receiver = before.node(action.to);
    const term = ctx(receiver).currentTerm ?? 0;
    const requestTerm = (action.message as { term?: number }).term ?? 0;
    if (!receiver.up || requestTerm >= term) return;
    const now = after.node(action.to);
    const what = `${action.to} (term ${term}) received ${action.message.type} of term ${requestTerm} from ${action.from}`;
    if (!untouched(receiver, now)) {
      return `${what} and changed: ${String(receiver.state)} → ${String(now.state)}, term ${term} → ${String(ctx(now).currentTerm)}, votedFor ${String(ctx(receiver).votedFor)} → ${String(ctx(now).votedFor)}, log ${logOf(receiver).length} → ${logOf(now).length} entries`;
    }
    for (const e of newReplies(before, after, action.to, action.from, reply.type)) {
      const m = e.message as unknown as Readonly<Record<string, unknown>>;
      if (m[reply.yes] !== false || m.term !== term) {
        return `${what} and answered ${reply.yes} ${String(m[reply.yes])} in term ${String(m.term)} (a stale request is refused in the receiver's term)`;
      }
    }
  },
);

/**
 * §5.2: "A candidate wins an election if it receives votes from a majority of the servers in the
 * full cluster for the same term", and "each server will vote for at most one candidate in a
 * given term". So each vote a candidate holds was granted to it in its current term: the voter is
 * in that term and voted for it, or has moved on to a later term. Read on every candidate, and on
 * the step where a candidate wins (the vote that makes the majority is counted and the votes are
 * cleared in that step): the votes it won with are a majority, each of its term. A vote carried
 * over from an older election, a stale or denied reply counted as a vote, a majority counted
 * wrong, show here at once, before they make a second leader.
 */
export const votesOfThisTerm = alwaysStep('votes-of-this-term', 'a candidate holds only votes granted to it in its current term, and becomes leader only with a majority of them', (before, after, action) => {
  for (const c of after.role('server')) {
    if (c.up && c.state === 'candidate') {
      const wrong = wrongVote(after, c, ctx(c).votesGranted ?? []);
      if (wrong !== undefined) return `${c.id}, candidate in term ${String(ctx(c).currentTerm)}, ${wrong}`;
    }
  }
  // The winning step: a candidate (or a server that timed out) is leader after it, in the term it ran in.
  if (action.type !== 'deliver' && action.type !== 'env') return;
  const id = action.type === 'deliver' ? action.to : action.node;
  const was = before.node(id);
  const now = after.node(id);
  if (!now.up || now.state !== 'leader' || was.state === 'leader') return;
  const term = ctx(now).currentTerm;
  const ranBefore = was.state === 'candidate' && ctx(was).currentTerm === term;
  const counted = new Set(ranBefore ? (ctx(was).votesGranted ?? []) : [id]);
  if (ranBefore && action.type === 'deliver' && action.message.type === 'RequestVoteResponse') counted.add(action.from);
  const wrong = wrongVote(after, now, [...counted]);
  if (wrong !== undefined) return `${id} became leader of term ${String(term)}, but it ${wrong}`;
  if (counted.size < majorityOf(after)) return `${id} became leader of term ${String(term)} with the votes of ${[...counted].sort().join(', ')}: ${counted.size} of ${after.role('server').length} servers, not a majority`;
});

/** Why a vote `candidate` counts from one of `voters` was not granted to it in its term (undefined: every vote was). */
function wrongVote(w: WorldView, candidate: NodeView, voters: readonly string[]): string | undefined {
  const term = ctx(candidate).currentTerm!;
  for (const voter of voters) {
    const v = ctx(w.node(voter));
    // A crashed voter whose disk lost its term is persistent-state-kept's to report.
    if (v.currentTerm === undefined) continue;
    if (v.currentTerm < term) return `counts a vote of ${voter}, which is still in term ${v.currentTerm}`;
    if (v.currentTerm === term && v.votedFor !== candidate.id) return `counts a vote of ${voter}, which voted for ${String(v.votedFor ?? 'nobody')} in that term`;
  }
  return undefined;
}

/**
 * Figure 2, a leader's matchIndex: "for each server, index of highest log entry known to be
 * replicated on server". A server in the leader's term takes entries only from that leader, so
 * whatever it acknowledged stays: it holds the leader's entries up to matchIndex. (A server that
 * moved on to a later term may have had uncommitted entries replaced; the deposed leader does
 * not know yet, and that is allowed.)
 */
export const matchIndexHeld = always('match-index-held', "a leader's matchIndex for a server of its term is replicated there: that server holds the leader's entries up to it", (w) => {
  for (const leader of w.role('server')) {
    if (!leader.up || leader.state !== 'leader') continue;
    const term = ctx(leader).currentTerm;
    const log = logOf(leader);
    for (const [peer, match] of Object.entries(ctx(leader).matchIndex ?? {})) {
      const follower = w.node(peer);
      if (match === 0 || ctx(follower).currentTerm !== term) continue;
      const held = logOf(follower);
      for (let i = 1; i <= match; i++) {
        if (!sameEntry(held[i - 1], log[i - 1])) {
          return `${leader.id}, leader of term ${String(term)}, has matchIndex ${match} for ${peer}, but at index ${i} ${peer} holds ${entryText(held[i - 1])} and ${leader.id} ${entryText(log[i - 1])}`;
        }
      }
    }
  }
});

const committedEntries = (w: WorldView): readonly Observation[] => w.observations.filter((o) => o.type === 'EntryCommitted');

/**
 * §5.3: "A log entry is committed once the leader that created the entry has replicated it on a
 * majority of the servers", and "Raft guarantees that committed entries are durable". So a
 * committed entry is, from its commit on, in the logs of a majority (a crashed server's log is on
 * its disk, so it counts). A commit counted wrong, or a committed entry a server lets a stale
 * request overwrite, shows here at once.
 */
export const committedOnMajority = always('committed-on-majority', 'a committed entry is in the logs of a majority of the servers, from its commit on', (w) => {
  const servers = w.role('server');
  const majority = majorityOf(w);
  const seen = new Set<string>();
  for (const c of committedEntries(w)) {
    const entry = { term: c.term as number, command: c.command as string };
    const index = c.index as number;
    const key = `${index}:${entry.term}:${entry.command}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const holders = servers.filter((n) => sameEntry(logOf(n)[index - 1], entry));
    if (holders.length < majority) {
      return `${entryText(entry)} was committed at index ${index} by ${String(c.leader)} in term ${String(c.leaderTerm)}, but only ${holders.length} of ${servers.length} servers hold it (${holders.map((n) => n.id).join(', ') || 'none'})`;
    }
  }
});

/**
 * §5.3: "The leader decides when it is safe to apply a log entry to the state machines; such an
 * entry is called committed" (Figure 2: apply log[lastApplied] once commitIndex > lastApplied).
 * So every command a server applies at an index is the one a leader committed there.
 */
export const appliedOnlyCommitted = always('applied-only-committed', 'a server applies at an index only the command a leader committed there', (w) => {
  let committed: Set<string> | null = null;
  for (const a of w.observations) {
    if (a.type !== 'EntryApplied') continue;
    committed ??= new Set(committedEntries(w).map((c) => `${String(c.index)}:${String(c.command)}`));
    if (!committed.has(`${String(a.index)}:${String(a.command)}`)) {
      return `${String(a.node)} applied ${String(a.command)} at index ${String(a.index)}, which no leader committed there`;
    }
  }
});

/**
 * Figure 2, AppendEntries receiver rule 5: "If leaderCommit > commitIndex, set commitIndex =
 * min(leaderCommit, index of last new entry)". A follower's entries past the ones this request
 * verified (prevLogIndex plus the entries it carries) may be stale ones of an older term that the
 * leader's log does not hold: committing them on the leader's word is what the rule forbids. Read
 * at the delivery of an AppendEntries the receiver accepts: its commit index does not rise past the
 * last entry the request verified.
 */
export const commitWithinVerified = alwaysStep(
  'commit-within-verified',
  "a follower raises its commit index only on an AppendEntries it accepts, and only up to the last entry that request verified (Figure 2, receiver rules 1, 2 and 5)",
  (before, after, action) => {
    if (action.type !== 'deliver' || action.message.type !== 'AppendEntries') return;
    const was = ctx(before.node(action.to)).commitIndex ?? 0;
    const now = ctx(after.node(action.to)).commitIndex ?? 0;
    if (now <= was) return;
    const ae = action.message as unknown as { term: number; prevLogIndex: number; prevLogTerm: number; entries: readonly Entry[]; leaderCommit: number };
    // Rules 1 and 2 refuse the request (an older term, or no entry of prevLogTerm at prevLogIndex): rule 5 is never reached.
    const receiver = before.node(action.to);
    const matched = ae.prevLogIndex === 0 || logOf(receiver)[ae.prevLogIndex - 1]?.term === ae.prevLogTerm;
    if (ae.term < (ctx(receiver).currentTerm ?? 0) || !matched) return `${action.to} raised its commit index ${was} → ${now} on an AppendEntries from ${action.from} it refuses (no entry of term ${ae.prevLogTerm} at index ${ae.prevLogIndex}, or an older term)`;
    const lastNew = ae.prevLogIndex + ae.entries.length;
    if (now > lastNew) return `${action.to} raised its commit index ${was} → ${now} on an AppendEntries from ${action.from} that verified entries up to ${lastNew} only (leaderCommit ${ae.leaderCommit})`;
  },
);
