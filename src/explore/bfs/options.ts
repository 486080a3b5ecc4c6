/**
 * What an exhaustive search is asked (its options) and what it answers (its result): shared by
 * the search (search.ts) and the worker pool (workers.ts), so neither imports the other.
 */
import type { Action } from '../../engine/actions.js';
import type { FaultSettings } from '../../engine/faults.js';
import type { InstanceOptions } from '../../engine/instance.js';
import type { Params } from '../../engine/model.js';
import type { StopReason } from './level.js';
import type { CoverageReport } from '../coverage.js';

export interface ExploreOptions extends InstanceOptions {
  /** Stop after this many distinct states. */
  readonly maxStates?: number;
  /** Stop at this depth (the initial state is depth 1). */
  readonly maxDepth?: number;
  /** Stop when the heap grows past this many megabytes (default: 70% of the heap limit). */
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
  readonly stoppedBy: StopReason | null;
  readonly witnesses: readonly { readonly name: string; readonly reached: boolean }[];
  readonly violation: ExploreViolation | null;
  /** TLC's optimistic estimate of a fingerprint collision. */
  readonly collisionProbability: number;
  /** Bytes of the visited set (fingerprints and parent pointers) per distinct state. */
  readonly visitedBytesPerState: number;
  /** Largest heap seen during the search, in bytes. */
  readonly peakHeapBytes: number;
  readonly elapsedMs: number;
  readonly statesPerSecond: number;
  /** With `coverage: true`: what the search exercised, each edge of the state graph once. */
  readonly coverage?: CoverageReport;
}

