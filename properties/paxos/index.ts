/**
 * What single-decree Paxos must guarantee ("Paxos Made Simple", section 2.1: only a proposed
 * value may be chosen, only one value is chosen, a learner learns only a chosen value), and two
 * local rules the proof rests on (an acceptor's promise only grows; what it accepted it promised).
 *
 * "Chosen" is read from history: the acceptors' Accepted(acceptor, ballot, value) observations.
 * A value is chosen in ballot b when a majority of the acceptors accepted it in b, even if some
 * of them have since accepted a later ballot.
 */
import model, { clientValues, highestReport, majority, nextOwnBallot, NO_BALLOT, proposerOf, type Report } from '../../models/paxos/index.js';
import { persistedAcrossCrash } from '../persistence.js';
import { type NodeView, type Observation, always, alwaysStep, eventually, sometimes, defineSuite, type WorldView } from '../../src/index.js';

interface Choice {
  readonly ballot: number;
  readonly value: string | null;
  /** The acceptors that accepted it in that ballot, in the order they did. */
  readonly acceptors: readonly string[];
  /** Index in the observation log of the acceptance that completed the majority. */
  readonly at: number;
}

/** Every (ballot, value) accepted by a majority of the acceptors, in the order they were chosen. */
export function choices(w: WorldView): Choice[] {
  const quorum = majority(Number(w.params.acceptors));
  const groups = new Map<string, { ballot: number; value: string | null; acceptors: string[]; at: number }>();
  w.observations.forEach((o, i) => {
    if (o.type !== 'Accepted') return;
    const key = `${o.ballot}\u0000${o.value}`;
    const g = groups.get(key) ?? { ballot: o.ballot as number, value: o.value as string | null, acceptors: [], at: -1 };
    if (!g.acceptors.includes(o.acceptor as string)) g.acceptors.push(o.acceptor as string);
    if (g.acceptors.length === quorum && g.at < 0) g.at = i;
    groups.set(key, g);
  });
  return [...groups.values()].filter((g) => g.at >= 0).sort((x, y) => x.at - y.at);
}

const describe = (c: Choice) => `${c.value} chosen in ballot ${c.ballot} (${c.acceptors.join(', ')})`;
const ofType = (w: WorldView, type: string): Observation[] => w.observations.filter((o) => o.type === type);

/** Agreement: at most one value is chosen. */
export const agreement = always('agreement', 'at most one value is chosen (accepted by a majority in one ballot)', (w) => {
  const chosen = choices(w);
  const other = chosen.find((c) => c.value !== chosen[0]!.value);
  if (other) return `${describe(chosen[0]!)}, but ${describe(other)}`;
});

/** Validity: only a value some client proposed can be chosen. */
export const validity = always('validity', 'only a value a client proposed is chosen', (w) => {
  const proposed = clientValues(w.params);
  const bad = choices(w).find((c) => c.value === null || !proposed.includes(c.value));
  if (bad) return `${describe(bad)}, which no client proposed (proposed: ${proposed.join(', ')})`;
});

/** Learners never learn different values (nor does one learner change its mind). */
export const learnersAgree = always('learners-agree', 'learners never learn different values', (w) => {
  const learned = ofType(w, 'Learned');
  const other = learned.find((o) => o.value !== learned[0]!.value);
  if (other === undefined) return;
  const first = learned[0]!;
  return other.learner === first.learner
    ? `${first.learner} learned ${first.value}, then ${other.value}`
    : `${first.learner} learned ${first.value}, but ${other.learner} learned ${other.value}`;
});

/**
 * Section 2.1: a learner learns only a value that has actually been chosen, i.e. accepted by a
 * majority in one ballot (learners-agree alone passes a learner that learns a value nobody chose,
 * as long as every learner learns the same).
 */
