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
 * - Checked against the paper (properties/raft/, docs/soundness.md section 7): Figure 3's five
 *   properties, Figure 2's persistent state (`persistent-state-kept`: what a crash must not lose,
 *   read at the crash), and the liveness the paper promises with a stable leader. Figure 2's
 *   commitIndex rule has no property of its own: a wrong commit index shows as
 *   `state-machine-safety` in the same step, since the leader applies what it commits.
 * - Out of scope: membership changes, log compaction and snapshots, client sessions and reads.
 */
// The model, one file per role, read in this order (each file imports only the ones below it):
//   model.ts     the wiring (n servers), the server role's environment, parameters, faults
//   mutants.ts   the known bugs, each a variant of the server, and the property that catches it
//   server.ts    the server: follower, candidate and leader, the rules of Figure 2
//   messages.ts  RequestVote, AppendEntries and their replies, each with who sends it to whom
//   log.ts       log entries and how a follower stores what it is sent
export { default } from './model.js';
export type { AppendEntries, AppendEntriesResponse, RequestVote, RequestVoteResponse } from './messages.js';
export type { Entry } from './log.js';
export { raftServer, raftSetup, type RaftContext } from './server.js';
