/**
 * What Two-Phase Commit must guarantee (Gray & Lamport, section 3: TCConsistent and the
 * TM's rules), each property checking one thing and saying what it saw on failure.
 */
import model from '../../models/two-phase-commit/index.js';
import { always, sometimes, defineSuite, type NodeView, type WorldView } from '../../src/index.js';

const status = (rm: NodeView): string => rm.context.status;
const decision = (w: WorldView): string | null => w.node('tm').context.decision ?? null;
const rms = (w: WorldView) => w.role('rm');

/** TCConsistent: no RM has committed while another has aborted. */
export const consistency = always('consistency', 'no RM committed while another aborted', (w) => {
  const committed = rms(w).filter((rm) => status(rm) === 'committed');
  const aborted = rms(w).filter((rm) => status(rm) === 'aborted');
  if (committed.length > 0 && aborted.length > 0) {
    return `${committed.map((r) => r.id).join(', ')} committed while ${aborted.map((r) => r.id).join(', ')} aborted`;
  }
});

/** An RM commits only on the TM's word: the TM must have decided commit (at some point). */
export const agreement = always('agreement', 'an RM commits only if the TM decided to commit', (w) => {
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
  (w) => {
    if (!w.observations.some((o) => o.type === 'Decided' && o.decision === 'commit')) return;
    const voted = new Set(w.observations.filter((o) => o.type === 'Voted').map((o) => o.rm));
    const missing = rms(w).filter((rm) => !voted.has(rm.id));
    if (missing.length > 0) {
      return `the TM decided commit but ${missing.map((rm) => rm.id).join(', ')} never voted yes (${missing.map((rm) => `${rm.id} is ${status(rm) ?? 'down'}`).join(', ')})`;
    }
  },
);

/** The TM's decision, once made, is never replaced by another (over the whole run). */
export const decisionNeverChanges = always('decision-never-changes', 'the TM never makes two different decisions', (w) => {
  const decided = w.observations.filter((o) => o.type === 'Decided').map((o) => o.decision);
  if (decided.length > 1) return `the TM decided ${decided.join(', then ')}`;
});

const allRms = (w: WorldView, s: string) => rms(w).every((rm) => rm.up && status(rm) === s);

export const commits = sometimes('commits', 'every RM commits', (w) => allRms(w, 'committed'));
export const aborts = sometimes('aborts', 'every RM aborts after the TM decided to abort', (w) => decision(w) === 'abort' && allRms(w, 'aborted'));
/**
 * A commit reached although a node crashed while the outcome was still open to it: an RM that
 * came back prepared (it had to ask again), or a TM that came back undecided (it had lost the
 * votes). Observations form a set, so this reads what each node found on recovery, not their order.
 */
export const commitsAfterRecovery = sometimes(
  'commits-after-recovery',
  'every RM commits although a node crashed and recovered before it knew the outcome',
  (w) =>
    allRms(w, 'committed') &&
    w.observations.some((o) => o.type === 'Recovered' && (o.status === 'prepared' || (o.node === 'tm' && o.decision === null))),
);

export default defineSuite({
  model,
  properties: [consistency, decisionNeverChanges, agreement, commitNeedsAllPrepared, commits, aborts, commitsAfterRecovery],
  budget: { runs: 3000, depth: 40 },
  // Exhaustive search: two RMs, no retries, one loss and one crash (2,695 states).
  small: { description: 'two RMs, no retries, one message loss and one crash', config: { rms: 2, retry: false }, faults: { network: 'unordered', loss: 1, duplicate: 0, crash: 1, partition: 0 } },
});
