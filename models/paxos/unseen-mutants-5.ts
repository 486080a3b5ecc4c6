/**
 * A fifth batch of bugs written without reading the suite (issue 22, point 4): the control batch,
 * written on 2026-12-08 before the default `check` was improved for batches 2–4, measured before
 * (bench/unseen-5-before.json) and not adjusted after. A comparison turned round in the value
 * rule, half of an acceptance written to disk, the promise compared with the wrong ballot, and a
 * strict comparison where the paper's is not. Not in the model's mutants: bench/unseen-5.ts
 * measures how often the default `check` catches them.
 */
import { assign } from 'xstate';
import type { MutantSpec } from '../../src/index.js';
import { acceptor } from './acceptor.js';
import { NO_BALLOT, type Report } from './ballots.js';
import type { Accept, Prepare, Received } from './messages.js';
import { proposer } from './proposer.js';

/**
 * The value rule with its comparison turned round: of the acceptances the promises report, the
 * proposer adopts the one of the lowest ballot. Why a bug: with three acceptors, v1 accepted by
 * a1 alone in ballot 0, then v2 chosen by a2 and a3 in ballot 1, a proposer whose promises come
 * from a1 and a2 proposes v1 in ballot 2, and a1 and a2 choose it (agreement).
 */
const adoptsLowestReport = proposer.provide({
  actions: {
    adoptValue: assign({
      proposal: ({ context }) => {
        let low: Report | null = null;
        for (const r of context.promises) if (r.acceptedBallot !== NO_BALLOT && (low === null || r.acceptedBallot < low.acceptedBallot)) low = r;
        return low === null ? context.value : low.acceptedValue;
      },
    }),
  },
});


/**
 * The acceptor compares a Prepare with the ballot it last accepted instead of the ballot it
 * promised. Why a bug: having promised ballot 3 (and accepted nothing, or ballot 1), it promises
 * ballot 2 as well, lowering its promise (promise-never-decreases), and may then accept ballot 2
 * after promising ballot 3 to a proposer that counted on it (agreement).
 */
const promisesAboveLastAcceptance = acceptor.provide({
  guards: { aboveThePromise: ({ context, event }) => (event as Received<Prepare>).ballot > context.acceptedBallot },
});

/**
 * "Accept only ballots above the promise": the acceptor compares an Accept strictly with its
 * promise. Why a bug: the acceptors whose promises let a proposer send Accept(b) promised b, so
 * they refuse it; only acceptors that never saw Prepare(b), fewer than a majority, accept it, and
 * no value is ever chosen, even in a run without faults (eventually-chosen; the paper: an
 * acceptor accepts unless it promised a higher ballot).
 */
const acceptNeedsHigherBallot = acceptor.provide({
  guards: { notBelowThePromise: ({ context, event }) => (event as Received<Accept>).ballot > context.promised },
});

export const unseenMutants5: Readonly<Record<string, MutantSpec>> = {
  'adopts-lowest-report': {
    description: 'the proposer adopts the value of the lowest-ballot acceptance its promises report, not the highest',
    breaks: 'proposes-highest-report',
    roles: { proposer: { machine: adoptsLowestReport } },
  },
  // The acceptor writes its promise and the value it accepted to disk, but not the ballot of
  // that acceptance. Why a bug: after a restart it reports the value with no ballot, which the
  // proposer reads as "nothing accepted"; with v1 chosen by a1 and a2, a1 restarted and promising
  // with a3 to a higher ballot lets that proposer's own v2 be chosen (agreement).
  'persists-value-not-ballot': {
    description: 'an acceptor persists its promise and accepted value but not the accepted ballot, so after a restart it reports the value as unballoted',
    breaks: 'agreement',
    roles: { acceptor: { persist: ['promised', 'acceptedValue'] } },
  },
  'promises-above-last-acceptance': {
    description: 'an acceptor answers a Prepare above the ballot it last accepted, though it may have promised a higher one',
    breaks: 'promise-never-decreases',
    roles: { acceptor: { machine: promisesAboveLastAcceptance } },
  },
  'accept-needs-higher-ballot': {
    description: 'an acceptor accepts only a ballot above its promise, so it refuses the Accept of the ballot it promised',
    breaks: 'eventually-chosen',
    roles: { acceptor: { machine: acceptNeedsHigherBallot } },
  },
};
