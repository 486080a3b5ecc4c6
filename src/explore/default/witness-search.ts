/**
 * What `check` says of a witness its random runs did not reach (issue 22). A random budget cannot
 * tell "too small" from "impossible here": `check two-phase-commit --config preset=tla` has no
 * crash, so `commits-after-recovery` can never happen, and the check used to fail (exit 1) where
 * `explore` of the same preset says the witness is unreachable (exit 0). So after the random runs,
 * each configuration the check ran in is searched breadth-first for the missed witnesses, up to
 * WITNESS_SEARCH_STATES distinct states:
 * - the search reaches one: it is reachable, the random budget missed it (still a failed check);
 * - the search completes without it: unreachable in this configuration, a fact, as explore says;
 * - the bound cuts the search short: unknown, as before (the budget is too small or the model
 *   cannot get there).
 * A witness is unreachable only when every configuration of the check's sweep was searched whole.
 */
import type { ParamValue } from '../../engine/model.js';
import type { FaultSettings } from '../../engine/faults.js';
import type { Suite } from '../../properties/suite.js';
import { sweepPoints } from '../random/sweep.js';
import { SMALL_PASS_STATES } from './small-pass.js';

/** The search's bound: the small pass's, a few seconds of CPU per configuration. */
export const WITNESS_SEARCH_STATES = SMALL_PASS_STATES;

export type WitnessVerdict = 'reached' | 'unreachable' | 'unknown';

export interface WitnessSearch {
  /** Per missed witness, in the order asked. */
  readonly verdicts: readonly { readonly name: string; readonly verdict: WitnessVerdict }[];
  /** Distinct states searched, over every configuration searched. */
  readonly distinctStates: number;
  /** Every configuration was searched whole. */
  readonly complete: boolean;
  readonly elapsedMs: number;
}

export interface WitnessSearchOptions {
  readonly config?: Readonly<Record<string, string | ParamValue>>;
  readonly preset?: string | null;
  readonly faults?: FaultSettings;
  readonly mutant?: string | null;
  readonly maxStates?: number;
  readonly signal?: AbortSignal;
}

/** Searches the check's configurations for the witnesses `names` (which its random runs missed). */
export async function searchMissedWitnesses(suite: Suite, names: readonly string[], options: WitnessSearchOptions = {}): Promise<WitnessSearch> {
  // Loaded when a search runs: a check that runs none (--no-small, every witness reached) starts without it.
  const { explore } = await import('../bfs/search.js');
  const reached = new Set<string>();
  let distinctStates = 0;
  let complete = true;
  let elapsedMs = 0;
  for (const point of sweepPoints(suite, options.config ?? {}, options.preset ?? null)) {
    if (options.signal?.aborted) {
      complete = false;
      break;
    }
    const r = await explore(suite, {
      config: { ...(options.config ?? {}), ...point },
      preset: options.preset,
      faults: options.faults,
      mutant: options.mutant,
      // Only the witnesses: an invariant the random runs did not break is not this search's to find.
      properties: names.filter((n) => !reached.has(n)),
      deadlock: false,
      liveness: false,
      maxStates: options.maxStates ?? WITNESS_SEARCH_STATES,
      signal: options.signal,
    });
    distinctStates += r.distinctStates;
    elapsedMs += r.elapsedMs;
    for (const w of r.witnesses) if (w.reached) reached.add(w.name);
    if (!r.complete) complete = false;
    if (names.every((n) => reached.has(n))) break;
  }
  const verdicts = names.map((name) => ({ name, verdict: (reached.has(name) ? 'reached' : complete ? 'unreachable' : 'unknown') as WitnessVerdict }));
  return { verdicts, distinctStates, complete, elapsedMs };
}
