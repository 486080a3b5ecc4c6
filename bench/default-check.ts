/**
 * The default check (src/explore/default/default-check.ts) for benchmarks that run one mutant on
 * several seeds: the small pass does not depend on the seed, so a process searches it once per
 * model and mutant and reuses it; the random runs are seeded as usual. The same outcome as
 * `checkDefault` on every seed, for a fraction of the time.
 */
import { checkRandom, smallPass, type CheckResult, type SmallPassResult, type Suite } from '../src/index.js';

const passes = new Map<string, { small: SmallPassResult[]; cpuMs: number }>();

export interface DefaultOutcome {
  readonly small: readonly SmallPassResult[];
  readonly random: CheckResult | null;
  readonly foundBy: 'small' | 'random' | null;
  /** CPU time of the whole default check: the small pass (as measured when it was searched) and the random runs. */
  readonly cpuMs: number;
}

const cpuSince = (t0: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(t0);
  return (used.user + used.system) / 1000;
};

/** `checkDefault(suite, { mutant, seed, minimize })`, with the small pass remembered per model and mutant. */
export async function defaultCheck(suite: Suite, mutant: string, seed: number, minimize = true): Promise<DefaultOutcome> {
  const key = `${suite.model.name}/${mutant}`;
  let pass = passes.get(key);
  if (pass === undefined) {
    const t0 = process.cpuUsage();
    const small = await smallPass(suite, { mutant });
    passes.set(key, (pass = { small, cpuMs: cpuSince(t0) }));
  }
  const { small } = pass;
  if (small.some((p) => p.violation !== null)) return { small, random: null, foundBy: 'small', cpuMs: pass.cpuMs };
  const t0 = process.cpuUsage();
  const random = checkRandom(suite, { mutant, seed, minimize });
  return { small, random, foundBy: random.violation ? 'random' : null, cpuMs: pass.cpuMs + cpuSince(t0) };
}
