/**
 * Mutants written after the suite, without looking at what it checks (issue 12): bugs of the
 * kinds implementers make in promise counting, value adoption and bookkeeping. Each was shown
 * buggy by a replaying counterexample before exploration was changed to find them.
 */
import { assign, emit } from 'xstate';
import { send, type MutantSpec } from '../../src/index.js';
import { acceptor } from './acceptor.js';
import { NO_BALLOT } from './ballots.js';
import { learner, type Vote } from './learner.js';
import type { Prepare, Promise, Received } from './messages.js';
import { proposer } from './proposer.js';

/** The value accepted by a quorum of acceptors, counting acceptances of every ballot together. */
function quorumValueAnyBallot(votes: readonly Vote[], quorum: number): { value: string | null } | null {
  const by = new Map<string | null, Set<string>>();
  for (const v of votes) {
    const set = by.get(v.value) ?? new Set<string>();
    set.add(v.acceptor);
    by.set(v.value, set);
    if (set.size >= quorum) return { value: v.value };
  }
  return null;
}

/** The learner counts acceptances of a value across ballots, as if a value accepted in any ballots were chosen. */
const learnerMixesBallots = learner.provide({
  guards: {
    learnsSomethingNew: ({ context }) => {
      const found = quorumValueAnyBallot(context.votes, context.quorum);
      return found !== null && found.value !== context.learned;
    },
  },
  actions: { learn: assign({ learned: ({ context }) => quorumValueAnyBallot(context.votes, context.quorum)!.value }) },
});

/** The proposer adopts the value of the first promise that reports an acceptance, not the highest-ballot one. */
const adoptsFirstReport = proposer.provide({
  actions: {
    adoptValue: assign({
      proposal: ({ context }) => context.promises.find((r) => r.acceptedBallot !== NO_BALLOT)?.acceptedValue ?? context.value,
    }),
  },
});

/** The acceptor's promise reports the ballot it promises as the ballot of its acceptance (the wrong field). */
const reportsPromisedBallot = acceptor.provide({
  actions: {
    sendPromise: emit(({ context, event }) =>
      send((event as Received<Prepare>).from, {
        type: 'Promise',
        ballot: (event as Received<Prepare>).ballot,
        acceptedBallot: context.acceptedBallot === NO_BALLOT ? NO_BALLOT : context.promised,
        acceptedValue: context.acceptedValue,
      }),
    ),
  },
});

/** The proposer counts promises for its earlier ballots towards the quorum of its current one. */
const countsStalePromises = proposer.provide({
  guards: { forThisBallot: ({ context, event }) => (event as Received<Promise>).ballot <= context.ballot },
});

export const unseenMutants: Readonly<Record<string, MutantSpec>> = {
  'learner-mixes-ballots': {
    description: 'a learner counts acceptances of one value in different ballots together, and learns a value no ballot chose',
    breaks: 'learned-was-chosen',
    roles: { learner: { machine: learnerMixesBallots } },
  },
  'adopts-first-report': {
    description: 'the proposer adopts the value of the first promise reporting an acceptance, not of the highest ballot',
    breaks: 'proposes-highest-report',
    roles: { proposer: { machine: adoptsFirstReport } },
  },
  'reports-promised-ballot': {
    description: "an acceptor's promise reports its promised ballot as the ballot of its last acceptance",
    breaks: 'promise-reports-acceptance',
    roles: { acceptor: { machine: reportsPromisedBallot } },
  },
  'counts-stale-promises': {
    description: 'the proposer counts promises for its earlier ballots towards the quorum of its current ballot',
    breaks: 'proposes-after-majority-promise',
    roles: { proposer: { machine: countsStalePromises } },
  },
};
