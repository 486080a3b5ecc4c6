/** The planted implementation bugs, of the kinds people write; all off is the correct implementation. */
export interface Bugs {
  /** The coordinator's timer fires with some yes votes in, and it commits (it should abort). */
  readonly commitAfterTimeout?: boolean;
  /** A participant does not write its yes vote to storage, so after a restart it has forgotten it (and aborts). */
  readonly forgetVote?: boolean;
  /** The coordinator answers a participant's retry with its cached last decision message: ABORT before it decided anything. */
  readonly staleRetry?: boolean;
}

export const BUGS = ['commitAfterTimeout', 'forgetVote', 'staleRetry'] as const;
export type BugName = (typeof BUGS)[number];
