/**
 * Two-Phase Commit, after Gray & Lamport, "Consensus on Transaction Commit" (2004), section 3.
 *
 * A transaction manager (TM) and N resource managers (RMs) decide together whether a
 * transaction commits. Each RM, while working, may prepare (vote yes: send Prepared to the TM)
 * or abort on its own (vote no). The TM commits only once every RM has prepared, and may abort
 * at any time while undecided; it sends its decision to every RM.
 *
 * What is modelled, and how:
 * - Stable storage. The TM logs its decision before sending it; an RM logs its status (its vote,
 *   then the outcome). A crash loses everything else. A restarted RM resumes from its log; one
 *   that crashed while still working has lost its work and aborts. A restarted TM re-sends a
 *   logged decision; without one it is undecided again and has forgotten which RMs prepared.
 * - Retries. A prepared RM that hears nothing times out and sends Prepared again; a TM that has
 *   decided answers it with the decision, so lost decisions are recovered.
 * - Time is an event: Prepare, ChooseToAbort, DecideCommit and the timeouts are environment
 *   events the explorer may pick at any step.
 * - Fairness (for liveness): delivery of a message that is not lost, every node's timeouts and
 *   every RM's vote (Prepare or ChooseToAbort) and the TM's DecideCommit are weakly fair: an
 *   RM does not stay working for ever, a TM does not wait for ever. A crashed node is restarted
 *   unless `tmRecovers=false`, where the TM's crash is permanent: the `tm-gone` preset, in
 *   which 2PC blocks (a prepared RM may neither commit nor abort on its own), the result that
 *   motivates Paxos Commit.
 * - The `tla` preset is the TwoPhase specification exactly (../shared/reference/tla-configs.md):
 *   the network is the set of all messages ever sent, no faults, no retries, no observations.
 */
import { assign, emit, enqueueActions, setup } from 'xstate';
import { defineModel, type NodeSpec, type Params, observe, replaceHandler, replaceTransitions, send, type Effect, type Received } from '../../src/index.js';

// ---- Messages -------------------------------------------------------------------------------

/** RM → TM: "I am prepared to commit" (a yes vote; sent again on retry). */
export type Prepared = { type: 'Prepared'; rm: string };
/** TM → RM: the transaction commits. */
export type Commit = { type: 'Commit' };
/** TM → RM: the transaction aborts. */
export type Abort = { type: 'Abort' };


// ---- The transaction manager ----------------------------------------------------------------

export type Decision = 'commit' | 'abort';

export interface TmContext {
  readonly rms: readonly string[];
  /** RMs from which the TM has received Prepared (volatile: lost in a crash), sorted. */
  readonly prepared: readonly string[];
  /** The logged decision (persisted). */
  readonly decision: Decision | null;
}

type TmEvent =
  | Received<Prepared>
  | { type: 'DecideCommit' }
  | { type: 'Timeout' }
  | { type: 'RECOVER' };

export const tmSetup = setup({
  types: {
    context: {} as TmContext,
    input: {} as { rms: readonly string[] },
    events: {} as TmEvent,
    emitted: {} as Effect,
  },
  guards: {
    /** Commit needs a yes vote from every RM. */
    allPrepared: ({ context }) => context.rms.every((rm) => context.prepared.includes(rm)),
    loggedCommit: ({ context }) => context.decision === 'commit',
    loggedAbort: ({ context }) => context.decision === 'abort',
  },
  actions: {
    recordPrepared: assign({
      prepared: ({ context, event }) => {
        const rm = (event as Received<Prepared>).rm;
        return context.prepared.includes(rm) ? context.prepared : [...context.prepared, rm].sort();
      },
    }),
    logCommit: assign({ decision: 'commit' as const }),
    logAbort: assign({ decision: 'abort' as const }),
    observeDecision: emit(({ context }) => observe({ type: 'Decided', decision: context.decision })),
    /** What the TM found in its log when it came back (null: it had not decided). */
    observeRecovered: emit(({ context }) => observe({ type: 'Recovered', node: 'tm', decision: context.decision })),
    broadcastDecision: enqueueActions(({ context, enqueue }) => {
      const message = context.decision === 'commit' ? { type: 'Commit' } : { type: 'Abort' };
      for (const rm of context.rms) enqueue.emit(send(rm, message));
    }),
    /** Answers an RM that asks again with the logged decision. */
    answerWithDecision: emit(({ context, event }) =>
      send((event as Received<Prepared>).from, context.decision === 'commit' ? { type: 'Commit' } : { type: 'Abort' }),
    ),
  },
});