export const learnedWasChosen = always('learned-was-chosen', 'a learner learns only a chosen value', (w) => {
  const learned = ofType(w, 'Learned');
  if (learned.length === 0) return;
  const chosenValues = new Set(choices(w).map((c) => c.value));
  const bad = learned.find((o) => !chosenValues.has(o.value as string | null));
  if (bad) {
    const accepted = ofType(w, 'Accepted').filter((o) => o.value === bad.value).map((o) => `${o.acceptor}@${o.ballot}`);
    return `${bad.learner} learned ${bad.value}, which no majority accepted in one ballot (accepted: ${accepted.join(', ') || 'nowhere'})`;
  }
});

/** A crashed acceptor's promise is what its stable storage holds: nothing, if it was not persisted. */
const promiseOf = (a: NodeView): number => (typeof a.context.promised === 'number' ? a.context.promised : NO_BALLOT);

/** The rule every Paxos proof leans on: an acceptor never takes back a promise, even across a crash. */
export const promiseNeverDecreases = alwaysStep(
  'promise-never-decreases',
  "an acceptor's promised ballot never decreases",
  (before, after) => {
    for (const a of before.role('acceptor')) {
      const now = promiseOf(after.node(a.id));
      if (now < promiseOf(a)) return `${a.id}'s promise fell from ballot ${promiseOf(a)} to ${now}${after.node(a.id).up ? '' : ' (it crashed)'}`;
    }
  },
);

/** A crashed acceptor's accepted ballot is what its stable storage holds. */
const acceptedOf = (a: NodeView): number => (typeof a.context.acceptedBallot === 'number' ? a.context.acceptedBallot : NO_BALLOT);

/**
 * Accepting a ballot is promising it ("Paxos Made Simple", P1a: an acceptor accepts a proposal
 * numbered n unless it has responded to a prepare request numbered above n; Lamport's Paxos.tla
 * keeps maxVBal[a] =< maxBal[a] in its invariant). An acceptor whose accepted ballot is above its
 * promise may still promise a lower ballot, and report an acceptance that ballot cannot see.
 */
export const acceptedWithinPromise = always('accepted-within-promise', "an acceptor's accepted ballot never exceeds its promised ballot", (w) => {
  for (const a of w.role('acceptor')) {
    if (acceptedOf(a) > promiseOf(a)) return `${a.id} accepted ballot ${acceptedOf(a)} but has promised only ballot ${promiseOf(a)}`;
  }
});

const reportText = (r: Report): string => (r.acceptedBallot === NO_BALLOT ? `${r.acceptor}: nothing` : `${r.acceptor}: ${r.acceptedValue} in ballot ${r.acceptedBallot}`);

/**
 * P2c, the rule that makes Paxos safe ("Paxos Made Simple", section 2.2): a proposer that issues
 * a proposal in ballot n with promises from a majority S proposes the value of the
 * highest-numbered proposal accepted by the acceptors in S, if any of them accepted one (any
 * value only when none did). Read on the proposer in phase 2: its proposal against the reports
 * its promises carried. Agreement fails only when a second majority later accepts the wrong
 * value; this names the proposal that broke the rule when it is made.
 */
export const proposesHighestReport = always('proposes-highest-report', 'a proposer in phase 2 proposes the value of the highest-ballot acceptance its promises reported (P2c)', (w) => {
  for (const p of w.role('proposer')) {
    if (!p.up || p.state !== 'proposing') continue;
    const promises = p.context.promises as readonly Report[];
    const top = highestReport(promises);
    if (top !== null && p.context.proposal !== top.acceptedValue) {
      return `${p.id} proposes ${String(p.context.proposal)} in ballot ${String(p.context.ballot)}, but the highest acceptance its promises reported is ${top.acceptedValue} in ballot ${top.acceptedBallot} (${promises.map(reportText).join('; ')})`;
    }
  }
});

/**
 * P1b's content ("Paxos Made Simple", section 2.2): a promise for ballot n carries the proposal
 * numbered below n that the acceptor accepted (or none). A promise in flight that reports an
 * acceptance the acceptor never made (no Accepted observation of that ballot and value), or one
 * not below the ballot it promises, misleads the proposer's P2c choice.
 */
