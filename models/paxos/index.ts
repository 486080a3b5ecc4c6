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
 * - Checked against the paper (properties/paxos/, docs/soundness.md section 7): section 2.1's
 *   three requirements, P1a, P2c's value rule on the proposer (`proposes-highest-report`), P1b's
 *   report in each promise in flight (`promise-reports-acceptance`) and section 2.3's stable
 *   storage (`persistent-state-kept`), besides liveness under the bounded ballots.
 *
 * The `tla` preset is the Paxos specification of Lamport's "The Paxos Algorithm or How to Win a
 * Turing Award" (MCPaxos; see ../shared/reference/tla-configs.md) exactly: the network is the set
 * of every message ever sent, no faults, no learners, and `style=spec`, in which one proposer node
 * owns each ballot 0..maxBallot and its two actions are the spec's Phase1a(b) and Phase2a(b, v).
 * Phase2a's enabling condition reads the 1b messages in the message set (the environment
 * function's inbox) instead of receiving them, so a proposer's only state is whether it sent its
 * 2a, a function of the message set, as in the spec, which has no proposer state at all.
 */
// The model, one file per role, read in this order (each file imports only the ones below it):
//   model.ts           the wiring (which nodes a configuration has), parameters, presets, faults
//   mutants.ts         the known bugs, each a variant of one role, and the property that catches it
//   proposer.ts        proposer (Paxos Made Simple): ballots on timeouts, adopts the highest report
//   ballot-proposer.ts one proposer per ballot (style=spec): the TLA+ spec's Phase1a and Phase2a
//   acceptor.ts        acceptor: promises, accepts, tells the learners
//   learner.ts         learner: learns on a majority in one ballot
//   ballots.ts         ballots, quorums and client values, shared by the roles
//   messages.ts        the four messages, each with who sends it to whom
export { default } from './model.js';
export type { Accept, Accepted, Prepare, Promise } from './messages.js';
export { clientValues, highestReport, majority, NO_BALLOT, proposerOf, type Report } from './ballots.js';
export { proposer, proposerSetup, initialProposerContext, nextOwnBallot, type ProposerContext } from './proposer.js';
export { ballotProposer, ballotProposerSetup, proposableValues, type BallotProposerContext } from './ballot-proposer.js';
export { acceptor, acceptorSetup, type AcceptorContext } from './acceptor.js';
export { learner, learnerSetup, initialLearnerContext, quorumValue, type LearnerContext, type Vote } from './learner.js';
