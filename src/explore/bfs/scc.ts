/**
 * Strongly connected components of a subgraph of the liveness graph, by Tarjan's algorithm
 * written with an explicit stack (no recursion: graphs of millions of states would overflow
 * the call stack). Each component is handed to `onComponent` as soon as it is complete, its
 * members in the order popped; components come out in reverse topological order.
 */
import type { LiveGraph } from './live-graph.js';

/**
 * Calls `onComponent(members, count)` for every component of the subgraph of states where
 * `inside[s]` is 1, with the edges between them. `members` is reused between calls: copy what
 * you keep. Returns the component number of each state (−1 outside the subgraph).
 */
export function stronglyConnected(
  graph: LiveGraph,
  inside: Uint8Array,
  onComponent: (members: Int32Array, count: number, component: number, componentOf: Int32Array) => void,
): Int32Array {
  const n = graph.states;
  const { edgeStart, to } = graph;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const componentOf = new Int32Array(n).fill(-1);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  let sp = 0;
  // The explicit call stack: the state of each frame and the next edge it will look at.
  const frameNode = new Int32Array(n);
  const frameEdge = new Uint32Array(n);
  let fp = 0;
  let counter = 0;
  let components = 0;
  const members = new Int32Array(n);

  for (let root = 0; root < n; root++) {
    if (inside[root] !== 1 || index[root] >= 0) continue;
    index[root] = low[root] = counter++;
    stack[sp++] = root;
    onStack[root] = 1;
    frameNode[fp] = root;
    frameEdge[fp] = edgeStart[root]!;
    fp++;
    while (fp > 0) {
      const v = frameNode[fp - 1]!;
      const e = frameEdge[fp - 1]!;
      if (e < edgeStart[v + 1]!) {
        frameEdge[fp - 1] = e + 1;
        const w = to[e]!;
        if (inside[w] !== 1) continue;
        if (index[w] < 0) {
          index[w] = low[w] = counter++;
          stack[sp++] = w;
          onStack[w] = 1;
          frameNode[fp] = w;
          frameEdge[fp] = edgeStart[w]!;
          fp++;
        } else if (onStack[w] === 1 && index[w]! < low[v]!) {
          low[v] = index[w]!;
        }
        continue;
      }
      // All of v's edges seen: close its frame.
      fp--;
      if (fp > 0) {
        const parent = frameNode[fp - 1]!;
        if (low[v]! < low[parent]!) low[parent] = low[v]!;
      }
      if (low[v] === index[v]) {
        let count = 0;
        let w: number;
        do {
          w = stack[--sp]!;
          onStack[w] = 0;
          componentOf[w] = components;
          members[count++] = w;
        } while (w !== v);
        onComponent(members, count, components, componentOf);
        components++;
      }
    }
  }
  return componentOf;
}
