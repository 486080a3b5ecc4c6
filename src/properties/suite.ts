/**
 * A suite ties a model to its properties and its default budget: what `protokit check MODEL`
 * runs. Suites live in `properties/<protocol>/`, next to the properties they name.
 */
import type { FaultSettings } from '../engine/faults.js';
import type { Model, ParamValue } from '../engine/model.js';
import type { WorldView } from '../engine/view.js';
import type { Property } from './properties.js';
import { validateBudget, validateSuite } from './validate.js';
import { UsageError } from '../engine/errors.js';

export interface Budget {
  /** Random runs (interleavings) per check. */
  readonly runs: number;
  /** Maximum actions per run: the base of the swarm of run lengths (half to four times it). */
  readonly depth: number;
  /** A budget in steps instead of runs: runs go on until this many steps were taken. */
  readonly steps?: number;
  /** How runs pick their actions (default `random`). */
  readonly strategy?: 'random' | 'pct' | 'guided';
}

/**
 * A configuration small enough for exhaustive search (`protokit explore`) that still has what
 * bugs need (a crash, a second ballot or term, ...): `protokit mutate` searches it, and the
 * suite's tests pin its counts.
 */
export interface SmallConfig {
  readonly description: string;
  readonly config: Readonly<Record<string, ParamValue>>;
  readonly faults: FaultSettings;
  /** State constraint for models whose messages grow without bound (explore --max-in-flight). */
  readonly maxInFlight?: number;
}

export interface Suite {
  readonly model: Model;
  readonly properties: readonly Property[];
  readonly budget: Budget;
  /**
   * Worlds where the protocol is done (e.g. every RM knows the outcome). A reachable world where
   * nothing but a fault is enabled is a deadlock unless it is terminal. Default: none is.
   */
  readonly terminal?: (world: WorldView) => boolean;
  /**
   * Liveness properties expected to fail in a named configuration (a preset of the model), as
   * documented results: 2PC blocks when its coordinator is gone, dueling Paxos proposers. The
   * suite's tests check the counterexample; `check`/`explore` still report it as a violation.
   */
  readonly expectedFailures?: readonly ExpectedFailure[];
  /** The small configuration for exhaustive search, if the model has one. */
  readonly small?: SmallConfig;
  /**
   * More small configurations (after `small`) that the default check searches exhaustively, up
   * to a bound, before its random runs (src/explore/small-pass.ts): where bugs need what
   * `small` leaves out (a sloppy quorum, two clients on one key).
   */
  readonly smallConfigs?: readonly SmallConfig[];
  /**
   * Parameter ranges a check sweeps: its runs are spread over every combination (a parameter the
   * command line fixes is not swept). E.g. `{ maps: [1, 2, 3], reduces: [1, 2] }`.
   */
  readonly sweep?: Readonly<Record<string, readonly ParamValue[]>>;
}

export interface ExpectedFailure {
  readonly property: string;
  /** The preset of the model in which the property fails. */
  readonly preset: string;
  /** Why it fails: the known result it shows. */
  readonly why: string;
}

/** The name deadlock violations are reported under; no property may take it. */
export const DEADLOCK = 'deadlock';

/**
 * Since 0.1.0. Declares a suite, checking it and its model (validate.ts): mutants name roles and
 * properties and change something, persisted fields exist, names are unique and not reserved,
 * expected failures name a preset of the model (their property may be left out of a subset), the
 * budget's counts are whole numbers in range. A problem throws a UsageError, one line.
 */
export function defineSuite(suite: Suite): Suite {
  validateSuite(suite.model, suite.properties);
  const file = callerFile(new Error().stack);
  if (file !== undefined) definedIn.set(suite, file);
  validateBudget(suite.model.name, suite.budget, suite.small);
  const names = new Set(suite.properties.map((p) => p.name));
  if (names.has(DEADLOCK)) throw new UsageError(`suite ${suite.model.name}: '${DEADLOCK}' is reserved for deadlock violations`);
  for (const f of suite.expectedFailures ?? []) {
    if (suite.model.presets?.[f.preset] === undefined) throw new UsageError(`suite ${suite.model.name}: expected failure in preset '${f.preset}', which the model does not have`);
  }
  return suite;
}

/** The module each suite was defined in (the caller of defineSuite): test helpers name it in replay lines. */
const definedIn = new WeakMap<Suite, string>();

/** The file of the module that defined `suite` with defineSuite, when known (internal: src/testing reads it). */
export function suiteModuleOf(suite: Suite): string | undefined {
  return definedIn.get(suite);
}

/** The file of the third frame of a stack (Error, defineSuite, its caller), as a path. */
function callerFile(stack: string | undefined): string | undefined {
  const frame = stack?.split('\n')[2];
  const match = frame === undefined ? null : /\(?((?:file:\/\/)?[^()\s]+?):\d+:\d+\)?$/.exec(frame.trim());
  if (match === null) return undefined;
  return match[1]!.startsWith('file://') ? decodeURIComponent(new URL(match[1]!).pathname) : match[1];
}

/**
 * Since 0.1.0. The suite checking only the properties named in `only` (all when undefined), in the
 * suite's order: `--property` and `--skip` (TLC's INVARIANT list, Quint's `--invariant`).
 */
export function withProperties(suite: Suite, only: readonly string[] | undefined): Suite {
  if (only === undefined) return suite;
  const names = new Set(only);
  return { ...suite, properties: suite.properties.filter((p) => names.has(p.name)) };
}

/**
 * The property names `--property NAME...` and `--skip NAME...` leave (undefined when neither is
 * given); an unknown name is a UsageError listing the suite's properties.
 */
export function selectProperties(suite: Suite, property: readonly string[] = [], skip: readonly string[] = []): string[] | undefined {
  if (property.length === 0 && skip.length === 0) return undefined;
  const all = suite.properties.map((p) => p.name);
  for (const [flag, names] of [['--property', property], ['--skip', skip]] as const) {
    const unknown = names.find((n) => !all.includes(n));
    if (unknown !== undefined) throw new UsageError(`${flag} ${unknown}: ${suite.model.name} has no such property (accepted: ${all.join(', ')})`);
  }
  const kept = all.filter((n) => (property.length === 0 || property.includes(n)) && !skip.includes(n));
  if (kept.length === 0) throw new UsageError(`--property/--skip leave no property of ${suite.model.name} to check`);
  return kept;
}
