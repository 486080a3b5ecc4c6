/**
 * The proposer of one ballot, for `style=spec`: the Paxos TLA+ specification (MCPaxos), in which
 * one proposer node owns each ballot 0..maxBallot and its two actions are the spec's Phase1a(b)
 * and Phase2a(b, v). Phase2a's enabling condition reads the 1b messages in the message set (the
 * environment function's inbox) instead of receiving them, so a proposer's only state is whether
 * it sent its 2a, a function of the message set, as in the spec, which has no proposer state at all.
 */
import { assign, enqueueActions, setup } from 'xstate';
import { type Effect, type InboxMessage, type NodeView, type Params, send } from '../../src/index.js';
import { clientValues, highestReport, majority, type Report } from './ballots.js';

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

/** The environment of a ballot's proposer: Phase1a always, Phase2a(b, v) for each value v the 1b reports allow. */
export function ballotProposerEvents(node: NodeView, params: Params, inbox: readonly InboxMessage[]): BallotProposerEvent[] {
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
