/**
 * Deciding liveness properties on the graph an exhaustive search recorded (live-graph.ts),
 * for weak fairness, soundly on cycles.
 *
 * For `p ~> q` (and `eventually q`, which is `initial ~> q`), a violation is a fair behaviour
 * that reaches a p-world and never a q-world from there on. So:
 * 1. the relevant subgraph: the ¬q states reachable from a (p ∧ ¬q)-state through ¬q states;
 * 2. its strongly connected components (scc.ts, iterative Tarjan);
 * 3. a component C is a fair place to stay forever when every fairness class enabled in *all*
 *    of C's states is taken by some edge inside C (then a cycle through all of C, taking those
 *    edges, is fair: every other class is disabled somewhere on it; and when some class is
 *    enabled throughout and never taken inside, every cycle in C neglects it). A single state
 *    counts too, with the stuttering step: it is fair where no fair class is enabled at all.
 * States a bound cut off (unknown) are never part of a component, and when no violation is found
 * they decide between "holds" and inconclusive. For `eventually q` the obligation starts only at
 * the initial state, so only an unknown state reachable from it through ¬q states matters. For
 * `p ~> q` any unknown state matters, relevant or not: a p-state may lie beyond it, owed and never
 * paid (a bound that stops a search before the first p-state would otherwise make it "hold").
 *
 * The counterexample: the shortest path to the first p-state (in search order) from which a
 * fair component is reachable, the shortest path on to it, and a cycle of real edges in it that
 * takes every class the component requires and visits, for every other class enabled along
 * the cycle, a state where it is disabled.
 */
import type { LiveGraph } from './live-graph.js';
import { stronglyConnected } from './scc.js';
import { P_BIT, Q_BIT } from '../../properties/liveness.js';

export type LiveVerdict =
  | { readonly verdict: 'holds' }
  /** `unknown`: a state a bound cut off; `owed`: the property is still owed there (else: it may be owed beyond). */
  | { readonly verdict: 'inconclusive'; readonly unknown: number; readonly owed: boolean }
  /**
   * `edges` lead from state `start` (reached by the search's shortest path); the loop is
   * `edges[loopStart..]` (empty: the last state stutters).
   */
  | { readonly verdict: 'violated'; readonly start: number; readonly edges: readonly number[]; readonly loopStart: number };

/**
 * Decides property `k` of the graph. `owedOnlyAtStart`: the obligation starts at the initial
 * state alone (`eventually`); otherwise (`leadsTo`) it may start at any state.
 */
