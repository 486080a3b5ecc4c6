/**
 * The worlds of one breadth-first level, in state-number order, as TLC's disk queue keeps them:
 * in memory while there is room, as tuples of interned ids (engine/packed.ts) coded in bytes a
 * chunk of 1,024 at a time (each id a base-128 varint: the ids of node states, fault states and
 * most networks are small, so a TwoPhase RM=7 world of 11 ids takes about 15 bytes, not 44);
 * past a memory high-water mark, those chunks go to a file as they are and are read back chunk
 * by chunk when the level is searched, so memory bounds the RAM a search uses, not its size.
 *
 * A level's states have consecutive numbers (the search numbers them as it finds them), so a
 * frontier keeps only the number of its first state.
 *
 * Ids mean something only in the process that made them, so a spill file is read back by the
 * search that wrote it and deleted. A checkpoint's frontier (checkpoint.ts), which another
 * process resumes, is a chunk file of worlds as text (ChunkFile): per chunk, a little-endian
 * uint32 byte length and uint32 world count, then the worlds encoded as wire.ts does, one per line
 * (canonical JSON never holds a raw newline).
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { World } from '../../engine/world.js';
import { UsageError } from '../../engine/errors.js';
import { createExclusive, uniquePart } from '../../engine/own-files.js';
import { encodeWorld, type WorldDecoder } from './wire.js';
import type { Packed } from '../../engine/packed.js';

/** Worlds per chunk on disk: the in-process search expands a chunk at a time. */
export const CHUNK_WORLDS = 1024;
export const CHUNK_HEADER_BYTES = 8;
const HEADER = CHUNK_HEADER_BYTES;

/** A chunk file, written once from start to end and read from start to end. */
export class ChunkFile {
  chunks = 0;
  worlds = 0;
  /** Bytes written, and their SHA-256 as they are written (a checkpoint records both). */
  bytes = 0;
  private readonly hash: Hash | null;
  private fd: number | null;

  /** A new file to write, or (`write` false) an existing one to read. */
  constructor(
    readonly path: string,
    write = true,
  ) {
    // A new file only: a name that exists is someone else's (engine/own-files.ts).
    this.fd = write ? createExclusive(path) : null;
    this.hash = write ? createHash('sha256') : null;
  }

  /** The SHA-256 (hex) of what was written. */
  digest(): string {
    if (this.hash === null) throw new Error('internal: the digest of a chunk file read, not written');
    return this.hash.copy().digest('hex');
  }

  /** Opens an existing chunk file for reading. */
  static existing(path: string, chunks: number, worlds: number): ChunkFile {
    const file = new ChunkFile(path, false);
    file.chunks = chunks;
    file.worlds = worlds;
    return file;
  }

  append(worlds: readonly World[]): void {
    if (worlds.length === 0) return;
    this.appendEncoded(worlds.map(encodeWorld));
  }

  appendEncoded(lines: readonly string[]): void {
    const body = Buffer.from(lines.join('\n'), 'utf8');
    const header = Buffer.alloc(HEADER);
    header.writeUInt32LE(body.length, 0);
    header.writeUInt32LE(lines.length, 4);
    writeSync(this.fd!, header);
    writeSync(this.fd!, body);
    this.hash!.update(header).update(body);
    this.bytes += HEADER + body.length;
    this.chunks++;
    this.worlds += lines.length;
  }

  /** Ends writing; the file can then be read. */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  /** The chunks in order, as encoded lines. */
  *read(): Generator<string[]> {
    this.close();
    const fd = openSync(this.path, 'r');
    try {
      const header = Buffer.alloc(HEADER);
      let position = 0;
      for (let c = 0; c < this.chunks; c++) {
        if (readSync(fd, header, 0, HEADER, position) !== HEADER) throw new UsageError(`${this.path} is damaged: chunk ${c + 1} of ${this.chunks} is missing`);
        const length = header.readUInt32LE(0);
        const count = header.readUInt32LE(4);
        const body = Buffer.alloc(length);
        if (readSync(fd, body, 0, length, position + HEADER) !== length) throw new UsageError(`${this.path} is damaged: chunk ${c + 1} is cut short`);
        position += HEADER + length;
        const lines = count === 0 ? [] : body.toString('utf8').split('\n');
        if (lines.length !== count) throw new UsageError(`${this.path} is damaged: chunk ${c + 1} holds ${lines.length} worlds, not ${count}`);
        yield lines;
      }
    } finally {
      closeSync(fd);
    }
  }
}

/** What a released chunk leaves behind (reading it again is an error, caught by decodeChunk's check). */
const RELEASED = new Uint8Array(0);

