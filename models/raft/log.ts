/**
 * The Raft log: entries, the term at an index, and how a follower stores the entries a leader
 * sends it (Figure 2's "if an existing entry conflicts with a new one, delete it and all that
 * follow it; append any new entries not already in the log"). Shared by the messages and the server.
 */

/** One log entry: the term in which a leader received it, and the client's command. */
export interface Entry {
  readonly term: number;
  readonly command: string;
}

/** Log indices start at 1, as in the paper; index 0 is "before the first entry" (term 0). */
export const termAt = (log: readonly Entry[], index: number): number => (index === 0 ? 0 : (log[index - 1]?.term ?? -1));
export const lastLogTerm = (log: readonly Entry[]): number => termAt(log, log.length);

/**
 * The follower's log after receiving `entries` placed after `prevLogIndex`: an existing entry
 * that conflicts with a new one (same index, different term) is deleted with all that follow
 * it; entries already present stay (a late or duplicated AppendEntries must not cut the log).
 */
export function storeEntries(log: readonly Entry[], prevLogIndex: number, entries: readonly Entry[]): readonly Entry[] {
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