export function decideLiveness(graph: LiveGraph, k: number, owedOnlyAtStart: boolean): LiveVerdict {
  const n = graph.states;
  const bits = graph.bits[k]!;
  const { edgeStart, to, cls, expanded } = graph;

  // 1. The relevant subgraph (inside = 1 for known states in it), and whether it meets an unknown state.
  const relevant = new Uint8Array(n);
  const inside = new Uint8Array(n);
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  let unknown = -1;
  for (let s = 0; s < n; s++) {
    if ((bits[s]! & (P_BIT | Q_BIT)) === P_BIT) {
      relevant[s] = 1;
      queue[tail++] = s;
    }
  }
  while (head < tail) {
    const s = queue[head++]!;
    if (expanded[s] !== 1) {
      if (unknown < 0) unknown = s;
      continue;
    }
    inside[s] = 1;
    for (let e = edgeStart[s]!; e < edgeStart[s + 1]!; e++) {
      const t = to[e]!;
      if (relevant[t] === 0 && (bits[t]! & Q_BIT) === 0) {
        relevant[t] = 1;
        queue[tail++] = t;
      }
    }
  }

  // 2–3. Components, and which are fair places to stay.
  const classes = maxClass(graph) + 1;
  const enabledCount = new Int32Array(classes);
  const seenAt = new Int32Array(classes).fill(-1);
  const takenInside = new Uint8Array(classes);
  const touched: number[] = [];
  const bad = new Uint8Array(n);
  let anyBad = false;
  const componentOf = stronglyConnected(graph, inside, (members, count, component, of) => {
    touched.length = 0;
    for (let m = 0; m < count; m++) {
      const s = members[m]!;
      for (let e = edgeStart[s]!; e < edgeStart[s + 1]!; e++) {
        const c = cls[e]!;
        if (c < 0) continue;
        if (seenAt[c] !== s) {
          if (seenAt[c] === -1 && enabledCount[c] === 0) touched.push(c);
          seenAt[c] = s;
          enabledCount[c]!++;
        }
        if (of[to[e]!] === component) takenInside[c] = 1;
      }
    }
    let fair = true;
    for (const c of touched) if (enabledCount[c] === count && takenInside[c] === 0) fair = false;
    for (const c of touched) {
      enabledCount[c] = 0;
      takenInside[c] = 0;
      seenAt[c] = -1;
    }
    if (fair) {
      anyBad = true;
      for (let m = 0; m < count; m++) bad[members[m]!] = 1;
    }
  });

  if (!anyBad) {
    if (unknown >= 0) return { verdict: 'inconclusive', unknown, owed: true };
    if (!owedOnlyAtStart) {
      const cut = graph.expanded.subarray(0, n).findIndex((e) => e !== 1);
      if (cut >= 0) return { verdict: 'inconclusive', unknown: cut, owed: false };
    }
    return { verdict: 'holds' };
  }

  // 4. The first p-state (in search order) that can reach a fair component, by a backward search.
  const reverse = reverseEdges(graph, inside);
  const reaches = new Uint8Array(n);
  head = tail = 0;
  for (let s = 0; s < n; s++) if (bad[s] === 1) (reaches[s] = 1), (queue[tail++] = s);
  while (head < tail) {
    const t = queue[head++]!;
    for (let r = reverse.start[t]!; r < reverse.start[t + 1]!; r++) {
      const s = reverse.from[r]!;
      if (reaches[s] === 0) (reaches[s] = 1), (queue[tail++] = s);
    }
  }
  let start = -1;
  for (let s = 0; s < n && start < 0; s++) if (inside[s] === 1 && reaches[s] === 1 && (bits[s]! & (P_BIT | Q_BIT)) === P_BIT) start = s;
  if (start < 0) throw new Error('internal: a fair component is relevant but no p-state reaches it');

  // 5. The lasso: (the search's path to `start`), shortest path on to a fair component, a fair cycle there.
  const onward = shortestPath(graph, start, (s) => bad[s] === 1, (s) => inside[s] === 1);
  const entry = onward.end;
  const loop = fairCycle(graph, entry, (s) => componentOf[s] === componentOf[entry]);
  return { verdict: 'violated', start, edges: [...onward.edges, ...loop], loopStart: onward.edges.length };
}

function maxClass(graph: LiveGraph): number {
  let max = -1;
  for (let e = 0; e < graph.edges; e++) if (graph.cls[e]! > max) max = graph.cls[e]!;
  return max;
}

/** Edges between states of the subgraph, reversed, in compressed rows. */
function reverseEdges(graph: LiveGraph, inside: Uint8Array): { start: Uint32Array; from: Int32Array } {
  const n = graph.states;
  const start = new Uint32Array(n + 1);
  for (let s = 0; s < n; s++) {
    if (inside[s] !== 1) continue;
    for (let e = graph.edgeStart[s]!; e < graph.edgeStart[s + 1]!; e++) if (inside[graph.to[e]!] === 1) start[graph.to[e]! + 1]!++;
  }
  for (let t = 0; t < n; t++) start[t + 1]! += start[t]!;
  const fill = start.slice(0, n);
  const from = new Int32Array(start[n]!);
  for (let s = 0; s < n; s++) {
    if (inside[s] !== 1) continue;
    for (let e = graph.edgeStart[s]!; e < graph.edgeStart[s + 1]!; e++) {
      const t = graph.to[e]!;
      if (inside[t] === 1) from[fill[t]!++] = s;
    }
  }
  return { start, from };
}

