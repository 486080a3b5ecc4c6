/**
 * The world: every node's state, the messages in flight, the fault state and the observation
 * set (ghost state for history properties). It changes only through `step(instance, world,
 * action)`, which is pure: it never mutates its inputs and depends on nothing else.
 */
import type { Action } from './actions.js';
import { canonical } from './canonical.js';
import type { Instance } from './instance.js';
import type { Effect, Message, NodeView, Observation, RoleContexts } from './model.js';
import { nodeKey, objectKey, type NodeState, type NodeStepResult } from './node-step.js';
import { ModelError, thrownMessage } from './errors.js';

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

/**
 * What is memoised about an envelope: its canonical key, its actions, its fingerprint. Kept as a
 * hidden, non-enumerable property of the envelope (invisible to JSON, keys and deep equality),
 * or in a WeakMap when the envelope is frozen.
 */
export interface EnvelopeMemo {
  readonly key: string;
  actions: EnvelopeActions | null;
  hash: { readonly hi: number; readonly lo: number } | null;
}
const ENVELOPE_MEMO = Symbol('protokit.envelope-memo');
const frozenEnvelopes = new WeakMap<Envelope, EnvelopeMemo>();

export function envelopeMemo(e: Envelope): EnvelopeMemo {
  let memo = (e as Envelope & { [ENVELOPE_MEMO]?: EnvelopeMemo })[ENVELOPE_MEMO] ?? frozenEnvelopes.get(e);
  if (memo === undefined) {
    memo = { key: canonical([e.from, e.to, e.message]), actions: null, hash: null };
    if (Object.isExtensible(e)) Object.defineProperty(e, ENVELOPE_MEMO, { value: memo, enumerable: false });
    else frozenEnvelopes.set(e, memo);
  }
  return memo;
}

export function envelopeKey(e: Envelope): string {
  return envelopeMemo(e).key;
}

/**
 * Per-instance caches of the hot path (initial world, action objects, environment events, node
 * views). Everything in them is derived from the instance and from immutable objects, so they
 * never change a result; they only spare rebuilding the same objects at every step.
 */
interface HotCache {
  initial: World | null;
  readonly crash: readonly Action[];
  readonly restart: readonly Action[];
  readonly partitions: readonly Action[];
  /** Per node: whether its role's environment function has been seen reading the inbox. */
  readonly readsInbox: boolean[];
}

/**
 * What the world module keeps per (node state, node index), in the state's memo (node-step.ts).
 * The memo is shared by every instance running the machine, so a slot names its instance.
 */
interface NodeSlot {
  readonly instance: Instance;
  view: NodeView | null;
  /** The node after a crash in this state (only its persisted fields), and after a restart from it. */
  crashed: NodeState | null;
  restarted: NodeStepResult | null;
  /** The node's environment actions in this state: all, and those that change the node (null until known). */
  env: EnvironmentActions | null;
}

interface EnvironmentActions {
  readonly all: readonly EnvAction[];
  /** Those that change the node, for networks where that alone decides (not `set`); null when not cached. */
  readonly changing: readonly EnvAction[] | null;
}

function slotOf(instance: Instance, i: number, state: NodeState): NodeSlot {
  const memo = instance.roleOf[i]!.stepper.memoOf(state);
  let slot = memo.slots[i] as NodeSlot | undefined;
  if (slot === undefined || slot.instance !== instance) memo.slots[i] = slot = { instance, view: null, env: null, crashed: null, restarted: null };
  return slot;
}

type EnvAction = Extract<Action, { type: 'env' }>;
const HEAL: Action = { type: 'heal' };
const hotCaches = new WeakMap<Instance, HotCache>();

function hot(instance: Instance): HotCache {
  let cache = hotCaches.get(instance);
  if (cache === undefined) {
    const ids = instance.nodes.map((n) => n.id);
    cache = {
      initial: null,
      crash: ids.map((node) => ({ type: 'crash', node })),
      restart: ids.map((node) => ({ type: 'restart', node })),
      partitions: twoWaySplits(ids).map((groups) => ({ type: 'partition', groups })),
      readsInbox: ids.map(() => false),
    };
    hotCaches.set(instance, cache);
  }
  return cache;
}

/** The deliver, drop and duplicate actions of one in-flight message, built once per envelope. */
interface EnvelopeActions {
  readonly deliver: Action;
  readonly drop: Action;
  readonly duplicate: Action;
}
function actionsOfEnvelope(e: Envelope): EnvelopeActions {
  const memo = envelopeMemo(e);
  if (memo.actions === null) {
    const { from, to, message } = e;
    memo.actions = {
      deliver: { type: 'deliver', from, to, message },
      drop: { type: 'drop', from, to, message },
      duplicate: { type: 'duplicate', from, to, message },
    };
  }
  return memo.actions;
}

