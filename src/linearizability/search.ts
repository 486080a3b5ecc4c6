/**
 * The search for one partition: Wing & Gong's algorithm with Lowe's memoisation, as Porcupine
 * implements it (Horn & Kroening, "Faster linearizability checking via P-compositionality", 2015).
 *
 * The history is a list of entries (each operation's call and return) sorted by time. Walking it
 * from the front, a call may be linearised now if the specification accepts it in the current
 * state: it is then *lifted* out of the list (call and return) and the walk restarts at the
 * front. Reaching a return means its operation was not linearised in time: undo the last choice
 * (*unlift* it) and try the next call after it. A pair (set of linearised operations, state)
 * seen once is never explored again: the set is a bitset, hashed incrementally (a random 64-bit
 * number per operation, xor-ed in and out), and the cache keeps the bitset and state to compare.
 *
 * Iterative (an explicit stack of choices, no recursion limit) and resumable: `run(steps)` does
 * at most that many steps and returns, so the caller can interleave partitions. An operation of
 * unknown outcome has its return at the end: reaching it means every operation that completed has
 * been linearised, and the pending ones may simply not have taken effect, so the history is
 * linearizable.
 */
import type { Operation } from './history.js';
import type { ResolvedSpec } from './spec.js';

export type SearchStatus = 'running' | 'linearizable' | 'refuted';

/** The deepest point the search reached before it had to turn back: evidence for people. */
export interface Deepest<S> {
  /** Indices (into the partition's operations) of the operations linearised, in order. */
  readonly order: readonly number[];
  /** The state before each of them; `after` is the state after the last. */
  readonly before: readonly S[];
  readonly after: S;
  /** The operation whose return was reached before it could be linearised. */
  readonly deadline: number;
  /** The operations that were candidates next (invoked before that return, not yet linearised). */
  readonly candidates: readonly number[];
}


function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * The memo of (linearised set, state) pairs: a map from a 53-bit key to the first entry of a
 * chain; each entry's bitset lives in one growing word arena, so an entry costs a few words
 * rather than an object and a typed array.
 */
class Memo<S> {
  private readonly heads = new Map<number, number>();
  private chain = new Int32Array(1024);
  private arena: Uint32Array;
  private states: S[] = [];
  size = 0;

  constructor(private readonly words: number) {
    this.arena = new Uint32Array(1024 * Math.max(1, words));
  }

  /** Adds the pair unless it is there; returns whether it was added. */
  add(key: number, bits: Uint32Array, state: S, equal: (a: S, b: S) => boolean): boolean {
    const w = this.words;
    const first = this.heads.get(key);
    for (let e = first ?? -1; e !== -1; e = this.chain[e]!) {
      let same = true;
      const base = e * w;
      for (let i = 0; i < w; i++) {
        if (this.arena[base + i] !== bits[i]) {
          same = false;
          break;
        }
      }
      if (same && equal(this.states[e]!, state)) return false;
    }
    const e = this.size++;
    if (e === this.chain.length) {
      const chain = new Int32Array(e * 2);
      chain.set(this.chain);
      this.chain = chain;
      const arena = new Uint32Array(e * 2 * Math.max(1, w));
      arena.set(this.arena);
      this.arena = arena;
    }
    this.chain[e] = first ?? -1;
    this.arena.set(bits, e * w);
    this.states.push(state);
    this.heads.set(key, e);
    return true;
  }
}

export class PartitionSearch<S, I, O> {
  status: SearchStatus = 'running';
  steps = 0;
  /** Distinct (linearised set, state) pairs explored. */
  explored = 0;
  deepest: Deepest<S> | null = null;

  private readonly n: number;
  private readonly inputs: I[];
  private readonly outputs: (O | undefined)[];
  private readonly pending: Uint8Array;
  /** Doubly linked list of entries: call of op i is node i, its return node n + i, the head 2n. */
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly head: number;
  private readonly z1: Uint32Array;
  private readonly z2: Uint32Array;
  private readonly bits: Uint32Array;
  private h1 = 0;
  private h2 = 0;
  private cache: Memo<S>;
  private readonly stackOp: Int32Array;
  private readonly stackState: S[] = [];
  private depth = 0;
  private entry: number;
  private state: S;

