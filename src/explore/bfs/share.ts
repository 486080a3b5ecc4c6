/**
 * One searcher's share of a parallel search: the worlds it keeps, level after level. For each
 * level it is told which of its last successors became states (its new share), hands over or
 * takes in worlds to even out the shares (wire.ts encodes them), expands its share
 * (expand.ts) and returns what the main thread needs to walk the level: fingerprints,
 * parent indexes, transition counts, violations, witnesses. The same code runs in a worker
 * thread (worker.ts) and in the main thread, which is one of the searchers.
 */
import type { MessagePort } from 'node:worker_threads';
import type { World } from '../../engine/world.js';
import { heapUsed } from './backend.js';
import type { Expander, PackedPart, PartResult } from './expand.js';
import { VisitedSet } from './visited.js';
import { encodeWorld, WorldDecoder } from './wire.js';

/** The main thread's order for one level. */
export interface LevelOrder {
  /** Indexes (in the last part) of the successors that became states, and their numbers. */
  readonly accept: Uint32Array<ArrayBuffer>;
  readonly ids: Uint32Array<ArrayBuffer>;
  /** Hand the last `count` states of the new share to searcher `to`. */
  readonly give: readonly { readonly to: number; readonly count: number }[];
  /** How many hand-overs to wait for before expanding. */
  readonly receive: number;
  readonly expand: boolean;
  /** Witnesses reached in the last level (or so far, with `adopt`). */
  readonly reached: readonly string[];
  /** A new share: the main thread searched the first levels alone while the workers started. */
  readonly adopt: HandOver | null;
}

export interface PartReply {
  readonly kind: 'part';
  /** Numbers of the states of this share, increasing. */
  readonly ids: Uint32Array<ArrayBuffer>;
  readonly result: PartResult;
  readonly heap: number;
}

export interface HandOver {
  readonly ids: Uint32Array<ArrayBuffer>;
  readonly worlds: readonly string[];
}

/** Bound on remembered fingerprints; forgetting only means sending some successors again. */
const SENT_LIMIT = 8_000_000;

export class Share {
  private ids: number[] = [];
  /** The share's worlds as tuples (engine/packed.ts), `width` slots each, aligned with `ids`. */
  private tuples = new Int32Array(0);
  private last: PackedPart | null = null;
  private readonly width: number;
  private sent = new VisitedSet();
  private readonly decoder = new WorldDecoder();
  // Hand-overs from other searchers may come before this one's own order: kept until wanted.
  private readonly handOvers: HandOver[] = [];
  private handOverArrived: (() => void) | null = null;

  /** `peers[k]`: a port to searcher k (null for this one). */
  constructor(
    private readonly expander: Expander,
    private readonly peers: readonly (MessagePort | null)[],
  ) {
    this.width = expander.packed.width;
    for (const port of peers) {
      port?.on('message', (h: HandOver) => {
        this.handOvers.push(h);
        this.handOverArrived?.();
      });
    }
  }

  /** Takes a share of worlds already decoded (the main thread's own). */
  adoptWorlds(ids: readonly number[], worlds: readonly World[]): void {
    this.ids = ids.slice();
    this.tuples = new Int32Array(worlds.length * this.width);
    worlds.forEach((w, k) => this.expander.packed.pack(w, this.tuples, k * this.width));
    this.last = null;
  }

  async run(order: LevelOrder): Promise<PartReply> {
    this.expander.markReached(order.reached);
    if (order.adopt !== null) {
      this.adoptWorlds(Array.from(order.adopt.ids), order.adopt.worlds.map((w) => this.decoder.decode(w)));
    } else if (this.last !== null) {
      const { width } = this;
      const tuples = new Int32Array(order.accept.length * width);
      for (let k = 0; k < order.accept.length; k++) tuples.set(this.last.tuples.subarray(order.accept[k]! * width, (order.accept[k]! + 1) * width), k * width);
      this.ids = Array.from(order.ids);
      this.tuples = tuples;
      this.last = null;
    }
    for (const { to, count } of order.give) {
      const from = this.ids.length - count;
      // Ids mean nothing in another thread: the worlds cross as their canonical text.
      const worlds: string[] = [];
      for (let k = from; k < this.ids.length; k++) worlds.push(encodeWorld(this.expander.packed.unpack(this.tuples, k * this.width)));
      const handOver: HandOver = { ids: Uint32Array.from(this.ids.slice(from)), worlds };
      this.ids.length = from;
      this.tuples = this.tuples.slice(0, from * this.width);
      this.peers[to]!.postMessage(handOver, [handOver.ids.buffer]);
    }
    for (const h of await this.takeHandOvers(order.receive)) this.merge(h);
    // Adds, and tells whether it was there: the first of equal successors is sent, the rest are not.
    const known = (hi: number, lo: number) => {
      if (this.sent.size > SENT_LIMIT) this.sent = new VisitedSet();
      return this.sent.add(hi, lo, -1) < 0;
    };
    this.last = this.expander.expandPacked(this.tuples, this.ids.length, order.expand, known);
    const { tuples: _kept, ...result } = this.last;
    return { kind: 'part', ids: Uint32Array.from(this.ids), result, heap: heapUsed() };
  }

  private async takeHandOvers(count: number): Promise<HandOver[]> {
    while (this.handOvers.length < count) await new Promise<void>((resolve) => (this.handOverArrived = resolve));
    this.handOverArrived = null;
    return this.handOvers.splice(0, count);
  }

  /** Adds handed-over states to the share, in state-number order. */
  private merge(h: HandOver): void {
    const { width } = this;
    const { packed } = this.expander;
    const ids: number[] = [];
    const tuples = new Int32Array((this.ids.length + h.ids.length) * width);
    let a = 0;
    let b = 0;
    while (a < this.ids.length || b < h.ids.length) {
      const at = ids.length * width;
      if (b >= h.ids.length || (a < this.ids.length && this.ids[a]! < h.ids[b]!)) {
        ids.push(this.ids[a]!);
        tuples.set(this.tuples.subarray(a * width, (a + 1) * width), at);
        a++;
      } else {
        ids.push(h.ids[b]!);
        packed.pack(this.decoder.decode(h.worlds[b++]!), tuples, at);
      }
    }
    this.ids = ids;
    this.tuples = tuples;
  }
}

/** The buffers of a reply that can move to another thread instead of being copied. */
export function transferablesOf(reply: PartReply): ArrayBuffer[] {
  const { result } = reply;
  return [reply.ids.buffer, result.generated.buffer, result.parents.buffer, result.hi.buffer, result.lo.buffer];
}
