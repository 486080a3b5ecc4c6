/**
 * The world: every node's state, the messages in flight, the fault state and the observation
 * set (ghost state for history properties), with the canonical keys that identify a world and
 * the small helpers both readings of a step share.
 *
 * What an action does to a world is defined in semantics.ts (the reference a reader starts
 * from); packed.ts is the path everything runs, proven equal to it. This module holds no step
 * logic of its own.
 */
import type { Action } from './actions.js';
import { canonical } from './canonical.js';
import type { Instance } from './instance.js';
import type { Effect, Message, Observation } from './model.js';
import { nodeKey, objectKey, type NodeState } from './node-step.js';

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
 * What is memoised about an envelope: its canonical key and its fingerprint. Kept as a
 * hidden, non-enumerable property of the envelope (invisible to JSON, keys and deep equality),
 * or in a WeakMap when the envelope is frozen.
 */
export interface EnvelopeMemo {
  readonly key: string;
  hash: { readonly hi: number; readonly lo: number } | null;
}

const ENVELOPE_MEMO = Symbol('protokit.envelope-memo');
const frozenEnvelopes = new WeakMap<Envelope, EnvelopeMemo>();

export function envelopeMemo(e: Envelope): EnvelopeMemo {
  let memo = (e as Envelope & { [ENVELOPE_MEMO]?: EnvelopeMemo })[ENVELOPE_MEMO] ?? frozenEnvelopes.get(e);
  if (memo === undefined) {
    memo = { key: canonical([e.from, e.to, e.message]), hash: null };
    if (Object.isExtensible(e)) Object.defineProperty(e, ENVELOPE_MEMO, { value: memo, enumerable: false });
    else frozenEnvelopes.set(e, memo);
  }
  return memo;
}

export function envelopeKey(e: Envelope): string {
  return envelopeMemo(e).key;
}


/** The envelope a send effect puts on the network, one object per (effect, sender). */
const sentEnvelopes = new WeakMap<Effect, Map<string, Envelope>>();
const SENT_BY = Symbol('protokit.sent-by');
export function envelopeOf(effect: Extract<Effect, { type: 'send' }>, from: string): Envelope {
  // Kept on the effect itself (hidden, as the other memos), in the WeakMap when it is frozen.
  let bySender = (effect as { [SENT_BY]?: Map<string, Envelope> })[SENT_BY] ?? sentEnvelopes.get(effect);
  if (bySender === undefined) {
    bySender = new Map();
    if (Object.isExtensible(effect)) Object.defineProperty(effect, SENT_BY, { value: bySender, enumerable: false });
    else sentEnvelopes.set(effect, bySender);
  }
  let e = bySender.get(from);
  if (e === undefined) {
    e = { from, to: effect.to, message: effect.message };
    bySender.set(from, e);
  }
  return e;
}

/** True when `from` can reach `to` under the partition in force. */
export function linked(world: World, from: string, to: string): boolean {
  if (world.partition === null || from === to) return true;
  return world.partition.some((g) => g.includes(from) && g.includes(to));
}

export function uniqueEnvelopes(network: readonly Envelope[]): Envelope[] {
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
export function twoWaySplits(ids: readonly string[]): string[][][] {
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

export function removeFirst(network: readonly Envelope[], e: Envelope): readonly Envelope[] {
  const key = envelopeKey(e);
  let at = 0;
  while (at < network.length && envelopeKey(network[at]!) !== key) at++;
  if (at === network.length) throw new Error(`no message ${key} in flight`);
  const rest = network.slice(0, network.length - 1);
  for (let j = at; j < rest.length; j++) rest[j] = network[j + 1]!;
  return rest;
}

export function replaceAt<T>(items: readonly T[], i: number, item: T): T[] {
  const copy = items.slice();
  copy[i] = item;
  return copy;
}

export function indexOrThrow(instance: Instance, id: string): number {
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