/** The envelope a send effect puts on the network, one object per (effect, sender). */
const sentEnvelopes = new WeakMap<Effect, Map<string, Envelope>>();
export function envelopeOf(effect: Extract<Effect, { type: 'send' }>, from: string): Envelope {
  let bySender = sentEnvelopes.get(effect);
  if (bySender === undefined) {
    bySender = new Map();
    sentEnvelopes.set(effect, bySender);
  }
  let e = bySender.get(from);
  if (e === undefined) {
    e = { from, to: effect.to, message: effect.message };
    bySender.set(from, e);
  }
  return e;
}

/** The world before any action, built once per instance (a fresh top-level object each call). */
export function initialWorld(instance: Instance): World {
  const cache = hot(instance);
  cache.initial ??= buildInitialWorld(instance);
  return { ...cache.initial };
}

function buildInitialWorld(instance: Instance): World {
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
    const result = guardModel(instance, i, 'starting', () => instance.roleOf[i]!.stepper.initial(spec.input));
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
  try {
    return listActions(instance, world);
  } catch (error) {
    if (error instanceof ModelError) throw error;
    const i = listing.node;
    const what = listing.environment ? 'its environment function' : `its machine, trying ${listing.event}`;
    throw new ModelError(`node ${describeNode(instance, i)}, listing the enabled actions, ${what}: ${thrownMessage(error)}`, instance.nodes[i]?.id ?? null, { cause: error });
  }
}

/** What `listActions` is running, for the message when the model's code throws there. */
const listing = { node: -1, environment: false, event: '' };

function describeNode(instance: Instance, i: number): string {
  const spec = instance.nodes[i];
  return spec ? `${spec.id} (role ${spec.role})` : '?';
}

/** Runs node `i`'s machine (`doing` an event): what it throws becomes a ModelError naming the node. */
function guardModel<T>(instance: Instance, i: number, doing: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof ModelError) throw error;
    throw new ModelError(`node ${describeNode(instance, i)}, ${doing}: ${thrownMessage(error)}`, instance.nodes[i]?.id ?? null, { cause: error });
  }
}

function listActions(instance: Instance, world: World): Action[] {
  const { faults } = instance;
  const setNetwork = faults.network === 'set';
  const actions: Action[] = [];
  const distinct: Envelope[] = [];
  const seen = new KeySet(setNetwork ? 0 : world.network.length);
  const fifoHeadSeen = faults.network === 'fifo' ? new Set<string>() : null;
  for (const e of world.network) {
    const key = envelopeKey(e);
    if (fifoHeadSeen !== null) {
      const link = canonical([e.from, e.to]);
      if (fifoHeadSeen.has(link)) continue;
      fifoHeadSeen.add(link);
    }
    // A `set` network holds each message once (applyEffects never adds a copy): nothing to skip.
    if (!setNetwork && !seen.add(key)) continue;
    distinct.push(e);
    const receiver = instance.indexOf.get(e.to)!;
    if (!world.nodes[receiver]!.up || !linked(world, e.from, e.to)) continue;
    listing.node = receiver;
    listing.environment = false;
    listing.event = e.message.type;
    if (setNetwork && !changesWorld(instance, world, receiver, instance.roleOf[receiver]!.stepper.stepMessage(world.nodes[receiver]!, e.from, e.message))) continue;
    actions.push(actionsOfEnvelope(e).deliver);
  }

  for (let i = 0; i < instance.nodes.length; i++) {
    const state = world.nodes[i]!;
    if (!state.up) continue;
    listing.node = i;
    listing.environment = true;
    const env = environmentActions(instance, world, i);
    listing.environment = false;
    if (!setNetwork && env.changing !== null) {
      for (const action of env.changing) actions.push(action);
      continue;
    }
    const stepper = instance.roleOf[i]!.stepper;
    for (const action of env.all) {
      listing.event = action.event.type;
      const result = stepper.step(state, action.event);
      if (setNetwork ? changesWorld(instance, world, i, result) : result.changed) actions.push(action);
    }
  }

  if (!setNetwork) {
    // With fifo semantics only link heads are in `distinct`; loss and duplication apply to any message.
    const faulty = faults.network === 'fifo' ? uniqueEnvelopes(world.network) : distinct;
    if (world.used.loss < faults.loss) {
      for (const e of faulty) actions.push(actionsOfEnvelope(e).drop);
    }
    if (world.used.duplicate < faults.duplicate) {
      for (const e of faulty) actions.push(actionsOfEnvelope(e).duplicate);
    }
  }
  const cache = hot(instance);
  if (world.used.crash < faults.crash) {
    for (let i = 0; i < world.nodes.length; i++) if (world.nodes[i]!.up) actions.push(cache.crash[i]!);
  }
  for (let i = 0; i < world.nodes.length; i++) if (!world.nodes[i]!.up) actions.push(cache.restart[i]!);
  if (world.partition === null && world.used.partition < faults.partition) {
    for (const action of cache.partitions) actions.push(action);
  }
  if (world.partition !== null) actions.push(HEAL);
  return actions;
}

