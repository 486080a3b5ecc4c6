/**
 * Checkpoints of an exhaustive search, so a search outlives one process (`explore --checkpoint
 * DIR`, `explore --resume DIR`). A checkpoint is taken at a level boundary and holds exactly what
 * the search needs to go on as if it had never stopped:
 * - the visited set's typed arrays (fingerprint halves and parent numbers, visited.ts);
 * - the frontier: the worlds of the level about to be searched, in the chunk format of a
 *   spilled frontier (frontier.ts);
 * - the counters (depth, transitions, witnesses reached, a bound already met, peak heap, time);
 * - the options fingerprint (model, configuration, mutant, faults, symmetry, bounds, properties,
 *   kit version): a resume under other options is refused, since its figures would mean nothing.
 *
 * Written atomically: the data files carry a generation number and are complete (written,
 * synced, renamed from a temporary name) before `manifest.json`, which names them, is renamed
 * into place; only then are older generations deleted. A kill at any moment leaves the last
 * manifest and the files it names intact.
 *
 * Verified before it is resumed, since a damaged checkpoint would otherwise resume to a clean
 * pass (a frontier cut short is a search that never looks at the states it held): the manifest
 * carries the size and SHA-256 of each data file and a SHA-256 of its own content; the frontier's
 * chunk headers must add up to the worlds and chunks it states, end exactly at the end of the file,
 * and hold at least one world (a search with nothing left to search is over and writes none); every
 * parent number must be below its state's own (so walking back ends at the initial state); data
 * files are named by their generation only, inside the folder, and must be regular files.
 *
 * The folder is protokit's alone: a folder that holds files but no checkpoint manifest is refused
 * (claimCheckpointDir), and the only files deleted are the data files named by the manifest a new
 * one replaces. Temporaries have names only this run can make (engine/own-files.ts).
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { createExclusive, temporaryNameFor } from '../../engine/own-files.js';
import { join } from 'node:path';
import type * as Zod from 'zod';
import { zod } from '../../engine/lazy-zod.js';
import { UsageError } from '../../engine/errors.js';
import { openInputFile, parseInputJson, readInputText } from '../../engine/input-file.js';
import type { Instance } from '../../engine/instance.js';
import { KIT_VERSION } from '../../engine/version.js';
import { FINGERPRINT_SCHEME, type Packed } from '../../engine/packed.js';
import type { Suite } from '../../properties/suite.js';
import { CHUNK_HEADER_BYTES, ChunkFile, Frontier } from './frontier.js';
import type { StopReason } from './level.js';
import { VisitedSet } from './visited.js';
import { WorldDecoder } from './wire.js';

export const CHECKPOINT_FORMAT = 'protokit-checkpoint/2';
/** The format before checksums: refused, since what it holds cannot be verified. */
const UNVERIFIABLE_FORMAT = 'protokit-checkpoint/1';
const MANIFEST = 'manifest.json';

/** The figures of a search at a level boundary. */
export interface SearchCounters {
  /** Levels searched so far. */
  readonly depth: number;
  readonly generated: number;
  readonly reached: readonly string[];
  /** A bound met earlier (the search goes on checking without expanding), or null. */
  readonly stoppedBy: StopReason | null;
  readonly peakHeapBytes: number;
  /** Time spent searching so far, over every process. */
  readonly elapsedMs: number;
}

/** What must be equal for a checkpoint to be resumed: everything that changes the state space or its checks. */
export type OptionsPrint = Readonly<Record<string, unknown>>;

export function optionsPrint(
  suite: Suite,
  instance: Instance,
  options: { readonly symmetry?: boolean; readonly maxStates?: number; readonly maxDepth?: number; readonly maxInFlight?: number; readonly deadlock?: boolean },
): OptionsPrint {
  return {
    model: suite.model.name,
    config: instance.params,
    mutant: instance.mutant ?? 'none',
    faults: instance.faults,
    symmetry: options.symmetry ?? false,
    maxStates: options.maxStates ?? 'none',
    maxDepth: options.maxDepth ?? 'none',
    maxInFlight: options.maxInFlight ?? 'none',
    properties: suite.properties.map((p) => `${p.kind}:${p.name}`),
    // Deadlock detection changes what a search reports: resuming with it switched is another search.
    deadlock: options.deadlock !== false,
    kitVersion: KIT_VERSION,
    // The visited set holds fingerprints: a checkpoint of another fingerprint scheme cannot be resumed
    // (with symmetry, a class's fingerprint is its least tuple's since tuple-symmetry.ts).
    fingerprints: options.symmetry === true ? `${FINGERPRINT_SCHEME}+least-tuple` : FINGERPRINT_SCHEME,
  };
}

