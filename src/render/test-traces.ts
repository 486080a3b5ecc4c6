/** Traces made by hand for the renderers' tests: what kept counterexamples rarely hold. */
import type { Action } from '../engine/actions.js';
import { resolveInstance } from '../engine/instance.js';
import type { Suite } from '../properties/suite.js';
import type { Trace } from '../trace/format.js';
import { buildTrace } from '../trace/replay.js';

/** A two-phase-commit trace (give it that suite) with a duplicate, a drop, a partition and a heal. */
export function faultyTrace(twoPhaseCommit: Suite): Trace {
  const instance = resolveInstance(twoPhaseCommit.model, {});
  const prepared = { type: 'Prepared', rm: 'rm1' };
  const actions: Action[] = [
    { type: 'env', node: 'rm1', event: { type: 'Prepare' } },
    { type: 'duplicate', from: 'rm1', to: 'tm', message: prepared },
    { type: 'drop', from: 'rm1', to: 'tm', message: prepared },
    { type: 'partition', groups: [['tm', 'rm2', 'rm3'], ['rm1']] },
    { type: 'heal' },
    { type: 'deliver', from: 'rm1', to: 'tm', message: prepared },
  ];
  return buildTrace(instance, twoPhaseCommit, actions, { command: 'manual' });
}
