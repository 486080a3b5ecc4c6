/**
 * The transition system, defined: the initial world, the actions enabled in a world, and what
 * each action does. Read this module to learn what a `deliver` or a `crash` means; it keeps no
 * cache and takes no shortcut. Everything runs packed.ts, which must agree with it exactly
 * (same actions in the same order, same successor worlds): src/engine/semantics.test.ts walks
 * every model and mutant under every network semantics and compares the two at every step.
 *
 * A node's own step (a machine taking an event) is the node stepper's (node-step.ts), itself
 * proven equal to xstate's `transition()` by node-step.test.ts.
 */
import type { Action } from './actions.js';
import type { Instance } from './instance.js';
import type { Effect, NodeView } from './model.js';
import { nodeKey, objectKey, type NodeStepResult } from './node-step.js';
import { envelopeKey, envelopeOf, indexOrThrow, linked, removeFirst, replaceAt, twoWaySplits, uniqueEnvelopes, type Envelope, type World } from './world.js';

/** Every node in its machine's initial state; the messages and observations of those entries. */
export function referenceInitialWorld(instance: Instance): World {
  const started = instance.nodes.map((spec, i) => instance.roleOf[i]!.stepper.initial(spec.input));
  let world: World = {
    nodes: started.map((result) => result.state),
    network: [],
    partition: null,
    used: { loss: 0, duplicate: 0, crash: 0, partition: 0 },
    observations: [],
  };
  started.forEach((result, i) => (world = withEffects(instance, world, instance.nodes[i]!.id, result.effects)));
  return world;
}

/**
 * The actions possible in `world`, in this order:
 * 1. deliver each distinct message in flight (in send order; under `fifo` only the oldest of
 *    each link) to a receiver that is up and reachable across the partition;
 * 2. each up node's environment events (node order, then the order its role lists them);
 * 3. drop, then duplicate, each distinct message in flight, while the loss and duplication
 *    budgets last (never on a `set` network, which never loses or copies);
 * 4. crash each up node, while the crash budget lasts;
 * 5. restart each crashed node;
 * 6. split the nodes into two groups (each split once), while whole and the budget lasts;
 * 7. heal a partition.
 * A step that would change nothing is not an action: an environment event the node ignores,
 * and, on a `set` network (where delivery keeps the message), a delivery that neither changes
 * the receiver nor adds a message or an observation.
 */
export function referenceEnabledActions(instance: Instance, world: World): Action[] {
  const { faults } = instance;
  const setNetwork = faults.network === 'set';
  const actions: Action[] = [];

  for (const e of deliverable(instance, world.network)) {
    const i = indexOrThrow(instance, e.to);
    if (!world.nodes[i]!.up || !linked(world, e.from, e.to)) continue;
    const result = instance.roleOf[i]!.stepper.stepMessage(world.nodes[i]!, e.from, e.message);
    if (setNetwork && !changesWorld(instance, world, i, result)) continue;
    actions.push({ type: 'deliver', from: e.from, to: e.to, message: e.message });
  }

  instance.nodes.forEach((spec, i) => {
    const state = world.nodes[i]!;
    if (!state.up) return;
    const view: NodeView = { id: spec.id, role: spec.role, up: state.up, state: state.value, context: state.context };
    const inbox = world.network.filter((e) => e.to === spec.id);
    for (const event of instance.roleOf[i]!.environment(view, instance.params, inbox)) {
      const result = instance.roleOf[i]!.stepper.step(state, event);
      if (setNetwork ? changesWorld(instance, world, i, result) : result.changed) actions.push({ type: 'env', node: spec.id, event });
    }
  });

  if (!setNetwork) {
    // Loss and duplication may hit any message, not only the head of a fifo link.
    const faulty = uniqueEnvelopes(world.network);
    if (world.used.loss < faults.loss) for (const e of faulty) actions.push({ type: 'drop', from: e.from, to: e.to, message: e.message });
    if (world.used.duplicate < faults.duplicate) for (const e of faulty) actions.push({ type: 'duplicate', from: e.from, to: e.to, message: e.message });
  }
  const ids = instance.nodes.map((n) => n.id);
  if (world.used.crash < faults.crash) ids.forEach((node, i) => world.nodes[i]!.up && actions.push({ type: 'crash', node }));
  ids.forEach((node, i) => !world.nodes[i]!.up && actions.push({ type: 'restart', node }));
  if (world.partition === null && world.used.partition < faults.partition) {
    for (const groups of twoWaySplits(ids)) actions.push({ type: 'partition', groups });
  }
  if (world.partition !== null) actions.push({ type: 'heal' });
  return actions;
}