/** A set of keys that scans a small array while it is small (most networks) and hashes beyond. */
class KeySet {
  private readonly list: string[] = [];
  private readonly set: Set<string> | null;
  constructor(expected: number) {
    this.set = expected > 16 ? new Set() : null;
  }
  /** Adds `key`; false when it was there already. */
  add(key: string): boolean {
    if (this.set !== null) {
      if (this.set.has(key)) return false;
      this.set.add(key);
      return true;
    }
    if (this.list.includes(key)) return false;
    this.list.push(key);
    return true;
  }
}

/**
 * The environment events node `i` may receive now, as actions (not yet filtered by whether
 * they change anything). A role's environment function is pure, so when a call does not read
 * the inbox its answer depends on the node state alone and is kept for that state.
 */
function environmentActions(instance: Instance, world: World, i: number): EnvironmentActions {
  const cache = hot(instance);
  const state = world.nodes[i]!;
  const slot = slotOf(instance, i, state);
  if (slot.env !== null) return slot.env;
  const id = instance.nodes[i]!.id;
  const inbox = world.network.filter((e) => e.to === id);
  let readInbox = false;
  const watched = cache.readsInbox[i]
    ? inbox
    : new Proxy(inbox, {
        get: (target, property, receiver) => ((readInbox = true), Reflect.get(target, property, receiver)),
        has: (target, property) => ((readInbox = true), Reflect.has(target, property)),
        ownKeys: (target) => ((readInbox = true), Reflect.ownKeys(target)),
        getOwnPropertyDescriptor: (target, property) => ((readInbox = true), Reflect.getOwnPropertyDescriptor(target, property)),
      });
  const events = instance.roleOf[i]!.environment(nodeViewOf(instance, i, state), instance.params, watched);
  const all: EnvAction[] = events.map((event) => ({ type: 'env', node: id, event }));
  if (readInbox) cache.readsInbox[i] = true;
  if (cache.readsInbox[i]) return { all, changing: null };
  const stepper = instance.roleOf[i]!.stepper;
  listing.environment = false;
  slot.env = { all, changing: all.filter((action) => ((listing.event = action.event.type), stepper.step(state, action.event).changed)) };
  return slot.env;
}

/**
 * With `set` semantics a step that only re-sends messages already in the set changes nothing;
 * such steps are left out of the enabled actions (they would be stuttering steps).
 */
function changesWorld(instance: Instance, world: World, i: number, result: NodeStepResult): boolean {
  if (!result.changed) return false;
  if (!sameNodeState(result.state, world.nodes[i]!)) return true;
  const from = instance.nodes[i]!.id;
  return result.effects.some((effect) => {
    if (effect.type === 'send') {
      const key = envelopeKey(envelopeOf(effect, from));
      return !world.network.some((e) => envelopeKey(e) === key);
    }
    const key = objectKey(effect.observation);
    return !world.observations.some((o) => objectKey(o) === key);
  });
}

/** Node states are interned by the stepper, so identity almost always decides; the key settles the rest. */
function sameNodeState(a: NodeState, b: NodeState): boolean {
  return a === b || nodeKey(a) === nodeKey(b);
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
  try {
    return stepUnguarded(instance, world, action);
  } catch (error) {
    if (error instanceof ModelError) throw error;
    const id = action.type === 'deliver' ? action.to : action.type === 'env' || action.type === 'restart' ? action.node : null;
    const i = id === null ? -1 : (instance.indexOf.get(id) ?? -1);
    const doing = action.type === 'deliver' ? `receiving ${action.message.type}` : action.type === 'env' ? `on ${action.event.type}` : action.type === 'restart' ? 'restarting (RECOVER)' : action.type;
    throw new ModelError(`node ${describeNode(instance, i)}, ${doing}: ${thrownMessage(error)}`, id, { cause: error });
  }
}