export const promiseReportsAcceptance = always('promise-reports-acceptance', 'a promise reports an acceptance its acceptor made, in a ballot below the one it promises (P1b)', (w) => {
  for (const m of w.network) {
    if (m.message.type !== 'Promise') continue;
    const { ballot, acceptedBallot, acceptedValue } = m.message as unknown as { ballot: number; acceptedBallot: number; acceptedValue: string | null };
    if (acceptedBallot === NO_BALLOT) continue;
    const made = w.observations.some((o) => o.type === 'Accepted' && o.acceptor === m.from && o.ballot === acceptedBallot && o.value === acceptedValue);
    if (!made || acceptedBallot >= ballot) {
      const accepted = w.observations.filter((o) => o.type === 'Accepted' && o.acceptor === m.from).map((o) => `${String(o.value)} in ballot ${String(o.ballot)}`);
      return `${m.from}'s promise for ballot ${ballot} to ${m.to} reports ${acceptedValue} accepted in ballot ${acceptedBallot}, but ${m.from} accepted ${accepted.join(', ') || 'nothing'}`;
    }
  }
});

/**
 * Phase 2's precondition ("Paxos Made Simple", section 2.2): "if the proposer receives a response
 * to its prepare requests (numbered n) from a majority of acceptors, then it sends an accept
 * request". Read on a proposer in phase 2: the promises it holds come from a majority of distinct
 * acceptors, and a majority of the acceptors have in fact promised its ballot (an acceptor's
 * promise only grows, and survives a crash, so they still stand at n or above). A proposer that
 * counts a promise twice, counts promises made to an earlier ballot, or resumes phase 2 after a
 * restart without them, proposes with no majority behind it: P2c's majority S does not exist.
 */
export const proposesAfterMajorityPromise = always(
  'proposes-after-majority-promise',
  'a proposer in phase 2 holds promises for its ballot from a majority of the acceptors, and a majority has promised that ballot',
  (w) => {
    const quorum = majority(Number(w.params.acceptors));
    for (const p of w.role('proposer')) {
      if (!p.up || p.state !== 'proposing') continue;
      const ballot = p.context.ballot as number;
      const promises = p.context.promises as readonly Report[];
      const from = [...new Set(promises.map((r) => r.acceptor))].sort();
      if (from.length < quorum) {
        return `${p.id} is in phase 2 of ballot ${ballot} with promises from ${from.join(', ') || 'no acceptor'} (${promises.length} promise${promises.length === 1 ? '' : 's'} counted), fewer than a majority of ${quorum}`;
      }
      const promisedIt = w.role('acceptor').filter((a) => promiseOf(a) >= ballot).map((a) => a.id);
      if (promisedIt.length < quorum) {
        const who = promisedIt.length === 0 ? 'no acceptor has' : `only ${promisedIt.join(', ')} ${promisedIt.length === 1 ? 'has' : 'have'}`;
        return `${p.id} is in phase 2 of ballot ${ballot}, but ${who} promised ballot ${ballot} or above, fewer than a majority of ${quorum}`;
      }
    }
  },
);

/**
 * A ballot is one proposal: a number and one value ("Paxos Made Simple", section 2.2, "different
 * proposals have different numbers"; Paxos.tla's 2a messages of one ballot carry one value). Every
 * Accept in flight and every acceptance in ballot b carries the same value. A proposer that sends
 * a second value in its ballot, or an acceptor that records a value other than the one it was
 * asked to accept, makes one ballot stand for two values, and learners may count them together.
 */
