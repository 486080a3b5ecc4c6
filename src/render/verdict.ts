/**
 * The one wording of a lasso's verdict (a deadlock, or a liveness property that a run can avoid
 * for ever), shared by `check`, `explore`, `show` and `replay`, so the four commands say the same
 * thing about the same trace. A deadlock names the two ways out: a suite whose runs may end there
 * declares the world `terminal`; a run can allow every end with `--no-deadlock`.
 */
import { safeLine as s } from './safe-text.js';

export interface LassoVerdict {
  readonly property: string;
  readonly message: string;
  /** The step at which the run stops (a deadlock) or the loop closes. */
  readonly step: number;
  readonly kind?: 'safety' | 'liveness' | 'deadlock';
}

/** What a user can do when a world where their run legitimately ends is reported as a deadlock. */
export const DEADLOCK_WAYS_OUT =
  'if runs may end in this world, declare it in the suite: defineSuite({ ..., terminal: (w) => ... }); or allow every end with --no-deadlock';

/**
 * The verdict line of a lasso, without the leading mark: `deadlock at step 10: nothing but faults is
 * enabled, ...` or `eventually-decides (liveness) violated: ...`. Strings from the trace are made safe.
 */
export function lassoVerdictLine(v: LassoVerdict): string {
  if (v.kind === 'deadlock') {
    // The random explorer's message already starts with "deadlock at step N:"; the search's does not.
    const reason = v.message.replace(/^deadlock at step \d+: /, '');
    return `deadlock at step ${v.step}: ${s(reason)}`;
  }
  return `${s(v.property)} (liveness) violated: ${s(v.message)}`;
}

/** The lines a lasso's verdict prints: the verdict, and for a deadlock the ways out. */
export function lassoVerdictLines(v: LassoVerdict): string[] {
  return v.kind === 'deadlock' ? [lassoVerdictLine(v), DEADLOCK_WAYS_OUT] : [lassoVerdictLine(v)];
}
