/**
 * The worlds of one breadth-first level, in state-number order, as TLC's disk queue keeps them:
 * in memory while there is room, as tuples of interned ids (engine/packed.ts) in one typed array; past a memory high-water mark, spilled to a file in chunks and
 * read back chunk by chunk when the level is searched, so memory bounds the RAM a search uses,
 * not its size. A checkpoint's frontier (checkpoint.ts) is a file in the same chunk format.
 *
 * A level's states have consecutive numbers (the search numbers them as it finds them), so a
 * frontier keeps only the number of its first state.
 *
 * Chunk file format: per chunk, a little-endian uint32 byte length and uint32 world count, then
 * the worlds encoded as worker threads send them (wire.ts), one per line (canonical JSON never
 * holds a raw newline).
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

export class Frontier {
  /** Tuples in memory (packed.ts), `width` slots each: all of them, or (once spilled) those after the ones on disk. */
  private memory: Int32Array;
  private memoryCount = 0;
  private file: ChunkFile | null = null;
  /** Whether this frontier made its file (and deletes it), or reads one it was given (a checkpoint's). */
  private ownsFile = false;
  private readonly width: number;

  constructor(
    /** Number of the first state. */
    readonly firstId: number,
    /** The packing of the search's worlds: tuples are its ids. */
    private readonly packed: Packed,
  ) {
    this.width = packed.width;
    this.memory = new Int32Array(this.width * 64);
  }

  /** A frontier read from a chunk file it does not own (a checkpoint's). */
  static fromFile(firstId: number, file: ChunkFile, packed: Packed): Frontier {
    const f = new Frontier(firstId, packed);
    f.file = file;
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
    return (this.file?.worlds ?? 0) + this.memoryCount;
  }

  /** Worlds this frontier wrote to disk. */
  get onDisk(): number {
    return this.ownsFile ? this.file!.worlds : 0;
  }

  /** True once some of the worlds are on disk. */
  get spilled(): boolean {
    return this.file !== null;
  }

  /** Bytes held in memory by the tuples (the arena's capacity). */
  get bytes(): number {
    return this.memory.byteLength;
  }

  /** Appends the tuple at `t[at..]`. */
  push(t: Int32Array, at: number): void {
    const { width } = this;
    if ((this.memoryCount + 1) * width > this.memory.length) {
      const bigger = new Int32Array(this.memory.length * 2);
      bigger.set(this.memory);
      this.memory = bigger;
    }
    // A loop, not `set(subarray)`: a subarray is an object per state.
    const memory = this.memory;
    const to = this.memoryCount * width;
    for (let j = 0; j < width; j++) memory[to + j] = t[at + j]!;
    this.memoryCount++;
    if (this.ownsFile && this.memoryCount >= CHUNK_WORLDS) this.flush();
  }

  /** Moves the worlds in memory to a file in `dir`, and every later chunk as it fills. */
  spill(dir: string): void {
    if (this.file === null) {
      this.file = new ChunkFile(join(dir, `frontier-spill-${uniquePart()}.chunks`));
      this.ownsFile = true;
    }
    if (this.ownsFile) this.flush();
  }

  private flush(): void {
    this.writeMemory(this.file!);
    this.memoryCount = 0;
    this.memory = new Int32Array(this.width * 64);
  }

  /** The tuples in memory, as worlds in the chunk format (ids mean nothing outside this thread). */
  private writeMemory(file: ChunkFile): void {
    for (let at = 0; at < this.memoryCount; at += CHUNK_WORLDS) {
      const lines: string[] = [];
      for (let k = at; k < Math.min(this.memoryCount, at + CHUNK_WORLDS); k++) lines.push(encodeWorld(this.packed.unpack(this.memory, k * this.width)));
      file.appendEncoded(lines);
    }
  }

  /** The tuples in order, a chunk at a time (`count` tuples of `width` slots from offset 0; those on disk decoded with `decoder`). */
  *chunks(decoder: WorldDecoder): Generator<{ readonly tuples: Int32Array; readonly count: number }> {
    const { width } = this;
    if (this.file !== null) {
      for (const lines of this.file.read()) {
        const tuples = new Int32Array(lines.length * width);
        lines.forEach((line, k) => this.packed.pack(decoder.decode(line), tuples, k * width));
        yield { tuples, count: lines.length };
      }
    }
    for (let at = 0; at < this.memoryCount; at += CHUNK_WORLDS) {
      const count = Math.min(CHUNK_WORLDS, this.memoryCount - at);
      yield { tuples: this.memory.subarray(at * width, (at + count) * width), count };
    }
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

  /** Writes the frontier to `file` in the chunk format (for a checkpoint). */
  copyTo(file: ChunkFile): void {
    if (this.file !== null) for (const lines of this.file.read()) file.appendEncoded(lines);
    this.writeMemory(file);
  }

  /** Deletes the spill file this frontier made, if any. */
  dispose(): void {
    if (this.file !== null && this.ownsFile) {
      this.file.close();
      rmSync(this.file.path, { force: true });
    }
    this.memory = new Int32Array(0);
    this.memoryCount = 0;
  }
}
