/**
 * Is a mechanical mutant equivalent, i.e. does it change nothing observable? Differential runs:
 * the correct model and the mutant take the same random actions side by side, and at every step
 * what an observer of the nodes can see must be equal: each node's control state (the machine's
 * state value), the actions enabled (which messages are in flight, with their contents, and
 * which environment events each node accepts) and the observations made. Context the mutant
 * computes differently but never shows in a state, a message or an observation is not behaviour. A mutant with no difference in the whole budget is reported equivalent within it.
 */
import { canonical } from '../engine/canonical.js';
import type { Instance } from '../engine/instance.js';
import { objectKey } from '../engine/node-step.js';
import { enabledActions, initialWorld, step } from '../engine/packed.js';
import type { World } from '../engine/world.js';
import { FAULT_KINDS } from '../engine/faults.js';
import { Chooser, weightsOf, type RunPlan } from '../explore/random/strategy.js';
import { xorshift } from './derive.js';

export interface Difference {
  readonly run: number;
  readonly step: number;
  readonly what: 'states' | 'enabled actions' | 'observations' | 'error';
}

function observable(instance: Instance, world: World): { states: string; actions: string[]; observations: string } {
  const actions = enabledActions(instance, world).map((a) => canonical(a));
  return { states: canonical(world.nodes.map((n) => n.value)), actions, observations: world.observations.map(objectKey).sort().join('|') };
}

/** The first observable difference between `original` and `mutant` in `runs` random runs, or null. */
export function firstDifference(original: Instance, mutant: Instance, runs: number, depth: number, seed = 1): Difference | null {
  const random = xorshift(seed);
  // Actions drawn as random runs draw them (the model's weights, every fault kind on).
  const chooser = new Chooser(original, weightsOf(original.model));
  const plan: RunPlan = { swarm: Object.fromEntries(FAULT_KINDS.map((k) => [k, true])) as RunPlan['swarm'], quiet: original.nodes.map(() => false), choices: [] };
  for (let run = 0; run < runs; run++) {
    let a: World = initialWorld(original);
    let b: World = initialWorld(mutant);
    for (let k = 0; k <= depth; k++) {
      let oa, ob;
      try {
        oa = observable(original, a);
        ob = observable(mutant, b);
      } catch {
        return { run, step: k, what: 'error' };
      }
      if (oa.states !== ob.states) return { run, step: k, what: 'states' };
      if (oa.observations !== ob.observations) return { run, step: k, what: 'observations' };
      if (oa.actions.length !== ob.actions.length || oa.actions.some((x, i) => x !== ob.actions[i])) return { run, step: k, what: 'enabled actions' };
      if (k === depth || oa.actions.length === 0) break;
      const action = chooser.choose(enabledActions(original, a), plan, Math.floor(random() * 2 ** 31));
      if (action === undefined) break;
      try {
        a = step(original, a, action);
        b = step(mutant, b, action);
      } catch {
        return { run, step: k + 1, what: 'error' };
      }
    }
  }
  return null;
}
