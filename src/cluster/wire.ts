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

/** One buffer: uint32 header length, uint32 array count, the header's JSON, padding to 4 bytes, then per array its uint32 length and its values. */
export function frame(header: unknown, arrays: readonly Uint32Array[] = []): Uint8Array {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const headerEnd = 8 + json.length;
  const start = headerEnd + ((4 - (headerEnd % 4)) % 4);
  const size = start + arrays.reduce((n, a) => n + 4 + a.byteLength, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length, true);
  view.setUint32(4, arrays.length, true);
  out.set(json, 8);
  let at = start;
  for (const a of arrays) {
    view.setUint32(at, a.length, true);
    at += 4;
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
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
    const length = view.getUint32(at, true);
    at += 4;
    if (at + length * 4 > data.byteLength) throw new ProtocolError(`array ${k + 1} runs past the end of its message`);
    // Copied: NATS may reuse the buffer, and an aligned copy is needed anyway.
    const copy = new Uint32Array(length);
    new Uint8Array(copy.buffer).set(data.subarray(at, at + length * 4));
    arrays.push(copy);
    at += length * 4;
  }
  return { header, arrays };
}

/** Items numbered for one peer: an item's text is listed as fresh the first time it is numbered. */
export class ItemsOut {
  private readonly ids = new Map<string, number>();
  private fresh: string[] = [];
  private first = 0;

  id(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(text, id);
      this.fresh.push(text);
    }
    return id;
  }

  /** The items numbered since the last call: the number of the first, and their texts in order. */
  takeFresh(): { first: number; texts: string[] } {
    const out = { first: this.first, texts: this.fresh };
    this.first += this.fresh.length;
    this.fresh = [];
    return out;
  }
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
