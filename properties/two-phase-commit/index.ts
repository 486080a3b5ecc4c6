/**
 * What Two-Phase Commit must guarantee (Gray & Lamport, section 3: TCConsistent and the
 * TM's rules), each property checking one thing and saying what it saw on failure.
 */
import model, { type Decision, type RmContext, type RmStatus } from '../../models/two-phase-commit/index.js';
import { always, eventually, sometimes, defineSuite, type NodeView, type WorldView, type ViewOf } from '../../src/index.js';

/** What the nodes observe (the model's `observe(...)` calls). */
type Observed =
  | { type: 'Decided'; decision: Decision }
  | { type: 'Voted'; rm: string }
  | { type: 'Recovered'; node: string; status?: RmStatus; decision?: Decision | null };
/** The worlds of Two-Phase Commit, with each role's context and the observations typed. */
type View = ViewOf<typeof model, Observed>;

// A crashed RM's context holds only its persisted status, so `status` is there either way.
const status = (rm: NodeView<RmContext>): RmStatus => rm.context.status;
const decision = (w: View): Decision | null => w.node('tm').context.decision ?? null;
const rms = (w: View) => w.role('rm');

/** TCConsistent: no RM has committed while another has aborted. */
export const consistency = always('consistency', 'no RM committed while another aborted', (w: View) => {
  const committed = rms(w).filter((rm) => status(rm) === 'committed');
  const aborted = rms(w).filter((rm) => status(rm) === 'aborted');
  if (committed.length > 0 && aborted.length > 0) {
    return `${committed.map((r) => r.id).join(', ')} committed while ${aborted.map((r) => r.id).join(', ')} aborted`;
  }
});

/** An RM commits only on the TM's word: the TM must have decided commit (at some point). */
export const agreement = always('agreement', 'an RM commits only if the TM decided to commit', (w: View) => {
  if (w.observations.some((o) => o.type === 'Decided' && o.decision === 'commit')) return;
  const committed = rms(w).filter((rm) => status(rm) === 'committed');
  if (committed.length > 0) {
    return `${committed.map((rm) => rm.id).join(', ')} committed but the TM never decided commit (its decision: ${decision(w) ?? 'none'})`;
  }
});

/** The TM decides commit only after every RM voted yes. */
export const commitNeedsAllPrepared = always(
  'commit-needs-all-prepared',
  'the TM decides to commit only if every RM voted yes (prepared)',
  (w: View) => {
    if (!w.observations.some((o) => o.type === 'Decided' && o.decision === 'commit')) return;
    const voted = new Set(w.observations.filter((o) => o.type === 'Voted').map((o) => o.rm));
    const missing = rms(w).filter((rm) => !voted.has(rm.id));
    if (missing.length > 0) {
      return `the TM decided commit but ${missing.map((rm) => rm.id).join(', ')} never voted yes (${missing.map((rm) => `${rm.id} is ${status(rm) ?? 'down'}`).join(', ')})`;
    }
  },
);

/** The TM's decision, once made, is never replaced by another (over the whole run). */
export const decisionNeverChanges = always('decision-never-changes', 'the TM never makes two different decisions', (w: View) => {
  const decided = w.observations.filter((o) => o.type === 'Decided').map((o) => o.decision);
  if (decided.length > 1) return `the TM decided ${decided.join(', then ')}`;
});

const allRms = (w: View, s: RmStatus) => rms(w).every((rm) => rm.up && status(rm) === s);

export const commits = sometimes('commits', 'every RM commits', (w: View) => allRms(w, 'committed'));
export const aborts = sometimes('aborts', 'every RM aborts after the TM decided to abort', (w: View) => decision(w) === 'abort' && allRms(w, 'aborted'));
/**
 * A commit reached although a node crashed while the outcome was still open to it: an RM that
 * came back prepared (it had to ask again), or a TM that came back undecided (it had lost the
 * votes). Observations form a set, so this reads what each node found on recovery, not their order.
 */
export const commitsAfterRecovery = sometimes(
  'commits-after-recovery',
  'every RM commits although a node crashed and recovered before it knew the outcome',
  (w: View) =>
    allRms(w, 'committed') &&
    w.observations.some((o) => o.type === 'Recovered' && (o.status === 'prepared' || (o.node === 'tm' && o.decision === null))),
);

