/**
 * The learner. It hears every acceptor's Accepted (2b) and learns v once a majority of the
 * acceptors accepted v in one ballot. It persists the value it learned; a crash loses the votes
 * it counted.
 */
import { assign, emit, setup } from 'xstate';
import { type Effect, observe } from '../../src/index.js';
import { majority } from './ballots.js';
import type { Accepted, Received } from './messages.js';

export interface Vote {
  readonly acceptor: string;
  readonly ballot: number;
  readonly value: string | null;
}

export interface LearnerContext {
  readonly id: string;
  readonly quorum: number;
  /** Acceptances heard, each once, sorted. */
  readonly votes: readonly Vote[];
  /** The value learned (persisted), or null. */
  readonly learned: string | null;
}

/** The value a quorum of acceptors accepted in one ballot, if any (the first such ballot). */
export function quorumValue(votes: readonly Vote[], quorum: number): { value: string | null } | null {
  const count = new Map<string, number>();
  for (const v of votes) {
    const key = `${v.ballot}\u0000${v.value}`;
    const n = (count.get(key) ?? 0) + 1;
    count.set(key, n);
    if (n >= quorum) return { value: v.value };
  }
  return null;
}

function byBallotThenAcceptor(x: Vote, y: Vote): number {
  return x.ballot - y.ballot || (x.acceptor < y.acceptor ? -1 : x.acceptor > y.acceptor ? 1 : 0);
}

export const learnerSetup = setup({
  types: {
    context: {} as LearnerContext,
    input: {} as { id: string; acceptors: number },
    events: {} as Received<Accepted> | { type: 'RECOVER' },
    emitted: {} as Effect,
  },
  guards: {
    learnsSomethingNew: ({ context }) => {
      const found = quorumValue(context.votes, context.quorum);
      return found !== null && found.value !== context.learned;
    },
  },
  actions: {
    recordVote: assign({
      votes: ({ context, event }) => {
        const e = event as Received<Accepted>;
        if (context.votes.some((v) => v.acceptor === e.from && v.ballot === e.ballot && v.value === e.value)) return context.votes;
        return [...context.votes, { acceptor: e.from, ballot: e.ballot, value: e.value }].sort(byBallotThenAcceptor);
      },
    }),
    learn: assign({ learned: ({ context }) => quorumValue(context.votes, context.quorum)!.value }),
    observeLearned: emit(({ context }) => observe({ type: 'Learned', learner: context.id, value: context.learned })),
  },
});

export function initialLearnerContext(input: { id: string; acceptors: number }): LearnerContext {
  return { id: input.id, quorum: majority(input.acceptors), votes: [], learned: null };
}

export const learner = learnerSetup.createMachine({
  id: 'learner',
  initial: 'listening',
  context: ({ input }) => initialLearnerContext(input),
  states: {
    listening: {
      on: { Accepted: { actions: 'recordVote' } },
      // A correct learner learns once; learning again (another value) is what the properties catch.
      always: { guard: 'learnsSomethingNew', actions: ['learn', 'observeLearned'] },
    },
  },
});
