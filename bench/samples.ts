/**
 * Node steps as the engine takes them: (node state, event) pairs collected along seeded random
 * walks of a model's default configuration, per role. The node-transition benchmark replays
 * them through each path.
 */
import type { EventObject } from 'xstate';
import type { Instance } from '../src/engine/instance.js';
import type { Message } from '../src/engine/model.js';
import type { NodeState } from '../src/engine/node-step.js';
import { eventOf } from '../src/engine/world.js';
import { enabledActions, initialWorld, step } from '../src/engine/packed.js';

export interface NodeSample {
  readonly state: NodeState;
  /** The event the node receives (for a delivery: the message plus `from`). */
  readonly event: EventObject;
  /** For deliveries: the sender and the message object, as the engine passes them. */
  readonly delivery: { readonly from: string; readonly message: Message } | null;
}

/** Samples per role, from `walks` walks of at most `depth` steps, choices from a xorshift seeded with `seed`. */
export function sampleNodeSteps(instance: Instance, walks: number, depth: number, seed: number): Map<string, NodeSample[]> {
  const byRole = new Map<string, NodeSample[]>();
  const add = (node: number, sample: NodeSample) => {
    const role = instance.nodes[node]!.role;
    const list = byRole.get(role) ?? [];
    list.push(sample);
    byRole.set(role, list);
  };
  let x = seed >>> 0 || 1;
  const next = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), x >>> 0);
  for (let w = 0; w < walks; w++) {
    let world = initialWorld(instance);
    for (let k = 0; k < depth; k++) {
      const enabled = enabledActions(instance, world);
      if (enabled.length === 0) break;
      const action = enabled[next() % enabled.length]!;
      if (action.type === 'deliver') {
        const i = instance.indexOf.get(action.to)!;
        add(i, { state: world.nodes[i]!, event: eventOf(action), delivery: { from: action.from, message: action.message } });
      } else if (action.type === 'env') {
        const i = instance.indexOf.get(action.node)!;
        add(i, { state: world.nodes[i]!, event: action.event, delivery: null });
      }
      world = step(instance, world, action);
    }
  }
  return byRole;
}
