/**
 * The messages of Raft, Figure 2's two RPCs and their replies, with every Figure 2 field; each
 * comment names who sends it to whom. AppendEntries replies also carry `matchIndex`, as in
 * Ongaro's TLA+ specification: on a network that reorders and duplicates, the leader cannot
 * infer it from "success" alone.
 */
import type { Entry } from './log.js';

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

/** A message as a server receives it: with its sender. */
export type Received<M> = M & { from: string };
export type RaftMessage = Received<RequestVote> | Received<RequestVoteResponse> | Received<AppendEntries> | Received<AppendEntriesResponse>;
