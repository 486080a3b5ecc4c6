/**
 * Two-Phase Commit's node logic as hand-written reducers over the kit's plain node state
 * ({ up, value, context }): the floor for what one node transition can cost in JavaScript.
 * Same answers as the xstate machines in models/two-phase-commit (next state, emitted effects,
 * whether anything changed); bench/sections/1-node-transition.ts checks that on every sample.
 */
import type { EventObject } from 'xstate';
import type { Effect } from '../../src/engine/model.js';
import type { NodeState } from '../../src/engine/node-step.js';

export interface Reduced {
  readonly state: NodeState;
  readonly effects: readonly Effect[];
  readonly changed: boolean;
}

type Event = EventObject & { rm?: string; from?: string };
const NOTHING: readonly Effect[] = [];

// Helpers are top-level functions, not closures: the reducer should cost what plain code costs.
function decisionMessage(decision: string) {
  return { type: decision === 'commit' ? 'Commit' : 'Abort' };
}

function broadcast(rms: readonly string[], decision: string): Effect[] {
  const effects: Effect[] = [];
  for (const rm of rms) effects.push({ type: 'send', to: rm, message: decisionMessage(decision) });
  return effects;
}

export function tmReducer(state: NodeState, event: Event): Reduced {
  const c = state.context;
  if (state.value === 'init') {
    switch (event.type) {
      case 'Prepared': {
        if (c.prepared.includes(event.rm)) return { state, effects: NOTHING, changed: false };
        const prepared = [...c.prepared, event.rm].sort();
        return { state: { up: true, value: 'init', context: { ...c, prepared } }, effects: NOTHING, changed: true };
      }
      case 'DecideCommit':
      case 'Timeout': {
        if (event.type === 'DecideCommit' && !c.rms.every((rm: string) => c.prepared.includes(rm))) return { state, effects: NOTHING, changed: false };
        const decision = event.type === 'DecideCommit' ? 'commit' : 'abort';
        const context = { ...c, decision };
        const effects: Effect[] = [{ type: 'observe', observation: { type: 'Decided', decision } }, ...broadcast(c.rms, decision)];
        return { state: { up: true, value: decision === 'commit' ? 'committed' : 'aborted', context }, effects, changed: true };
      }
      case 'RECOVER': {
        const recovered: Effect = { type: 'observe', observation: { type: 'Recovered', node: 'tm', decision: c.decision } };
        if (c.decision === null) return { state, effects: [recovered], changed: true };
        return { state: { up: true, value: c.decision === 'commit' ? 'committed' : 'aborted', context: c }, effects: [recovered, ...broadcast(c.rms, c.decision)], changed: true };
      }
    }
    return { state, effects: NOTHING, changed: false };
  }
  if (event.type === 'Prepared') return { state, effects: [{ type: 'send', to: event.from!, message: decisionMessage(c.decision) }], changed: true };
  return { state, effects: NOTHING, changed: false };
}

/** The RM moving to `value` with logged `status` (its state mirrors its log), emitting `effects`. */
function rmTo(state: NodeState, value: string, effects: readonly Effect[]): Reduced {
  const c = state.context;
  if (value === state.value && value === c.status && effects.length === 0) return { state, effects, changed: false };
  return { state: { up: true, value, context: value === c.status ? c : { ...c, status: value } }, effects, changed: true };
}

function sendPrepared(c: NodeState['context']): Effect {
  return { type: 'send', to: c.tm, message: { type: 'Prepared', rm: c.id } };
}

export function rmReducer(state: NodeState, event: Event): Reduced {
  const c = state.context;
  switch (event.type) {
    case 'Commit':
      return rmTo(state, 'committed', NOTHING);
    case 'Abort':
      return rmTo(state, 'aborted', NOTHING);
  }
  if (state.value === 'working') {
    switch (event.type) {
      case 'Prepare':
        return rmTo(state, 'prepared', [{ type: 'observe', observation: { type: 'Voted', rm: c.id } }, sendPrepared(c)]);
      case 'ChooseToAbort':
        return rmTo(state, 'aborted', NOTHING);
      case 'RECOVER': {
        const recovered: Effect = { type: 'observe', observation: { type: 'Recovered', node: c.id, status: c.status } };
        if (c.status === 'prepared') return rmTo(state, 'prepared', [recovered, sendPrepared(c)]);
        // Committed and aborted resume as they were; an RM that had not voted lost its work and aborts.
        return rmTo(state, c.status === 'committed' ? 'committed' : 'aborted', [recovered]);
      }
    }
  }
  if (state.value === 'prepared' && event.type === 'Timeout') return { state, effects: [sendPrepared(c)], changed: true };
  return { state, effects: NOTHING, changed: false };
}

/** Reducers by model and role, for the models that have one. */
export const reducers: Readonly<Record<string, Readonly<Record<string, (state: NodeState, event: Event) => Reduced>>>> = {
  'two-phase-commit': { tm: tmReducer, rm: rmReducer },
};
