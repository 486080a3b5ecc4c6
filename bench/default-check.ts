/**
 * The default check (src/explore/default/default-check.ts) for benchmarks that run one mutant on
 * several seeds: the small pass does not depend on the seed, so a process searches it once per
 * model and mutant and reuses it; the random runs are seeded as usual. The same outcome as
 * `checkDefault` on every seed, for a fraction of the time.
 */
import { checkRandom, smallPass, type CheckResult, type SmallPassResult, type Suite } from '../src/index.js';

const passes = new Map<string, SmallPassResult[]>();

export interface DefaultOutcome {
  readonly small: readonly SmallPassResult[];
  readonly random: CheckResult | null;
  readonly foundBy: 'small' | 'random' | null;
}

/** `checkDefault(suite, { mutant, seed, minimize })`, with the small pass remembered per model and mutant. */
export async function defaultCheck(suite: Suite, mutant: string, seed: number, minimize = true): Promise<DefaultOutcome> {
  const key = `${suite.model.name}/${mutant}`;
  let small = passes.get(key);
  if (small === undefined) passes.set(key, (small = await smallPass(suite, { mutant })));
  if (small.some((p) => p.violation !== null)) return { small, random: null, foundBy: 'small' };
  const random = checkRandom(suite, { mutant, seed, minimize });
  return { small, random, foundBy: random.violation ? 'random' : null };
}