export const transactionManager = tmSetup.createMachine({
  id: 'tm',
  initial: 'init',
  context: ({ input }) => ({ rms: input.rms, prepared: [], decision: null }),
  states: {
    init: {
      on: {
        Prepared: { actions: 'recordPrepared' },
        DecideCommit: { guard: 'allPrepared', target: 'committed', actions: ['logCommit', 'observeDecision', 'broadcastDecision'] },
        // The TM may abort at any time while undecided (it gives up waiting).
        Timeout: { target: 'aborted', actions: ['logAbort', 'observeDecision', 'broadcastDecision'] },
        RECOVER: [
          { guard: 'loggedCommit', target: 'committed', actions: ['observeRecovered', 'broadcastDecision'] },
          { guard: 'loggedAbort', target: 'aborted', actions: ['observeRecovered', 'broadcastDecision'] },
          { actions: 'observeRecovered' },
        ],
      },
    },
    committed: { on: { Prepared: { actions: 'answerWithDecision' } } },
    aborted: { on: { Prepared: { actions: 'answerWithDecision' } } },
  },
});

// ---- The resource managers ------------------------------------------------------------------

export type RmStatus = 'working' | 'prepared' | 'committed' | 'aborted';

export interface RmContext {
  readonly id: string;
  readonly tm: string;
  /** The RM's logged status (persisted); it mirrors the state the machine is in. */
  readonly status: RmStatus;
}

type RmEvent =
  | Received<Commit>
  | Received<Abort>
  | { type: 'Prepare' }
  | { type: 'ChooseToAbort' }
  | { type: 'Timeout' }
  | { type: 'RECOVER' };

export const rmSetup = setup({
  types: {
    context: {} as RmContext,
    input: {} as { id: string; tm: string },
    events: {} as RmEvent,
    emitted: {} as Effect,
  },
  guards: {
    loggedPrepared: ({ context }) => context.status === 'prepared',
    loggedCommitted: ({ context }) => context.status === 'committed',
    loggedAborted: ({ context }) => context.status === 'aborted',
  },
  actions: {
    logPrepared: assign({ status: 'prepared' as const }),
    logCommitted: assign({ status: 'committed' as const }),
    logAborted: assign({ status: 'aborted' as const }),
    sendPrepared: emit(({ context }) => send(context.tm, { type: 'Prepared', rm: context.id })),
    observeVote: emit(({ context }) => observe({ type: 'Voted', rm: context.id })),
    /** What the RM found in its log when it came back. */
    observeRecovered: emit(({ context }) => observe({ type: 'Recovered', node: context.id, status: context.status })),
  },
});

const outcomes = {
  Commit: { target: '.committed', actions: 'logCommitted' },
  Abort: { target: '.aborted', actions: 'logAborted' },
} as const;

export const resourceManager = rmSetup.createMachine({
  id: 'rm',
  initial: 'working',
  context: ({ input }) => ({ id: input.id, tm: input.tm, status: 'working' }),
  // The TM's decision is final: an RM adopts whichever decision reaches it, in any state.
  on: outcomes,
  states: {
    working: {
      on: {
        Prepare: { target: 'prepared', actions: ['logPrepared', 'observeVote', 'sendPrepared'] },
        ChooseToAbort: { target: 'aborted', actions: 'logAborted' },
        RECOVER: [
          { guard: 'loggedCommitted', target: 'committed', actions: 'observeRecovered' },
          { guard: 'loggedAborted', target: 'aborted', actions: 'observeRecovered' },
          { guard: 'loggedPrepared', target: 'prepared', actions: ['observeRecovered', 'sendPrepared'] },
          // It crashed before voting: its work is lost, so it aborts (a unilateral no).
          { target: 'aborted', actions: ['observeRecovered', 'logAborted'] },
        ],
      },
    },
    // Prepared and waiting: it may not decide on its own; on a timeout it asks again.
    prepared: { on: { Timeout: { actions: 'sendPrepared' } } },
    committed: {},
    aborted: {},
  },
});

