/**
 * What crosses NATS between the coordinator and its workers, and how compactly.
 *
 * A message is one buffer: a small JSON header and typed arrays (frame/unframe). A world crosses
 * as a tuple of item numbers, where an item is a node state's canonical form, an envelope's, the
 * partition, the fault counts or an observation (the same items the thread wire,
 * explore/bfs/wire.ts, joins into one string). Each side numbers the items it sends; an item's
 * text crosses once per peer and direction, with the first message that uses it, and only its
 * number after that. So a world costs a few bytes per node once the items are known.
 *
 * A tuple, flat: [n nodes, node items…, n envelopes, envelope items…, partition item, used item,
 * n observations, observation items…].
 */
import { ITEM, PART } from './engine-adapter.js';

/** A peer sent something that does not decode: it is dropped, its work given to another. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** Bound on one message's header (the items' texts ride in it): far above any real one. */
const MAX_HEADER_BYTES = 64 * 2 ** 20;

/** An array's length word: its length in the low 30 bits, the width of its values in the top 2 (WIDTH_BITS). */
const LENGTH_MASK = 0x3fffffff;
/** Bytes per value, by the top two bits of the length word: item numbers and counts are mostly small, so most arrays cross at 1 or 2 bytes a value. */
const WIDTH_BYTES = [4, 2, 1] as const;

/** The narrowest width code (WIDTH_BYTES) that holds every value of `a`. */
function widthCode(a: Uint32Array): number {
  let max = 0;
  for (let k = 0; k < a.length; k++) if (a[k]! > max) max = a[k]!;
  return max < 0x100 ? 2 : max < 0x10000 ? 1 : 0;
}

/** One buffer: uint32 header length, uint32 array count, the header's JSON, padding to 4 bytes, then per array its length word, its values at the width it names, and padding to 4 bytes. */
export function frame(header: unknown, arrays: readonly Uint32Array[] = []): Uint8Array {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const headerEnd = 8 + json.length;
  const start = headerEnd + ((4 - (headerEnd % 4)) % 4);
  const widths = arrays.map(widthCode);
  const padded = (bytes: number) => bytes + ((4 - (bytes % 4)) % 4);
  const size = start + arrays.reduce((n, a, k) => n + 4 + padded(a.length * WIDTH_BYTES[widths[k]!]!), 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length, true);
  view.setUint32(4, arrays.length, true);
  out.set(json, 8);
  let at = start;
  arrays.forEach((a, k) => {
    if (a.length > LENGTH_MASK) throw new Error(`internal: an array of ${a.length} values in one message`);
    const code = widths[k]!;
    view.setUint32(at, (a.length | (code << 30)) >>> 0, true);
    at += 4;
    if (code === 0) out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    else if (code === 1) new Uint16Array(out.buffer, at, a.length).set(a);
    else out.set(a, at);
    at += padded(a.length * WIDTH_BYTES[code]!);
  });
  return out;
}

