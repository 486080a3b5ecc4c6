/**
 * A suite ties a model to its properties and its default budget: what `protokit check MODEL`
 * runs. Suites live in `properties/<protocol>/`, next to the properties they name.
 */
import type { Model } from '../engine/model.js';
import type { WorldView } from '../engine/view.js';
import type { Property } from './properties.js';

export interface Budget {
  /** Random runs (interleavings) per check. */
  readonly runs: number;
  /** Maximum actions per run. */
  readonly depth: number;
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

/** Since 0.1.0. Declares a suite; checks that every mutant names a property of the suite. */
export function defineSuite(suite: Suite): Suite {
  const names = new Set<string>();
  for (const p of suite.properties) {
    if (names.has(p.name)) throw new Error(`suite ${suite.model.name}: two properties are named '${p.name}'`);
    if (p.name === DEADLOCK) throw new Error(`suite ${suite.model.name}: '${DEADLOCK}' is reserved for deadlock violations`);
    names.add(p.name);
  }
  for (const f of suite.expectedFailures ?? []) {
    if (!names.has(f.property)) throw new Error(`suite ${suite.model.name}: expected failure of '${f.property}', which is not a property of the suite`);
    if (suite.model.presets?.[f.preset] === undefined) throw new Error(`suite ${suite.model.name}: expected failure in preset '${f.preset}', which the model does not have`);
  }
  for (const [name, mutant] of Object.entries(suite.model.mutants)) {
    if (!names.has(mutant.breaks)) {
      throw new Error(`suite ${suite.model.name}: mutant '${name}' breaks '${mutant.breaks}', which is not a property of the suite`);
    }
  }
  return suite;
}
