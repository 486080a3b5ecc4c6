/**
 * A suite ties a model to its properties and its default budget: what `protokit check MODEL`
 * runs. Suites live in `properties/<protocol>/`, next to the properties they name.
 */
import type { Model } from '../engine/model.js';
import type { Property } from './properties.js';
import { validateSuite } from './validate.js';

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

/**
 * Since 0.1.0. Declares a suite, checking it and its model (validate.ts): mutants name roles and
 * properties and change something, persisted fields exist. A problem throws a UsageError, one line.
 */
export function defineSuite(suite: Suite): Suite {
  validateSuite(suite.model, suite.properties);
  return suite;
}
