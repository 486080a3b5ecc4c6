/**
 * A second batch of bugs written without reading the suite (issue 22): recovery, reply counting
 * and ballot bookkeeping. Not in the model's mutants: the bench's unseen section
 * (bench/unseen.ts) measures how often the default `check` catches them.
 */
import { assign } from 'xstate';
import type { MutantSpec } from '../../src/index.js';
import type { Report } from './ballots.js';
import { learner } from './learner.js';
import type { Accepted, Promise, Received } from './messages.js';
import { proposer } from './proposer.js';

/** The proposer counts Promise messages, not acceptors: a duplicated promise counts twice. */
const countsDuplicatePromises = proposer.provide({
  actions: {
    recordPromise: assign({
      promises: ({ context, event }) => {
        const p = event as Received<Promise>;
        const report: Report = { acceptor: p.from, acceptedBallot: p.acceptedBallot, acceptedValue: p.acceptedValue };
        return [...context.promises, report];
      },
    }),
  },
});

/** The learner counts Accepted messages, not acceptors: a duplicated acceptance counts twice. */
const countsDuplicateAcceptances = learner.provide({
  actions: {
    recordVote: assign({
      votes: ({ context, event }) => {
        const e = event as Received<Accepted>;
        return [...context.votes, { acceptor: e.from, ballot: e.ballot, value: e.value }];
      },
    }),
  },
});

export const unseenMutants2: Readonly<Record<string, MutantSpec>> = {
  'acceptor-forgets-acceptance': {
    description: 'an acceptor persists its promise but not what it accepted: after a crash it reports no acceptance',
    breaks: 'agreement',
    roles: { acceptor: { persist: ['promised'] } },
  },
  'proposer-forgets-ballot': {
    description: 'a proposer does not persist its ballot: after a crash it starts again from its first ballot, reusing one it had run',
    breaks: 'agreement',
    roles: { proposer: { persist: [] } },
  },
  'counts-duplicate-promises': {
    description: 'the proposer counts Promise messages, not distinct acceptors, so a duplicated promise completes a quorum',
    breaks: 'agreement',
    roles: { proposer: { machine: countsDuplicatePromises } },
  },
  'counts-duplicate-acceptances': {
    description: 'a learner counts Accepted messages, not distinct acceptors, so a duplicated acceptance completes a majority',
    breaks: 'learned-was-chosen',
    roles: { learner: { machine: countsDuplicateAcceptances } },
  },
};
