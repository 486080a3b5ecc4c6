/**
 * The fast path of the transition system: the same `enabledActions`, `step` and `initialWorld`
 * as semantics.ts, with the caches that make them cheap — action objects built once per
 * envelope and per instance, each node state's environment events and crash/restart results
 * kept in its memo, worlds copied only where they change. Nothing cached changes a result:
 * src/engine/semantics.test.ts compares this module with the reference on random walks of every
 * model and mutant, under every network semantics.
 */
import type { Action } from './actions.js';
import { canonical } from './canonical.js';
import type { Instance } from './instance.js';
import type { Effect, Observation } from './model.js';
import { messageEventKey, objectKey, type NodeState, type NodeStepResult } from './node-step.js';
import { slotOf, type EnvAction, type EnvironmentActions } from './node-slots.js';
import { nodeViewOf } from './view.js';
import { ModelError, thrownMessage } from './errors.js';
import { envelopeKey, envelopeMemo, envelopeOf, inMarked, indexOrThrow, linked, markAlso, markNetwork, receiverIndex, removeFirst, replaceAt, sameNodeState, sharedEnvelope, twoWaySplits, uniqueEnvelopes, type Envelope, type EnvelopeActions, type World } from './world.js';

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

/** The transition-table key of the message of `e` from its sender, kept in the envelope's memo. */
function eventKeyOf(e: Envelope): string {
  const memo = envelopeMemo(e);
  return (memo.eventKey ??= messageEventKey(e.message, e.from));
}

/** What `listActions` is running, for the message when the model's code throws there. */
const listing = { node: -1, environment: false, event: '' };

function describeNode(instance: Instance, i: number): string {
  const spec = instance.nodes[i];
  return spec ? `${spec.id} (role ${spec.role})` : '?';
}

/** Runs node `i`'s machine (`doing` something): what it throws becomes a ModelError naming the node. */
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
  // Distinct messages (for drops and duplicates): a `set` network has neither, and no copies to skip.
  const distinct: Envelope[] | null = setNetwork ? null : [];
  const seen = setNetwork ? null : new KeySet(world.network.length);
  const fifoHeadSeen = faults.network === 'fifo' ? new Set<string>() : null;
  // On a `set` network a step changes the world only by a message not yet in it: mark them once.
  const mark = setNetwork ? markNetwork(world.network) : 0;
  const cache = hot(instance);
  for (const e of world.network) {
    // The envelope's memo, read once: its key, receiver, event key and actions are kept there.
    const memo = envelopeMemo(e);
    const key = memo.key;
    if (fifoHeadSeen !== null) {
      const link = canonical([e.from, e.to]);
      if (fifoHeadSeen.has(link)) continue;
      fifoHeadSeen.add(link);
    }
    // A `set` network holds each message once (applyEffects never adds a copy): nothing to skip.
    if (seen !== null && !seen.add(key)) continue;
    distinct?.push(e);
    const receiver = memo.receiverOf === instance ? memo.receiver : receiverIndex(instance, e)!;
    if (!world.nodes[receiver]!.up || !linked(world, e.from, e.to)) continue;
    listing.node = receiver;
    listing.environment = false;
    listing.event = e.message.type;
    if (setNetwork) {
      const result = instance.roleOf[receiver]!.stepper.stepMessageKeyed(world.nodes[receiver]!, (memo.eventKey ??= messageEventKey(e.message, e.from)), e.from, e.message);
      if (!changesWorld(instance, world, receiver, result, mark)) continue;
    }
    actions.push((memo.actions ?? actionsOfEnvelope(e)).deliver);
  }

  for (let i = 0; i < instance.nodes.length; i++) {
    const state = world.nodes[i]!;
    if (!state.up) continue;
    listing.node = i;
    listing.environment = true;
    const env = environmentActions(instance, cache, world, i);
    listing.environment = false;
    if (!setNetwork && env.changing !== null) {
      for (let k = 0; k < env.changing.length; k++) actions.push(env.changing[k]!);
      continue;
    }
    const stepper = instance.roleOf[i]!.stepper;
    for (let k = 0; k < env.all.length; k++) {
      const action = env.all[k]!;
      listing.event = action.event.type;
      // Cached with the node state when the environment function does not read the inbox.
      const result = env.allResults?.[k] ?? stepper.step(state, action.event);
      if (setNetwork ? changesWorld(instance, world, i, result, mark) : result.changed) {
        actions.push(action);
      }
    }
  }

  if (!setNetwork) {
    // With fifo semantics only link heads are in `distinct`; loss and duplication apply to any message.
    const faulty = faults.network === 'fifo' ? uniqueEnvelopes(world.network) : distinct!;
    if (world.used.loss < faults.loss) {
      for (const e of faulty) actions.push(actionsOfEnvelope(e).drop);
    }
    if (world.used.duplicate < faults.duplicate) {
      for (const e of faulty) actions.push(actionsOfEnvelope(e).duplicate);
    }
  }
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

