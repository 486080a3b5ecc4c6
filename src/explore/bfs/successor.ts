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
import { objectKey, type NodeStepResult } from '../../engine/node-step.js';
import { envelopeGeneration, envelopeOf, inMarked, isLastMark, markNetwork, markOf, receiverIndex, sharedEnvelope, type Envelope, type World } from '../../engine/world.js';
import { avalanche, hashOfEnvelope, hashOfNode, hashOfObject, hashOfPartition, round1, round2, type Fingerprint } from '../../engine/fingerprint.js';

/**
 * A parent world's fingerprint parts: node hashes in order, sums of message and observation
 * hashes; and the two lanes' running hashes after the first j nodes (`prefix1[j]`,
 * `prefix2[j]`), so a successor that changes node i mixes in only nodes i.. again. One object
 * serves a whole search: `reset` moves it to the next world, reusing its arrays.
 */
export class ParentParts {
  readonly nodeHi: number[] = [];
  readonly nodeLo: number[] = [];
  readonly prefix1: number[] = [];
  readonly prefix2: number[] = [];
  world!: World;
  net1 = 0;
  net2 = 0;
  obs1 = 0;
  obs2 = 0;
  /** The world's network marked (markOf), for whether a message sent is in flight already. */
  mark = 0;

  constructor(
    private readonly instance: Instance,
    world: World,
  ) {
    this.reset(world);
  }

  /** The parts of `world` (in place). */
  reset(world: World): this {
    const { instance } = this;
    this.world = world;
    const n = world.nodes.length;
    let h1 = 0x6a09e667 | 0;
    let h2 = 0xbb67ae85 | 0;
    for (let i = 0; i < n; i++) {
      const h = hashOfNode(instance, i, world.nodes[i]!);
      this.nodeHi[i] = h.hi;
      this.nodeLo[i] = h.lo;
      this.prefix1[i] = h1;
      this.prefix2[i] = h2;
      h1 = round1(h1, h.hi);
      h2 = round2(h2, h.lo);
    }
    this.prefix1[n] = h1;
    this.prefix2[n] = h2;
    // Setting an array's length is slow: only when the world has another node count (never, within one instance).
    if (this.nodeHi.length !== n) {
      this.nodeHi.length = this.nodeLo.length = n;
      this.prefix1.length = this.prefix2.length = n + 1;
    }
    // The listing of this world's actions has usually just marked its network: that mark serves.
    this.mark = markOf(world.network);
    let net1 = 0;
    let net2 = 0;
    for (const e of world.network) {
      const h = hashOfEnvelope(e);
      net1 = (net1 + h.hi) | 0;
      net2 = (net2 + h.lo) | 0;
    }
    this.net1 = net1;
    this.net2 = net2;
    let obs1 = 0;
    let obs2 = 0;
    for (const o of world.observations) {
      const h = hashOfObject(o);
      obs1 = (obs1 + h.hi) | 0;
      obs2 = (obs2 + h.lo) | 0;
    }
    this.obs1 = obs1;
    this.obs2 = obs2;
    return this;
  }
}

/** True when successors of this instance's worlds can be fingerprinted here. */
export function successorsSupported(instance: Instance): boolean {
  return instance.faults.network !== 'fifo';
}

/**
 * The fingerprint of `step(instance, parent.world, action)`, or null when this module does not
 * derive it (an action other than a delivery or an environment event, or an unknown node).
 * `known` is the node's step on the action when the caller has it already (the listing's,
 * `listedSteps` in fast-step.ts): the same memoised result `step` would take.
 */
export function successorFingerprint(instance: Instance, parent: ParentParts, action: Action, known: NodeStepResult | null = null): Fingerprint | null {
  const { world } = parent;
  let i: number | undefined;
  let removes = false;
  let result;
  // Another world's network may have been marked since this one's (a successor built by `step`).
  if (!inMarkedFresh(parent)) parent.mark = markNetwork(world.network);
  if (action.type === 'deliver') {
    i = receiverIndex(instance, action);
    if (i === undefined) return null;
    if (instance.faults.network !== 'set') {
      // `step` removes the first in-flight message with the delivered one's key (the same key, the same hash).
      if (!inMarked(world.network, action, parent.mark)) return null;
      removes = true;
    }
    result = known ?? instance.roleOf[i]!.stepper.stepMessage(world.nodes[i]!, action.from, action.message);
  } else if (action.type === 'env') {
    i = instance.indexOf.get(action.node);
    if (i === undefined) return null;
    result = known ?? instance.roleOf[i]!.stepper.step(world.nodes[i]!, action.event);
  } else {
    return null;
  }

  let net1 = parent.net1;
  let net2 = parent.net2;
  let netCount = world.network.length;
  if (removes) {
    const h = hashOfEnvelope(action as Envelope);
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
    // Keys sent in this step are marked with this call's number (a second send of one is not added).
    const call = ++calls;
    const generation = envelopeGeneration();
    let observed: string[] | null = null;
    for (const effect of result.effects) {
      if (effect.type === 'send') {
        if (!instance.indexOf.has(effect.to)) return null; // `step` throws: let it
        const e = envelopeOf(effect, from);
        if (setNetwork) {
          const shared = sharedEnvelope(e);
          if (shared.sent === call || inMarked(world.network, e, parent.mark)) continue;
          shared.sent = call;
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
    // A new generation of envelope records began in this step: the sent marks may have missed a repeat.
    if (generation !== envelopeGeneration()) return null;
  }

  // As worldFingerprint, with node i's hash replaced: the nodes before it as in the parent.
  const n = parent.nodeHi.length;
  let h1: number;
  let h2: number;
  if (node === null) {
    h1 = parent.prefix1[n]!;
    h2 = parent.prefix2[n]!;
  } else {
    h1 = round1(parent.prefix1[i]!, node.hi);
    h2 = round2(parent.prefix2[i]!, node.lo);
    for (let j = i + 1; j < n; j++) {
      h1 = round1(h1, parent.nodeHi[j]!);
      h2 = round2(h2, parent.nodeLo[j]!);
    }
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

let calls = 0;

/** Whether the parent's mark is still the last one taken (`inMarked` would otherwise compare keys). */
function inMarkedFresh(parent: ParentParts): boolean {
  return isLastMark(parent.mark);
}

function alreadyObserved(observations: readonly Observation[], key: string): boolean {
  for (const o of observations) if (objectKey(o) === key) return true;
  return false;
}
