/**
 * The fingerprint of a successor without building it. Most transitions of a breadth-first
 * search lead to states already visited (5 in 6 on TwoPhase); for a delivery or an environment
 * event, the successor differs from its parent in one node and in the messages and
 * observations that node's step adds (or, on an unordered network, the message it consumes),
 * so its fingerprint follows from the parent's parts and the memoised node step. The world is
 * built only when the fingerprint is new.
 *
 * This mirrors `step` (src/engine/fast-step.ts) and `worldFingerprint` (fingerprint.ts) for those two actions;
 * src/explore/bfs/successor.test.ts checks it equal to `worldFingerprint(step(world, action))` on
 * every model. Other actions, FIFO networks and symmetry take the ordinary path.
 */
import type { Action } from '../../engine/actions.js';
import type { Instance } from '../../engine/instance.js';
import type { Observation } from '../../engine/model.js';
import { objectKey } from '../../engine/node-step.js';
import { envelopeKey, envelopeOf, type Envelope, type World } from '../../engine/world.js';
import { avalanche, hashOfEnvelope, hashOfNode, hashOfObject, hashOfPartition, round1, round2, type Fingerprint } from '../../engine/fingerprint.js';

/** A parent world's fingerprint parts: node hashes in order, sums of message and observation hashes. */
export class ParentParts {
  readonly nodeHi: number[];
  readonly nodeLo: number[];
  net1 = 0;
  net2 = 0;
  obs1 = 0;
  obs2 = 0;

  constructor(instance: Instance, readonly world: World) {
    const n = world.nodes.length;
    this.nodeHi = new Array(n);
    this.nodeLo = new Array(n);
    for (let i = 0; i < n; i++) {
      const h = hashOfNode(instance, i, world.nodes[i]!);
      this.nodeHi[i] = h.hi;
      this.nodeLo[i] = h.lo;
    }
    for (const e of world.network) {
      const h = hashOfEnvelope(e);
      this.net1 = (this.net1 + h.hi) | 0;
      this.net2 = (this.net2 + h.lo) | 0;
    }
    for (const o of world.observations) {
      const h = hashOfObject(o);
      this.obs1 = (this.obs1 + h.hi) | 0;
      this.obs2 = (this.obs2 + h.lo) | 0;
    }
  }
}

/** True when successors of this instance's worlds can be fingerprinted here. */
export function successorsSupported(instance: Instance): boolean {
  return instance.faults.network !== 'fifo';
}

/**
 * The fingerprint of `step(instance, parent.world, action)`, or null when this module does not
 * derive it (an action other than a delivery or an environment event, or an unknown node).
 */
export function successorFingerprint(instance: Instance, parent: ParentParts, action: Action): Fingerprint | null {
  const { world } = parent;
  let i: number | undefined;
  let removed: Envelope | null = null;
  let result;
  if (action.type === 'deliver') {
    i = instance.indexOf.get(action.to);
    if (i === undefined) return null;
    if (instance.faults.network !== 'set') {
      // `step` removes the first in-flight message with the delivered one's key.
      const key = envelopeKey(action);
      removed = world.network.find((e) => envelopeKey(e) === key) ?? null;
      if (removed === null) return null;
    }
    result = instance.roleOf[i]!.stepper.stepMessage(world.nodes[i]!, action.from, action.message);
  } else if (action.type === 'env') {
    i = instance.indexOf.get(action.node);
    if (i === undefined) return null;
    result = instance.roleOf[i]!.stepper.step(world.nodes[i]!, action.event);
  } else {
    return null;
  }

  let net1 = parent.net1;
  let net2 = parent.net2;
  let netCount = world.network.length;
  if (removed !== null) {
    const h = hashOfEnvelope(removed);
    net1 = (net1 - h.hi) | 0;
    net2 = (net2 - h.lo) | 0;
    netCount--;
  }
  let obs1 = parent.obs1;
  let obs2 = parent.obs2;
  let obsCount = world.observations.length;
  let node: Fingerprint | null = null;
  if (result.changed) {
    if (result.state !== world.nodes[i]) node = hashOfNode(instance, i, result.state);
    // As applyEffects: on a `set` network a message already in flight is not added again, and an
    // observation already made is never added again.
    const from = instance.nodes[i]!.id;
    const setNetwork = instance.faults.network === 'set';
    let sent: string[] | null = null;
    let observed: string[] | null = null;
    for (const effect of result.effects) {
      if (effect.type === 'send') {
        if (!instance.indexOf.has(effect.to)) return null; // `step` throws: let it
        const e = envelopeOf(effect, from);
        if (setNetwork) {
          const key = envelopeKey(e);
          if ((sent !== null && sent.includes(key)) || inFlight(world.network, key)) continue;
          (sent ??= []).push(key);
        }
        const h = hashOfEnvelope(e);
        net1 = (net1 + h.hi) | 0;
        net2 = (net2 + h.lo) | 0;
        netCount++;
      } else {
        const key = objectKey(effect.observation);
        if ((observed !== null && observed.includes(key)) || alreadyObserved(world.observations, key)) continue;
        (observed ??= []).push(key);
        const h = hashOfObject(effect.observation);
        obs1 = (obs1 + h.hi) | 0;
        obs2 = (obs2 + h.lo) | 0;
        obsCount++;
      }
    }
  }

  // As worldFingerprint, with node i's hash replaced.
  let h1 = 0x6a09e667 | 0;
  let h2 = 0xbb67ae85 | 0;
  for (let j = 0; j < parent.nodeHi.length; j++) {
    h1 = round1(h1, j === i && node !== null ? node.hi : parent.nodeHi[j]!);
    h2 = round2(h2, j === i && node !== null ? node.lo : parent.nodeLo[j]!);
  }
  h1 = round1(round1(h1, net1), netCount);
  h2 = round2(round2(h2, net2), netCount);
  h1 = round1(round1(h1, obs1), obsCount);
  h2 = round2(round2(h2, obs2), obsCount);
  const { loss, duplicate, crash, partition } = world.used;
  h1 = round1(round1(round1(round1(h1, loss), duplicate), crash), partition);
  h2 = round2(round2(round2(round2(h2, loss), duplicate), crash), partition);
  if (world.partition !== null) {
    const p = hashOfPartition(world.partition);
    h1 = round1(h1, p.hi);
    h2 = round2(h2, p.lo);
  }
  return { hi: avalanche(h1), lo: avalanche(h2 ^ h1) };
}

function inFlight(network: readonly Envelope[], key: string): boolean {
  for (const e of network) if (envelopeKey(e) === key) return true;
  return false;
}

function alreadyObserved(observations: readonly Observation[], key: string): boolean {
  for (const o of observations) if (objectKey(o) === key) return true;
  return false;
}
