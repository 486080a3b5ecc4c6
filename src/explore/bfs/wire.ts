/**
 * Worlds on the wire between threads: one string per world, built from the canonical keys the
 * engine already caches (node states, envelopes), and decoded with interning so that equal
 * node states and messages become shared objects again, as in the main thread.
 */
import { canonical } from '../../engine/canonical.js';
import type { Message, Observation } from '../../engine/model.js';
import { nodeKey, type NodeState } from '../../engine/node-step.js';
import { envelopeKey, type Envelope, type World } from '../../engine/world.js';

// Separators that canonical JSON never contains unescaped.
const ITEM = '\u0001';
const PART = '\u0002';
const INTERN_LIMIT = 200_000;

export function encodeWorld(world: World): string {
  return [
    world.nodes.map(nodeKey).join(ITEM),
    world.network.map(envelopeKey).join(ITEM),
    JSON.stringify(world.partition),
    JSON.stringify(world.used),
    world.observations.map((o) => canonical(o)).join(ITEM),
  ].join(PART);
}

export class WorldDecoder {
  private readonly nodes = new Map<string, NodeState>();
  private readonly envelopes = new Map<string, Envelope>();
  private readonly observations = new Map<string, Observation>();

  decode(text: string): World {
    const [nodes, network, partition, used, observations] = text.split(PART) as [string, string, string, string, string];
    return {
      nodes: nodes.split(ITEM).map((k) => this.node(k)),
      network: network === '' ? [] : network.split(ITEM).map((k) => this.envelope(k)),
      partition: JSON.parse(partition),
      used: JSON.parse(used),
      observations: observations === '' ? [] : observations.split(ITEM).map((k) => this.observation(k)),
    };
  }

  private node(key: string): NodeState {
    let state = this.nodes.get(key);
    if (state === undefined) {
      const [up, value, context] = JSON.parse(key) as [boolean, NodeState['value'], NodeState['context']];
      state = { up, value, context };
      if (this.nodes.size >= INTERN_LIMIT) this.nodes.clear();
      this.nodes.set(key, state);
    }
    return state;
  }

  private envelope(key: string): Envelope {
    let e = this.envelopes.get(key);
    if (e === undefined) {
      const [from, to, message] = JSON.parse(key) as [string, string, Message];
      e = { from, to, message };
      if (this.envelopes.size >= INTERN_LIMIT) this.envelopes.clear();
      this.envelopes.set(key, e);
    }
    return e;
  }

  private observation(key: string): Observation {
    let o = this.observations.get(key);
    if (o === undefined) {
      o = JSON.parse(key) as Observation;
      if (this.observations.size >= INTERN_LIMIT) this.observations.clear();
      this.observations.set(key, o);
    }
    return o;
  }
}
