/**
 * Minimising a counterexample on its concrete actions (delta debugging, Zeller's ddmin):
 * remove chunks, then single actions, keeping every action enabled and the same property
 * violated, until removing any single action breaks the trace or loses the violation
 * (1-minimal). fast-check's shrinking works on choice numbers, whose meaning shifts when an
 * earlier choice changes; this pass works on the actions themselves.
 *
 * A lasso (a liveness or deadlock counterexample) stays a lasso: `minimizeLasso` removes
 * actions from its prefix and its loop, keeping `loopStart` where the loop begins, and keeps a
 * candidate only when it is still a fair loop that violates the same property (checkLasso).
 */
import type { Action } from '../engine/actions.js';
import type { Instance } from '../engine/instance.js';
import type { Property } from '../properties/properties.js';
import type { Suite } from '../properties/suite.js';
import { execute } from './execute.js';
import { checkLasso } from './lasso.js';

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

/**
 * A lasso as short as removals make it: first the empty loop when the loop's first world may
 * stutter, then chunks of the prefix, then single actions anywhere (the loop start moving with
 * removals before it), until no single removal leaves a violating lasso (1-minimal).
 */
export function minimizeLasso(
  instance: Instance,
  suite: Suite,
  actions: readonly Action[],
  loopStart: number,
  property: string,
): { actions: Action[]; loopStart: number } {
  const ok = (candidate: readonly Action[], start: number) => checkLasso(instance, suite, candidate, start, property).violation !== null;
  let current = [...actions];
  let start = loopStart;
  if (!ok(current, start)) return { actions: current, loopStart: start };
  if (start < current.length && ok(current.slice(0, start), start)) current = current.slice(0, start);
  // Chunks of the prefix, halving (ddmin's first pass, enough for long random prefixes).
  for (let size = Math.floor(start / 2); size >= 2; size = Math.floor(size / 2)) {
    for (let at = 0; at + size <= start; ) {
      const candidate = [...current.slice(0, at), ...current.slice(at + size)];
      if (ok(candidate, start - size)) {
        current = candidate;
        start -= size;
      } else {
        at += size;
      }
    }
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = current.length - 1; i >= 0; i--) {
      const candidate = [...current.slice(0, i), ...current.slice(i + 1)];
      const candidateStart = i < start ? start - 1 : start;
      if (ok(candidate, candidateStart)) {
        current = candidate;
        start = candidateStart;
        changed = true;
      }
    }
  }
  return { actions: current, loopStart: start };
}
