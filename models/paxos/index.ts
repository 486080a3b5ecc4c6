/**
 * Single-decree Paxos, after Lamport, "Paxos Made Simple" (2001), sections 2.2–2.3.
 *
 * Proposers, acceptors and learners agree on one value. A proposer picks a ballot b and sends
 * Prepare(b) (phase 1a). An acceptor that has promised nothing as high answers with a Promise
 * (1b): never again to accept a ballot below b, and the highest-ballot value it has accepted so
 * far. With promises from a majority, the proposer sends Accept(b, v) (2a), where v is the value
 * of the highest-ballot acceptance reported, or its own value when none was reported: that rule
 * is why a value chosen in an earlier ballot survives into every later one. An acceptor accepts
 * (b, v) unless it promised a higher ballot, and tells the learners (Accepted, 2b); a learner
 * learns v once a majority of acceptors accepted v in one ballot.
 *
 * What is modelled, and how:
 * - Ballots are numbers 0..maxBallot; proposer i (1-based) of P owns the ballots b with
 *   b mod P = i-1, i.e. b = round·P + (i-1): the usual (round, proposer id) pair as one number,
 *   so two proposers never share a ballot. `maxBallot` bounds the ballots, hence the retries,
 *   of a run (5 by default: three rounds each for two proposers).
 * - Proposer i proposes the client value `v<i>`. Time is an event: a proposer starts its first
 *   ballot, and later retries with its next ballot, on a `Timeout`, which the explorer may pick
 *   at any step, so proposers duel freely until their ballots run out.
 * - Stable storage. An acceptor writes its promise and its accepted ballot and value before
 *   answering; a proposer the highest ballot it has started (so it never reuses one); a learner
 *   the value it learned. A crash loses everything else (promises collected, votes counted).
 * - An acceptor answers a Prepare for a ballot above its promise, and answers again (the same
 *   promise) a repeated Prepare for the ballot it promised, as long as it has not yet accepted
 *   in that ballot; safe only because ballots are never shared.
 * - Faults: loss, duplication, reordering (the network is unordered), crashes with restart, and
 *   partitions, each bounded per run.
 * - "Chosen" is a fact about history, not about the current state (an acceptor may accept a
 *   higher ballot later): acceptors report each acceptance as an observation, Accepted(a, b, v),
 *   from which the properties decide what was chosen.
 *
 * The `tla` preset is the Paxos specification of Lamport's "The Paxos Algorithm or How to Win a
 * Turing Award" (MCPaxos; see ../shared/reference/tla-configs.md) exactly: the network is the set
 * of every message ever sent, no faults, no learners, and `style=spec`, in which one proposer node
 * owns each ballot 0..maxBallot and its two actions are the spec's Phase1a(b) and Phase2a(b, v).
 * Phase2a's enabling condition reads the 1b messages in the message set (the environment
 * function's inbox) instead of receiving them, so a proposer's only state is whether it sent its
 * 2a, a function of the message set, as in the spec, which has no proposer state at all.
 */
import { assign, emit, enqueueActions, setup, type AnyStateMachine } from 'xstate';
import { defineModel, type Effect, type InboxMessage, type NodeSpec, type NodeView, type Params, observe, send } from '../../src/index.js';

// ---- Messages -------------------------------------------------------------------------------

/** Proposer → acceptor (1a): "promise me ballot `ballot`". */
export type Prepare = { type: 'Prepare'; ballot: number };
/** Acceptor → proposer (1b): the promise, with the acceptor's highest acceptance (-1 and null: none). */
export type Promise = { type: 'Promise'; ballot: number; acceptedBallot: number; acceptedValue: string | null };
/** Proposer → acceptor (2a): "accept `value` in ballot `ballot`". */
export type Accept = { type: 'Accept'; ballot: number; value: string | null };
/** Acceptor → learner (2b): "I accepted `value` in ballot `ballot`". */
export type Accepted = { type: 'Accepted'; ballot: number; value: string | null };

type Received<M> = M & { from: string };

/** No ballot yet (the spec's -1). */
export const NO_BALLOT = -1;

/** The smallest number of acceptors that is more than half of them. */
export function majority(acceptors: number): number {
  return Math.floor(acceptors / 2) + 1;
}

/** What one acceptor reported in its promise. */
export interface Report {
  readonly acceptor: string;
  readonly acceptedBallot: number;
  readonly acceptedValue: string | null;
}

/** The report with the highest accepted ballot, or null when none of them accepted anything. */
export function highestReport(reports: readonly Report[]): Report | null {
  let top: Report | null = null;
  for (const r of reports) if (r.acceptedBallot > (top?.acceptedBallot ?? NO_BALLOT)) top = r;
  return top;
}

// ---- The acceptor ---------------------------------------------------------------------------

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

// ---- The proposer (Paxos Made Simple) -------------------------------------------------------

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

