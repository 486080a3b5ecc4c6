/**
 * A fifth batch of bugs written without reading the suite (issue 22, point 4): the control batch,
 * written on 2026-12-08 before the default `check` was improved for batches 2–4, measured before
 * (bench/unseen-5-before.json) and not adjusted after. Recovery of a lost vote, whom an abort is
 * sent to, a commit test with its lists swapped, what "presumed abort" may skip logging, and a
 * retry timer armed too early. The fifth, tm-checks-votes-backwards, was written when
 * tm-aborts-only-to-prepared was wrongly thought harmless, before any figure of the batch was
 * read; both are kept. Not in the model's mutants: bench/unseen-5.ts measures how often the
 * default `check` catches them.
 */
import { emit, enqueueActions } from 'xstate';
import { observe, replaceHandler, send, type MutantSpec } from '../../src/index.js';
import { resourceManager, transactionManager } from './index.js';

/**
 * "Resume where we were": an RM that crashed while still working comes back prepared and votes
 * yes, although its work was lost with the crash. Why a bug: the paper's RM votes yes only once
 * it has prepared its work; here the TM receives Prepared from an RM that never chose to prepare
 * (no Voted observation) and may commit work that no longer exists (commit-needs-all-prepared).
 */
const recoversWorkingAsPrepared = replaceHandler(resourceManager, 'working', 'RECOVER', [
  { guard: 'loggedCommitted', target: 'committed', actions: 'observeRecovered' },
  { guard: 'loggedAborted', target: 'aborted', actions: 'observeRecovered' },
  { guard: 'loggedPrepared', target: 'prepared', actions: ['observeRecovered', 'sendPrepared'] },
  { target: 'prepared', actions: ['observeRecovered', 'logPrepared', 'sendPrepared'] },
]);

/**
 * The commit test with its two lists swapped: "every RM that voted yes is one of ours" instead of
 * "every one of our RMs voted yes". Why a bug: it holds with any set of votes, none included, so
 * the TM may commit before every RM prepared, and an RM that then aborts on its own disagrees
 * with the commit (commit-needs-all-prepared, then consistency).
 */
const checksVotesBackwards = transactionManager.provide({
  guards: { allPrepared: ({ context }) => context.prepared.every((rm) => context.rms.includes(rm)) },
});

/**
 * "Only the RMs that voted yes are waiting for the outcome": the TM sends Abort to the RMs it
 * heard Prepared from, not to all. Why a bug: that list is in memory. With two RMs and no retries
 * (retry=false), rm1 prepares, rm2 aborts on its own, the TM crashes and restarts undecided with
 * an empty list, then aborts: the Abort goes to nobody, and rm1 stays prepared for ever although
 * no message was lost (every-rm-learns-outcome; the paper's TM sends its decision to every RM).
 * (An RM that prepares after the abort is answered: the aborted TM answers every Prepared.)
 */
const abortsOnlyToPrepared = transactionManager.provide({
  actions: {
    broadcastDecision: enqueueActions(({ context, enqueue }) => {
      if (context.decision === 'commit') for (const rm of context.rms) enqueue.emit(send(rm, { type: 'Commit' }));
      else for (const rm of context.prepared) enqueue.emit(send(rm, { type: 'Abort' }));
    }),
  },
});

/**
 * "Presumed abort" misread as "an abort need not be logged": the TM logs a commit but aborts
 * without writing its log. Why a bug: after a crash it is undecided again, and once every RM has
 * prepared (retries re-send Prepared) it may commit a transaction it had already aborted and told
 * some RMs so (decision-never-changes, then consistency).
 */
const abortNotLogged = replaceHandler(
  transactionManager.provide({
    // The observation of the decision names it, though the (unlogged) decision field stays null.
    actions: { observeDecision: emit(({ context }) => observe({ type: 'Decided', decision: context.decision ?? 'abort' })) },
  }),
  'init',
  'Timeout',
  // broadcastDecision sends Abort for an undecided (null) decision.
  { target: 'aborted', actions: ['observeDecision', 'broadcastDecision'] },
);

/**
 * The RM's retry timer is armed when the transaction starts, not when the RM votes: a Timeout
 * while still working sends Prepared. Why a bug: the TM takes that as a yes vote and may commit
 * while the RM has not prepared; the RM may then abort on its own (consistency,
 * commit-needs-all-prepared).
 */
const retriesBeforeVoting = replaceHandler(resourceManager, 'working', 'Timeout', { actions: 'sendPrepared' });

export const unseenMutants5: Readonly<Record<string, MutantSpec>> = {
  'rm-recovers-working-as-prepared': {
    description: 'an RM that crashed while working comes back prepared and votes yes, though its work was lost',
    breaks: 'commit-needs-all-prepared',
    roles: { rm: { machine: recoversWorkingAsPrepared } },
  },
  'tm-aborts-only-to-prepared': {
    description: 'the TM sends Abort only to the RMs it knows prepared, a list a crash empties, so a prepared RM may never hear the outcome without retries',
    breaks: 'every-rm-learns-outcome',
    roles: { tm: { machine: abortsOnlyToPrepared } },
  },
  'tm-checks-votes-backwards': {
    description: 'the TM checks that every RM that voted yes is one of its RMs, not that every RM voted yes, so it may commit with votes missing',
    breaks: 'commit-needs-all-prepared',
    roles: { tm: { machine: checksVotesBackwards } },
  },
  'tm-abort-not-logged': {
    description: 'the TM logs a commit but not an abort, so after a crash it may commit a transaction it aborted',
    breaks: 'decision-never-changes',
    roles: { tm: { machine: abortNotLogged } },
  },
  'rm-retries-before-voting': {
    description: "an RM's retry timer runs while it is still working, and its Timeout sends Prepared before the RM voted",
    breaks: 'commit-needs-all-prepared',
    roles: { rm: { machine: retriesBeforeVoting } },
  },
};