function stepUnguarded(instance: Instance, world: World, action: Action): World {
  switch (action.type) {
    case 'deliver': {
      const setNetwork = instance.faults.network === 'set';
      const i = indexOrThrow(instance, action.to);
      // A `set` network keeps a delivered message: the world is only copied if the node changes.
      const next = setNetwork ? world : { ...world, network: removeFirst(world.network, action) };
      return applyStep(instance, next, i, instance.roleOf[i]!.stepper.stepMessage(next.nodes[i]!, action.from, action.message));
    }
    case 'env': {
      const i = indexOrThrow(instance, action.node);
      return applyStep(instance, world, i, instance.roleOf[i]!.stepper.step(world.nodes[i]!, action.event));
    }
    case 'drop':
      return { ...world, network: removeFirst(world.network, action), used: { ...world.used, loss: world.used.loss + 1 } };
    case 'duplicate': {
      const copy: Envelope = { from: action.from, to: action.to, message: action.message };
      return { ...world, network: [...world.network, copy], used: { ...world.used, duplicate: world.used.duplicate + 1 } };
    }
    case 'crash': {
      const i = indexOrThrow(instance, action.node);
      const state = world.nodes[i]!;
      const slot = slotOf(instance, i, state);
      if (slot.crashed === null) {
        const durable: Record<string, unknown> = {};
        for (const field of instance.roleOf[i]!.persist) {
          if (field in state.context) durable[field] = state.context[field];
        }
        slot.crashed = instance.roleOf[i]!.stepper.canonicalState({ up: false, value: null, context: durable });
      }
      const crashed = slot.crashed;
      return { ...world, nodes: replaceAt(world.nodes, i, crashed), used: { ...world.used, crash: world.used.crash + 1 } };
    }
    case 'restart': {
      const i = indexOrThrow(instance, action.node);
      const slot = slotOf(instance, i, world.nodes[i]!);
      const result = (slot.restarted ??= instance.roleOf[i]!.stepper.restart(instance.nodes[i]!.input, world.nodes[i]!.context));
      return applyEffects(instance, { ...world, nodes: replaceAt(world.nodes, i, result.state) }, action.node, result.effects);
    }
    case 'partition':
      return { ...world, partition: action.groups, used: { ...world.used, partition: world.used.partition + 1 } };
    case 'heal':
      return { ...world, partition: null };
  }
}

/** The world after node `i` took a step with `result`. */
function applyStep(instance: Instance, world: World, i: number, result: NodeStepResult): World {
  if (!result.changed) return world;
  const next = result.state === world.nodes[i] ? world : { ...world, nodes: replaceAt(world.nodes, i, result.state) };
  return applyEffects(instance, next, instance.nodes[i]!.id, result.effects);
}

function applyEffects(instance: Instance, world: World, from: string, effects: readonly Effect[]): World {
  if (effects.length === 0) return world;
  // Copied on first write, then appended to: one new array per step, not one per message.
  let network: Envelope[] | null = null;
  let observations: Observation[] | null = null;
  const setNetwork = instance.faults.network === 'set';
  for (const effect of effects) {
    if (effect.type === 'send') {
      if (!instance.indexOf.has(effect.to)) {
        throw new ModelError(`node ${from} sent ${effect.message.type} to unknown node '${effect.to}' (nodes: ${instance.nodes.map((n) => n.id).join(', ')})`, from);
      }
      const e = envelopeOf(effect, from);
      if (setNetwork) {
        const key = envelopeKey(e);
        if ((network ?? world.network).some((x) => envelopeKey(x) === key)) continue;
      }
      (network ??= world.network.slice()).push(e);
    } else {
      const key = objectKey(effect.observation);
      if ((observations ?? world.observations).some((o) => objectKey(o) === key)) continue;
      (observations ??= world.observations.slice()).push(effect.observation);
    }
  }
  if (network === null && observations === null) return world;
  return { ...world, network: network ?? world.network, observations: observations ?? world.observations };
}

function removeFirst(network: readonly Envelope[], e: Envelope): readonly Envelope[] {
  const key = envelopeKey(e);
  let at = 0;
  while (at < network.length && envelopeKey(network[at]!) !== key) at++;
  if (at === network.length) throw new Error(`no message ${key} in flight`);
  const rest = network.slice(0, network.length - 1);
  for (let j = at; j < rest.length; j++) rest[j] = network[j + 1]!;
  return rest;
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
  const observations = world.observations.map(objectKey).sort();
  return `${world.nodes.map(nodeKey).join('|')}#${network.join('|')}#${partitionKey(world.partition)}#${objectKey(world.used)}#${observations.join('|')}`;
}