/** The world after `action`. Throws when the action names a node or a message that is not there. */
export function referenceStep(instance: Instance, world: World, action: Action): World {
  const used = world.used;
  switch (action.type) {
    case 'deliver': {
      // The receiver takes the message as an event; a `set` network keeps it, others consume one copy.
      const i = indexOrThrow(instance, action.to);
      const network = instance.faults.network === 'set' ? world.network : removeFirst(world.network, action);
      const result = instance.roleOf[i]!.stepper.stepMessage(world.nodes[i]!, action.from, action.message);
      return afterNodeStep(instance, { ...world, network }, i, result);
    }
    case 'env': {
      const i = indexOrThrow(instance, action.node);
      return afterNodeStep(instance, world, i, instance.roleOf[i]!.stepper.step(world.nodes[i]!, action.event));
    }
    case 'drop':
      return { ...world, network: removeFirst(world.network, action), used: { ...used, loss: used.loss + 1 } };
    case 'duplicate': {
      const copy: Envelope = { from: action.from, to: action.to, message: action.message };
      return { ...world, network: [...world.network, copy], used: { ...used, duplicate: used.duplicate + 1 } };
    }
    case 'crash': {
      // A crash keeps only what the role writes to stable storage; the machine state is gone.
      const i = indexOrThrow(instance, action.node);
      const role = instance.roleOf[i]!;
      const context = world.nodes[i]!.context;
      const durable = Object.fromEntries(role.persist.filter((field) => field in context).map((field) => [field, context[field]]));
      const crashed = role.stepper.canonicalState({ up: false, value: null, context: durable });
      return { ...world, nodes: replaceAt(world.nodes, i, crashed), used: { ...used, crash: used.crash + 1 } };
    }
    case 'restart': {
      // The machine starts again from its initial state, given the persisted fields (then RECOVER).
      const i = indexOrThrow(instance, action.node);
      const result = instance.roleOf[i]!.stepper.restart(instance.nodes[i]!.input, world.nodes[i]!.context);
      return withEffects(instance, { ...world, nodes: replaceAt(world.nodes, i, result.state) }, action.node, result.effects);
    }
    case 'partition':
      return { ...world, partition: action.groups, used: { ...used, partition: used.partition + 1 } };
    case 'heal':
      return { ...world, partition: null };
  }
}

/** The world after node `i` stepped: its new state, then its sends and observations. */
function afterNodeStep(instance: Instance, world: World, i: number, result: NodeStepResult): World {
  if (!result.changed) return world;
  const nodes = result.state === world.nodes[i] ? world.nodes : replaceAt(world.nodes, i, result.state);
  return withEffects(instance, { ...world, nodes }, instance.nodes[i]!.id, result.effects);
}

/**
 * Sends go on the network (a `set` network holds each message once); observations join the
 * observation set (each once).
 */
function withEffects(instance: Instance, world: World, from: string, effects: readonly Effect[]): World {
  const network = [...world.network];
  const observations = [...world.observations];
  for (const effect of effects) {
    if (effect.type === 'send') {
      if (!instance.indexOf.has(effect.to)) throw new Error(`node ${from} sent ${effect.message.type} to unknown node '${effect.to}'`);
      const e = envelopeOf(effect, from);
      if (instance.faults.network === 'set' && network.some((x) => envelopeKey(x) === envelopeKey(e))) continue;
      network.push(e);
    } else if (!observations.some((o) => objectKey(o) === objectKey(effect.observation))) {
      observations.push(effect.observation);
    }
  }
  return { ...world, network, observations };
}

/** On a `set` network: does this node step change the world (its state, a new message or observation)? */
function changesWorld(instance: Instance, world: World, i: number, result: NodeStepResult): boolean {
  if (!result.changed) return false;
  if (nodeKey(result.state) !== nodeKey(world.nodes[i]!)) return true;
  const from = instance.nodes[i]!.id;
  return result.effects.some((effect) =>
    effect.type === 'send'
      ? !world.network.some((e) => envelopeKey(e) === envelopeKey(envelopeOf(effect, from)))
      : !world.observations.some((o) => objectKey(o) === objectKey(effect.observation)),
  );
}

/** The messages that may be delivered: each distinct one once, in send order; under `fifo` the oldest of each link. */
function deliverable(instance: Instance, network: readonly Envelope[]): Envelope[] {
  if (instance.faults.network !== 'fifo') return uniqueEnvelopes(network);
  return network.filter((e, at) => !network.slice(0, at).some((x) => x.from === e.from && x.to === e.to));
}
