/**
 * The world: every node's state, the messages in flight, the fault state and the observation
 * set (ghost state for history properties). It changes only through `step(instance, world,
 * action)`, which is pure: it never mutates its inputs and depends on nothing else.
 */
import type { Action } from './actions.js';
import { canonical } from './canonical.js';
import type { Instance } from './instance.js';
import type { Effect, Message, NodeView, Observation } from './model.js';
import { nodeKey, type NodeState } from './node-step.js';

/** A message in flight, with its sender and receiver. */
export interface Envelope {
  readonly from: string;
  readonly to: string;
  readonly message: Message;
}

export interface FaultsUsed {
  readonly loss: number;
  readonly duplicate: number;
  readonly crash: number;
  readonly partition: number;
}

export interface World {
  /** Aligned with `instance.nodes`. */
  readonly nodes: readonly NodeState[];
  /** In send order. With `set` semantics, each distinct message once and never removed. */
  readonly network: readonly Envelope[];
  /** The groups of the partition in force, or null when the network is whole. */
  readonly partition: readonly (readonly string[])[] | null;
  readonly used: FaultsUsed;
  /** Every observation made so far, each once, in the order first seen. */
  readonly observations: readonly Observation[];
}

const envelopeKeys = new WeakMap<Envelope, string>();
export function envelopeKey(e: Envelope): string {
  let key = envelopeKeys.get(e);
  if (key === undefined) {
    key = canonical([e.from, e.to, e.message]);
    envelopeKeys.set(e, key);
  }
  return key;
}

export function initialWorld(instance: Instance): World {
  let world: World = {
    nodes: [],
    network: [],
    partition: null,
    used: { loss: 0, duplicate: 0, crash: 0, partition: 0 },
    observations: [],
  };
  const nodes: NodeState[] = [];
  const effects: [string, readonly Effect[]][] = [];
  instance.nodes.forEach((spec, i) => {
    const result = instance.roleOf[i]!.stepper.initial(spec.input);
    nodes.push(result.state);
    effects.push([spec.id, result.effects]);
  });
  world = { ...world, nodes };
  for (const [id, fx] of effects) world = applyEffects(instance, world, id, fx);
  return world;
}

/** True when `from` can reach `to` under the partition in force. */
function linked(world: World, from: string, to: string): boolean {
  if (world.partition === null || from === to) return true;
  return world.partition.some((g) => g.includes(from) && g.includes(to));
}

/**
 * Every action possible in `world`, in a stable, documented order:
 * deliveries (in-flight order), environment events (node order, then the order the role lists
 * them), drops, duplicates, crashes, restarts, partitions, heal. Identical in-flight messages
 * give one action each. A delivery or environment event the receiver would ignore is left out
 * when it would change nothing (with `set` semantics, where delivering does not consume).
 */
export function enabledActions(instance: Instance, world: World): Action[] {
  const { faults } = instance;
  const setNetwork = faults.network === 'set';
  const deliverable: Envelope[] = [];
  const distinct: Envelope[] = [];
  const seen = new Set<string>();
  const fifoHeadSeen = new Set<string>();
  for (const e of world.network) {
    const key = envelopeKey(e);
    if (faults.network === 'fifo') {
      const link = canonical([e.from, e.to]);
      if (fifoHeadSeen.has(link)) continue;
      fifoHeadSeen.add(link);
    }
    if (seen.has(key)) continue;
    seen.add(key);
    distinct.push(e);
    const receiver = instance.indexOf.get(e.to)!;
    if (!world.nodes[receiver]!.up || !linked(world, e.from, e.to)) continue;
    if (setNetwork && !changesWorld(instance, world, receiver, eventOf(e))) continue;
    deliverable.push(e);
  }
  const actions: Action[] = deliverable.map((e) => ({ type: 'deliver', from: e.from, to: e.to, message: e.message }));

  instance.nodes.forEach((spec, i) => {
    const state = world.nodes[i]!;
    if (!state.up) return;
    const role = instance.roleOf[i]!;
    const inbox = world.network.filter((e) => e.to === spec.id);
    for (const event of role.environment(viewOfNode(instance, i, state), instance.params, inbox)) {
      if (setNetwork ? changesWorld(instance, world, i, event) : role.stepper.step(state, event).changed) {
        actions.push({ type: 'env', node: spec.id, event });
      }
    }
  });

  if (!setNetwork) {
    // With fifo semantics only link heads are in `distinct`; loss and duplication apply to any message.
    const faulty = faults.network === 'fifo' ? uniqueEnvelopes(world.network) : distinct;
    if (world.used.loss < faults.loss) {
      for (const e of faulty) actions.push({ type: 'drop', from: e.from, to: e.to, message: e.message });
    }
    if (world.used.duplicate < faults.duplicate) {
      for (const e of faulty) actions.push({ type: 'duplicate', from: e.from, to: e.to, message: e.message });
    }
  }
  if (world.used.crash < faults.crash) {
    instance.nodes.forEach((spec, i) => {
      if (world.nodes[i]!.up) actions.push({ type: 'crash', node: spec.id });
    });
  }
  instance.nodes.forEach((spec, i) => {
    if (!world.nodes[i]!.up) actions.push({ type: 'restart', node: spec.id });
  });
  if (world.partition === null && world.used.partition < faults.partition) {
    for (const groups of twoWaySplits(instance.nodes.map((n) => n.id))) actions.push({ type: 'partition', groups });
  }
  if (world.partition !== null) actions.push({ type: 'heal' });
  return actions;
}

