/**
 * A fourth batch of bugs written without reading the suite (issue 22, point 4): recovery, vote
 * counting, lost decisions and retries. Not in the model's mutants: bench/unseen-4.ts measures how
 * often the default `check` catches them. Written before any measurement (and before exploration
 * changed for issue 22's coverage-guided scheduling), and not adjusted after.
 */
import { enqueueActions } from 'xstate';
import { replaceHandler, replaceTransitions, send, type MutantSpec } from '../../src/index.js';
import { transactionManager } from './index.js';

/**
 * "Presumed commit" done wrong: a TM that restarts without a logged decision commits, as if every
 * RM had prepared (the list of who prepared was in memory).
 */
const recoveryPresumesCommit = replaceHandler(transactionManager, 'init', 'RECOVER', [
  { guard: 'loggedCommit', target: 'committed', actions: ['observeRecovered', 'broadcastDecision'] },
  { guard: 'loggedAbort', target: 'aborted', actions: ['observeRecovered', 'broadcastDecision'] },
  { target: 'committed', actions: ['observeRecovered', 'logCommit', 'observeDecision', 'broadcastDecision'] },
]);

/** The decision loop starts at 1, not 0: the first RM is never sent the decision (only a retry of its own tells it). */
const broadcastSkipsFirstRm = transactionManager.provide({
  actions: {
    broadcastDecision: enqueueActions(({ context, enqueue }) => {
      const message = context.decision === 'commit' ? { type: 'Commit' } : { type: 'Abort' };
      for (let i = 1; i < context.rms.length; i++) enqueue.emit(send(context.rms[i]!, message));
    }),
  },
});

/** The TM counts itself among the voters: with one RM short of all prepared it already commits. */
const countsItselfAsVoter = transactionManager.provide({
  guards: { allPrepared: ({ context }) => context.prepared.length + 1 >= context.rms.length },
});

/** An aborted TM does not answer a repeated Prepared ("abort is presumed anyway"): an RM whose Abort was lost asks for ever. */
const ignoresRetryAfterAbort = replaceTransitions(transactionManager, 'aborted', {});

export const unseenMutants4: Readonly<Record<string, MutantSpec>> = {
  'tm-recovery-presumes-commit': {
    description: 'a TM that restarts without a logged decision commits, though an RM may have voted no while it was down',
    breaks: 'commit-needs-all-prepared',
    roles: { tm: { machine: recoveryPresumesCommit } },
  },
  'tm-broadcast-skips-first-rm': {
    description: 'the TM sends its decision to every RM but the first (an off-by-one loop): without retries that RM never learns it',
    breaks: 'every-rm-learns-outcome',
    roles: { tm: { machine: broadcastSkipsFirstRm } },
  },
  'tm-counts-itself-as-voter': {
    description: 'the TM counts its own vote with the RMs, so it commits when all RMs but one prepared',
    breaks: 'commit-needs-all-prepared',
    roles: { tm: { machine: countsItselfAsVoter } },
  },
  'tm-ignores-retry-after-abort': {
    description: 'an aborted TM does not answer a prepared RM that asks again, so an RM whose Abort was lost never learns the outcome',
    breaks: 'every-rm-learns-outcome',
    roles: { tm: { machine: ignoresRetryAfterAbort } },
  },
};
