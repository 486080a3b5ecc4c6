/**
 * A suite ties a model to its properties and its default budget: what `protokit check MODEL`
 * runs. Suites live in `properties/<protocol>/`, next to the properties they name.
 */
import type { FaultSettings } from '../engine/faults.js';
import type { Model, ParamValue } from '../engine/model.js';
import type { Property } from './properties.js';

export interface Budget {
  /** Random runs (interleavings) per check. */
  readonly runs: number;
  /** Maximum actions per run: the base of the swarm of run lengths (half to four times it). */
  readonly depth: number;
  /** A budget in steps instead of runs: runs go on until this many steps were taken. */
  readonly steps?: number;
  /** How runs pick their actions (default `random`). */
  readonly strategy?: 'random' | 'pct';
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
  /** The small configuration for exhaustive search, if the model has one. */
  readonly small?: SmallConfig;
  /**
   * Parameter ranges a check sweeps: its runs are spread over every combination (a parameter the
   * command line fixes is not swept). E.g. `{ maps: [1, 2, 3], reduces: [1, 2] }`.
   */
  readonly sweep?: Readonly<Record<string, readonly ParamValue[]>>;
}

/** Since 0.1.0. Declares a suite; checks that every mutant names a property of the suite. */
export function defineSuite(suite: Suite): Suite {
  const names = new Set<string>();
  for (const p of suite.properties) {
    if (names.has(p.name)) throw new Error(`suite ${suite.model.name}: two properties are named '${p.name}'`);
    names.add(p.name);
  }
  for (const [name, mutant] of Object.entries(suite.model.mutants)) {
    if (!names.has(mutant.breaks)) {
      throw new Error(`suite ${suite.model.name}: mutant '${name}' breaks '${mutant.breaks}', which is not a property of the suite`);
    }
  }
  return suite;
}