/** The manifest's schema, built on first use (zod is loaded then: src/engine/lazy-zod.ts). */
function buildManifestSchema(z: typeof Zod) {
  const count = z.number().int().nonnegative();
  const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
  return z.object({
    format: z.literal(CHECKPOINT_FORMAT),
    generation: count,
    options: z.record(z.string(), z.unknown()),
    states: count,
    visited: z.object({ file: z.string().regex(/^visited-\d+\.bin$/), bytes: count, sha256 }),
    frontier: z.object({ file: z.string().regex(/^frontier-\d+\.chunks$/), firstId: count, chunks: count, worlds: count, bytes: count, sha256 }),
    counters: z.object({
      depth: count,
      generated: count,
      reached: z.array(z.string()),
      stoppedBy: z.enum(['max-states', 'max-depth', 'memory', 'interrupted']).nullable(),
      peakHeapBytes: z.number().nonnegative(),
      elapsedMs: z.number().nonnegative(),
    }),
    sha256,
  });
}
let manifestSchema: ReturnType<typeof buildManifestSchema> | undefined;
type Manifest = Zod.infer<ReturnType<typeof buildManifestSchema>>;

/** Where a checkpoint was written: for the report. */
export interface CheckpointWritten {
  readonly dir: string;
  readonly generation: number;
  readonly states: number;
  readonly depth: number;
}

/** Writes a checkpoint of the first `states` states of `visited` and the `frontier` about to be searched. */
export function writeCheckpoint(
  dir: string,
  generation: number,
  print: OptionsPrint,
  visited: VisitedSet,
  states: number,
  frontier: Frontier,
  counters: SearchCounters,
): CheckpointWritten {
  mkdirSync(dir, { recursive: true });
  if (frontier.firstId + frontier.length !== states) throw new Error(`internal: a frontier of states ${frontier.firstId}… (${frontier.length}) after ${states} states`);
  const visitedName = `visited-${generation}.bin`;
  const frontierName = `frontier-${generation}.chunks`;

  const arrays = visited.prefix(states);
  const visitedHash = createHash('sha256');
  writeDurably(join(dir, visitedName), (fd) => {
    for (const a of [arrays.hi, arrays.lo, arrays.parents]) {
      const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
      writeSync(fd, bytes);
      visitedHash.update(bytes);
    }
  });
  const frontierTemp = temporaryNameFor(join(dir, frontierName));
  const chunks = new ChunkFile(frontierTemp);
  frontier.copyTo(chunks, new WorldDecoder());
  chunks.close();
  syncAndRename(frontierTemp, join(dir, frontierName));

  const body: Omit<Manifest, 'sha256'> = {
    format: CHECKPOINT_FORMAT,
    generation,
    options: print as Record<string, unknown>,
    states,
    visited: { file: visitedName, bytes: states * 12, sha256: visitedHash.digest('hex') },
    frontier: { file: frontierName, firstId: frontier.firstId, chunks: chunks.chunks, worlds: chunks.worlds, bytes: chunks.bytes, sha256: chunks.digest() },
    counters: { ...counters, reached: [...counters.reached] },
  };
  const manifest: Manifest = { ...body, sha256: sha256Of(JSON.stringify(body)) };
  const replaced = dataFilesOf(join(dir, MANIFEST));
  writeDurably(join(dir, MANIFEST), (fd) => writeSync(fd, JSON.stringify(manifest, null, 1) + '\n'));
  // Only now is the generation the old manifest named garbage; nothing else in the folder is touched.
  for (const name of replaced) if (name !== visitedName && name !== frontierName) rmSync(join(dir, name), { force: true });
  return { dir, generation, states, depth: counters.depth };
}

/** A checkpoint read back: the visited set, the frontier (read from disk as it is searched), the counters. */
export interface Resumed {
  readonly generation: number;
  readonly visited: VisitedSet;
  readonly frontier: Frontier;
  readonly counters: SearchCounters;
}

