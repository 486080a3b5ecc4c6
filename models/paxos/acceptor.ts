/**
 * The acceptor. To a Prepare(b) above anything it has promised it answers with a Promise (1b):
 * never again to accept a ballot below b, and the highest-ballot value it has accepted so far.
 * It accepts Accept(b, v) unless it promised a higher ballot, and tells the learners (Accepted,
 * 2b). It writes its promise and its accepted ballot and value to stable storage before
 * answering. It answers again (the same promise) a repeated Prepare for the ballot it promised,
 * as long as it has not yet accepted in that ballot; safe only because ballots are never shared.
 * Each acceptance is also reported as an observation, Accepted(a, b, v), from which the
 * properties decide what was chosen ("chosen" is a fact about history, not the current state).
 */
import { assign, emit, enqueueActions, setup } from 'xstate';
import { type Effect, observe, send } from '../../src/index.js';
import { NO_BALLOT } from './ballots.js';
import type { Accept, Prepare, Received } from './messages.js';

export interface AcceptorContext {
  readonly id: string;
  readonly learners: readonly string[];
  /** The highest ballot promised (persisted); the spec's maxBal. */
  readonly promised: number;
  /** The ballot and value last accepted (persisted); the spec's maxVBal and maxVal. */
  readonly acceptedBallot: number;
  readonly acceptedValue: string | null;
}

type AcceptorEvent = Received<Prepare> | Received<Accept> | { type: 'RECOVER' };

export const acceptorSetup = setup({
  types: {
    context: {} as AcceptorContext,
    input: {} as { id: string; learners: readonly string[] },
    events: {} as AcceptorEvent,
    emitted: {} as Effect,
  },
  guards: {
    aboveThePromise: ({ context, event }) => (event as Received<Prepare>).ballot > context.promised,
    /** A Prepare repeated for the ballot it promised, before accepting in that ballot. */
    repeatOfThePromise: ({ context, event }) => {
      const { ballot } = event as Received<Prepare>;
      return ballot === context.promised && context.acceptedBallot < ballot;
    },
    notBelowThePromise: ({ context, event }) => (event as Received<Accept>).ballot >= context.promised,
  },
  actions: {
    promise: assign({ promised: ({ event }) => (event as Received<Prepare>).ballot }),
    sendPromise: emit(({ context, event }) =>
      send((event as Received<Prepare>).from, {
        type: 'Promise',
        ballot: (event as Received<Prepare>).ballot,
        acceptedBallot: context.acceptedBallot,
        acceptedValue: context.acceptedValue,
      }),
    ),
    accept: assign(({ context, event }) => {
      const { ballot, value } = event as Received<Accept>;
      // Accepting b is also promising b (the spec's maxBal := b); never lowers the promise.
      return { promised: Math.max(context.promised, ballot), acceptedBallot: ballot, acceptedValue: value };
    }),
    tellLearners: enqueueActions(({ context, enqueue }) => {
      for (const learner of context.learners) {
        enqueue.emit(send(learner, { type: 'Accepted', ballot: context.acceptedBallot, value: context.acceptedValue }));
      }
    }),
    observeAccepted: emit(({ context }) =>
      observe({ type: 'Accepted', acceptor: context.id, ballot: context.acceptedBallot, value: context.acceptedValue }),
    ),
    /** The promise the acceptor found on disk when it came back. */
    observeRecovered: emit(({ context }) => observe({ type: 'Recovered', node: context.id, promised: context.promised })),
  },
});

export const acceptor = acceptorSetup.createMachine({
  id: 'acceptor',
  initial: 'acting',
  context: ({ input }) => ({ id: input.id, learners: input.learners, promised: NO_BALLOT, acceptedBallot: NO_BALLOT, acceptedValue: null }),
  states: {
    acting: {
      on: {
        Prepare: [
          { guard: 'aboveThePromise', actions: ['promise', 'sendPromise'] },
          { guard: 'repeatOfThePromise', actions: 'sendPromise' },
        ],
        Accept: { guard: 'notBelowThePromise', actions: ['accept', 'observeAccepted', 'tellLearners'] },
        RECOVER: { actions: 'observeRecovered' },
      },
    },
  },
});