/** Bytes at most per id in a chunk's code (a base-128 varint of a non-negative 32-bit id). */
const MAX_VARINT = 5;

/** Codes `count` tuples of `width` ids from `t[0..]` as varints, into a new array of just their size. */
function encodeChunk(t: Int32Array, count: number, width: number, scratch: Uint8Array): Uint8Array {
  let at = 0;
  for (let k = 0; k < count * width; k++) {
    let x = t[k]!;
    while (x >= 0x80) {
      scratch[at++] = (x & 0x7f) | 0x80;
      x >>>= 7;
    }
    scratch[at++] = x;
  }
  return scratch.slice(0, at);
}

/** Decodes a chunk coded by `encodeChunk` into `out` (at least `count · width` long). */
function decodeChunk(bytes: Uint8Array, count: number, width: number, out: Int32Array): void {
  let at = 0;
  for (let k = 0; k < count * width; k++) {
    let x = 0;
    let shift = 0;
    let b: number;
    do {
      b = bytes[at++]!;
      x |= (b & 0x7f) << shift;
      shift += 7;
    } while (b >= 0x80);
    out[k] = x;
  }
  if (at !== bytes.length) throw new Error(`internal: a frontier chunk of ${bytes.length} bytes decoded ${at}`);
}

/** A spill file of coded chunks (this process's ids; a chunk holds up to 1,024 tuples): per chunk, uint32 byte length and uint32 tuple count (little-endian), then the bytes. */
class SpillFile {
  chunks = 0;
  tuples = 0;
  private fd: number | null;
  private readonly header = Buffer.alloc(CHUNK_HEADER_BYTES);

  constructor(readonly path: string) {
    this.fd = createExclusive(path);
  }

  append(bytes: Uint8Array, count: number): void {
    this.header.writeUInt32LE(bytes.length, 0);
    this.header.writeUInt32LE(count, 4);
    writeSync(this.fd!, this.header);
    writeSync(this.fd!, bytes);
    this.chunks++;
    this.tuples += count;
  }

  *read(): Generator<{ bytes: Uint8Array; count: number }> {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    const fd = openSync(this.path, 'r');
    try {
      let position = 0;
      for (let c = 0; c < this.chunks; c++) {
        if (readSync(fd, this.header, 0, HEADER, position) !== HEADER) throw new Error(`internal: spill file ${this.path} lost chunk ${c + 1}`);
        const length = this.header.readUInt32LE(0);
        const count = this.header.readUInt32LE(4);
        const bytes = new Uint8Array(length);
        if (readSync(fd, bytes, 0, length, position + HEADER) !== length) throw new Error(`internal: spill file ${this.path} cut short at chunk ${c + 1}`);
        position += HEADER + length;
        yield { bytes, count };
      }
    } finally {
      closeSync(fd);
    }
  }

  delete(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.path, { force: true });
  }
}

export class Frontier {
  /** Full chunks in memory, coded (after those spilled, if any). */
  private coded: Uint8Array[] = [];
  /** The chunk being filled, as tuples. */
  private filling: Int32Array;
  private fillingCount = 0;
  private codedCount = 0;
  private codedBytes = 0;
  /** This frontier's own spill file (past the memory bound). */
  private spillFile: SpillFile | null = null;
  /** A checkpoint's chunk file of worlds as text, read before anything else (never written here). */
  private textFile: ChunkFile | null = null;
  private readonly width: number;
  private static scratch = new Uint8Array(0);

  constructor(
    /** Number of the first state. */
    readonly firstId: number,
    /** The packing of the search's worlds: tuples are its ids. */
    private readonly packed: Packed,
  ) {
    this.width = packed.width;
    this.filling = new Int32Array(this.width * CHUNK_WORLDS);
  }

  /** A frontier read from a chunk file of worlds as text that it does not own (a checkpoint's). */
  static fromFile(firstId: number, file: ChunkFile, packed: Packed): Frontier {
    const f = new Frontier(firstId, packed);
    f.textFile = file;
    return f;
  }

  static ofWorlds(firstId: number, worlds: readonly World[], packed: Packed): Frontier {
    const f = new Frontier(firstId, packed);
    const tuple = new Int32Array(packed.width);
    for (const w of worlds) {
      packed.pack(w, tuple, 0);
      f.push(tuple, 0);
    }
    return f;
  }

  get length(): number {
    return (this.textFile?.worlds ?? 0) + (this.spillFile?.tuples ?? 0) + this.codedCount + this.fillingCount;
  }

  /** Worlds this frontier wrote to disk. */
  get onDisk(): number {
    return this.spillFile?.tuples ?? 0;
  }