// ---- Wiring ---------------------------------------------------------------------------------

function rmIds(params: Params): string[] {
  return Array.from({ length: Number(params.rms) }, (_, i) => `rm${i + 1}`);
}

function cluster(params: Params): NodeSpec[] {
  const rms = rmIds(params);
  return [{ id: 'tm', role: 'tm', input: { rms } }, ...rms.map((id) => ({ id, role: 'rm', input: { id, tm: 'tm' } }))];
}

// ---- Mutants: known bugs, each a variant of the machines above ----------------------------

/** The TM commits once a majority (not all) of the RMs prepared. */
const commitsOnMajority = transactionManager.provide({
  guards: { allPrepared: ({ context }) => context.prepared.length * 2 > context.rms.length },
});

/** The TM counts Prepared messages rather than distinct RMs, so a duplicate counts twice. */
const countsMessages = transactionManager.provide({
  actions: {
    recordPrepared: assign({ prepared: ({ context, event }) => [...context.prepared, (event as Received<Prepared>).rm] }),
  },
  guards: { allPrepared: ({ context }) => context.prepared.length >= context.rms.length },
});

/** After deciding, a timeout makes the TM abort (it "gives up" even though it had committed). */
const flipsOnTimeout = replaceHandler(transactionManager, 'committed', 'Timeout', {
  target: 'aborted',
  actions: ['logAbort', 'observeDecision', 'broadcastDecision'],
});

/** A prepared RM that times out does nothing: it never asks again, so a lost decision leaves it waiting for ever. */
const stopsAsking = replaceTransitions(resourceManager, 'prepared', {});

/** A prepared RM that times out commits on its own ("presumed commit"). */
const presumesCommit = replaceTransitions(resourceManager, 'prepared', { Timeout: { target: 'committed', actions: 'logCommitted' } });

// Mutants written after the suite, without looking at what it checks (issue 12): recovery and
// decision bookkeeping. Each was shown buggy by a replaying counterexample first.

/** A restarted RM that had logged its yes vote treats the transaction as lost and aborts (as if it had not voted). */
const recoversPreparedAsAborted = replaceHandler(resourceManager, 'working', 'RECOVER', [
  { guard: 'loggedCommitted', target: 'committed', actions: 'observeRecovered' },
  { guard: 'loggedAborted', target: 'aborted', actions: 'observeRecovered' },
  { target: 'aborted', actions: ['observeRecovered', 'logAborted'] },
]);

/** An undecided TM answers an RM that asks again with Abort ("presumed abort"), without deciding abort itself. */
// answerWithDecision answers Abort while the decision is still null.
const answersUndecidedWithAbort = replaceHandler(transactionManager, 'init', 'Prepared', { actions: ['recordPrepared', 'answerWithDecision'] });

/** A prepared RM still accepts a local decision to abort (it takes back its yes vote). */
const abortsAfterVoting = replaceTransitions(resourceManager, 'prepared', {
  Timeout: { actions: 'sendPrepared' },
  ChooseToAbort: { target: 'aborted', actions: 'logAborted' },
});

/** A TM that comes back with a logged commit tells the RMs Abort (the recovery path sends the wrong message). */
const recoveryBroadcastsAbort = transactionManager.provide({
  actions: {
    broadcastDecision: enqueueActions(({ context, event, enqueue }) => {
      const recovering = (event as { type: string }).type === 'RECOVER';
      const message = context.decision === 'commit' && !recovering ? { type: 'Commit' } : { type: 'Abort' };
      for (const rm of context.rms) enqueue.emit(send(rm, message));
    }),
  },
});