export const oneValuePerBallot = always('one-value-per-ballot', 'the Accept requests and acceptances of one ballot all carry one value', (w) => {
  const first = new Map<number, { value: string | null; where: string }>();
  const seen = (ballot: number, value: string | null, where: string): string | undefined => {
    const before = first.get(ballot);
    if (before === undefined) first.set(ballot, { value, where });
    else if (before.value !== value) return `ballot ${ballot} carries two values: ${before.where} ${String(before.value)}, but ${where} ${String(value)}`;
  };
  for (const o of w.observations) {
    if (o.type !== 'Accepted') continue;
    const bad = seen(o.ballot as number, o.value as string | null, `${String(o.acceptor)} accepted`);
    if (bad) return bad;
  }
  for (const m of w.network) {
    if (m.message.type !== 'Accept') continue;
    const bad = seen(m.message.ballot as number, m.message.value as string | null, `Accept ${m.from}→${m.to}`);
    if (bad) return bad;
  }
});

/**
 * "Paxos Made Simple", sections 2.2 and 2.3: an acceptor "must remember" its promise and what it
 * accepted "even if it fails and then restarts", and each proposer "remembers (in stable storage)
 * the highest-numbered proposal it has tried to issue", so that it never issues a ballot twice.
 * (promise-never-decreases also reads a lost promise; this names every required field.)
 */
export const persistentStateKept = persistedAcrossCrash('persistent-state-kept', 'acceptors keep their promise and acceptance, proposers their highest ballot, across a crash', {
  proposer: { ballot: NO_BALLOT },
  acceptor: { promised: NO_BALLOT, acceptedBallot: NO_BALLOT, acceptedValue: null },
});

/**
 * Liveness: on every fair behaviour some value is chosen, unless a fault cost the last ballot.
 * It holds with one proposer and, in these bounded configurations, with two: proposers may
 * preempt each other (the dueling of FLP) only until the ballots run out, and the highest
 * ballot cannot be preempted.
 *
 * What the paper promises under faults ("Paxos Made Simple", section 2.4): progress when a
 * distinguished proposer can talk to a majority, because a proposer whose messages were lost
 * (or whose acceptors crashed) abandons its ballot and starts a higher-numbered one; Paxos sends
 * nothing twice in a ballot, so retrying *is* the higher ballot. The model bounds ballots
 * (`maxBallot`), so once every proposer has started its last one, a lost message or a crash of
 * the proposer holding the highest ballot strands it where the paper would start another. That
 * is what the excuse says, no more: out of ballots, and the highest ballot's proposer crashed
 * (`lastBallotLost`) or a message was lost and nothing is in flight any more (`lastBallotStranded`).
 * Without faults nothing is excused, so a proposer that waits for too many promises (mutant
 * waits-for-all-promises) is still caught.
 */
export const eventuallyChosen = eventually(
  'eventually-chosen',
  'a value is eventually chosen (unless a crash or a lost message cost the last ballot)',
  (w) => choices(w).length > 0 || lastBallotLost(w) || lastBallotStranded(w),
);

export const chosen = sometimes('chosen', 'a value is chosen', (w) => choices(w).length > 0);

/** A learner learns: without it, learners that never learn would pass every invariant. */
export const learned = sometimes('learned', 'a learner learns a value', (w) => ofType(w, 'Learned').length > 0);

export const chosenAfterCompetition = sometimes(
  'chosen-after-competition',
  'a value is chosen, and ballots of two proposers were each accepted by some acceptor',
  (w) => choices(w).length > 0 && new Set(ofType(w, 'Accepted').map((o) => proposerOf(o.ballot as number, w.params))).size >= 2,
);

export const chosenAfterRestart = sometimes(
  'chosen-after-restart',
  'a value is chosen with the vote of an acceptor that had crashed and restarted',
  // An acceptor that accepted ballot b before crashing comes back promised at least b; so an
  // acceptance in a ballot above the promise it recovered with happened after the restart.
  // (Observations form a set: this reads their content, never their order.)
  (w) =>
    choices(w).some((c) =>
      w.observations.some((o) => o.type === 'Recovered' && c.acceptors.includes(o.node as string) && (o.promised as number) < c.ballot),
    ),
);

