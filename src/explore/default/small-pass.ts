/**
 * The exhaustive part of the default check (issue 22). Before its random runs, `protokit check
 * MODEL` searches each of the suite's small configurations (`small`, then `smallConfigs`)
 * breadth-first, up to SMALL_PASS_STATES distinct states each, with the same mutant and
 * properties. Random runs are poor at bugs that need one rare interleaving of a few messages (a
 * read that stops half-way through its write-back while another read starts); breadth-first
 * search finds every such interleaving up to the depth its states reach, and the shortest one.
 *
 * The pass only ever *finds*: a search that its bound cut short concludes nothing, and the check
 * goes on to its random runs, which report as before. A small configuration in a preset for which
 * the suite declares expected failures (Dynamo gives up the history properties) is checked for
 * the rest: what that preset still promises, so a bug that only such a configuration exercises
 * (hinted handoff) is found without the documented failures being reported as bugs. Witnesses are the random runs' to reach (a
 * small configuration need not reach every one). The first violation stops the pass and the
 * check; its trace replays like any explore trace.
 */
import type { FaultSettings } from '../../engine/faults.js';
import type { Params } from '../../engine/model.js';
import type { SmallConfig, Suite } from '../../properties/suite.js';
import type { ExploreViolation } from '../bfs/options.js';

/**
 * Distinct states the pass may search per small configuration. Chosen by cost, not by any bug:
 * a few seconds of CPU per configuration (npm run check: +11% CPU in all, bench/results.md). It
 * completes Two-Phase Commit's (1,292), MapReduce's (62,227) and the quorum store's sloppy one
 * (498); it stops just short of Raft's (75,781), part-way through Paxos' (158,458), and at
 * depth 15 of the quorum store's two-client one.
 */
export const SMALL_PASS_STATES = 75_000;

/** What the pass did in one small configuration. */
export interface SmallPassResult {
  readonly description: string;
  readonly preset: string | null;
  readonly config: Params;
  readonly faults: FaultSettings;
  readonly maxInFlight: number | null;
  readonly distinctStates: number;
  /** The deepest level searched (the initial state is depth 1). */
  readonly depth: number;
  /** Every reachable state was searched (no bound cut the search short). */
  readonly complete: boolean;
  readonly violation: ExploreViolation | null;
  readonly elapsedMs: number;
}

export interface SmallPassOptions {
  readonly mutant?: string;
  /** The properties the check is asked for (all when undefined). */
  readonly properties?: readonly string[];
  readonly deadlock?: boolean;
  readonly maxStates?: number;
  readonly signal?: AbortSignal;
}

/** The small configurations the default check of `suite` searches, in order. */
export function smallConfigsOf(suite: Suite): readonly SmallConfig[] {
  return [...(suite.small ? [suite.small] : []), ...(suite.smallConfigs ?? [])];
}

/** Searches each small configuration of `suite` in turn, stopping at the first violation. */
export async function smallPass(suite: Suite, options: SmallPassOptions = {}): Promise<SmallPassResult[]> {
  const results: SmallPassResult[] = [];
  for (const small of smallConfigsOf(suite)) {
    if (options.signal?.aborted) break;
    const r = await searchSmall(suite, small, options);
    results.push(r);
    if (r.violation) break;
  }
  return results;
}

/**
 * The properties a small configuration is checked for: those asked (all when undefined) but the
 * ones the suite declares expected to fail in the configuration's preset (a documented result of
 * that preset, not a bug: the user did not choose it, the pass did).
 */
export function smallPassProperties(suite: Suite, small: SmallConfig, asked: readonly string[] | undefined): readonly string[] | undefined {
  const preset = small.config.preset;
  const expected = new Set((suite.expectedFailures ?? []).filter((f) => f.preset === preset).map((f) => f.property));
  if (expected.size === 0) return asked;
  return (asked ?? suite.properties.map((p) => p.name)).filter((name) => !expected.has(name));
}

/** One small configuration of `suite`, searched breadth-first up to the pass's bound. */
export async function searchSmall(suite: Suite, small: SmallConfig, options: SmallPassOptions = {}): Promise<SmallPassResult> {
  // Loaded when a search runs: a check that runs none (--no-small, every witness reached) starts without it.
  const { explore } = await import('../bfs/search.js');
  const r = await explore(suite, {
    config: small.config,
    faults: small.faults,
    mutant: options.mutant,
    properties: smallPassProperties(suite, small, options.properties),
    deadlock: options.deadlock,
    maxInFlight: small.maxInFlight,
    maxStates: options.maxStates ?? SMALL_PASS_STATES,
    signal: options.signal,
  });
  return {
    description: small.description,
    preset: r.preset,
    config: r.config,
    faults: r.faults,
    maxInFlight: r.maxInFlight,
    distinctStates: r.distinctStates,
    depth: r.depth,
    complete: r.complete,
    violation: r.violation,
    elapsedMs: r.elapsedMs,
  };
}
