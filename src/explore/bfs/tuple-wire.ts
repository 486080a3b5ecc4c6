/**
 * Worlds between threads as tuples (engine/packed.ts), not text. Each thread interns on its own,
 * so an id means nothing to a peer until the peer has been told what it stands for: a sender
 * keeps, per peer, which of its ids it has defined there, and puts in a batch the canonical
 * form of each id not yet sent (a node state's key, an envelope's key, a network as its
 * envelope ids, ...); the tuples themselves cross as they are, in the sender's ids. The
 * receiver keeps, per peer, a table from the peer's ids to its own, fills it from the
 * definitions, and rewrites the tuples slot by slot.
 *
 * Definitions come in dependency order within a batch (envelopes before the networks holding
 * them, observations before the sets), and batches from one peer must be decoded in the order
 * they were encoded: a later batch only names what an earlier one defined.
 */
import type { Packed } from '../../engine/packed.js';

/** A run of tuples in the sender's ids, with the definitions the receiver has not had yet. Structured-cloneable. */
export interface TupleBatch {
  readonly count: number;
  readonly tuples: Int32Array<ArrayBuffer>;
  /** Node states: sender id, a node index of its role, canonical key (flattened triples). */
  readonly nodes: readonly (number | string)[];
  /** Envelopes and observations: sender id, canonical key (flattened pairs). */
  readonly envelopes: readonly (number | string)[];
  readonly observations: readonly (number | string)[];
  /** Networks and observation sets: sender id, length, then that many sender ids of envelopes (observations). */
  readonly networks: Int32Array<ArrayBuffer>;
  readonly observationSets: Int32Array<ArrayBuffer>;
  /** Fault states: sender id and the five fields (packed.ts's faultFields), six numbers each. */
  readonly faults: Int32Array<ArrayBuffer>;
}

/** The buffers of a batch that can move to the receiving thread instead of being copied. */
export function batchTransferables(batch: TupleBatch): ArrayBuffer[] {
  return [batch.tuples.buffer, batch.networks.buffer, batch.observationSets.buffer, batch.faults.buffer];
}

/** A growable set of small non-negative integers (ids already defined to a peer). */
class IdSet {
  private bits = new Uint8Array(1024);

  /** Adds `id`; true when it was not there. */
  add(id: number): boolean {
    if (id >= this.bits.length) {
      let n = this.bits.length * 2;
      while (n <= id) n *= 2;
      const bigger = new Uint8Array(n);
      bigger.set(this.bits);
      this.bits = bigger;
    }
    if (this.bits[id] === 1) return false;
    this.bits[id] = 1;
    return true;
  }
}

/** A growable map from a peer's ids to this thread's (−1: not defined). */
class IdMap {
  private to = new Int32Array(1024).fill(-1);

  set(peer: number, local: number): void {
    if (peer >= this.to.length) {
      let n = this.to.length * 2;
      while (n <= peer) n *= 2;
      const bigger = new Int32Array(n).fill(-1);
      bigger.set(this.to);
      this.to = bigger;
    }
    this.to[peer] = local;
  }

  get(peer: number, what: string): number {
    const local = peer < this.to.length ? this.to[peer]! : -1;
    if (local < 0) throw new Error(`internal: a peer's ${what} ${peer} arrived before its definition`);
    return local;
  }
}

/** Growable Int32 list. */
class Ints {
  items = new Int32Array(256);
  length = 0;

  push(x: number): void {
    if (this.length === this.items.length) {
      const bigger = new Int32Array(this.length * 2);
      bigger.set(this.items);
      this.items = bigger;
    }
    this.items[this.length++] = x;
  }

  take(): Int32Array<ArrayBuffer> {
    return this.items.slice(0, this.length);
  }
}

/** What one thread has defined to one peer; encodes batches for it. */
export class TupleSender {
  private readonly nodes = new IdSet();
  private readonly envelopes = new IdSet();
  private readonly observations = new IdSet();
  private readonly networks = new IdSet();
  private readonly observationSets = new IdSet();
  private readonly faults = new IdSet();

  constructor(private readonly packed: Packed) {}

