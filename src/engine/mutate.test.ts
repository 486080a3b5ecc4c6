/**
 * The typed mutant helpers: a replaced handler or state changes exactly that, the machine keeps
 * its named implementations, and a state that does not exist is an error naming it.
 */
import { describe, expect, test } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { resourceManager, transactionManager } from '../../models/two-phase-commit/index.js';
import { replaceContext, replaceHandler, replaceTransitions } from './mutate.js';

const rm = { id: 'rm1', tm: 'tm' };
const prepared = () => transition(resourceManager, initialTransition(resourceManager, rm)[0], { type: 'Prepare' })[0];

describe('replaceTransitions and replaceHandler', () => {
  test('a replaced state does only what it is given; the original machine is unchanged', () => {
    const presumes = replaceTransitions(resourceManager, 'prepared', { Timeout: { target: 'committed', actions: 'logCommitted' } });
    const [after] = transition(presumes, presumes.resolveState({ value: 'prepared', context: prepared().context }), { type: 'Timeout' });
    expect([after.value, after.context.status]).toEqual(['committed', 'committed']);
    const [orig, actions] = transition(resourceManager, prepared(), { type: 'Timeout' });
    expect(orig.value).toBe('prepared');
    expect(actions.map((a) => a.type)).toEqual(['xstate.emit']); // it asks again
  });

  test('a replaced handler keeps the other events of the state, and null removes one', () => {
    const flips = replaceHandler(transactionManager, 'committed', 'Timeout', { target: 'aborted', actions: ['logAbort', 'observeDecision', 'broadcastDecision'] });
    const committed = flips.resolveState({ value: 'committed', context: { rms: ['rm1'], prepared: ['rm1'], decision: 'commit' } });
    const [aborted] = transition(flips, committed, { type: 'Timeout' });
    expect([aborted.value, aborted.context.decision]).toEqual(['aborted', 'abort']);
    const [, answers] = transition(flips, committed, { type: 'Prepared', rm: 'rm1', from: 'rm1' });
    expect(answers).toHaveLength(1); // Prepared is still answered with the decision
    const deaf = replaceHandler(transactionManager, 'committed', 'Prepared', null);
    const [same, none] = transition(deaf, deaf.resolveState({ value: 'committed', context: committed.context }), { type: 'Prepared', rm: 'rm1', from: 'rm1' });
    expect([same.value, none]).toEqual(['committed', []]);
  });

  test('replaceContext changes the initial context only', () => {
    const presumed = replaceContext(resourceManager, ({ input }) => ({ id: input.id, tm: input.tm, status: 'prepared' as const }));
    const [start] = initialTransition(presumed, rm);
    expect([start.value, start.context]).toEqual(['working', { id: 'rm1', tm: 'tm', status: 'prepared' }]);
    expect(initialTransition(resourceManager, rm)[0].context.status).toBe('working');
  });

  test('targets are checked by the compiler: a misspelt state does not compile (npm run typecheck)', () => {
    expect(replaceHandler(transactionManager, 'committed', 'Timeout', { target: 'aborted' }).id).toBe('tm');
    expect(replaceHandler(transactionManager, 'committed', 'Timeout', { target: '#tm.aborted' }).id).toBe('tm');
    // xstate refuses it too, but only when the machine is built: the compiler says it first.
    // @ts-expect-error the TM has no state 'abortd'
    expect(() => replaceHandler(transactionManager, 'committed', 'Timeout', { target: 'abortd' })).toThrow(/abortd/);
  });

  test('a state that does not exist is an error naming it', () => {
    expect(() => replaceHandler(transactionManager, 'committed.nested' as 'committed', 'Timeout', {})).toThrow("machine tm has no state 'committed.nested'");
  });
});