export default defineModel({
  name: 'two-phase-commit',
  title: 'Two-Phase Commit (Gray & Lamport, "Consensus on Transaction Commit", 2004)',
  params: {
    rms: { default: 3, min: 1, max: 12, description: 'number of resource managers' },
    retry: { default: true, description: 'prepared RMs ask again after a timeout' },
    tmRecovers: { default: true, description: 'a crashed TM is restarted (false: its crash is permanent)' },
  },
  presets: {
    // Observations stay on: Voted(r) and Decided are functions of the message set here, so
    // they add no state that TwoPhase does not have.
    tla: {
      description: 'the TwoPhase TLA+ specification: message set, its seven actions, no faults, no retries',
      params: { retry: false },
      faults: { network: 'set', loss: 0, duplicate: 0, crash: 0, partition: 0 },
    },
    'tm-gone': {
      description: 'the TM may crash once and never come back (message set, retries): 2PC blocks',
      params: { rms: 2, tmRecovers: false },
      faults: { network: 'set', loss: 0, duplicate: 0, crash: 1, partition: 0 },
    },
  },
  fairness: {
    events: { tm: ['DecideCommit', 'Timeout'], rm: ['Prepare', 'ChooseToAbort', 'Timeout'] },
    restart: (node, params) => node.role !== 'tm' || params.tmRecovers === true,
  },
  roles: {
    tm: {
      machine: transactionManager,
      persist: ['decision'],
      environment: () => [{ type: 'DecideCommit' }, { type: 'Timeout' }],
    },
    rm: {
      machine: resourceManager,
      persist: ['status'],
      environment: (_node, params) => [
        { type: 'Prepare' },
        { type: 'ChooseToAbort' },
        ...(params.retry ? [{ type: 'Timeout' }] : []),
      ],
    },
  },
  nodes: cluster,
  faults: { network: 'unordered', loss: 2, duplicate: 2, crash: 2, partition: 1 },
  symmetric: ['rm'],
  // Deciding to abort ends a run's interest early; make it rarer than the steps towards commit.
  exploration: { eventWeights: { Prepare: 4, DecideCommit: 4, ChooseToAbort: 1, Timeout: 1 } },
  mutants: {
    'tm-commits-on-majority': {
      description: 'the TM commits once a majority of the RMs prepared',
      breaks: 'commit-needs-all-prepared',
      roles: { tm: { machine: commitsOnMajority } },
    },
    'tm-counts-messages': {
      description: 'the TM counts Prepared messages, not distinct RMs, so a duplicate or a retry counts twice',
      breaks: 'commit-needs-all-prepared',
      roles: { tm: { machine: countsMessages } },
    },
    'tm-flips-on-timeout': {
      description: 'the TM aborts on a timeout even after it decided to commit',
      breaks: 'decision-never-changes',
      roles: { tm: { machine: flipsOnTimeout } },
    },
    'tm-forgets-decision': {
      description: 'the TM does not log its decision, so after a crash it may decide again, differently',
      breaks: 'decision-never-changes',
      roles: { tm: { persist: [] } },
    },
    'rm-forgets-prepared': {
      description: 'an RM does not log its vote, so after a crash it aborts a transaction the TM committed',
      breaks: 'consistency',
      roles: { rm: { persist: [] } },
    },
    'rm-stops-asking': {
      description: 'a prepared RM never asks again, so after a lost decision it waits for ever',
      breaks: 'every-rm-learns-outcome',
      roles: { rm: { machine: stopsAsking } },
    },
    'rm-presumes-commit': {
      description: 'a prepared RM that hears nothing commits on its own',
      breaks: 'agreement',
      roles: { rm: { machine: presumesCommit } },
    },
    'rm-recovers-prepared-as-aborted': {
      description: 'a restarted RM that had logged its yes vote aborts, as if it had crashed before voting',
      breaks: 'consistency',
      roles: { rm: { machine: recoversPreparedAsAborted } },
    },
    'tm-answers-undecided-with-abort': {
      description: 'an undecided TM answers an RM that asks again with Abort, without deciding abort itself',
      breaks: 'consistency',
      roles: { tm: { machine: answersUndecidedWithAbort } },
    },
    'rm-aborts-after-voting': {
      description: 'a prepared RM still accepts a local decision to abort, taking back its yes vote',
      breaks: 'consistency',
      roles: { rm: { machine: abortsAfterVoting } },
    },
    'tm-recovery-broadcasts-abort': {
      description: 'a TM that restarts with a logged commit sends Abort to the RMs',
      breaks: 'consistency',
      roles: { tm: { machine: recoveryBroadcastsAbort } },
    },
  },
});