  /** A batch of the `count` tuples of `tuples` from `from` (a tuple index). */
  encode(tuples: Int32Array, from: number, count: number): TupleBatch {
    const { packed } = this;
    const { n, width } = packed;
    const nodes: (number | string)[] = [];
    const envelopes: (number | string)[] = [];
    const observations: (number | string)[] = [];
    const networks = new Ints();
    const observationSets = new Ints();
    const faults = new Ints();
    const out = tuples.slice(from * width, (from + count) * width);
    for (let at = 0; at < out.length; at += width) {
      for (let i = 0; i < n; i++) {
        const id = out[at + i]!;
        if (this.nodes.add(id)) nodes.push(id, i, packed.nodeKeyOf(id));
      }
      const network = out[at + n]!;
      if (this.networks.add(network)) {
        const items = packed.networkItems(network);
        networks.push(network);
        networks.push(items.length);
        for (let k = 0; k < items.length; k++) {
          const e = items[k]!;
          if (this.envelopes.add(e)) envelopes.push(e, packed.envelopeKeyOf(e));
          networks.push(e);
        }
      }
      const set = out[at + n + 1]!;
      if (this.observationSets.add(set)) {
        const items = packed.observationSetItems(set);
        observationSets.push(set);
        observationSets.push(items.length);
        for (let k = 0; k < items.length; k++) {
          const o = items[k]!;
          if (this.observations.add(o)) observations.push(o, packed.observationKeyOf(o));
          observationSets.push(o);
        }
      }
      const fault = out[at + n + 2]!;
      if (this.faults.add(fault)) {
        faults.push(fault);
        for (const x of packed.faultFields(fault)) faults.push(x);
      }
    }
    return { count, tuples: out, nodes, envelopes, observations, networks: networks.take(), observationSets: observationSets.take(), faults: faults.take() };
  }
}

/** What one peer has defined to this thread; decodes its batches, in the order they were encoded. */
export class TupleReceiver {
  private readonly nodes = new IdMap();
  private readonly envelopes = new IdMap();
  private readonly observations = new IdMap();
  private readonly networks = new IdMap();
  private readonly observationSets = new IdMap();
  private readonly faults = new IdMap();
  private scratch = new Int32Array(64);

  constructor(private readonly packed: Packed) {}

  /** Writes the batch's tuples, in this thread's ids, at `out[at..]`. */
  decode(batch: TupleBatch, out: Int32Array, at: number): void {
    const { packed } = this;
    const { n, width } = packed;
    for (let k = 0; k < batch.envelopes.length; k += 2) this.envelopes.set(batch.envelopes[k] as number, packed.envelopeIdOfKey(batch.envelopes[k + 1] as string));
    for (let k = 0; k < batch.observations.length; k += 2) this.observations.set(batch.observations[k] as number, packed.observationIdOfKey(batch.observations[k + 1] as string));
    for (let k = 0; k < batch.nodes.length; k += 3) this.nodes.set(batch.nodes[k] as number, packed.nodeIdOfKey(batch.nodes[k + 1] as number, batch.nodes[k + 2] as string));
    this.sequences(batch.networks, this.networks, this.envelopes, 'envelope', (items, length) => packed.networkIdOf(items, length));
    this.sequences(batch.observationSets, this.observationSets, this.observations, 'observation', (items, length) => packed.observationSetIdOf(items, length));
    const f = batch.faults;
    for (let k = 0; k < f.length; k += 6) this.faults.set(f[k]!, packed.faultIdOf(f[k + 1]!, f[k + 2]!, f[k + 3]!, f[k + 4]!, f[k + 5]!));
    const t = batch.tuples;
    for (let s = 0; s < batch.count * width; s += width) {
      const to = at + s;
      for (let i = 0; i < n; i++) out[to + i] = this.nodes.get(t[s + i]!, 'node state');
      out[to + n] = this.networks.get(t[s + n]!, 'network');
      out[to + n + 1] = this.observationSets.get(t[s + n + 1]!, 'observation set');
      out[to + n + 2] = this.faults.get(t[s + n + 2]!, 'fault state');
    }
  }

  /** Defines interned sequences (id, length, items...) whose items are ids of `items`. */
  private sequences(data: Int32Array, into: IdMap, items: IdMap, what: string, intern: (items: Int32Array, length: number) => number): void {
    for (let k = 0; k < data.length; ) {
      const id = data[k++]!;
      const length = data[k++]!;
      if (this.scratch.length < length) this.scratch = new Int32Array(length * 2);
      for (let j = 0; j < length; j++) this.scratch[j] = items.get(data[k++]!, what);
      into.set(id, intern(this.scratch, length));
    }
  }
}
