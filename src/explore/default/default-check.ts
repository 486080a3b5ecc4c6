/**
 * The default check, as `protokit check MODEL` composes it (issue 22): first the small pass
 * (small-pass.ts: each of the suite's small configurations searched breadth-first up to a bound),
 * then, when it found nothing, the random runs of the suite's budget (random/random.ts). For
 * tests and benchmarks that measure what a user's plain `check` finds; the CLI runs the same two
 * parts (and adds worker threads, shards and traces).
 */
import type { Suite } from '../../properties/suite.js';
import { checkRandom, type CheckOptions, type CheckResult } from '../random/random.js';
import { smallPass, type SmallPassResult } from './small-pass.js';

export interface DefaultCheckResult {
  /** What the small pass searched, in order; the last one holds its violation, if it found one. */
  readonly small: readonly SmallPassResult[];
  /** The random runs, or null when the small pass found a violation first. */
  readonly random: CheckResult | null;
  /** Which part found the violation (null: none did). */
  readonly foundBy: 'small' | 'random' | null;
}

/** Since 0.2.0. The small pass, then the random runs: what `protokit check` runs by default. */
export async function checkDefault(suite: Suite, options: CheckOptions & { readonly small?: boolean } = {}): Promise<DefaultCheckResult> {
  // A configuration or faults of the caller's own replace the suite's: its small ones are other configurations.
  const chosen = Object.keys(options.config ?? {}).length > 0 || options.faults !== undefined || (options.preset ?? null) !== null;
  const small = options.small === false || chosen ? [] : await smallPass(suite, { mutant: options.mutant ?? undefined, properties: options.properties, deadlock: options.deadlock });
  if (small.some((p) => p.violation !== null)) return { small, random: null, foundBy: 'small' };
  const random = checkRandom(suite, options);
  return { small, random, foundBy: random.violation ? 'random' : null };
}
