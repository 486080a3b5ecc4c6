/**
 * Executing a list of actions against an instance: the one loop behind random runs,
 * minimisation and replay. Checks every invariant after every step and stops at the first
 * violation.
 */
import type { Action } from '../engine/actions.js';
import { canonical } from '../engine/canonical.js';
import type { Instance } from '../engine/instance.js';
import { checkInitial, checkStep, type Property, type Violation } from '../properties/properties.js';
import { type World } from '../engine/world.js';
import { viewOf } from '../engine/view.js';
import { enabledActions, initialWorld, step } from '../engine/fast-step.js';

export interface StepViolation extends Violation {
  /** 0 for the initial world, k after the k-th action. */
  readonly step: number;
}

export interface Execution {
  /** worlds[0] is the initial world; worlds[k] follows the k-th action. */
  readonly worlds: readonly World[];
  readonly violation: StepViolation | null;
  /** Set when an action was not enabled where it was to be taken. */
  readonly notEnabled: { readonly step: number; readonly action: Action; readonly enabled: readonly Action[] } | null;
}

/** Applies `actions` in order; stops at the first violation or at an action that is not enabled. */
export function execute(instance: Instance, properties: readonly Property[], actions: readonly Action[]): Execution {
  let world = initialWorld(instance);
  const worlds: World[] = [world];
  const initialViolation = checkInitial(properties, viewOf(instance, world));
  if (initialViolation) return { worlds, violation: { ...initialViolation, step: 0 }, notEnabled: null };
  for (let k = 0; k < actions.length; k++) {
    const action = actions[k]!;
    const enabled = enabledActions(instance, world);
    const key = canonical(action);
    if (!enabled.some((a) => canonical(a) === key)) {
      return { worlds, violation: null, notEnabled: { step: k + 1, action, enabled } };
    }
    const next = step(instance, world, action);
    worlds.push(next);
    const violation = checkStep(properties, viewOf(instance, world), viewOf(instance, next), action);
    world = next;
    if (violation) return { worlds, violation: { ...violation, step: k + 1 }, notEnabled: null };
  }
  return { worlds, violation: null, notEnabled: null };
}