function sha256Of(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Reads the checkpoint in `dir` after verifying it (see the header); a missing, damaged or
 * tampered one, or one of other options, is a UsageError of one line (exit 2).
 */
export function readCheckpoint(dir: string, print: OptionsPrint, packed: Packed): Resumed {
  const manifestPath = join(dir, MANIFEST);
  if (!existsSync(manifestPath)) throw new UsageError(`--resume: no checkpoint in ${dir} (no ${MANIFEST}; write one with --checkpoint ${dir})`);
  const manifest = readManifest(manifestPath);
  const differs = Object.keys({ ...print, ...manifest.options }).find((k) => JSON.stringify(print[k]) !== JSON.stringify(manifest.options[k]));
  if (differs !== undefined) {
    throw new UsageError(
      `--resume: the checkpoint in ${dir} was written under other options (${differs}: ${JSON.stringify(manifest.options[differs])} there, ${JSON.stringify(print[differs])} here); give the options it was written with`,
    );
  }
  const n = manifest.states;
  const f = manifest.frontier;
  const damaged = (what: string) => new UsageError(`--resume: the checkpoint in ${dir} is damaged: ${what}; start the search again (without --resume)`);
  if (f.firstId + f.worlds !== n || manifest.visited.bytes !== n * 12) throw damaged(`the manifest does not add up (frontier ${f.firstId}+${f.worlds}, ${n} states, ${manifest.visited.bytes} bytes of visited states)`);
  if (f.worlds === 0 || f.chunks === 0 || f.chunks > f.worlds) throw damaged(`a frontier of ${f.worlds} worlds in ${f.chunks} chunks (a checkpoint always has states left to search)`);

  const visitedPath = join(dir, manifest.visited.file);
  const bytes = readExactly(visitedPath, manifest.visited.bytes, damaged);
  if (sha256Of(bytes) !== manifest.visited.sha256) throw damaged(`${manifest.visited.file} does not match its checksum`);
  // Copied into fresh, aligned arrays (a Buffer's offset into its pool need not be 4-aligned).
  const all = new Uint32Array(n * 3);
  new Uint8Array(all.buffer).set(bytes);
  const parents = all.subarray(2 * n, 3 * n);
  const badParent = firstBadParent(parents);
  if (badParent !== -1) throw damaged(`state ${badParent} has parent ${parents[badParent] === NO_PARENT ? 'none' : parents[badParent]} (a parent is an earlier state; only state 0 has none)`);
  const visited = VisitedSet.fromArrays(all.subarray(0, n), all.subarray(n, 2 * n), parents, (id) => {
    throw damaged(`state ${id} has the fingerprint of an earlier state`);
  });

  const frontierPath = join(dir, f.file);
  verifyChunks(frontierPath, f, damaged);
  const frontier = Frontier.fromFile(f.firstId, ChunkFile.existing(frontierPath, f.chunks, f.worlds), packed);
  return { generation: manifest.generation, visited, frontier, counters: manifest.counters };
}

function readManifest(path: string): Manifest {
  const options = { what: 'checkpoint manifest', prefix: '--resume: ' };
  const raw = parseInputJson(readInputText(path, options), path, options) as Record<string, unknown> | null;
  if (raw !== null && typeof raw === 'object' && raw.format === UNVERIFIABLE_FORMAT) {
    throw new UsageError(`--resume: ${path} is a ${UNVERIFIABLE_FORMAT} checkpoint, written by an earlier protokit without checksums, so it cannot be verified; start the search again`);
  }
  const parsed = (manifestSchema ??= buildManifestSchema(zod())).safeParse(raw);
  if (!parsed.success) throw new UsageError(`--resume: ${path} is not a ${CHECKPOINT_FORMAT} manifest (${parsed.error.issues[0]?.path.join('.') || 'top level'}: ${parsed.error.issues[0]?.message})`);
  // The checksum covers the manifest as written: the text's own key order, its sha256 left out.
  const { sha256, ...body } = raw as Record<string, unknown>;
  if (sha256Of(JSON.stringify(body)) !== sha256) throw new UsageError(`--resume: ${path} does not match its checksum (edited or damaged); start the search again`);
  return parsed.data;
}

const NO_PARENT = 0xffffffff;

/** The first state whose parent is not an earlier state (state 0, the initial one, has none), or −1. */
function firstBadParent(parents: Uint32Array): number {
  if (parents.length > 0 && parents[0] !== NO_PARENT) return 0;
  for (let id = 1; id < parents.length; id++) if (parents[id]! >= id) return id;
  return -1;
}

/** A regular file of exactly `size` bytes, read whole (its size is checked before anything is allocated). */
function readExactly(path: string, size: number, damaged: (what: string) => UsageError): Buffer {
  const { fd, size: actual } = openInputFile(path, { what: 'checkpoint data', prefix: '--resume: ', maxBytes: Infinity });
  try {
    if (actual !== size) throw damaged(`${path} holds ${actual} bytes, not the ${size} its manifest states`);
    const buffer = Buffer.alloc(size);
    for (let at = 0; at < size; ) {
      const got = readSync(fd, buffer, at, size - at, at);
      if (got === 0) throw damaged(`${path} ended at byte ${at} while being read`);
      at += got;
    }
    return buffer;
  } finally {
    closeSync(fd);
  }
}

/** Walks a frontier file's chunk headers and hashes it, a block at a time: its chunks, worlds, size and checksum must be the manifest's. */
function verifyChunks(path: string, f: Manifest['frontier'], damaged: (what: string) => UsageError): void {
  const { fd, size } = openInputFile(path, { what: 'checkpoint frontier', prefix: '--resume: ', maxBytes: Infinity });
  try {
    if (size !== f.bytes) throw damaged(`${path} holds ${size} bytes, not the ${f.bytes} its manifest states`);
    const hash = createHash('sha256');
    const block = Buffer.alloc(1 << 20);
    for (let at = 0; at < size; ) {
      const got = readSync(fd, block, 0, Math.min(block.length, size - at), at);
      if (got === 0) throw damaged(`${path} ended at byte ${at} while being read`);
      hash.update(block.subarray(0, got));
      at += got;
    }
    if (hash.digest('hex') !== f.sha256) throw damaged(`${path} does not match its checksum`);
    const header = Buffer.alloc(CHUNK_HEADER_BYTES);
    let chunks = 0;
    let worlds = 0;
    let at = 0;
    while (at < size) {
      if (readSync(fd, header, 0, CHUNK_HEADER_BYTES, at) !== CHUNK_HEADER_BYTES) throw damaged(`${path}: chunk ${chunks + 1} has no whole header`);
      const length = header.readUInt32LE(0);
      const count = header.readUInt32LE(4);
      if (count === 0 || at + CHUNK_HEADER_BYTES + length > size) throw damaged(`${path}: chunk ${chunks + 1} claims ${count} worlds in ${length} bytes, past the end of the file`);
      at += CHUNK_HEADER_BYTES + length;
      chunks++;
      worlds += count;
    }
    if (chunks !== f.chunks || worlds !== f.worlds) throw damaged(`${path} holds ${worlds} worlds in ${chunks} chunks, not the ${f.worlds} in ${f.chunks} its manifest states`);
  } finally {
    closeSync(fd);
  }
}

/** The data files a checkpoint manifest names (none when there is no manifest, or it is not one). */
function dataFilesOf(manifestPath: string): string[] {
  try {
    const m = (manifestSchema ??= buildManifestSchema(zod())).safeParse(JSON.parse(readInputText(manifestPath, { what: 'checkpoint manifest' })));
    return m.success ? [m.data.visited.file, m.data.frontier.file] : [];
  } catch {
    return [];
  }
}

/**
 * Refuses a --checkpoint folder that holds files but is not a protokit checkpoint (no manifest of
 * this format): protokit would write among, and delete, files it did not write. A missing or
 * empty folder, or one holding a checkpoint, is fine.
 */
export function claimCheckpointDir(dir: string): void {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new UsageError(`--checkpoint ${dir}: not a directory (give a new or empty folder)`);
    names = readdirSync(dir);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (names.length === 0) return;
  let format: unknown;
  try {
    format = (JSON.parse(readInputText(join(dir, MANIFEST), { what: 'checkpoint manifest' })) as { format?: unknown }).format;
  } catch {
    format = undefined;
  }
  if (format !== CHECKPOINT_FORMAT) {
    throw new UsageError(`--checkpoint ${dir}: the folder holds files and is not a protokit checkpoint (no ${MANIFEST} of ${CHECKPOINT_FORMAT}); give a new or empty folder`);
  }
}

/** Writes a file under a temporary name only this run can make, syncs it, and renames it into place. */
function writeDurably(path: string, write: (fd: number) => void): void {
  const temporary = temporaryNameFor(path);
  const fd = createExclusive(temporary);
  try {
    write(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  syncAndRename(temporary, path);
}

function syncAndRename(temporary: string, path: string): void {
  const fd = openSync(temporary, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}