/** Every RM knows the outcome (committed or aborted): the transaction is over. */
const allDecided = (w: View) => rms(w).every((rm) => rm.up && (status(rm) === 'committed' || status(rm) === 'aborted'));

/**
 * Liveness: on every fair behaviour each RM learns the outcome. It holds with retries and
 * restarts (a lost decision is asked for again; a restarted TM re-sends a logged one), and
 * fails when the TM's crash is permanent (preset tm-gone): the blocking of 2PC.
 *
 * Under message loss without retries (`retry=false`) it promises less, and says so. Gray and
 * Lamport's TwoPhase specification keeps every message for ever (a set: none is lost); an
 * implementation on a lossy network gets the same by re-sending, which is what a prepared RM's
 * `Timeout` does here. With retries off, a lost Commit or Abort to a prepared RM is sent again
 * only by a TM that restarts with its decision logged: recovery re-sends the decision to every
 * RM (Bernstein, Hadzilacos & Goodman 1987, section 7.4: a coordinator that finds a decision in
 * its log after a failure sends it to all participants; it no longer knows which ones voted, and
 * every one that voted yes is uncertain until told). So with `retry=false` the property excuses
 * exactly the end that loss explains: the TM has decided, nothing is in flight, every RM that
 * does not know the outcome is up and prepared (`strandedByLoss`), and more messages were lost
 * than the TM ever sent each of them (once when it decided, once more if it came back with its
 * decision: a world keeps whether it did, not how often, so one recovery is counted). With
 * retries on (the default) nothing is excused, and an RM that stops asking (mutant
 * rm-stops-asking) is caught.
 */
export const everyRmLearnsOutcome = eventually(
  'every-rm-learns-outcome',
  'every RM eventually learns the outcome (commits or aborts), unless retries are off and lost messages stranded a prepared RM that no recovery of the TM told again',
  (w: View) => allDecided(w) || strandedByLoss(w),
);

/** The TM came back with a logged decision: its recovery sent the decision to every RM again. */
const tmRecoveredDecided = (w: View): boolean => w.observations.some((o) => o.type === 'Recovered' && o.node === 'tm' && o.decision != null);

/**
 * Retries off, the TM decided, nothing in flight, the RMs still waiting are prepared ones nobody
 * will tell, and losses account for it: each stranded RM was sent the decision once when the TM
 * decided and once more by a recovery, and every copy was lost.
 */
const strandedByLoss = (w: View): boolean =>
  w.params.retry === false &&
  (w.faultsUsed?.loss ?? 0) >= 1 + (tmRecoveredDecided(w) ? 1 : 0) &&
  decision(w) !== null &&
  w.network.length === 0 &&
  rms(w).every((rm) => status(rm) === 'committed' || status(rm) === 'aborted' || (rm.up && status(rm) === 'prepared'));

export default defineSuite({
  model,
  properties: [consistency, decisionNeverChanges, agreement, commitNeedsAllPrepared, everyRmLearnsOutcome, commits, aborts, commitsAfterRecovery],
  budget: { runs: 3000, depth: 40 },
  // A run ends when every RM decided, or (retries off) when a lost message stranded the rest.
  terminal: (w) => allDecided(w as View) || strandedByLoss(w as View),
  expectedFailures: [
    {
      property: 'every-rm-learns-outcome',
      preset: 'tm-gone',
      why: 'Two-Phase Commit blocks: an RM that voted yes may not decide alone, and the TM that could tell it never comes back (Gray & Lamport, section 3)',
    },
  ],
  // Exhaustive search: two RMs, no retries, one crash (1,292 states). No message loss: without
  // retries a lost decision leaves its RM waiting for ever (a deadlock and an every-rm-learns-outcome
  // lasso in the correct model), so the search would report the configuration, not a bug.
  small: { description: 'two RMs, no retries, one crash', config: { rms: 2, retry: false }, faults: { network: 'unordered', loss: 0, duplicate: 0, crash: 1, partition: 0 } },
  // The default check also searches the same cluster with one lost message (complete: 2,695
  // states): without retries, a TM that comes back with its decision logged is what repairs a
  // lost Commit or Abort, so its recovery must tell every RM (not only those it knows voted:
  // that knowledge died with it).
  smallConfigs: [
    {
      description: 'two RMs, no retries, one lost message and one crash',
      config: { rms: 2, retry: false },
      faults: { network: 'unordered', loss: 1, duplicate: 0, crash: 1, partition: 0 },
    },
  ],
});