function sourceOf(graph: LiveGraph, e: number): number {
  // Binary search in edgeStart: the last state whose run starts at or before e.
  let lo = 0;
  let hi = graph.states - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (graph.edgeStart[mid]! <= e) lo = mid;
    else hi = mid - 1;
  }
  // Empty runs share a start: the source is the one whose run actually holds e.
  while (graph.edgeStart[lo + 1]! <= e) lo++;
  return lo;
}

/** Shortest path (breadth first) from `from` to a state where `goal` holds, through states where `allowed` holds. */
function shortestPath(graph: LiveGraph, from: number, goal: (s: number) => boolean, allowed: (s: number) => boolean): { edges: number[]; end: number } {
  if (goal(from)) return { edges: [], end: from };
  const parent = new Map<number, number>([[from, -1]]);
  const queue = [from];
  for (let h = 0; h < queue.length; h++) {
    const s = queue[h]!;
    for (let e = graph.edgeStart[s]!; e < graph.edgeStart[s + 1]!; e++) {
      const t = graph.to[e]!;
      if (parent.has(t) || !allowed(t)) continue;
      parent.set(t, e);
      if (goal(t)) {
        const edges: number[] = [];
        for (let at = t; at !== from; ) {
          const pe = parent.get(at)!;
          edges.push(pe);
          at = sourceOf(graph, pe);
        }
        return { edges: edges.reverse(), end: t };
      }
      queue.push(t);
    }
  }
  throw new Error('internal: no path to a fair component in the liveness graph');
}

/** The fair classes enabled at state `s`. */
function enabledAt(graph: LiveGraph, s: number): Set<number> {
  const out = new Set<number>();
  for (let e = graph.edgeStart[s]!; e < graph.edgeStart[s + 1]!; e++) if (graph.cls[e]! >= 0) out.add(graph.cls[e]!);
  return out;
}

/**
 * A cycle of real edges from `entry` back to it inside a fair component (`inC`), fair itself:
 * it takes each class enabled throughout the cycle. Empty when `entry` may stutter.
 */
function fairCycle(graph: LiveGraph, entry: number, inC: (s: number) => boolean): number[] {
  const cycle: number[] = [];
  let at = entry;
  // Each round takes a neglected class or visits a state where it is disabled: the neglected
  // classes (enabled throughout, never taken) only shrink, so this ends.
  for (;;) {
    let throughout: Set<number> = enabledAt(graph, entry);
    for (const e of cycle) {
      const here = enabledAt(graph, graph.to[e]!);
      throughout = new Set([...throughout].filter((c) => here.has(c)));
    }
    const taken = new Set(cycle.map((e) => graph.cls[e]!));
    const neglected = [...throughout].filter((c) => !taken.has(c));
    if (neglected.length === 0) {
      if (at === entry) return cycle;
      cycle.push(...shortestPath(graph, at, (s) => s === entry, inC).edges);
      at = entry;
      continue;
    }
    const c = neglected[0]!;
    const viaEdge = pathToEdge(graph, at, c, inC);
    if (viaEdge !== null) {
      cycle.push(...viaEdge);
      at = graph.to[viaEdge[viaEdge.length - 1]!]!;
    } else {
      const detour = shortestPath(graph, at, (s) => !enabledAt(graph, s).has(c), inC);
      cycle.push(...detour.edges);
      at = detour.end;
    }
  }
}

/** Shortest path from `from` ending with an edge of class `c` inside C, or null when C has none. */
function pathToEdge(graph: LiveGraph, from: number, c: number, inC: (s: number) => boolean): number[] | null {
  const parent = new Map<number, number>([[from, -1]]);
  const queue = [from];
  for (let h = 0; h < queue.length; h++) {
    const s = queue[h]!;
    for (let e = graph.edgeStart[s]!; e < graph.edgeStart[s + 1]!; e++) {
      const t = graph.to[e]!;
      if (!inC(t)) continue;
      if (graph.cls[e] === c) {
        const edges = [e];
        for (let at = s; at !== from; ) {
          const pe = parent.get(at)!;
          edges.push(pe);
          at = sourceOf(graph, pe);
        }
        return edges.reverse();
      }
      if (parent.has(t)) continue;
      parent.set(t, e);
      queue.push(t);
    }
  }
  return null;
}
