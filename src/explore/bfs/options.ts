/**
 * What an exhaustive search is asked (its options) and what it answers (its result): shared by
 * the search (search.ts) and the worker pool (workers.ts), so neither imports the other.
 */
import type { Action } from '../../engine/actions.js';
import type { FaultSettings } from '../../engine/faults.js';
import type { InstanceOptions } from '../../engine/instance.js';
import type { Params } from '../../engine/model.js';
import type { CheckpointWritten } from './checkpoint.js';
import type { StopReason } from './level.js';
import type { ViolationKind } from '../lasso.js';
import type { CoverageReport } from '../coverage.js';

export interface ExploreOptions extends InstanceOptions {
  /** Stop after this many distinct states. */
  readonly maxStates?: number;
  /** Stop at this depth (the initial state is depth 1). */
  readonly maxDepth?: number;
  /**
   * Memory bound in megabytes (default: 70% of the heap limit). Past it, the next level's worlds
   * spill to disk; the search stops (`memory`) only when the visited set alone passes it, or with
   * worker threads (which keep their worlds in memory).
   */
  readonly maxMemoryMb?: number;
  /** Visit one state per class of interchangeable nodes (`model.symmetric`). */
  readonly symmetry?: boolean;
  /**
   * State constraint (TLC's CONSTRAINT): states with more messages in flight than this are
   * checked but not expanded; `complete` then means complete within the constraint.
   */
  readonly maxInFlight?: number;
  /** Count the transitions, messages and events of every edge of the state graph (one thread only). */
  readonly coverage?: boolean;
  /** Worker threads (default 1: search in this thread). */
  readonly workers?: number;
  /** How worker threads load the suite: a module whose `suites` (or default export) holds it. */
  readonly suiteModule?: string;
  /**
   * With workers: search in this thread while they start (default), handing over at the first
   * level boundary after; false waits for them, so even a small search runs on the workers.
   */
  readonly searchWhileWorkersStart?: boolean;
  /**
   * Write resumable checkpoints into `dir` (checkpoint.ts) at each level boundary where `due`
   * (given the levels searched) says so, and when the search is interrupted. One worker only.
   */
  readonly checkpoint?: { readonly dir: string; readonly due: (depth: number) => boolean };
  /** Continue the search checkpointed in this directory; the options must be those it was written with. */
  readonly resume?: string;
  /** Polled between chunks of states: true ends the search at the start of the level (stoppedBy 'interrupted'). */
  readonly interrupted?: () => boolean;
  /** The same as `interrupted`, as a signal: aborted on Ctrl-C, the search stops within a chunk of states with the figures of the last complete level. */
  readonly signal?: AbortSignal;
  /** Where the frontier spills past the memory bound (default: the checkpoint directory, or a temporary one). */
  readonly spillDir?: string;
  /**
   * Report a reachable world where nothing but faults is enabled, and that the suite does not
   * declare terminal, as a deadlock (default true, as TLC; `--no-deadlock` turns it off).
   */
  readonly deadlock?: boolean;
  /**
   * Decide the suite's liveness properties (default true). They are decided by a search in
   * this thread without symmetry; with `symmetry` or `workers` > 1 they are not checked, and
   * the result says so (`liveness.checked` false).
   */
  readonly liveness?: boolean;
  /** Check only these properties (by name, e.g. from --property/--skip); all when undefined. */
  readonly properties?: readonly string[];
  /** Called after every chunk of states. */
  readonly onProgress?: (progress: ExploreProgress) => void;
}

export interface ExploreProgress {
  readonly states: number;
  readonly queue: number;
  readonly depth: number;
  readonly elapsedMs: number;
}

export interface ExploreViolation {
  readonly property: string;
  readonly message: string;
  /** Actions in the counterexample: the shortest possible. */
  readonly step: number;
  readonly actions: readonly Action[];
  /** `safety` (an invariant), `liveness` (a lasso) or `deadlock`. */
  readonly kind: ViolationKind;
  /** For a lasso: the actions from this index on repeat forever (equal to `step`: the last world stutters). */
  readonly loopStart: number | null;
}

/** What was concluded about the suite's liveness properties. */
export interface LivenessReport {
  /** False when liveness was not checked (symmetry, workers, or no liveness property). */
  checked: boolean;
  /** Why liveness was not checked, when it was not. */
  note: string | null;
  properties: { readonly name: string; readonly verdict: 'holds' | 'violated' | 'inconclusive' | 'not decided'; readonly reason: string | null }[];
  /** Bytes of the liveness graph per state (0 when not checked). */
  bytesPerState: number;
}

export interface ExploreResult {
  readonly model: string;
  readonly preset: string | null;
  readonly config: Params;
  readonly mutant: string | null;
  readonly faults: FaultSettings;
  readonly symmetry: boolean;
  /** The state constraint in force (--max-in-flight), or null. */
  readonly maxInFlight: number | null;
  readonly workers: number;
  readonly distinctStates: number;
  /** Transitions taken, including those to states already seen (TLC's "states generated"). */
  readonly generated: number;
  /** Levels searched; the initial state is depth 1, as TLC counts. */
  readonly depth: number;
  readonly complete: boolean;
  /** New states found at each depth (index 0: the initial state), for spotting a frontier that keeps growing. */
  readonly frontier: readonly number[];
  readonly stoppedBy: StopReason | null;
  readonly witnesses: readonly { readonly name: string; readonly reached: boolean }[];
  readonly violation: ExploreViolation | null;
  /** True when no violation was found but a liveness verdict depends on states a bound cut off (exit 5). */
  readonly inconclusive: boolean;
  readonly liveness: LivenessReport;
  /** TLC's optimistic estimate of a fingerprint collision. */
  readonly collisionProbability: number;
  /** Bytes of the visited set (fingerprints and parent pointers) per distinct state. */
  readonly visitedBytesPerState: number;
  /** Largest heap seen during the search, in bytes. */
  readonly peakHeapBytes: number;
  /** Worlds of a frontier written to disk because the heap passed the memory bound (0: all in memory). */
  readonly spilledWorlds: number;
  /** The last checkpoint written, or null. */
  readonly checkpoint: CheckpointWritten | null;
  /** True when the search went on from a checkpoint. */
  readonly resumed: boolean;
  readonly elapsedMs: number;
  readonly statesPerSecond: number;
  /** With `coverage: true`: what the search exercised, each edge of the state graph once. */
  readonly coverage?: CoverageReport;
}

