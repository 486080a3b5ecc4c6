/**
 * Flags given twice, or flags that contradict each other, are refused rather than silently
 * resolved (commander keeps the last `--seed`, and whichever of `--faults`/`--no-faults` came
 * last): a script that says `--seed 1 ... --seed 2` has a bug its author wants to hear about.
 */
import { UsageError } from '../engine/errors.js';

/** Flags that may be given several times: they add up. */
const REPEATABLE = new Set(['--config', '--property', '--skip']);

/** Pairs of flags that cannot be given together. */
const CONFLICTS: readonly (readonly [string, string])[] = [['--faults', '--no-faults']];

/** Throws a UsageError for a flag given twice or two flags that conflict (arguments after `--` are not flags). */
export function refuseRepeatedFlags(argv: readonly string[]): void {
  const seen = new Set<string>();
  for (const arg of argv) {
    if (arg === '--') break;
    if (!arg.startsWith('--')) continue;
    const flag = arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
    if (REPEATABLE.has(flag)) continue;
    if (seen.has(flag)) throw new UsageError(`${flag} is given twice; give it once`);
    seen.add(flag);
  }
  for (const [a, b] of CONFLICTS) {
    if (seen.has(a) && seen.has(b)) throw new UsageError(`${a} and ${b} contradict each other; give one of them`);
  }
}
