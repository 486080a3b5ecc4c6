/**
 * A second batch of bugs written without reading the suite (issue 22): recovery and the
 * handling of decisions. Not in the model's mutants: the bench's unseen section
 * (bench/unseen.ts) measures how often the default `check` catches them.
 */
import { replaceHandler, replaceTransitions, type MutantSpec } from '../../src/index.js';
import { resourceManager, transactionManager } from './index.js';

/** A restarted TM resumes a logged commit, but takes a logged abort for "undecided" (only commit is checked). */
const recoversOnlyCommit = replaceHandler(transactionManager, 'init', 'RECOVER', [
  { guard: 'loggedCommit', target: 'committed', actions: ['observeRecovered', 'broadcastDecision'] },
  { actions: 'observeRecovered' },
]);

/** A restarted RM that had logged its yes vote assumes the TM will commit, and commits. */
const recoversPreparedAsCommitted = replaceHandler(resourceManager, 'working', 'RECOVER', [
  { guard: 'loggedCommitted', target: 'committed', actions: 'observeRecovered' },
  { guard: 'loggedAborted', target: 'aborted', actions: 'observeRecovered' },
  { guard: 'loggedPrepared', target: 'committed', actions: ['observeRecovered', 'logCommitted'] },
  { target: 'aborted', actions: ['observeRecovered', 'logAborted'] },
]);

/** An undecided TM answers an RM that asks again with Commit once it holds that RM's vote ("presumed commit"). */
const answersUndecidedWithCommit = replaceHandler(transactionManager, 'init', 'Prepared', { actions: ['recordPrepared', 'logCommit', 'answerWithDecision'] });

/** A prepared RM handles only Commit: an Abort that reaches it in the prepared state is ignored, so it waits for ever. */
const preparedIgnoresAbort = replaceTransitions(resourceManager, 'prepared', {
  Timeout: { actions: 'sendPrepared' },
  Abort: {},
});

export const unseenMutants2: Readonly<Record<string, MutantSpec>> = {
  'tm-recovers-only-commit': {
    description: 'a restarted TM resumes a logged commit but treats a logged abort as undecided, and may then commit',
    breaks: 'decision-never-changes',
    roles: { tm: { machine: recoversOnlyCommit } },
  },
  'rm-recovers-prepared-as-committed': {
    description: 'a restarted RM that had voted yes commits, assuming the TM will',
    breaks: 'consistency',
    roles: { rm: { machine: recoversPreparedAsCommitted } },
  },
  'tm-answers-undecided-with-commit': {
    description: 'an undecided TM that hears Prepared again logs commit and answers Commit without checking the other votes',
    breaks: 'commit-needs-all-prepared',
    roles: { tm: { machine: answersUndecidedWithCommit } },
  },
  'rm-prepared-ignores-abort': {
    description: 'a prepared RM ignores an Abort (it expects only Commit once it voted yes), so it waits for ever',
    breaks: 'every-rm-learns-outcome',
    roles: { rm: { machine: preparedIgnoresAbort } },
  },
};
