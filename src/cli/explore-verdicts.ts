/**
 * What an exhaustive search may conclude, and may not, when nothing was violated. A complete
 * search decides: an invariant holds in every reachable state, a witness it never reached is
 * unreachable, no reachable state is a deadlock. A search a bound cut short (--max-states,
 * --max-depth, memory, Ctrl-C) or constrained (--max-in-flight: states past it are checked, not
 * expanded) only knows the states it searched: it says "in the states searched" and "not
 * reached", never "holds", "unreachable" or "deadlock-free". (Liveness verdicts are decided on
 * the graph itself: live-search.ts.)
 */
import type { ExploreResult } from '../explore/bfs/search.js';

/** A witness: reached, unreachable (a complete, unconstrained search never reached it), or unknown. */
export type WitnessVerdict = 'reached' | 'unreachable' | 'unknown';
/** Deadlocks: one found, none reachable, none in the states searched, or not looked for (--no-deadlock). */
export type DeadlockVerdict = 'found' | 'none' | 'none in the states searched' | 'not checked';

/** True when the search saw every reachable state and expanded each: its absences are facts. */
export function searchedEverything(r: ExploreResult): boolean {
  return r.complete && r.maxInFlight === null;
}

export function witnessVerdict(r: ExploreResult, reached: boolean): WitnessVerdict {
  if (reached) return 'reached';
  return searchedEverything(r) ? 'unreachable' : 'unknown';
}

export function deadlockVerdict(r: ExploreResult, checked: boolean): DeadlockVerdict {
  if (r.violation?.kind === 'deadlock') return 'found';
  if (!checked) return 'not checked';
  // A search that stopped at another violation did not look at the states after it.
  if (r.violation !== null) return 'none in the states searched';
  return searchedEverything(r) ? 'none' : 'none in the states searched';
}

/** Why the search is not a verdict on every reachable state, in a few words (null when it is). */
export function limitOf(r: ExploreResult): string | null {
  if (r.stoppedBy !== null) return `${BOUND[r.stoppedBy]} stopped the search`;
  if (r.maxInFlight !== null) return `--max-in-flight ${r.maxInFlight} left states with more messages in flight unexpanded`;
  return null;
}

const BOUND: Record<NonNullable<ExploreResult['stoppedBy']>, string> = {
  'max-states': '--max-states',
  'max-depth': '--max-depth',
  memory: 'the memory bound (--max-memory)',
  interrupted: 'Ctrl-C',
};
