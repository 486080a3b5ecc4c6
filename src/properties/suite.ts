/**
 * A suite ties a model to its properties and its default budget: what `protokit check MODEL`
 * runs. Suites live in `properties/<protocol>/`, next to the properties they name.
 */
import type { Model } from '../engine/model.js';
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
