/**
 * A path is a list of action indices: at each step, which of `enabledActions(world)` was taken.
 * Walking it goes through the engine's own `initialWorld`, `enabledActions` and `step` (the code
 * the checkers and `replay` run), so a path walked in the studio and the same actions replayed
 * give the same worlds.
 */
import { formatAction, type Action } from '../engine/actions.js';
import { canonical } from '../engine/canonical.js';
import { ModelError, UsageError } from '../engine/errors.js';
import { enabledActions, initialWorld, step } from '../engine/packed.js';
import type { Instance } from '../engine/instance.js';
import type { World } from '../engine/world.js';

export interface Walk {
  /** worlds[0] is the initial world; worlds[k] follows actions[k-1]. */
  readonly worlds: readonly World[];
  readonly actions: readonly Action[];
  /** The actions enabled in the last world, in the engine's order (the next path index picks one). */
  readonly enabled: readonly Action[];
}

/** The worlds along `path`. An index past the enabled actions of its step is a UsageError. */
export function walk(instance: Instance, path: readonly number[]): Walk {
  let world = initialWorld(instance);
  const worlds: World[] = [world];
  const actions: Action[] = [];
  let enabled = enabledActions(instance, world);
  for (let k = 0; k < path.length; k++) {
    const action = enabled[path[k]!];
    if (action === undefined) {
      throw new UsageError(`path step ${k + 1}: there is no action ${path[k]} (${enabled.length} enabled there: 0..${enabled.length - 1})`);
    }
    world = atStep(k + 1, action, () => step(instance, world, action));
    worlds.push(world);
    actions.push(action);
    enabled = atStep(k + 1, null, () => enabledActions(instance, world));
  }
  return { worlds, actions, enabled };
}

/** The path that takes `actions` from `start` (the initial world); an action not enabled at its step is a UsageError. */
export function pathOfActions(instance: Instance, actions: readonly Action[], start: World = initialWorld(instance)): number[] {
  let world = start;
  const path: number[] = [];
  actions.forEach((action, k) => {
    const enabled = enabledActions(instance, world);
    const key = canonical(action);
    const index = enabled.findIndex((a) => canonical(a) === key);
    if (index < 0) throw new UsageError(`step ${k + 1}: action '${formatAction(action)}' is not enabled`);
    path.push(index);
    world = step(instance, world, enabled[index]!);
  });
  return path;
}

/** Runs `work`, naming the step on an error of the model. */
function atStep<T>(k: number, action: Action | null, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof ModelError && error.step === null) throw error.at(k, action, [], formatAction);
    throw error;
  }
}