interface ProposerInput {
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

// ---- The learner ----------------------------------------------------------------------------

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

// ---- The proposer of one ballot (style=spec, the TLA+ specification) ------------------------

export interface BallotProposerContext {
  readonly ballot: number;
  readonly acceptors: readonly string[];
  /** The value of its 2a, once sent. */
  readonly proposal: string | null;
}

type BallotProposerEvent = { type: 'Phase1a' } | { type: 'Phase2a'; value: string | null };

export const ballotProposerSetup = setup({
  types: {
    context: {} as BallotProposerContext,
    input: {} as { ballot: number; acceptors: readonly string[] },
    events: {} as BallotProposerEvent,
    emitted: {} as Effect,
  },
  actions: {
    sendPrepare: enqueueActions(({ context, enqueue }) => {
      for (const a of context.acceptors) enqueue.emit(send(a, { type: 'Prepare', ballot: context.ballot }));
    }),
    recordProposal: assign({ proposal: ({ event }) => (event as { value: string | null }).value }),
    sendAccept: enqueueActions(({ context, enqueue }) => {
      for (const a of context.acceptors) enqueue.emit(send(a, { type: 'Accept', ballot: context.ballot, value: context.proposal }));
    }),
  },
});

/**
 * Phase1a(b) is always enabled (sending 1a(b) again changes nothing in a message set);
 * Phase2a(b, v) once, with a value the environment function found allowed (see proposableValues).
 */
export const ballotProposer = ballotProposerSetup.createMachine({
  id: 'ballot-proposer',
  initial: 'idle',
  context: ({ input }) => ({ ballot: input.ballot, acceptors: input.acceptors, proposal: null }),
  on: { Phase1a: { actions: 'sendPrepare' } },
  states: {
    idle: { on: { Phase2a: { target: 'proposed', actions: ['recordProposal', 'sendAccept'] } } },
    proposed: {},
  },
});

/** Every way of picking `size` items of `items`, in order. */
function subsets<T>(items: readonly T[], size: number): T[][] {
  if (size === 0) return [[]];
  if (items.length < size) return [];
  const [first, ...rest] = items;
  return [...subsets(rest, size - 1).map((s) => [first!, ...s]), ...subsets(rest, size)];
}

/**
 * The values Phase2a(b, v) allows, given the 1b reports for b: v is allowed when some quorum Q
 * of the reporting acceptors has v as the value of its highest report, and every value is
 * allowed when some quorum reported no acceptance at all. (Quorums larger than a majority allow
 * nothing more: the highest report of a larger set is the highest of some majority within it.)
 */
export function proposableValues(reports: readonly Report[], quorum: number, values: readonly string[]): (string | null)[] {
  const allowed = new Set<string | null>();
  for (const q of subsets(reports, quorum)) {
    const top = highestReport(q);
    if (top === null) values.forEach((v) => allowed.add(v));
    else allowed.add(top.acceptedValue);
  }
  return [...values.filter((v) => allowed.has(v)), ...[...allowed].filter((v) => v === null || !values.includes(v)).sort()];
}

/** The proposer node that owns ballot `ballot`. */
export function proposerOf(ballot: number, params: Params): string {
  return params.style === 'spec' ? `b${ballot}` : `p${(ballot % Number(params.proposers)) + 1}`;
}

/** The client values of a configuration: v1..vP, one per proposer; the spec's {v1, v2} in style=spec. */
export function clientValues(params: Params): string[] {
  const count = params.style === 'spec' ? 2 : Number(params.proposers);
  return Array.from({ length: count }, (_, i) => `v${i + 1}`);
}

function ballotProposerEvents(node: NodeView, params: Params, inbox: readonly InboxMessage[]): BallotProposerEvent[] {
  const events: BallotProposerEvent[] = [{ type: 'Phase1a' }];
  if (node.state !== 'idle') return events;
  // One 1b per acceptor and ballot: an acceptor answers 1a(b) only while b is above its promise.
  const reports: Report[] = [];
  for (const { from, message } of inbox) {
    if (message.type !== 'Promise' || message.ballot !== node.context.ballot) continue;
    if (reports.some((r) => r.acceptor === from)) continue;
    reports.push({ acceptor: from, acceptedBallot: message.acceptedBallot as number, acceptedValue: message.acceptedValue as string | null });
  }
  reports.sort((x, y) => (x.acceptor < y.acceptor ? -1 : 1));
  for (const value of proposableValues(reports, majority(Number(params.acceptors)), clientValues(params))) events.push({ type: 'Phase2a', value });
  return events;
}

// ---- Wiring ---------------------------------------------------------------------------------

const ids = (prefix: string, n: number, from = 1) => Array.from({ length: n }, (_, i) => `${prefix}${i + from}`);

function cluster(params: Params): NodeSpec[] {
  const acceptors = ids('a', Number(params.acceptors));
  const maxBallot = Number(params.maxBallot);
  if (params.style === 'spec') {
    const ballots = Array.from({ length: maxBallot + 1 }, (_, b) => b);
    return [
      ...acceptors.map((id) => ({ id, role: 'acceptor', input: { id, learners: [] } })),
      ...ballots.map((ballot) => ({ id: `b${ballot}`, role: 'ballot-proposer', input: { ballot, acceptors } })),
    ];
  }
  const learners = ids('l', Number(params.learners));
  const proposers = Number(params.proposers);
  const values = clientValues(params);
  return [
    ...ids('p', proposers).map((id, index) => ({
      id,
      role: 'proposer',
      input: { id, index, proposers, maxBallot, acceptors, value: values[index]! } satisfies ProposerInput,
    })),
    ...acceptors.map((id) => ({ id, role: 'acceptor', input: { id, learners } })),
    ...learners.map((id) => ({ id, role: 'learner', input: { id, acceptors: acceptors.length } })),
  ];
}

// ---- Mutants: known bugs, each a variant of the machines above ----------------------------

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
const proposerMinorityQuorum = proposerSetup.createMachine({
  ...(proposer.config as object),
  context: ({ input }: { input: ProposerInput }) => ({ ...initialProposerContext(input), quorum: Math.floor(input.acceptors.length / 2) }),
} as never) as unknown as AnyStateMachine;

/** The learner learns once fewer than a majority of the acceptors accepted a value in one ballot. */
const learnerMinorityQuorum = learnerSetup.createMachine({
  ...(learner.config as object),
  context: ({ input }: { input: { id: string; acceptors: number } }) => ({ ...initialLearnerContext(input), quorum: Math.floor(input.acceptors / 2) }),
} as never) as unknown as AnyStateMachine;

/** The acceptor checks an Accept against the ballot it last accepted, not the one it promised. */
const acceptsBelowPromise = acceptor.provide({
  guards: { notBelowThePromise: ({ context, event }) => (event as Received<Accept>).ballot >= context.acceptedBallot },
});

export default defineModel({
  name: 'paxos',
  title: 'Single-decree Paxos (Lamport, "Paxos Made Simple", 2001)',
  params: {
    acceptors: { default: 3, min: 1, max: 9, description: 'number of acceptors (a quorum is a majority)' },
    proposers: { default: 2, min: 1, max: 6, description: 'number of proposers (style=paper)' },
    learners: { default: 2, min: 0, max: 6, description: 'number of learners (style=paper)' },
    maxBallot: { default: 5, min: 0, max: 30, description: 'highest ballot number of a run (bounds retries)' },
    style: {
      default: 'paper',
      choices: ['paper', 'spec'],
      description: 'paper: proposers that retry on timeouts, learners; spec: one proposer per ballot, as in the TLA+ spec',
    },
  },
  presets: {
    tla: {
      description: 'the Paxos TLA+ specification (MCPaxos): message set, its four actions, ballots 0..maxBallot, values v1 v2, no faults',
      params: { style: 'spec', acceptors: 3, learners: 0, maxBallot: 1 },
      faults: { network: 'set', loss: 0, duplicate: 0, crash: 0, partition: 0 },
    },
  },
  roles: {
    proposer: { machine: proposer, persist: ['ballot'], environment: () => [{ type: 'Timeout' }] },
    acceptor: { machine: acceptor, persist: ['promised', 'acceptedBallot', 'acceptedValue'] },
    learner: { machine: learner, persist: ['learned'] },
    'ballot-proposer': { machine: ballotProposer, persist: [], environment: ballotProposerEvents },
  },
  nodes: cluster,
  faults: { network: 'unordered', loss: 2, duplicate: 2, crash: 2, partition: 1 },
  symmetric: ['acceptor', 'learner'],
  // With 7 nodes there are 63 ways to split the network in two, each one partition action:
  // weigh the other kinds up so that partitions stay an occasional fault, not most steps.
  exploration: { weights: { deliver: 40, env: 6, drop: 3, duplicate: 3, crash: 3, restart: 12, partition: 1, heal: 12 } },
  mutants: {
    'ignores-reported-values': {
      description: 'the proposer ignores the values reported in promises and proposes its own',
      breaks: 'agreement',
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
      breaks: 'agreement',
      roles: { proposer: { machine: proposerMinorityQuorum } },
    },
    'shared-ballots': {
      description: 'ballots are rounds without the proposer id, so two proposers may use the same ballot number',
      breaks: 'agreement',
      roles: { proposer: { machine: sharedBallots } },
    },
    'learner-minority-quorum': {
      description: 'a learner learns a value accepted by fewer than a majority of the acceptors',
      breaks: 'learners-agree',
      roles: { learner: { machine: learnerMinorityQuorum } },
    },
    'adopts-empty-report': {
      description: 'the proposer adopts the highest reported acceptance even when nothing was accepted, proposing no value',
      breaks: 'validity',
      roles: { proposer: { machine: adoptsEmptyReport } },
    },
  },
});