/** The header and arrays of a frame; a frame that does not add up is a ProtocolError. */
export function unframe<H>(data: Uint8Array): { header: H; arrays: Uint32Array[] } {
  if (data.byteLength < 8) throw new ProtocolError(`a message of ${data.byteLength} bytes (not a protokit frame)`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const headerBytes = view.getUint32(0, true);
  const count = view.getUint32(4, true);
  if (headerBytes > MAX_HEADER_BYTES || 8 + headerBytes > data.byteLength) throw new ProtocolError('a header past the end of its message');
  let header: H;
  try {
    header = JSON.parse(Buffer.from(data.buffer, data.byteOffset + 8, headerBytes).toString('utf8')) as H;
  } catch {
    throw new ProtocolError('a header that is not JSON');
  }
  const headerEnd = 8 + headerBytes;
  let at = headerEnd + ((4 - (headerEnd % 4)) % 4);
  const arrays: Uint32Array[] = [];
  for (let k = 0; k < count; k++) {
    if (at + 4 > data.byteLength) throw new ProtocolError(`array ${k + 1} of ${count} is missing`);
    const word = view.getUint32(at, true);
    at += 4;
    const length = word & LENGTH_MASK;
    const bytesPer = WIDTH_BYTES[word >>> 30];
    if (bytesPer === undefined) throw new ProtocolError(`array ${k + 1} of ${count} has no width`);
    const bytes = length * bytesPer;
    if (at + bytes > data.byteLength) throw new ProtocolError(`array ${k + 1} runs past the end of its message`);
    // Copied into a fresh Uint32Array: NATS may reuse the buffer, and the values are widened anyway.
    const copy = new Uint32Array(length);
    const values = data.subarray(at, at + bytes);
    if (bytesPer === 4) new Uint8Array(copy.buffer).set(values);
    // An aligned copy of its own first (a Buffer's slice() would be a view of NATS's whole pool).
    else if (bytesPer === 2) copy.set(new Uint16Array(new Uint8Array(values).buffer));
    else copy.set(values);
    arrays.push(copy);
    at += bytes + ((4 - (bytes % 4)) % 4);
  }
  return { header, arrays };
}

/** The items a peer numbered, as they arrive: a definition out of order means a message was lost. */
export class ItemsIn<T> {
  private readonly values: T[] = [];

  constructor(private readonly intern: (text: string) => T) {}

  define(fresh: { first: number; texts: readonly string[] } | undefined): void {
    if (fresh === undefined || fresh.texts.length === 0) return;
    if (fresh.first !== this.values.length) throw new ProtocolError(`items from ${fresh.first} defined after ${this.values.length} (a message was lost)`);
    for (const text of fresh.texts) {
      if (typeof text !== 'string') throw new ProtocolError('an item that is not a string');
      this.values.push(this.intern(text));
    }
  }

  get(id: number): T {
    const value = this.values[id];
    if (value === undefined) throw new ProtocolError(`item ${id} was never defined`);
    return value;
  }
}

/** Appends the tuple of a world's text (explore/bfs/wire.ts's encodeWorld) to `out`, numbering its items with `id`. */
export function pushTuple(text: string, id: (item: string) => number, out: number[]): void {
  const parts = text.split(PART);
  if (parts.length !== 5) throw new Error(`internal: a world's text of ${parts.length} parts, not 5`);
  const list = (s: string) => {
    if (s === '') {
      out.push(0);
      return;
    }
    const items = s.split(ITEM);
    out.push(items.length);
    for (const item of items) out.push(id(item));
  };
  list(parts[0]!);
  list(parts[1]!);
  out.push(id(parts[2]!), id(parts[3]!));
  list(parts[4]!);
}

/** Reads the tuple at `at`: the world's text (with `text` naming each item) and where the next tuple starts. */
export function readTuple(tuples: ArrayLike<number>, at: number, text: (id: number) => string): { text: string; next: number } {
  const need = (n: number) => {
    if (at + n > tuples.length) throw new ProtocolError('a world tuple cut short');
  };
  const list = () => {
    need(1);
    const n = tuples[at++]!;
    need(n);
    const items: string[] = new Array(n);
    for (let k = 0; k < n; k++) items[k] = text(tuples[at++]!);
    return items.join(ITEM);
  };
  const nodes = list();
  const network = list();
  need(2);
  const partition = text(tuples[at++]!);
  const used = text(tuples[at++]!);
  const observations = list();
  return { text: [nodes, network, partition, used, observations].join(PART), next: at };
}

/** Where each of the tuples in `tuples` starts (and, last, where they end); a count that does not add up is a ProtocolError. */
export function tupleStarts(tuples: Uint32Array, count: number): number[] {
  const starts: number[] = [];
  let at = 0;
  const skip = () => {
    if (at >= tuples.length) throw new ProtocolError('a world tuple cut short');
    at += 1 + tuples[at]!;
  };
  for (let k = 0; k < count; k++) {
    starts.push(at);
    skip();
    skip();
    at += 2;
    skip();
    if (at > tuples.length) throw new ProtocolError('a world tuple cut short');
  }
  if (at !== tuples.length) throw new ProtocolError(`${tuples.length - at} numbers after the last of ${count} world tuples`);
  starts.push(at);
  return starts;
}

/**
 * `count` tuples with every item number passed through `map` (the counts in them kept): how a
 * tuple changes numbering, from a peer's to the run's or back, with no text and no object per
 * world. A count that does not add up is a ProtocolError.
 */
export function mapTuples(tuples: Uint32Array, count: number, map: (id: number) => number): Uint32Array {
  const out = new Uint32Array(tuples.length);
  let at = 0;
  const end = tuples.length;
  const list = () => {
    if (at >= end) throw new ProtocolError('a world tuple cut short');
    const n = tuples[at]!;
    out[at++] = n;
    if (at + n > end) throw new ProtocolError('a world tuple cut short');
    for (const stop = at + n; at < stop; at++) out[at] = map(tuples[at]!);
  };
  for (let k = 0; k < count; k++) {
    list();
    list();
    if (at + 2 > end) throw new ProtocolError('a world tuple cut short');
    out[at] = map(tuples[at]!);
    out[at + 1] = map(tuples[at + 1]!);
    at += 2;
    list();
  }
  if (at !== end) throw new ProtocolError(`${end - at} numbers after the last of ${count} world tuples`);
  return out;
}

/** Worlds as tuples, one after another in one growing typed array, and where each starts: a level's worlds at a few bytes per item, no object per world. */
export class TupleList {
  private data = new Uint32Array(4096);
  private used = 0;
  /** Where each tuple starts; one more, where the last ends. */
  private readonly starts: number[] = [0];

  get count(): number {
    return this.starts.length - 1;
  }

  /** Appends `count` tuples (as tupleStarts reads them). */
  append(tuples: Uint32Array | readonly number[], count: number): void {
    const array = tuples instanceof Uint32Array ? tuples : Uint32Array.from(tuples);
    const starts = tupleStarts(array, count);
    if (this.used + array.length > this.data.length) {
      const bigger = new Uint32Array(Math.max(this.data.length * 2, this.used + array.length));
      bigger.set(this.data.subarray(0, this.used));
      this.data = bigger;
    }
    this.data.set(array, this.used);
    for (let k = 1; k < starts.length; k++) this.starts.push(this.used + starts[k]!);
    this.used += array.length;
  }

  /** Tuples `from`..`to` (a view: copy it before this list grows). */
  slice(from: number, to: number): Uint32Array {
    return this.data.subarray(this.starts[from]!, this.starts[to]!);
  }

  /** The tuple of world `k`, read with `text` naming each item. */
  text(k: number, text: (id: number) => string): string {
    return readTuple(this.data, this.starts[k]!, text).text;
  }
}

/** The header of a frame alone, or null when it is not one. */
export function headerOf<H>(data: Uint8Array): H | null {
  if (data.byteLength < 8) return null;
  const headerBytes = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0, true);
  if (headerBytes > MAX_HEADER_BYTES || 8 + headerBytes > data.byteLength) return null;
  try {
    return JSON.parse(Buffer.from(data.buffer, data.byteOffset + 8, headerBytes).toString('utf8')) as H;
  } catch {
    return null;
  }
}
