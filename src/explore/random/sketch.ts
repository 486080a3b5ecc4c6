/**
 * A k-minimum-values sketch of the distinct states a random exploration visited, so that the
 * distinct states of shards run apart can be combined (`protokit merge`) without shipping every
 * fingerprint. Each state's 64-bit fingerprint is already uniformly mixed; its top 52 bits, as a
 * number in [0, 2^52), are the state's value. A sketch keeps the k smallest values. The union of
 * shards' sets is sketched by the k smallest of their values together; with v the k-th smallest,
 * the union holds about (k − 1)·2^52 / v states (standard error about 1/√(k − 2): 6% at k = 256).
 * While fewer than k states were seen, the sketch holds them all and the count is exact.
 */

export const SKETCH_K = 256;
const RANGE = 2 ** 52;
const PREFIX = `kmv${SKETCH_K}:`;

export class DistinctSketch {
  /** A max-heap of the k smallest values seen. */
  private readonly heap: number[] = [];

  /** Notes a distinct state by its fingerprint halves (call once per distinct state). */
  add(hi: number, lo: number): void {
    const value = hi * 1048576 + (lo >>> 12);
    const heap = this.heap;
    if (heap.length < SKETCH_K) {
      heap.push(value);
      let i = heap.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (heap[parent]! >= heap[i]!) break;
        [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
        i = parent;
      }
    } else if (value < heap[0]!) {
      heap[0] = value;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let top = i;
        if (l < heap.length && heap[l]! > heap[top]!) top = l;
        if (r < heap.length && heap[r]! > heap[top]!) top = r;
        if (top === i) break;
        [heap[top], heap[i]] = [heap[i]!, heap[top]!];
        i = top;
      }
    }
  }

  /** The sketch as text for `--json`: `kmv256:` and the values, sorted, as base64 doubles. */
  encode(): string {
    const values = Float64Array.from(this.heap).sort();
    return PREFIX + Buffer.from(values.buffer).toString('base64');
  }
}

/** The sketch of the union of the sets that `texts` sketch (worker threads of one check). */
export function mergeSketches(texts: readonly string[]): string {
  const union = [...new Set(texts.flatMap((t) => decodeSketch(t) ?? []))].sort((a, b) => a - b).slice(0, SKETCH_K);
  return PREFIX + Buffer.from(Float64Array.from(union).buffer).toString('base64');
}

/** The values of an encoded sketch, or null when `text` is not one. */
export function decodeSketch(text: string): number[] | null {
  if (!text.startsWith(PREFIX)) return null;
  const bytes = Buffer.from(text.slice(PREFIX.length), 'base64');
  if (bytes.length % 8 !== 0 || bytes.length / 8 > SKETCH_K) return null;
  const values = new Float64Array(bytes.length / 8);
  new Uint8Array(values.buffer).set(bytes);
  const out = Array.from(values);
  return out.every((v) => Number.isInteger(v) && v >= 0 && v < RANGE) ? out : null;
}

/**
 * The distinct states of the union of several shards' sets, from their sketches and counts:
 * exact when every shard's sketch holds its whole set, an estimate otherwise (kept between the
 * largest shard's count and the sum of the counts, which bound the union).
 */
export function unionOfSketches(shards: readonly { readonly values: readonly number[]; readonly count: number }[]): { readonly value: number; readonly exact: boolean } {
  const union = [...new Set(shards.flatMap((s) => s.values))].sort((a, b) => a - b);
  const lower = Math.max(0, ...shards.map((s) => s.count));
  const upper = shards.reduce((n, s) => n + s.count, 0);
  if (shards.every((s) => s.values.length === s.count)) return { value: union.length, exact: true };
  if (union.length < SKETCH_K) return { value: Math.min(upper, Math.max(lower, union.length)), exact: false };
  const kth = union[SKETCH_K - 1]!;
  const estimate = Math.round(((SKETCH_K - 1) * RANGE) / (kth + 1));
  return { value: Math.min(upper, Math.max(lower, estimate)), exact: false };
}
