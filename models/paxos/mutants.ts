/**
 * Mutants: known bugs, each a variant of one role's machine, and the property that must catch it.
 */
import { assign } from 'xstate';
import { replaceContext, replaceHandler, type MutantSpec } from '../../src/index.js';
import { unseenMutants } from './unseen-mutants.js';
import { acceptor } from './acceptor.js';
import { learner, initialLearnerContext } from './learner.js';
import type { Accept, Received } from './messages.js';
import { initialProposerContext, proposer } from './proposer.js';

/** The proposer ignores the values reported in promises and always proposes its own. */
const ignoresReportedValues = proposer.provide({
  actions: { adoptValue: assign({ proposal: ({ context }) => context.value }) },
});

/** The proposer adopts the highest report even when no acceptor accepted anything (its value is null). */
const adoptsEmptyReport = proposer.provide({
  actions: {
    adoptValue: assign({
      proposal: ({ context }) => [...context.promises].sort((x, y) => y.acceptedBallot - x.acceptedBallot)[0]!.acceptedValue,
    }),
  },
});

/** Ballots are rounds only, without the proposer's id: proposer i's k-th ballot is k for every i. */
const sharedBallots = proposer.provide({
  guards: { hasBallotLeft: ({ context }) => context.ballot + 1 <= context.maxBallot },
  actions: { startNextBallot: assign(({ context }) => ({ ballot: context.ballot + 1, promises: [], proposal: null })) },
});

/** The proposer goes to phase 2 with promises from fewer than a majority of the acceptors. */
const proposerMinorityQuorum = replaceContext(proposer, ({ input }) => ({ ...initialProposerContext(input), quorum: Math.floor(input.acceptors.length / 2) }));

/**
 * The proposer waits for a promise from every acceptor, not a majority: safe (more promises
 * never hurt), but one lost Promise, or one acceptor that is down, stalls its ballot for ever.
 */
const waitsForAllPromises = replaceContext(proposer, ({ input }) => ({ ...initialProposerContext(input), quorum: input.acceptors.length }));

/** The learner learns once fewer than a majority of the acceptors accepted a value in one ballot. */
const learnerMinorityQuorum = replaceContext(learner, ({ input }) => ({ ...initialLearnerContext(input), quorum: Math.floor(input.acceptors / 2) }));

/** The acceptor checks an Accept against the ballot it last accepted, not the one it promised. */
const acceptsBelowPromise = acceptor.provide({
  guards: { notBelowThePromise: ({ context, event }) => (event as Received<Accept>).ballot >= context.acceptedBallot },
});

/** Accepting raises the promise to the ballot accepted before, not to the one being accepted (the old field is read). */
const promisesPreviousAcceptance = acceptor.provide({
  actions: {
    accept: assign(({ context, event }) => {
      const { ballot, value } = event as Received<Accept>;
      return { promised: Math.max(context.promised, context.acceptedBallot), acceptedBallot: ballot, acceptedValue: value };
    }),
  },
});

/**
 * The proposer keeps listening for promises in phase 2, and when a late one reports a higher
 * acceptance it "corrects" its proposal: it adopts that value and sends Accept again, in the same
 * ballot, so one ballot carries two values.
 */
const switchesValueOnLatePromise = replaceHandler(proposer, 'proposing', 'Promise', {
  guard: 'forThisBallot',
  actions: ['recordPromise', 'adoptValue', 'sendAccept'],
});

export const mutants: Readonly<Record<string, MutantSpec>> = {
  'ignores-reported-values': {
    description: 'the proposer ignores the values reported in promises and proposes its own',
    breaks: 'proposes-highest-report',
    roles: { proposer: { machine: ignoresReportedValues } },
  },
  'accepts-below-promise': {
    description: 'an acceptor accepts a ballot lower than it promised (it compares with the ballot it last accepted)',
    breaks: 'agreement',
    roles: { acceptor: { machine: acceptsBelowPromise } },
  },
  'forgets-promise': {
    description: 'an acceptor does not persist its promise, so after a crash it promises again from scratch',
    breaks: 'promise-never-decreases',
    roles: { acceptor: { persist: ['acceptedBallot', 'acceptedValue'] } },
  },
  'minority-quorum': {
    description: 'the proposer goes to phase 2 with promises from fewer than a majority of the acceptors',
    breaks: 'proposes-after-majority-promise',
    roles: { proposer: { machine: proposerMinorityQuorum } },
  },
  'waits-for-all-promises': {
    description: 'the proposer goes to phase 2 only with a promise from every acceptor: one lost Promise stalls its ballot',
    breaks: 'eventually-chosen',
    roles: { proposer: { machine: waitsForAllPromises } },
  },
  'shared-ballots': {
    description: 'ballots are rounds without the proposer id, so two proposers may use the same ballot number',
    breaks: 'one-value-per-ballot',
    roles: { proposer: { machine: sharedBallots } },
  },
  'learner-minority-quorum': {
    description: 'a learner learns a value accepted by fewer than a majority of the acceptors',
    breaks: 'learned-was-chosen',
    roles: { learner: { machine: learnerMinorityQuorum } },
  },
  'adopts-empty-report': {
    description: 'the proposer adopts the highest reported acceptance even when nothing was accepted, proposing no value',
    breaks: 'validity',
    roles: { proposer: { machine: adoptsEmptyReport } },
  },
  'promises-previous-acceptance': {
    description: 'accepting a ballot raises the promise to the ballot accepted before, not to this one',
    breaks: 'accepted-within-promise',
    roles: { acceptor: { machine: promisesPreviousAcceptance } },
  },
  'forgets-ballot': {
    description: 'a proposer does not persist its ballot, so after a crash it starts its first ballot again and may issue a ballot twice',
    breaks: 'persistent-state-kept',
    roles: { proposer: { persist: [] } },
  },
  'switches-value-on-late-promise': {
    description: 'a proposer in phase 2 that hears a late promise reporting a higher acceptance sends Accept again, with that value, in the same ballot',
    breaks: 'one-value-per-ballot',
    roles: { proposer: { machine: switchesValueOnLatePromise } },
  },
  // Written after the suite, for issue 12 (./unseen-mutants.ts).
  ...unseenMutants,
};
