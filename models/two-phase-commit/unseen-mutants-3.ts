/**
 * A third batch of bugs written without reading the suite (issue 22): recovery, retries and the
 * order of logging and sending. Not in the model's mutants: bench/unseen-3.ts measures how often
 * the default `check` catches them. Written before any measurement, and not adjusted after.
 */
import { emit, enqueueActions } from 'xstate';
import { observe, replaceTransitions, send, type MutantSpec } from '../../src/index.js';
import { resourceManager, transactionManager } from './index.js';

/** The RM's retry timer is not cancelled when it leaves `prepared` (or when it recovers aborted): it keeps sending Prepared. */
const retryTimerSurvivesAbort = replaceTransitions(resourceManager, 'aborted', { Timeout: { actions: 'sendPrepared' } });

/** A restarted TM re-sends its logged decision only to the RMs it knows voted: after a crash that list is empty. */
const recoveryTellsOnlyKnownVoters = transactionManager.provide({
  actions: {
    broadcastDecision: enqueueActions(({ context, event, enqueue }) => {
      const message = context.decision === 'commit' ? { type: 'Commit' } : { type: 'Abort' };
      const recovering = (event as { type: string }).type === 'RECOVER';
      for (const rm of recovering ? context.prepared : context.rms) enqueue.emit(send(rm, message));
    }),
  },
});

/**
 * The TM sends Commit without waiting for its log write, and the write is lost when it crashes:
 * the decision reaches the RMs but not the disk, so a restarted TM is undecided and may abort.
 */
const decisionOf = (event: { type: string }, logged: string | null): string => (event.type === 'DecideCommit' ? 'commit' : event.type === 'Timeout' ? 'abort' : (logged ?? 'abort'));
const sendsBeforeLogging = transactionManager.provide({
  actions: {
    logCommit: () => {},
    observeDecision: emit(({ context, event }) => observe({ type: 'Decided', decision: decisionOf(event, context.decision) })),
    broadcastDecision: enqueueActions(({ context, event, enqueue }) => {
      const message = decisionOf(event, context.decision) === 'commit' ? { type: 'Commit' } : { type: 'Abort' };
      for (const rm of context.rms) enqueue.emit(send(rm, message));
    }),
  },
});

/** A decided TM answers an RM that asks again with the decision it would take now (abort unless all prepared), not the one it logged. */
const answersWithFreshDecision = transactionManager.provide({
  actions: {
    answerWithDecision: emit(({ context, event }) =>
      send((event as { from: string }).from, context.rms.every((rm) => context.prepared.includes(rm)) ? { type: 'Commit' } : { type: 'Abort' }),
    ),
  },
});

export const unseenMutants3: Readonly<Record<string, MutantSpec>> = {
  'rm-retry-timer-survives-abort': {
    description: "an RM's retry timer keeps firing after it aborted, so an aborted RM sends Prepared (a yes vote) again",
    breaks: 'consistency',
    roles: { rm: { machine: retryTimerSurvivesAbort } },
  },
  'tm-recovery-tells-only-known-voters': {
    description: 'a restarted TM re-sends its logged decision only to the RMs it knows prepared, a list its crash emptied',
    breaks: 'every-rm-learns-outcome',
    roles: { tm: { machine: recoveryTellsOnlyKnownVoters } },
  },
  'tm-sends-before-logging': {
    description: 'the TM sends Commit before it logs the decision, so a crash right after leaves it undecided, free to abort',
    breaks: 'decision-never-changes',
    roles: { tm: { machine: sendsBeforeLogging } },
  },
  'tm-answers-retry-with-fresh-decision': {
    description: 'a decided TM answers a repeated Prepared with the decision its current (volatile) vote list implies, not the logged one',
    breaks: 'consistency',
    roles: { tm: { machine: answersWithFreshDecision } },
  },
};
