/**
 * The Raft messages' fields, checked on receipt. The model declares message types, not a schema
 * (models/raft/messages.ts); the runtime's own check is structural, so this service adds one: a
 * peer that sends a term of 1e300 or entries that are not a list is dropped, not obeyed.
 */
import { z } from 'zod';

const term = z.number().int().min(0).max(1_000_000);
const index = z.number().int().min(0).max(100_000_000);
const entry = z.object({ term, command: z.string().max(64 * 1024) }).strict();

const schemas: Record<string, z.ZodType> = {
  RequestVote: z.object({ type: z.literal('RequestVote'), term, candidateId: z.string().max(64), lastLogIndex: index, lastLogTerm: term }).strict(),
  RequestVoteResponse: z.object({ type: z.literal('RequestVoteResponse'), term, voteGranted: z.boolean() }).strict(),
  AppendEntries: z
    .object({ type: z.literal('AppendEntries'), term, leaderId: z.string().max(64), prevLogIndex: index, prevLogTerm: term, entries: z.array(entry).max(1000), leaderCommit: index })
    .strict(),
  AppendEntriesResponse: z.object({ type: z.literal('AppendEntriesResponse'), term, success: z.boolean(), matchIndex: index }).strict(),
};

/** For `startNode({ checkMessage })`: null, or the first problem zod found. */
export function checkRaftMessage(message: { readonly type: string }): string | null {
  const schema = Object.hasOwn(schemas, message.type) ? schemas[message.type]! : null;
  if (schema === null) return 'not a Raft message';
  const result = schema.safeParse(message);
  if (result.success) return null;
  const issue = result.error.issues[0]!;
  return `${message.type}.${issue.path.join('.') || '(message)'}: ${issue.message}`;
}