/**
 * With `set` semantics a step that only re-sends messages already in the set changes nothing;
 * such steps are left out of the enabled actions (they would be stuttering steps).
 */
function changesWorld(instance: Instance, world: World, i: number, event: { type: string }): boolean {
  const result = instance.roleOf[i]!.stepper.step(world.nodes[i]!, event);
  if (!result.changed) return false;
  if (result.state !== world.nodes[i]) return true;
  const from = instance.nodes[i]!.id;
  return result.effects.some((effect) =>
    effect.type === 'send'
      ? !world.network.some((e) => envelopeKey(e) === envelopeKey({ from, to: effect.to, message: effect.message }))
      : !world.observations.some((o) => canonical(o) === canonical(effect.observation)),
  );
}

function uniqueEnvelopes(network: readonly Envelope[]): Envelope[] {
  const seen = new Set<string>();
  return network.filter((e) => {
    const key = envelopeKey(e);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const splitCache = new Map<string, string[][][]>();
/** Every split of the nodes into two non-empty groups, the first node always in the first group. */
function twoWaySplits(ids: readonly string[]): string[][][] {
  const cacheKey = ids.join('\u0000');
  let splits = splitCache.get(cacheKey);
  if (splits === undefined) {
    splits = [];
    const rest = ids.slice(1);
    for (let mask = 0; mask < 2 ** rest.length - 1; mask++) {
      const a = [ids[0]!, ...rest.filter((_, j) => mask & (1 << j))];
      const b = rest.filter((_, j) => !(mask & (1 << j)));
      splits.push([a, b]);
    }
    splitCache.set(cacheKey, splits);
  }
  return splits;
}

/** The event a node receives for a delivered message: the message itself, plus its sender. */
export function eventOf(e: Envelope): Message & { from: string } {
  return { ...e.message, from: e.from };
}

/**
 * The world after `action`. Throws when the action is not possible here; callers that take
 * actions from outside (replay) check `enabledActions` first.
 */
export function step(instance: Instance, world: World, action: Action): World {
  switch (action.type) {
    case 'deliver': {
      const setNetwork = instance.faults.network === 'set';
      const network = setNetwork ? world.network : removeFirst(world.network, action);
      return deliverTo(instance, { ...world, network }, action.to, eventOf(action));
    }
    case 'env':
      return deliverTo(instance, world, action.node, action.event);
    case 'drop':
      return { ...world, network: removeFirst(world.network, action), used: { ...world.used, loss: world.used.loss + 1 } };
    case 'duplicate': {
      const copy: Envelope = { from: action.from, to: action.to, message: action.message };
      return { ...world, network: [...world.network, copy], used: { ...world.used, duplicate: world.used.duplicate + 1 } };
    }
    case 'crash': {
      const i = indexOrThrow(instance, action.node);
      const state = world.nodes[i]!;
      const durable: Record<string, unknown> = {};
      for (const field of instance.roleOf[i]!.persist) {
        if (field in state.context) durable[field] = state.context[field];
      }
      const crashed: NodeState = { up: false, value: null, context: durable };
      return { ...world, nodes: replaceAt(world.nodes, i, crashed), used: { ...world.used, crash: world.used.crash + 1 } };
    }
    case 'restart': {
      const i = indexOrThrow(instance, action.node);
      const result = instance.roleOf[i]!.stepper.restart(instance.nodes[i]!.input, world.nodes[i]!.context);
      return applyEffects(instance, { ...world, nodes: replaceAt(world.nodes, i, result.state) }, action.node, result.effects);
    }
    case 'partition':
      return { ...world, partition: action.groups, used: { ...world.used, partition: world.used.partition + 1 } };
    case 'heal':
      return { ...world, partition: null };
  }
}

function deliverTo(instance: Instance, world: World, nodeId: string, event: { type: string }): World {
  const i = indexOrThrow(instance, nodeId);
  const result = instance.roleOf[i]!.stepper.step(world.nodes[i]!, event);
  if (!result.changed) return world;
  const next = result.state === world.nodes[i] ? world : { ...world, nodes: replaceAt(world.nodes, i, result.state) };
  return applyEffects(instance, next, nodeId, result.effects);
}

function applyEffects(instance: Instance, world: World, from: string, effects: readonly Effect[]): World {
  if (effects.length === 0) return world;
  let network = world.network;
  let observations = world.observations;
  const setNetwork = instance.faults.network === 'set';
  for (const effect of effects) {
    if (effect.type === 'send') {
      if (!instance.indexOf.has(effect.to)) throw new Error(`node ${from} sent ${effect.message.type} to unknown node '${effect.to}'`);
      const e: Envelope = { from, to: effect.to, message: effect.message };
      if (setNetwork && network.some((x) => envelopeKey(x) === envelopeKey(e))) continue;
      network = [...network, e];
    } else {
      const key = canonical(effect.observation);
      if (observations.some((o) => canonical(o) === key)) continue;
      observations = [...observations, effect.observation];
    }
  }
  return { ...world, network, observations };
}

function removeFirst(network: readonly Envelope[], e: Envelope): readonly Envelope[] {
  const key = canonical([e.from, e.to, e.message]);
  const at = network.findIndex((x) => envelopeKey(x) === key);
  if (at < 0) throw new Error(`no message ${key} in flight`);
  return [...network.slice(0, at), ...network.slice(at + 1)];
}

function replaceAt<T>(items: readonly T[], i: number, item: T): T[] {
  const copy = items.slice();
  copy[i] = item;
  return copy;
}

function indexOrThrow(instance: Instance, id: string): number {
  const i = instance.indexOf.get(id);
  if (i === undefined) throw new Error(`unknown node '${id}'`);
  return i;
}

/**
 * The canonical key of a world: equal for worlds that behave the same. The order of in-flight
 * messages is ignored (kept per link under fifo semantics), as is the order of observations.
 */
export function worldKey(instance: Instance, world: World): string {
  const network =
    instance.faults.network === 'fifo'
      ? linkOrdered(world.network)
      : world.network.map(envelopeKey).sort();
  const observations = world.observations.map((o) => canonical(o)).sort();
  const partition = world.partition === null ? null : world.partition.map((g) => [...g].sort().join(',')).sort();
  return `${world.nodes.map(nodeKey).join('|')}#${network.join('|')}#${canonical(partition)}#${canonical(world.used)}#${observations.join('|')}`;
}

function linkOrdered(network: readonly Envelope[]): string[] {
  const byLink = new Map<string, string[]>();
  for (const e of network) {
    const link = canonical([e.from, e.to]);
    const list = byLink.get(link) ?? [];
    list.push(envelopeKey(e));
    byLink.set(link, list);
  }
  return [...byLink.keys()].sort().map((link) => byLink.get(link)!.join(';'));
}

/** What properties see of a world. */
export interface WorldView {
  readonly nodes: readonly NodeView[];
  readonly network: readonly Envelope[];
  readonly observations: readonly Observation[];
  readonly params: Instance['params'];
  /** The node with this id. */
  node(id: string): NodeView;
  /** The nodes of one role, in cluster order. */
  role(role: string): readonly NodeView[];
}

function viewOfNode(instance: Instance, i: number, state: NodeState): NodeView {
  const spec = instance.nodes[i]!;
  return { id: spec.id, role: spec.role, up: state.up, state: state.value, context: state.context };
}

const views = new WeakMap<World, WorldView>();
export function viewOf(instance: Instance, world: World): WorldView {
  let view = views.get(world);
  if (view === undefined) {
    const nodes = world.nodes.map((s, i) => viewOfNode(instance, i, s));
    view = {
      nodes,
      network: world.network,
      observations: world.observations,
      params: instance.params,
      node: (id) => {
        const n = nodes.find((x) => x.id === id);
        if (n === undefined) throw new Error(`no node '${id}'`);
        return n;
      },
      role: (role) => nodes.filter((n) => n.role === role),
    };
    views.set(world, view);
  }
  return view;
}