  constructor(
    readonly operations: readonly Operation<I, O>[],
    private readonly rs: ResolvedSpec<S, I, O>,
  ) {
    const n = operations.length;
    this.n = n;
    this.inputs = operations.map((o) => o.input);
    this.outputs = operations.map((o) => o.output);
    this.pending = Uint8Array.from(operations, (o) => (o.ret === Infinity ? 1 : 0));
    // Sort entries by time; at equal times calls first (the operations then overlap), then by id.
    const nodes = Array.from({ length: 2 * n }, (_, k) => k);
    const time = (k: number) => (k < n ? operations[k]!.call : operations[k - n]!.ret);
    nodes.sort((a, b) => time(a) - time(b) || (a < n ? 0 : 1) - (b < n ? 0 : 1) || a - b || 0);
    this.head = 2 * n;
    this.next = new Int32Array(2 * n + 1).fill(-1);
    this.prev = new Int32Array(2 * n + 1).fill(-1);
    let last = this.head;
    for (const k of nodes) {
      this.next[last] = k;
      this.prev[k] = last;
      last = k;
    }
    this.z1 = Uint32Array.from({ length: n }, (_, i) => mix32(2 * i + 1));
    this.z2 = Uint32Array.from({ length: n }, (_, i) => mix32(~(2 * i + 2)));
    this.bits = new Uint32Array(Math.ceil(n / 32));
    this.cache = new Memo<S>(this.bits.length);
    this.stackOp = new Int32Array(n);
    this.entry = this.next[this.head]!;
    this.state = rs.spec.init();
    if (n === 0) this.status = 'linearizable';
  }

  /** Runs at most `budget` steps; returns when done or out of steps. */
  run(budget: number): void {
    const { n, next, prev, head, inputs, outputs, pending, bits, z1, z2, stackOp, stackState, cache, rs } = this;
    const spec = rs.spec;
    let { entry, state, depth, h1, h2 } = this;
    let steps = 0;
    let explored = 0;
    while (this.status === 'running' && steps < budget) {
      steps++;
      if (entry < n) {
        // A call: try to linearise it now.
        const op = entry;
        const result = spec.step(state, inputs[op]!, outputs[op]);
        if (result.ok) {
          const word = op >>> 5;
          const bit = 1 << (op & 31);
          bits[word]! |= bit;
          const n1 = (h1 ^ z1[op]!) >>> 0;
          const n2 = (h2 ^ z2[op]!) >>> 0;
          const key = (n1 & 0x1fffff) * 4294967296 + ((n2 ^ rs.hash(result.next)) >>> 0);
          if (cache.add(key, bits, result.next, rs.equal)) {
            explored++;
            stackOp[depth] = op;
            stackState[depth] = state;
            depth++;
            state = result.next;
            h1 = n1;
            h2 = n2;
            // Lift the call and its return out of the list.
            const r = n + op;
            next[prev[op]!] = next[op]!;
            if (next[op] !== -1) prev[next[op]!] = prev[op]!;
            next[prev[r]!] = next[r]!;
            if (next[r] !== -1) prev[next[r]!] = prev[r]!;
            entry = next[head]!;
            if (entry === -1) this.status = 'linearizable';
          } else {
            bits[word]! &= ~bit;
            entry = next[entry]!;
          }
        } else {
          entry = next[entry]!;
        }
      } else {
        // A return whose call was not linearised in time.
        const op = entry - n;
        if (pending[op] === 1) {
          // Only operations of unknown outcome are left: they may not have taken effect.
          this.status = 'linearizable';
          break;
        }
        if (this.deepest === null || depth > this.deepest.order.length) this.recordDeepest(entry, depth, state);
        if (depth === 0) {
          this.status = 'refuted';
          break;
        }
        depth--;
        const back = stackOp[depth]!;
        state = stackState[depth]!;
        stackState[depth] = undefined as S; // let the state be collected
        bits[back >>> 5]! &= ~(1 << (back & 31));
        h1 = (h1 ^ z1[back]!) >>> 0;
        h2 = (h2 ^ z2[back]!) >>> 0;
        // Unlift: put the return back, then the call (the reverse of lifting).
        const r = n + back;
        next[prev[r]!] = r;
        if (next[r] !== -1) prev[next[r]!] = r;
        next[prev[back]!] = back;
        if (next[back] !== -1) prev[next[back]!] = back;
        entry = next[back]!;
      }
    }
    this.entry = entry;
    this.state = state;
    this.depth = depth;
    this.h1 = h1;
    this.h2 = h2;
    this.steps += steps;
    this.explored += explored;
    if (this.status !== 'running') this.release();
  }

  /** Frees the memo once the search is over. */
  release(): void {
    this.cache = new Memo<S>(0);
  }

  private recordDeepest(returnNode: number, depth: number, state: S): void {
    const candidates: number[] = [];
    for (let k = this.next[this.head]!; k !== returnNode && k !== -1; k = this.next[k]!) if (k < this.n) candidates.push(k);
    this.deepest = {
      order: Array.from(this.stackOp.subarray(0, depth)),
      before: this.stackState.slice(0, depth),
      after: state,
      deadline: returnNode - this.n,
      candidates,
    };
  }
}
