/**
 * One searcher's share of a parallel search: the worlds it keeps, level after level. For each
 * level it is told which of its last successors became states (its new share), hands over or
 * takes in worlds to even out the shares (as tuples: tuple-wire.ts), expands its share
 * (expand.ts) and returns what the main thread needs to walk the level: fingerprints,
 * parent indexes, transition counts, violations, witnesses. The same code runs in a worker
 * thread (worker.ts) and in the main thread, which is one of the searchers.
 */
import type { MessagePort } from 'node:worker_threads';
import { heapUsed } from './backend.js';
import type { Expander, PackedPart, PartResult } from './expand.js';
import { VisitedSet } from './visited.js';
import { batchTransferables, TupleReceiver, TupleSender, type TupleBatch } from './tuple-wire.js';

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
  /** The searcher that sent it (its ids are the batch's). */
  readonly from: number;
  readonly ids: Uint32Array<ArrayBuffer>;
  readonly batch: TupleBatch;
}

/** Bound on remembered fingerprints; forgetting only means sending some successors again. */
const SENT_LIMIT = 8_000_000;

export class Share {
  private ids = new Uint32Array(0);
  /** The share's worlds as tuples (engine/packed.ts), `width` slots each, aligned with `ids`. */
  private tuples = new Int32Array(0);
  private last: PackedPart | null = null;
  private readonly width: number;
  private sent = new VisitedSet();
  /** Per peer: what this searcher has defined there, and what the peer has defined here. */
  private readonly senders: (TupleSender | null)[];
  private readonly receivers: (TupleReceiver | null)[];
  // Hand-overs from other searchers may come before this one's own order: kept until wanted.
  private readonly handOvers: HandOver[] = [];
  private handOverArrived: (() => void) | null = null;

  /** `peers[k]`: a port to searcher k (null for this one, `self`). */
  constructor(
    private readonly expander: Expander,
    private readonly peers: readonly (MessagePort | null)[],
    private readonly self: number,
  ) {
    this.width = expander.packed.width;
    this.senders = peers.map((p, k) => (p === null && k === this.self ? null : new TupleSender(expander.packed)));
    this.receivers = peers.map((p, k) => (p === null && k === this.self ? null : new TupleReceiver(expander.packed)));
    for (const port of peers) {
      port?.on('message', (h: HandOver) => {
        this.handOvers.push(h);
        this.handOverArrived?.();
      });
    }
  }

  /** Takes a share of tuples in this thread's ids (the main thread's own). */
  adoptTuples(ids: Uint32Array, tuples: Int32Array): void {
    this.ids = ids.slice();
    this.tuples = tuples.slice(0, ids.length * this.width);
    this.last = null;
  }

  /** Tuples `from..from + count` of `tuples` (this thread's ids) as searcher `to` will read them. */
  handOver(to: number, ids: Uint32Array, tuples: Int32Array, from: number, count: number): HandOver {
    return { from: this.self, ids: ids.slice(from, from + count), batch: this.senders[to]!.encode(tuples, from, count) };
  }

  async run(order: LevelOrder): Promise<PartReply> {
    this.expander.markReached(order.reached);
    if (order.adopt !== null) {
      const h = order.adopt;
      const tuples = new Int32Array(h.ids.length * this.width);
      this.receivers[h.from]!.decode(h.batch, tuples, 0);
      this.adoptTuples(h.ids, tuples);
    } else if (this.last !== null) {
      const { width } = this;
      const tuples = new Int32Array(order.accept.length * width);
      const last = this.last.tuples;
      for (let k = 0; k < order.accept.length; k++) {
        const from = order.accept[k]! * width;
        const to = k * width;
        for (let j = 0; j < width; j++) tuples[to + j] = last[from + j]!;
      }
      this.ids = order.ids;
      this.tuples = tuples;
      this.last = null;
    }
    for (const { to, count } of order.give) {
      // Ids mean nothing in another thread: the tuples cross with the definitions the peer lacks.
      const from = this.ids.length - count;
      const handOver = this.handOver(to, this.ids, this.tuples, from, count);
      this.ids = this.ids.slice(0, from);
      this.tuples = this.tuples.slice(0, from * this.width);
      this.peers[to]!.postMessage(handOver, [handOver.ids.buffer, ...batchTransferables(handOver.batch)]);
    }
    for (const h of await this.takeHandOvers(order.receive)) this.merge(h);
    // Adds, and tells whether it was there: the first of equal successors is sent, the rest are not.
    const known = (hi: number, lo: number) => {
      if (this.sent.size > SENT_LIMIT) this.sent = new VisitedSet();
      return this.sent.add(hi, lo, -1) < 0;
    };
    this.last = this.expander.expandPacked(this.tuples, this.ids.length, order.expand, known);
    const { tuples: _kept, ...result } = this.last;
    return { kind: 'part', ids: this.ids.slice(), result, heap: heapUsed() };
  }

  private async takeHandOvers(count: number): Promise<HandOver[]> {
    while (this.handOvers.length < count) await new Promise<void>((resolve) => (this.handOverArrived = resolve));
    this.handOverArrived = null;
    return this.handOvers.splice(0, count);
  }

  /** Adds handed-over states to the share, in state-number order. */
  private merge(h: HandOver): void {
    const { width } = this;
    const theirs = new Int32Array(h.ids.length * width);
    this.receivers[h.from]!.decode(h.batch, theirs, 0);
    const total = this.ids.length + h.ids.length;
    const ids = new Uint32Array(total);
    const tuples = new Int32Array(total * width);
    let a = 0;
    let b = 0;
    for (let k = 0; k < total; k++) {
      const at = k * width;
      if (b >= h.ids.length || (a < this.ids.length && this.ids[a]! < h.ids[b]!)) {
        ids[k] = this.ids[a]!;
        for (let j = 0; j < width; j++) tuples[at + j] = this.tuples[a * width + j]!;
        a++;
      } else {
        ids[k] = h.ids[b]!;
        for (let j = 0; j < width; j++) tuples[at + j] = theirs[b * width + j]!;
        b++;
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