/** Inboxes remembered per node state for roles whose environment function reads the inbox. */
const INBOXES_PER_STATE = 256;

/**
 * The environment events node `i` may receive now, as actions (not yet filtered by whether
 * they change anything). A role's environment function is pure, so when a call does not read
 * the inbox its answer depends on the node state alone and is kept for that state; when it
 * does, its answer depends on the node state and the inbox (the messages to the node, in
 * network order), and is kept for that state by the inbox's keys, in order.
 */
function environmentActions(instance: Instance, cache: HotCache, world: World, i: number): EnvironmentActions {
  const state = world.nodes[i]!;
  const slot = slotOf(instance, i, state);
  if (slot.env !== null) return slot.env;
  const id = instance.nodes[i]!.id;
  const inbox = world.network.filter((e) => e.to === id);
  let inboxKey: string | null = null;
  if (cache.readsInbox[i]) {
    inboxKey = '';
    for (const e of inbox) inboxKey += `${sharedEnvelope(e).id},`;
    const known = slot.envByInbox?.get(inboxKey);
    if (known !== undefined) return known;
  }
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
  if (cache.readsInbox[i]) {
    const answer: EnvironmentActions = { all, changing: null, allResults: null, changingResults: null };
    // Kept from the second call on (the first, through the proxy, found that the inbox is read).
    if (inboxKey !== null) {
      if (slot.envByInbox === null || slot.envByInbox.size >= INBOXES_PER_STATE) slot.envByInbox = new Map();
      slot.envByInbox.set(inboxKey, answer);
    }
    return answer;
  }
  const stepper = instance.roleOf[i]!.stepper;
  listing.environment = false;
  const allResults = all.map((action) => ((listing.event = action.event.type), stepper.step(state, action.event)));
  const changing: EnvAction[] = [];
  const changingResults: NodeStepResult[] = [];
  for (let k = 0; k < all.length; k++) {
    if (!allResults[k]!.changed) continue;
    changing.push(all[k]!);
    changingResults.push(allResults[k]!);
  }
  slot.env = { all, changing, allResults, changingResults };
  return slot.env;
}

/**
 * With `set` semantics a step that only re-sends messages already in the set changes nothing;
 * such steps are left out of the enabled actions (they would be stuttering steps).
 */
function changesWorld(instance: Instance, world: World, i: number, result: NodeStepResult, mark: number): boolean {
  if (!result.changed) return false;
  if (!sameNodeState(result.state, world.nodes[i]!)) return true;
  const from = instance.nodes[i]!.id;
  for (const effect of result.effects) {
    if (effect.type === 'send') {
      // `mark` is the listing's mark of world.network (markNetwork).
      if (!inMarked(world.network, envelopeOf(effect, from), mark)) return true;
      continue;
    }
    const key = objectKey(effect.observation);
    if (!world.observations.some((o) => objectKey(o) === key)) return true;
  }
  return false;
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
      return applyStep(instance, next, i, instance.roleOf[i]!.stepper.stepMessageKeyed(next.nodes[i]!, eventKeyOf(action), action.from, action.message));
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
  // A `set` network holds each key once: its keys are marked (markNetwork), and so is each key added.
  let mark = -1;
  for (const effect of effects) {
    if (effect.type === 'send') {
      if (!instance.indexOf.has(effect.to)) {
        throw new ModelError(`node ${from} sent ${effect.message.type} to unknown node '${effect.to}' (nodes: ${instance.nodes.map((n) => n.id).join(', ')})`, from);
      }
      const e = envelopeOf(effect, from);
      if (setNetwork) {
        if (mark < 0) mark = markNetwork(world.network);
        if (inMarked(network ?? world.network, e, mark)) continue;
        markAlso(e, mark);
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