  /** True once some of the worlds are on disk. */
  get spilled(): boolean {
    return this.spillFile !== null || this.textFile !== null;
  }

  /** Bytes held in memory: the coded chunks and the chunk being filled. */
  get bytes(): number {
    return this.codedBytes + this.filling.byteLength;
  }

  /** Appends the tuple at `t[at..]`. */
  push(t: Int32Array, at: number): void {
    const { width } = this;
    // A loop, not `set(subarray)`: a subarray is an object per state.
    const filling = this.filling;
    const to = this.fillingCount * width;
    for (let j = 0; j < width; j++) filling[to + j] = t[at + j]!;
    if (++this.fillingCount === CHUNK_WORLDS) this.seal();
  }

  /** Codes the full chunk being filled; to disk once spilled. */
  private seal(): void {
    const need = this.fillingCount * this.width * MAX_VARINT;
    if (Frontier.scratch.length < need) Frontier.scratch = new Uint8Array(need);
    const bytes = encodeChunk(this.filling, this.fillingCount, this.width, Frontier.scratch);
    if (this.spillFile !== null) this.spillFile.append(bytes, this.fillingCount);
    else {
      this.coded.push(bytes);
      this.codedCount += this.fillingCount;
      this.codedBytes += bytes.byteLength;
    }
    this.fillingCount = 0;
  }

  /** Moves the tuples in memory to a file in `dir`, and every later chunk as it fills. */
  spill(dir: string): void {
    if (this.spillFile === null) this.spillFile = new SpillFile(join(dir, `frontier-spill-${uniquePart()}.chunks`));
    // Only full chunks are coded.
    for (const bytes of this.coded.splice(0)) this.spillFile.append(bytes, CHUNK_WORLDS);
    this.codedCount = 0;
    this.codedBytes = 0;
    // The chunk being filled too, short as it is: past the bound, memory holds nothing of the level.
    if (this.fillingCount > 0) this.seal();
  }

  /**
   * The tuples in order, a chunk at a time (`count` tuples of `width` slots from offset 0; a
   * checkpoint's worlds decoded with `decoder`). With `release`, a coded chunk in memory is let go
   * once read: the level is searched once, and nothing (no checkpoint) needs it whole again.
   */
  *chunks(decoder: WorldDecoder, release = false): Generator<{ readonly tuples: Int32Array; readonly count: number }> {
    const { width } = this;
    if (this.textFile !== null) {
      for (const lines of this.textFile.read()) {
        const tuples = new Int32Array(lines.length * width);
        lines.forEach((line, k) => this.packed.pack(decoder.decode(line), tuples, k * width));
        yield { tuples, count: lines.length };
      }
    }
    const tuples = new Int32Array(CHUNK_WORLDS * width);
    if (this.spillFile !== null) {
      for (const { bytes, count } of this.spillFile.read()) {
        decodeChunk(bytes, count, width, tuples);
        yield { tuples, count };
      }
    }
    for (let c = 0; c < this.coded.length; c++) {
      const bytes = this.coded[c]!;
      decodeChunk(bytes, CHUNK_WORLDS, width, tuples);
      if (release) {
        this.coded[c] = RELEASED;
        this.codedBytes -= bytes.byteLength;
      }
      yield { tuples, count: CHUNK_WORLDS };
    }
    if (this.fillingCount > 0) yield { tuples: this.filling.subarray(0, this.fillingCount * width), count: this.fillingCount };
  }

  /** Every tuple at once, in one array (to hand the frontier to worker threads). */
  allTuples(decoder: WorldDecoder): Int32Array {
    const out = new Int32Array(this.length * this.width);
    let at = 0;
    for (const { tuples, count } of this.chunks(decoder)) {
      out.set(tuples.subarray(0, count * this.width), at);
      at += count * this.width;
    }
    return out;
  }

  /** Writes the frontier to `file` as worlds in text, the chunk format another process can read (for a checkpoint). */
  copyTo(file: ChunkFile, decoder: WorldDecoder): void {
    for (const { tuples, count } of this.chunks(decoder)) {
      const lines: string[] = [];
      for (let k = 0; k < count; k++) lines.push(encodeWorld(this.packed.unpack(tuples, k * this.width)));
      file.appendEncoded(lines);
    }
  }

  /** Deletes the spill file this frontier made, if any. */
  dispose(): void {
    this.spillFile?.delete();
    this.spillFile = null;
    this.coded = [];
    this.codedCount = 0;
    this.codedBytes = 0;
    this.fillingCount = 0;
  }
}
