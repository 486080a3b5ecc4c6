/**
 * A fourth batch of bugs written without reading the suite (issue 22, point 4): what an acceptor
 * rebuilds after a restart, what it keeps of an acceptance, what a proposer carries into a retry,
 * and ballot arithmetic. Not in the model's mutants: bench/unseen-4.ts measures how often the
 * default `check` catches them. Written before any measurement (and before exploration changed for
 * issue 22's coverage-guided scheduling), and not adjusted after.
 */
import { assign, enqueueActions } from 'xstate';
import { observe, type MutantSpec } from '../../src/index.js';
import { acceptor } from './acceptor.js';
import { highestReport, NO_BALLOT } from './ballots.js';
import type { Accept, Received } from './messages.js';
import { proposer } from './proposer.js';

/**
 * "The promise is implied by the acceptance": the acceptor stores only what it accepted, and a
 * restart rebuilds its promise as the ballot it last accepted, below a promise it may have made.
 */
const recoversPromiseFromAcceptance = acceptor.provide({
  actions: {
    observeRecovered: enqueueActions(({ context, enqueue }) => {
      const promised = Math.max(context.promised, context.acceptedBallot);
      enqueue.assign({ promised });
      enqueue.emit(observe({ type: 'Recovered', node: context.id, promised }));
    }),
  },
});

/** The acceptor writes the value once ("a value, once accepted, is final") and only moves the ballot on later acceptances. */
const keepsFirstAcceptedValue = acceptor.provide({
  actions: {
    accept: assign(({ context, event }) => {
      const { ballot, value } = event as Received<Accept>;
      return { promised: Math.max(context.promised, ballot), acceptedBallot: ballot, acceptedValue: context.acceptedValue ?? value };
    }),
  },
});

/** A proposer that retries keeps the value it proposed in its last ballot instead of adopting what the new promises report. */
const retryKeepsOwnProposal = proposer.provide({
  actions: {
    startNextBallot: assign(({ context }) => ({ ballot: context.ballot === NO_BALLOT ? context.index : context.ballot + context.proposers, promises: [] })),
    adoptValue: assign({
      proposal: ({ context }) => {
        if (context.proposal !== null) return context.proposal;
        const top = highestReport(context.promises);
        return top === null ? context.value : top.acceptedValue;
      },
    }),
  },
});

/** The next own ballot is `ballot + proposers - 1` (an off-by-one in the stride), so after a retry two proposers share ballots. */
const nextBallotOffByOne = (ballot: number, index: number, proposers: number): number => (ballot === NO_BALLOT ? index : ballot + proposers - 1);
const ballotStrideOffByOne = proposer.provide({
  guards: { hasBallotLeft: ({ context }) => nextBallotOffByOne(context.ballot, context.index, context.proposers) <= context.maxBallot },
  actions: {
    startNextBallot: assign(({ context }) => ({ ballot: nextBallotOffByOne(context.ballot, context.index, context.proposers), promises: [], proposal: null })),
  },
});

export const unseenMutants4: Readonly<Record<string, MutantSpec>> = {
  'recovers-promise-from-acceptance': {
    description: 'an acceptor persists only its acceptance and, after a restart, takes the ballot it accepted as its promise',
    breaks: 'agreement',
    roles: { acceptor: { machine: recoversPromiseFromAcceptance, persist: ['acceptedBallot', 'acceptedValue'] } },
  },
  'keeps-first-accepted-value': {
    description: 'an acceptor keeps the first value it accepted and only updates the ballot on a later Accept, so its promises report a stale value under a new ballot',
    breaks: 'agreement',
    roles: { acceptor: { machine: keepsFirstAcceptedValue } },
  },
  'retry-keeps-own-proposal': {
    description: "a proposer that retries proposes its previous ballot's value again, ignoring the acceptances its new promises report",
    breaks: 'agreement',
    roles: { proposer: { machine: retryKeepsOwnProposal } },
  },
  'ballot-stride-off-by-one': {
    description: 'a proposer steps to its next ballot by proposers − 1, so after a retry it may use a ballot another proposer owns',
    breaks: 'agreement',
    roles: { proposer: { machine: ballotStrideOffByOne } },
  },
};
