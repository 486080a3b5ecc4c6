/**
 * Minimising a counterexample on its concrete actions (delta debugging, Zeller's ddmin):
 * remove chunks, then single actions, keeping every action enabled and the same property
 * violated, until removing any single action breaks the trace or loses the violation
 * (1-minimal). fast-check's shrinking works on choice numbers, whose meaning shifts when an
 * earlier choice changes; this pass works on the actions themselves.
 */
import type { Action } from '../actions.js';
import type { Instance } from '../instance.js';
import type { Property } from '../properties.js';
import { execute } from './execute.js';

/** The shortest prefix of `actions` that still violates `property`, minimised to 1-minimality. */
export function minimize(instance: Instance, properties: readonly Property[], actions: readonly Action[], property: string): Action[] {
  const stillFails = (candidate: readonly Action[]): number | null => {
    const run = execute(instance, properties, candidate);
    return run.violation?.property === property ? run.violation.step : null;
  };
  const first = stillFails(actions);
  if (first === null) return [...actions];
  let current = actions.slice(0, first);
  let chunks = 2;
  while (current.length >= 1) {
    const size = Math.ceil(current.length / chunks);
    let reduced = false;
    for (let start = 0; start < current.length; start += size) {
      const candidate = [...current.slice(0, start), ...current.slice(start + size)];
      const at = stillFails(candidate);
      if (at !== null) {
        current = candidate.slice(0, at);
        chunks = Math.max(chunks - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (size === 1) break;
      chunks = Math.min(chunks * 2, current.length);
    }
  }
  return current;
}
