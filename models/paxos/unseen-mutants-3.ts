/**
 * A third batch of bugs written without reading the suite (issue 22): ballot bookkeeping on
 * retry, recovery of a proposer, and what accepting promises. Not in the model's mutants:
 * bench/unseen-3.ts measures how often the default `check` catches them. Written before any
 * measurement, and not adjusted after.
 */
import { assign, enqueueActions } from 'xstate';
import { replaceHandler, send, type MutantSpec } from '../../src/index.js';
import { acceptor } from './acceptor.js';
import type { Accept, Received } from './messages.js';
import { NO_BALLOT } from './ballots.js';
import { nextOwnBallot, proposer, type ProposerContext } from './proposer.js';

/** A proposer that starts its next ballot keeps the promises of the last one (the reset was forgotten). */
const keepsOldPromises = proposer.provide({
  actions: {
    startNextBallot: assign(({ context }) => ({ ballot: nextOwnBallot(context.ballot, context.index, context.proposers), proposal: null })),
  },
});

/** A proposer that times out while proposing retries phase 2 only: a new ballot, the same value, no Prepare ("it already knows the value"). */
const skipsPrepareOnRetry = proposer.provide({
  actions: {
    startNextBallot: assign(({ context }) => ({ ballot: nextOwnBallot(context.ballot, context.index, context.proposers), promises: [] })),
    sendPrepare: enqueueActions(({ context, enqueue }) => {
      if (context.proposal !== null) {
        for (const a of context.acceptors) enqueue.emit(send(a, { type: 'Accept', ballot: context.ballot, value: context.proposal }));
      } else {
        for (const a of context.acceptors) enqueue.emit(send(a, { type: 'Prepare', ballot: context.ballot }));
      }
    }),
  },
});

/** Accepting a ballot stores the value but does not raise the promise to it (the spec's maxBal := b is missed). */
const acceptKeepsOldPromise = acceptor.provide({
  actions: {
    accept: assign(({ event }) => {
      const { ballot, value } = event as Received<Accept>;
      return { acceptedBallot: ballot, acceptedValue: value };
    }),
  },
});

/**
 * A restarted proposer resumes its last ballot at phase 2: its promises were in memory, so the
 * value it picks is its own client's (adoptValue over no reports), sent in Accept for that ballot.
 */
const recoveryResendsOwnValue = replaceHandler(proposer, '', 'RECOVER', {
  guard: ({ context }: { context: ProposerContext }) => context.ballot !== NO_BALLOT,
  target: '.proposing',
  actions: ['adoptValue', 'sendAccept'],
});

export const unseenMutants3: Readonly<Record<string, MutantSpec>> = {
  'keeps-old-promises': {
    description: "a proposer's next ballot starts with the promises of its previous one, so old reports and acceptors count towards the new quorum",
    breaks: 'agreement',
    roles: { proposer: { machine: keepsOldPromises } },
  },
  'skips-prepare-on-retry': {
    description: 'a proposer that retries after proposing sends Accept for its old value in the new ballot without a phase 1',
    breaks: 'agreement',
    roles: { proposer: { machine: skipsPrepareOnRetry } },
  },
  'accept-keeps-old-promise': {
    description: 'an acceptor that accepts a ballot does not raise its promise to it, so it may later promise a lower ballot and report nothing newer',
    breaks: 'agreement',
    roles: { acceptor: { machine: acceptKeepsOldPromise } },
  },
  'recovery-resends-own-value': {
    description: 'a restarted proposer resumes its last ballot by sending Accept with its own value, the promises that named another value being lost',
    breaks: 'agreement',
    roles: { proposer: { machine: recoveryResendsOwnValue } },
  },
};