const partitionKeys = new WeakMap<object, string>();
/** The canonical text of a partition (group order and order within groups ignored), or `null`. */
export function partitionKey(partition: World['partition']): string {
  if (partition === null) return 'null';
  let key = partitionKeys.get(partition);
  if (key === undefined) {
    key = canonical(partition.map((g) => [...g].sort().join(',')).sort());
    partitionKeys.set(partition, key);
  }
  return key;
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
/** Role name → context type; any role, any fields, when untyped. */
export type RoleContextMap = Readonly<Record<string, object>>;

/**
 * The context type of node `I`: its role's when the id is the role's name (`'tm'`) or the role's
 * name and a number (`'rm2'`, `'acceptor1'`), the union of every role's otherwise.
 */
export type ContextOfNode<R extends RoleContextMap, I extends string> = I extends keyof R
  ? R[I]
  : { [K in keyof R & string]: I extends `${K}${number}` ? R[K] : never }[keyof R & string] extends infer C
    ? [C] extends [never]
      ? R[keyof R]
      : C
    : never;

/**
 * A world as properties see it (read-only). `R` maps each role to its context type and `O` is the
 * union of the model's observations; `ViewOf<typeof model, O>` fills both in, so `w.role('rm')`
 * and `w.node('tm')` are typed. Untyped (the default), contexts have any fields.
 */
export interface WorldView<R extends RoleContextMap = Readonly<Record<string, Readonly<Record<string, any>>>>, O extends Observation = Observation> {
  readonly nodes: readonly NodeView<R[keyof R]>[];
  readonly network: readonly Envelope[];
  readonly observations: readonly O[];
  readonly params: Instance['params'];
  /** The node with this id. */
  node<I extends string>(id: I): NodeView<ContextOfNode<R, I>>;
  /** The nodes of one role, in cluster order. */
  role<K extends keyof R & string>(role: K): readonly NodeView<R[K]>[];
}

/** Since 0.1.0. The view of a model's worlds, typed by its roles' contexts and (optionally) its observations. */
export type ViewOf<M, O extends Observation = Observation> = WorldView<RoleContexts<M>, O>;

/** The view of node `i` in `state`, built once per node state. */
function nodeViewOf(instance: Instance, i: number, state: NodeState): NodeView {
  const slot = slotOf(instance, i, state);
  if (slot.view === null) {
    const spec = instance.nodes[i]!;
    slot.view = { id: spec.id, role: spec.role, up: state.up, state: state.value, context: state.context };
  }
  return slot.view;
}

/** A world as properties see it; node views are shared between worlds with the same node state. */
class View implements WorldView {
  readonly network: readonly Envelope[];
  readonly observations: readonly Observation[];
  readonly params: Instance['params'];
  /** Role members, filtered once per role on first request. */
  private byRole: Map<string, readonly NodeView[]> | null = null;

  constructor(
    private readonly instance: Instance,
    readonly nodes: readonly NodeView[],
    world: World,
  ) {
    this.network = world.network;
    this.observations = world.observations;
    this.params = instance.params;
  }

  // Untyped here: the interface's signatures give callers the model's types.
  node(id: string): NodeView<any> {
    const i = this.instance.indexOf.get(id);
    if (i === undefined) throw new Error(`no node '${id}'`);
    return this.nodes[i]!;
  }

  role(role: string): readonly NodeView<any>[] {
    this.byRole ??= new Map();
    let members = this.byRole.get(role);
    if (members === undefined) {
      members = this.nodes.filter((n) => n.role === role);
      this.byRole.set(role, members);
    }
    return members.slice(); // a fresh array, as before: callers may sort it
  }
}

/** The view of `world`, built afresh (callers that hold on to it, like random runs, skip `viewOf`'s memo). */
export function buildView(instance: Instance, world: World): WorldView {
  const nodes: NodeView[] = new Array(world.nodes.length);
  for (let i = 0; i < nodes.length; i++) nodes[i] = nodeViewOf(instance, i, world.nodes[i]!);
  return new View(instance, nodes, world);
}

const views = new WeakMap<World, WorldView>();
export function viewOf(instance: Instance, world: World): WorldView {
  let view = views.get(world);
  if (view === undefined) {
    view = buildView(instance, world);
    views.set(world, view);
  }
  return view;
}
