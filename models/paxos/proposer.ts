/**
 * The proposer of "Paxos Made Simple". Proposer i (1-based) of P owns the ballots b with
 * b mod P = i-1, so two proposers never share a ballot. It starts its first ballot, and later
 * retries with its next one, on a `Timeout`: Prepare(b) to every acceptor (1a). With promises
 * from a majority it sends Accept(b, v) (2a), where v is the value of the highest-ballot
 * acceptance reported, or its own client value `v<i>` when none was reported: that rule is why a
 * value chosen in an earlier ballot survives into every later one. It persists the highest
 * ballot it has started (so it never reuses one); a crash loses the promises it collected.
 */
import { assign, enqueueActions, setup } from 'xstate';
import { type Effect, send } from '../../src/index.js';
import { highestReport, majority, NO_BALLOT, type Report } from './ballots.js';
import type { Promise, Received } from './messages.js';

export interface ProposerContext {
  readonly id: string;
  /** 0-based: this proposer owns the ballots b with b mod proposers = index. */
  readonly index: number;
  readonly proposers: number;
  readonly maxBallot: number;
  readonly acceptors: readonly string[];
  /** How many promises make a quorum. */
  readonly quorum: number;
  /** The client's value this proposer proposes when no acceptance is reported. */
  readonly value: string;
  /** The highest ballot it has started (persisted). */
  readonly ballot: number;
  /** Promises for `ballot`, one per acceptor, sorted by acceptor. */
  readonly promises: readonly Report[];
  /** The value it sent in Accept for `ballot`, once it did. */
  readonly proposal: string | null;
}

type ProposerEvent = Received<Promise> | { type: 'Timeout' } | { type: 'RECOVER' };

export interface ProposerInput {
  id: string;
  index: number;
  proposers: number;
  maxBallot: number;
  acceptors: readonly string[];
  value: string;
}

/** The ballot after `ballot` that proposer `index` of `proposers` owns. */
export function nextOwnBallot(ballot: number, index: number, proposers: number): number {
  return ballot === NO_BALLOT ? index : ballot + proposers;
}

export const proposerSetup = setup({
  types: {
    context: {} as ProposerContext,
    input: {} as ProposerInput,
    events: {} as ProposerEvent,
    emitted: {} as Effect,
  },
  guards: {
    hasBallotLeft: ({ context }) => nextOwnBallot(context.ballot, context.index, context.proposers) <= context.maxBallot,
    forThisBallot: ({ context, event }) => (event as Received<Promise>).ballot === context.ballot,
    hasQuorum: ({ context }) => context.promises.length >= context.quorum,
  },
  actions: {
    startNextBallot: assign(({ context }) => ({
      ballot: nextOwnBallot(context.ballot, context.index, context.proposers),
      promises: [],
      proposal: null,
    })),
    sendPrepare: enqueueActions(({ context, enqueue }) => {
      for (const a of context.acceptors) enqueue.emit(send(a, { type: 'Prepare', ballot: context.ballot }));
    }),
    recordPromise: assign({
      promises: ({ context, event }) => {
        const p = event as Received<Promise>;
        if (context.promises.some((r) => r.acceptor === p.from)) return context.promises;
        const report: Report = { acceptor: p.from, acceptedBallot: p.acceptedBallot, acceptedValue: p.acceptedValue };
        return [...context.promises, report].sort((x, y) => (x.acceptor < y.acceptor ? -1 : 1));
      },
    }),
    /** The heart of Paxos: a value some majority may have chosen must be proposed again. */
    adoptValue: assign({
      proposal: ({ context }) => {
        const top = highestReport(context.promises);
        return top === null ? context.value : top.acceptedValue;
      },
    }),
    sendAccept: enqueueActions(({ context, enqueue }) => {
      for (const a of context.acceptors) enqueue.emit(send(a, { type: 'Accept', ballot: context.ballot, value: context.proposal }));
    }),
  },
});

const retry = { guard: 'hasBallotLeft', target: '.preparing', actions: ['startNextBallot', 'sendPrepare'] } as const;

export function initialProposerContext(input: ProposerInput): ProposerContext {
  return { ...input, quorum: majority(input.acceptors.length), ballot: NO_BALLOT, promises: [], proposal: null };
}

export const proposer = proposerSetup.createMachine({
  id: 'proposer',
  initial: 'idle',
  context: ({ input }) => initialProposerContext(input),
  // A timeout in any state starts the next ballot (if one is left): the first one from idle,
  // a retry when promises or acceptances did not come (lost, or outbid by another proposer).
  on: { Timeout: retry },
  states: {
    // Restarted proposers come back here with their last ballot restored.
    idle: {},
    preparing: {
      on: { Promise: { guard: 'forThisBallot', actions: 'recordPromise' } },
      always: { guard: 'hasQuorum', target: 'proposing', actions: ['adoptValue', 'sendAccept'] },
    },
    proposing: {},
  },
});
