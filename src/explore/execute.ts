/**
 * Executing a list of actions against an instance: the one loop behind random runs,
 * minimisation and replay. Checks every invariant after every step and stops at the first
 * violation, or at the first error of the model (ModelError), which it returns with its step.
 */
import { formatAction, type Action } from '../engine/actions.js';
import { canonical } from '../engine/canonical.js';
import { ModelError, thrownMessage } from '../engine/errors.js';
import type { Instance } from '../engine/instance.js';
import { checkInitial, checkStep, reachedIn, type Property, type Violation } from '../properties/properties.js';
import { type World } from '../engine/world.js';
import { viewOf } from '../engine/view.js';
import { enabledActions, initialWorld, step } from '../engine/packed.js';

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
  /** Set when the model itself failed (a machine, environment function or property threw...), with its step. */
  readonly error: ModelError | null;
}

export interface ExecuteOptions {
  /**
   * Also evaluate the witnesses on every world, and list the actions enabled after the last one:
   * what it takes to meet again a model error that a random run or a search met there.
   */
  readonly probe?: boolean;
}

/** Applies `actions` in order; stops at the first violation, model error or action that is not enabled. */
export function execute(instance: Instance, properties: readonly Property[], actions: readonly Action[], options: ExecuteOptions = {}): Execution {
  const worlds: World[] = [];
  const witnesses = options.probe ? properties.filter((p) => p.kind === 'sometimes') : [];
  let k = 0;
  let taking: Action | null = null;
  try {
    let world = initialWorld(instance);
    worlds.push(world);
    const initialViolation = checkInitial(properties, viewOf(instance, world));
    if (initialViolation) return { worlds, violation: { ...initialViolation, step: 0 }, notEnabled: null, error: null };
    for (const w of witnesses) reachedIn(w, viewOf(instance, world));
    for (; k < actions.length; k++) {
      taking = null;
      const action = actions[k]!;
      const enabled = enabledActions(instance, world);
      const key = canonical(action);
      if (!enabled.some((a) => canonical(a) === key)) {
        return { worlds, violation: null, notEnabled: { step: k + 1, action, enabled }, error: null };
      }
      taking = action;
      const next = step(instance, world, action);
      const violation = checkStep(properties, viewOf(instance, world), viewOf(instance, next), action);
      worlds.push(next);
      world = next;
      if (violation) return { worlds, violation: { ...violation, step: k + 1 }, notEnabled: null, error: null };
      for (const w of witnesses) reachedIn(w, viewOf(instance, world));
    }
    taking = null;
    if (options.probe) enabledActions(instance, world);
    return { worlds, violation: null, notEnabled: null, error: null };
  } catch (error) {
    // The failure is at step k+1 when it happened while taking action k+1, else after step k.
    const model = error instanceof ModelError ? error : new ModelError(`the model failed: ${thrownMessage(error)}`, null, { cause: error });
    const at = taking !== null ? k + 1 : worlds.length === 0 ? 0 : k;
    const upTo = taking !== null ? actions.slice(0, k + 1) : actions.slice(0, k);
    return { worlds, violation: null, notEnabled: null, error: model.at(at, taking, upTo, formatAction) };
  }
}
