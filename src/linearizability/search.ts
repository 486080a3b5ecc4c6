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
 * number per operation, xor-ed in and out), and the cache keeps the set (as a chain of entries,
 * a few words each: memory linear in the steps, not in steps × operations) and state to compare.
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
 * The memo of (linearised set, state) pairs. A set is not stored as a bitset (that is n/32 words
 * per entry, so quadratic memory on a long history): an entry is the set of the entry it was
 * reached from plus one operation, so it costs a few words whatever the history's length. Two sets
 * are compared by walking the stored one's chain of operations against the current bitset, and
 * the walk stops where the chain meets the current search path (the rest is then the same set).
 */
class Memo<S> {
  private readonly heads = new Map<number, number>();
  private chain = new Int32Array(1024);
  private parent = new Int32Array(1024);
  private op = new Int32Array(1024);
  private depth = new Int32Array(1024);
  private states: S[] = [];
  size = 0;

  /**
   * Adds the set {path's operations} ∪ {op} with `state` unless it is there; returns the new
   * entry's number, or −1 when the pair was there. `path[k]` is the entry of the current search
   * path at depth k + 1, `bits` the set itself (op included), `depth` its size.
   */
  add(key: number, bits: Uint32Array, op: number, depth: number, path: Int32Array, state: S, equal: (a: S, b: S) => boolean): number {
    const first = this.heads.get(key);
    for (let e = first ?? -1; e !== -1; e = this.chain[e]!) {
      if (this.depth[e] === depth && this.sameSet(e, bits, path) && equal(this.states[e]!, state)) return -1;
    }
    const e = this.size++;
    if (e === this.chain.length) this.grow();
    this.chain[e] = first ?? -1;
    this.parent[e] = depth > 1 ? path[depth - 2]! : -1;
    this.op[e] = op;
    this.depth[e] = depth;
    this.states.push(state);
    this.heads.set(key, e);
    return e;
  }

  /** Whether entry `e`'s set (of the same size) equals `bits`. */
  private sameSet(e: number, bits: Uint32Array, path: Int32Array): boolean {
    // The operations along a chain are distinct, and the sizes are equal: containment suffices.
    const below = this.depth[e]!; // path[0 .. below - 2] is current; entries past it are stale
    for (let at = e; at !== -1; at = this.parent[at]!) {
      const d = this.depth[at]!;
      if (d < below && at === path[d - 1]) return true; // from here down, the current path's own set
      const o = this.op[at]!;
      if ((bits[o >>> 5]! & (1 << (o & 31))) === 0) return false;
    }
    return true;
  }

  /** The operations of entry `e`'s chain, oldest first, and the state after each. */
  chainOf(e: number): { ops: number[]; states: S[] } {
    const ops: number[] = [];
    const states: S[] = [];
    for (let at = e; at !== -1; at = this.parent[at]!) {
      ops.push(this.op[at]!);
      states.push(this.states[at]!);
    }
    return { ops: ops.reverse(), states: states.reverse() };
  }

  private grow(): void {
    const n = this.chain.length * 2;
    for (const name of ['chain', 'parent', 'op', 'depth'] as const) {
      const bigger = new Int32Array(n);
      bigger.set(this[name]);
      this[name] = bigger;
    }
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
  /** The memo entry of each depth of the current path (`path[k]`: after k + 1 operations). */
  private readonly path: Int32Array;
  /** The entries in time order (for the deepest point's candidates). */
  private readonly order: Int32Array;
  /** The deepest point so far, kept as a memo entry until the verdict needs it spelled out. */
  private deepestAt: { entry: number; depth: number; returnNode: number; state: S } | null = null;
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
    this.order = Int32Array.from(nodes);
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
    this.cache = new Memo<S>();
    this.stackOp = new Int32Array(n);
    this.path = new Int32Array(n);
    this.entry = this.next[this.head]!;
    this.state = rs.spec.init();
    if (n === 0) this.status = 'linearizable';
  }

  /** Runs at most `budget` steps; returns when done or out of steps. */
  run(budget: number): void {
    const { n, next, prev, head, inputs, outputs, pending, bits, z1, z2, stackOp, stackState, path, cache, rs } = this;
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
          const added = cache.add(key, bits, op, depth + 1, path, result.next, rs.equal);
          if (added !== -1) {
            explored++;
            path[depth] = added;
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
        if (this.deepestAt === null || depth > this.deepestAt.depth) {
          this.deepestAt = { entry: depth === 0 ? -1 : path[depth - 1]!, depth, returnNode: entry, state };
        }
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
    if (this.status === 'refuted') this.deepest = this.spellOutDeepest();
    if (this.status !== 'running') this.release();
  }

  /** Frees the memo once the search is over. */
  release(): void {
    this.cache = new Memo<S>();
    this.deepestAt = null;
  }

  /** The deepest point as evidence: its operations in order, the states around them, the candidates. */
  private spellOutDeepest(): Deepest<S> | null {
    const at = this.deepestAt;
    if (at === null) return null;
    const { ops, states } = this.cache.chainOf(at.entry);
    const lifted = new Uint8Array(this.n);
    for (const op of ops) lifted[op] = 1;
    const candidates: number[] = [];
    for (const k of this.order) {
      if (k === at.returnNode) break;
      if (k < this.n && lifted[k] === 0) candidates.push(k);
    }
    return { order: ops, before: [this.rs.spec.init(), ...states.slice(0, -1)], after: at.state, deadline: at.returnNode - this.n, candidates };
  }
}
