/**
 * Minimising a counterexample on its concrete actions (delta debugging, Zeller's ddmin):
 * remove chunks, then single actions, keeping every action enabled and the same property
 * violated, until removing any single action breaks the trace or loses the violation
 * (1-minimal). fast-check's shrinking works on choice numbers, whose meaning shifts when an
 * earlier choice changes; this pass works on the actions themselves.
 */
import type { Action } from '../engine/actions.js';
import type { Instance } from '../engine/instance.js';
import type { Property } from '../properties/properties.js';
import { execute } from './execute.js';

/** The shortest prefix of `actions` that still violates `property`, minimised to 1-minimality, then without removable pairs. */
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
  return removePairs(current, stillFails);
}

/**
 * 1-minimal is not 2-minimal: a crash and its restart, a partition and its heal, a request and
 * its delivery each need the other, so neither goes alone, and ddmin's contiguous chunks miss
 * them when they lie apart. One sweep over the pairs (i, j), keeping every removal that still
 * fails: about n²/2 executions of a trace already 1-minimal.
 */
function removePairs(actions: Action[], stillFails: (candidate: readonly Action[]) => number | null): Action[] {
  let current = actions;
  for (let i = 0; i < current.length; i++) {
    for (let j = i + 1; j < current.length; j++) {
      const candidate = [...current.slice(0, i), ...current.slice(i + 1, j), ...current.slice(j + 1)];
      const at = stillFails(candidate);
      if (at !== null) {
        current = candidate.slice(0, at);
        j = i; // the pair at (i, j) is gone: scan again from the new action at i
      }
    }
  }
  return current;
}
