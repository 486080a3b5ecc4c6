/**
 * What an exhaustive search records for liveness, compactly in typed arrays: per state, where
 * its edges start, whether it was fully expanded (a state a bound cut off is unknown), the
 * action that first reached it, and the p and q bits of each liveness property; per edge, the
 * state it leads to, its fairness class (−1: not fair) and the index of its action among the
 * enabled actions of its source (so a counterexample is rebuilt from the actions themselves).
 *
 * States are expanded in number order, so each state's edges are one contiguous run:
 * `edgeStart[s] .. edgeStart[s + 1]`, as in a compressed sparse row matrix.
 */

/** `expanded` of a state the state constraint (--max-in-flight) left unexpanded. */
export const CONSTRAINED = 2;

export class LiveGraph {
  /** Number of states begun (every visited state is begun, in order, expanded or not). */
  states = 0;
  edges = 0;
  edgeStart = new Uint32Array(1024);
  /**
   * 1: every successor recorded; 0: cut off by a bound that stopped the search (unknown beyond);
   * CONSTRAINED: left unexpanded by the state constraint (--max-in-flight; unknown beyond too).
   */
  expanded = new Uint8Array(1024);
  /** Index, among its parent's enabled actions, of the action that first reached each state. */
  via = new Uint32Array(1024);
  /** Per liveness property, its bits at each state (P_BIT, Q_BIT). */
  bits: Uint8Array[];
  to = new Uint32Array(4096);
  cls = new Int32Array(4096);
  act = new Uint32Array(4096);

  constructor(readonly properties: number) {
    this.bits = Array.from({ length: properties }, () => new Uint8Array(1024));
  }

  /** Makes room for state `id` (called when it is first numbered). */
  reserve(id: number): void {
    if (id < this.via.length) return;
    const n = Math.max(id + 1, this.via.length * 2);
    this.edgeStart = grow(this.edgeStart, n + 1);
    this.expanded = grow(this.expanded, n);
    this.via = grow(this.via, n);
    this.bits = this.bits.map((b) => grow(b, n));
  }

  /** Starts the edges of state `id`; states are begun in number order. */
  begin(id: number, expanded: boolean, constrained = false): void {
    if (id !== this.states) throw new Error(`internal: liveness graph began state ${id}, expected ${this.states}`);
    this.reserve(id);
    this.edgeStart[id] = this.edges;
    this.expanded[id] = expanded ? 1 : constrained ? CONSTRAINED : 0;
    this.states++;
  }

  addEdge(to: number, cls: number, act: number): void {
    if (this.edges === this.to.length) {
      const n = this.edges * 2;
      this.to = grow(this.to, n);
      this.cls = grow(this.cls, n);
      this.act = grow(this.act, n);
    }
    this.to[this.edges] = to;
    this.cls[this.edges] = cls;
    this.act[this.edges] = act;
    this.edges++;
  }

  /** Marks the state being expanded as unknown beyond (a bound dropped some of its successors). */
  cut(id: number): void {
    this.expanded[id] = 0;
  }

  /** Closes the last state's edge run; call before analysis. */
  finish(): void {
    this.edgeStart = grow(this.edgeStart, this.states + 1);
    this.edgeStart[this.states] = this.edges;
  }

  /** Bytes held, for the memory-per-state figure. */
  get bytes(): number {
    return (
      this.edgeStart.byteLength + this.expanded.byteLength + this.via.byteLength + this.bits.reduce((n, b) => n + b.byteLength, 0) +
      this.to.byteLength + this.cls.byteLength + this.act.byteLength
    );
  }

  /** Bytes in use (not counting spare capacity). */
  get usedBytes(): number {
    return this.states * (4 + 1 + 4 + this.properties) + this.edges * 12;
  }
}

type Typed = Uint8Array | Uint32Array | Int32Array;
function grow<T extends Typed>(array: T, n: number): T {
  if (array.length >= n) return array;
  const bigger = new (array.constructor as new (n: number) => T)(Math.max(n, array.length * 2));
  bigger.set(array);
  return bigger;
}