/** Every learner (up) has learned a value that is chosen. */
const decided = (w: WorldView): boolean => choices(w).length > 0 && w.role('learner').every((l) => l.up && l.context.learned != null);

/**
 * The bound on ballots, not Paxos, stops progress: no proposer has a ballot left, and the one
 * holding the highest ballot crashed after starting it (it is back in `idle`, which a proposer
 * otherwise leaves on its first timeout, with its promises lost). With unbounded ballots it
 * would start another one; here nobody can. Long runs (a crash, then every proposer retrying
 * to its last ballot) reach this in the correct model.
 */
const lastBallotLost = (w: WorldView): boolean => {
  const proposers = w.role('proposer');
  if (!outOfBallots(w)) return false;
  const top = proposers.reduce((a, b) => (b.context.ballot > a.context.ballot ? b : a));
  return top.state === 'idle' && top.context.ballot !== NO_BALLOT;
};

/**
 * Every ballot is used, a message was lost, nothing is in flight, and no proposer holds what its
 * ballot needs: each is idle, waiting for promises short of a quorum, or in phase 2 (where, with
 * nothing chosen and nothing in flight, its acceptances fell short). No message can arrive and no
 * proposer may start a ballot, so nothing will happen again, and a correct proposer could not
 * have gone on either: a proposer sitting on a quorum of promises is no excuse (the mutant
 * waits-for-all-promises). (The network is a bag in the default configurations: a delivered
 * message leaves it.)
 */
const lastBallotStranded = (w: WorldView): boolean =>
  outOfBallots(w) &&
  (w.faultsUsed?.loss ?? 0) > 0 &&
  w.network.length === 0 &&
  w.role('proposer').every((p) => p.up && (p.state !== 'preparing' || (p.context.promises as readonly unknown[]).length < majority(Number(w.params.acceptors))));

/** No proposer has a ballot left to start (the configuration's bound on retries). */
const outOfBallots = (w: WorldView): boolean => {
  const proposers = w.role('proposer');
  return proposers.length > 0 && proposers.every((p) => p.up && nextOwnBallot(p.context.ballot, p.context.index, p.context.proposers) > p.context.maxBallot);
};

export default defineSuite({
  model,
  // learners-agree (exported above) follows from agreement and learned-was-chosen, which is the
  // stronger statement of section 2.1: no bug can violate it first, so the suite checks the two.
  properties: [agreement, validity, learnedWasChosen, promiseNeverDecreases, acceptedWithinPromise, proposesHighestReport, promiseReportsAcceptance, persistentStateKept, proposesAfterMajorityPromise, oneValuePerBallot, eventuallyChosen, chosen, learned, chosenAfterCompetition, chosenAfterRestart],
  budget: { runs: 5000, depth: 30 },
  terminal: (w) => decided(w) || outOfBallots(w),
  // Exhaustive search: two proposers with a ballot each (so a second ballot can adopt the
  // first one's value), a learner, no faults (158,458 states).
  small: {
    description: 'three acceptors, two proposers (ballots 0 and 1), one learner, no faults',
    config: { acceptors: 3, proposers: 2, learners: 1, maxBallot: 1 },
    faults: { network: 'unordered', loss: 0, duplicate: 0, crash: 0, partition: 0 },
  },
  smallConfigs: [
    // Reply counting and recovery, searched whole (10,499 states): one proposer and one ballot,
    // so that nothing but a duplicated message or a crash can go wrong. A duplicated Promise or
    // Accept is what a proposer or acceptor that counts messages instead of acceptors miscounts,
    // and a crash is what a role that keeps too little (or resumes too much) gets wrong; the
    // random runs meet both, but only now and then in the same few steps.
    {
      description: 'three acceptors, one proposer (ballot 0), no learner, one duplicated message, one crash',
      config: { acceptors: 3, proposers: 1, learners: 0, maxBallot: 0 },
      faults: { network: 'unordered', loss: 0, duplicate: 1, crash: 1, partition: 0 },
    },
  ],
});
