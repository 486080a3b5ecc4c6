/**
 * The consistent-hashing ring (Karger et al. 1997, as Dynamo uses it, DeCandia et al. 2007,
 * section 4.2). Plain TypeScript, no xstate: the storage nodes and the properties both read it.
 *
 * Each physical node owns V virtual tokens, at positions given by a deterministic 32-bit hash
 * (FNV-1a, then an avalanche mix) of `node#i`; a key hashes to a position too. Walking clockwise from a key's position,
 * the first N *distinct physical* nodes are its preference list: its owners (replicas). The
 * physical nodes after them, in the same walk, are its stand-ins, which a sloppy quorum uses in
 * order when owners do not answer. Joining adds a node's tokens and leaving removes them, so only
 * keys in the ranges those tokens take over (or give up) change hands.
 */

/** FNV-1a, 32 bits, as an unsigned number (of the string's UTF-16 code units). */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A ring position: FNV-1a, then murmur3's final avalanche (fmix32). FNV-1a alone leaves short,
 * similar strings (`s1#0`, `s1#1`) close together; the mix spreads them. Deterministic.
 */
export function ringHash(text: string): number {
  let h = fnv1a32(text);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** One virtual node: a position on the ring and the physical node that owns it. */
export interface Token {
  readonly position: number;
  readonly node: string;
}

/** The ring: tokens sorted by position (ties, which a 32-bit hash makes rare, by node id). */
export interface Ring {
  readonly nodes: readonly string[];
  readonly vnodes: number;
  readonly tokens: readonly Token[];
}

const byPosition = (a: Token, b: Token): number => a.position - b.position || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0);

/** The tokens of one physical node. */
export function tokensOf(node: string, vnodes: number): Token[] {
  return Array.from({ length: vnodes }, (_, i) => ({ position: ringHash(`${node}#${i}`), node }));
}

/** The ring of `nodes`, each with `vnodes` tokens. The order of `nodes` does not matter. */
export function buildRing(nodes: readonly string[], vnodes: number): Ring {
  if (vnodes < 1) throw new Error('a node needs at least one token');
  const sorted = [...new Set(nodes)].sort();
  return { nodes: sorted, vnodes, tokens: sorted.flatMap((n) => tokensOf(n, vnodes)).sort(byPosition) };
}

/** The ring after `node` joins (its tokens are added; no other token moves). */
export function join(ring: Ring, node: string): Ring {
  return buildRing([...ring.nodes, node], ring.vnodes);
}

/** The ring after `node` leaves (its tokens are removed; no other token moves). */
export function leave(ring: Ring, node: string): Ring {
  return buildRing(ring.nodes.filter((n) => n !== node), ring.vnodes);
}

/** Index of the first token at or after `position`, wrapping to 0 past the last. */
function firstTokenFrom(ring: Ring, position: number): number {
  let lo = 0;
  let hi = ring.tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ring.tokens[mid]!.position < position) lo = mid + 1;
    else hi = mid;
  }
  return lo === ring.tokens.length ? 0 : lo;
}

/** The tokens met walking clockwise from `key`'s position, once round the ring. */
export function walk(ring: Ring, key: string): Token[] {
  const start = firstTokenFrom(ring, ringHash(key));
  return ring.tokens.map((_, i) => ring.tokens[(start + i) % ring.tokens.length]!);
}

/** Every physical node in the order a clockwise walk from `key` first meets it. */
export function ringOrder(ring: Ring, key: string): string[] {
  const order: string[] = [];
  for (const t of walk(ring, key)) if (!order.includes(t.node)) order.push(t.node);
  return order;
}

/** The key's preference list: the first `n` distinct physical nodes clockwise from its hash. */
export function preferenceList(ring: Ring, key: string, n: number): string[] {
  return ringOrder(ring, key).slice(0, n);
}

/** The key's stand-ins under a sloppy quorum: the physical nodes after its preference list, in order. */
export function standIns(ring: Ring, key: string, n: number): string[] {
  return ringOrder(ring, key).slice(n);
}

/** The node owning the range `key` falls in (the first entry of its preference list). */
export function primary(ring: Ring, key: string): string {
  return walk(ring, key)[0]!.node;
}
