/**
 * Kept counterexamples are 1-minimal: removing any single action makes the trace stop
 * replaying (an action is no longer enabled) or stop violating the recorded property. And the
 * minimiser itself gets there from a padded trace, recording both lengths.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { suites } from '../../properties/registry.js';
import type { Action } from '../engine/actions.js';
import { execute } from '../explore/execute.js';
import { minimize } from '../explore/minimize.js';
import { checkLasso } from '../explore/lasso.js';
import { resolveInstance } from '../engine/instance.js';
import { loadTrace } from './file.js';
import { instanceOfTrace } from './replay.js';

const violations = readdirSync('traces', { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.json') && !f.includes('-seed'))
  .map((f) => join('traces', f))
  .sort()
  .filter((path) => loadTrace(path).expect === 'violation');

describe('every kept counterexample is 1-minimal', () => {
  test('there are kept counterexamples', () => expect(violations.length).toBeGreaterThanOrEqual(6));

  test.each(violations)('%s', (path) => {
    const trace = loadTrace(path);
    const suite = suites.find((s) => s.model.name === trace.model)!;
    const instance = instanceOfTrace(suite, trace);
    const actions = trace.actions as Action[];
    const loopStart = trace.violation!.loopStart;
    if (loopStart !== undefined) {
      // A lasso: without any single action it is no longer a fair loop violating the property.
      const property = trace.violation!.property;
      expect(checkLasso(instance, suite, actions, loopStart, property).violation?.property).toBe(property);
      actions.forEach((_, i) => {
        const without = [...actions.slice(0, i), ...actions.slice(i + 1)];
        const still = checkLasso(instance, suite, without, i < loopStart ? loopStart - 1 : loopStart, property).violation !== null;
        expect(still, `without action ${i + 1} the lasso still violates ${property}`).toBe(false);
      });
      if (trace.origin.lengths) expect(trace.origin.lengths.minimized).toBe(actions.length);
      return;
    }
    expect(execute(instance, suite.properties, actions).violation?.property).toBe(trace.violation!.property);
    actions.forEach((_, i) => {
      const run = execute(instance, suite.properties, [...actions.slice(0, i), ...actions.slice(i + 1)]);
      const stillViolates = run.notEnabled === null && run.violation?.property === trace.violation!.property;
      expect(stillViolates, `without action ${i + 1} the trace still violates ${trace.violation!.property}`).toBe(false);
    });
    if (trace.origin.lengths) expect(trace.origin.lengths.minimized).toBe(actions.length);
  });
});

test('the minimiser removes actions that play no part, down to the known 5-step counterexample', () => {
  const suite = suites.find((s) => s.model.name === 'two-phase-commit')!;
  const instance = resolveInstance(suite.model, { mutant: 'tm-commits-on-majority' });
  const prepare = (rm: string): Action => ({ type: 'env', node: rm, event: { type: 'Prepare' } });
  const deliver = (rm: string): Action => ({ type: 'deliver', from: rm, to: 'tm', message: { type: 'Prepared', rm } });
  const padded: Action[] = [
    prepare('rm1'),
    { type: 'crash', node: 'rm3' },
    prepare('rm2'),
    { type: 'restart', node: 'rm3' },
    { type: 'partition', groups: [['tm', 'rm1', 'rm2'], ['rm3']] },
    deliver('rm1'),
    { type: 'heal' },
    deliver('rm2'),
    { type: 'env', node: 'tm', event: { type: 'DecideCommit' } },
  ];
  expect(execute(instance, suite.properties, padded).violation?.property).toBe('commit-needs-all-prepared');
  const minimal = minimize(instance, suite.properties, padded, 'commit-needs-all-prepared');
  expect(minimal).toEqual([prepare('rm1'), prepare('rm2'), deliver('rm1'), deliver('rm2'), { type: 'env', node: 'tm', event: { type: 'DecideCommit' } }]);
});
