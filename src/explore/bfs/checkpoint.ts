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
 * The folder is protokit's alone: a folder that holds files but no checkpoint manifest is refused
 * (claimCheckpointDir), and the only files deleted are the data files named by the manifest a new
 * one replaces. Temporaries have names only this run can make (engine/own-files.ts).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { createExclusive, temporaryNameFor } from '../../engine/own-files.js';
import { join } from 'node:path';
import type * as Zod from 'zod';
import { zod } from '../../engine/lazy-zod.js';
import { UsageError } from '../../engine/errors.js';
import type { Instance } from '../../engine/instance.js';
import { KIT_VERSION } from '../../engine/version.js';
import type { Suite } from '../../properties/suite.js';
import { ChunkFile, Frontier } from './frontier.js';
import type { StopReason } from './level.js';
import { VisitedSet } from './visited.js';

export const CHECKPOINT_FORMAT = 'protokit-checkpoint/1';
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
  options: { readonly symmetry?: boolean; readonly maxStates?: number; readonly maxDepth?: number; readonly maxInFlight?: number },
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
    kitVersion: KIT_VERSION,
  };
}

/** The manifest's schema, built on first use (zod is loaded then: src/engine/lazy-zod.ts). */
function buildManifestSchema(z: typeof Zod) {
  return z.object({
    format: z.literal(CHECKPOINT_FORMAT),
    generation: z.number().int().nonnegative(),
    options: z.record(z.string(), z.unknown()),
    states: z.number().int().nonnegative(),
    // Only names this kit writes: a manifest is a file, and a path in it must not lead outside the folder.
    visited: z.string().regex(/^visited-\d+\.bin$/),
    frontier: z.object({ file: z.string().regex(/^frontier-\d+\.chunks$/), firstId: z.number().int().nonnegative(), chunks: z.number().int().nonnegative(), worlds: z.number().int().nonnegative() }),
    counters: z.object({
      depth: z.number().int().nonnegative(),
      generated: z.number().int().nonnegative(),
      reached: z.array(z.string()),
      stoppedBy: z.enum(['max-states', 'max-depth', 'memory', 'interrupted']).nullable(),
      peakHeapBytes: z.number().nonnegative(),
      elapsedMs: z.number().nonnegative(),
    }),
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
  writeDurably(join(dir, visitedName), (fd) => {
    for (const a of [arrays.hi, arrays.lo, arrays.parents]) writeSync(fd, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  });
  const frontierTemp = temporaryNameFor(join(dir, frontierName));
  const chunks = new ChunkFile(frontierTemp);
  frontier.copyTo(chunks);
  chunks.close();
  syncAndRename(frontierTemp, join(dir, frontierName));

  const manifest: Manifest = {
    format: CHECKPOINT_FORMAT,
    generation,
    options: print as Record<string, unknown>,
    states,
    visited: visitedName,
    frontier: { file: frontierName, firstId: frontier.firstId, chunks: chunks.chunks, worlds: chunks.worlds },
    counters: { ...counters, reached: [...counters.reached] },
  };
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

/** Reads the checkpoint in `dir`; a missing or damaged one, or one of other options, is a UsageError of one line. */
export function readCheckpoint(dir: string, print: OptionsPrint): Resumed {
  const manifestPath = join(dir, MANIFEST);
  if (!existsSync(manifestPath)) throw new UsageError(`--resume: no checkpoint in ${dir} (no ${MANIFEST}; write one with --checkpoint ${dir})`);
  let manifest: Manifest;
  try {
    manifest = (manifestSchema ??= buildManifestSchema(zod())).parse(JSON.parse(readFileSync(manifestPath, 'utf8')));
  } catch {
    throw new UsageError(`--resume: ${manifestPath} is not a ${CHECKPOINT_FORMAT} manifest`);
  }
  const differs = Object.keys({ ...print, ...manifest.options }).find((k) => JSON.stringify(print[k]) !== JSON.stringify(manifest.options[k]));
  if (differs !== undefined) {
    throw new UsageError(
      `--resume: the checkpoint in ${dir} was written under other options (${differs}: ${JSON.stringify(manifest.options[differs])} there, ${JSON.stringify(print[differs])} here); give the options it was written with`,
    );
  }
  const n = manifest.states;
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(dir, manifest.visited));
  } catch {
    throw new UsageError(`--resume: ${join(dir, manifest.visited)}, named by the manifest, cannot be read`);
  }
  if (bytes.length !== n * 12) throw new UsageError(`--resume: ${join(dir, manifest.visited)} holds ${bytes.length} bytes, not the ${n * 12} of ${n} states`);
  // Copied into fresh, aligned arrays (a Buffer's offset into its pool need not be 4-aligned).
  const all = new Uint32Array(n * 3);
  new Uint8Array(all.buffer).set(bytes);
  const visited = VisitedSet.fromArrays(all.subarray(0, n), all.subarray(n, 2 * n), all.subarray(2 * n, 3 * n));
  const f = manifest.frontier;
  if (!existsSync(join(dir, f.file))) throw new UsageError(`--resume: ${join(dir, f.file)}, named by the manifest, is missing`);
  if (f.firstId + f.worlds !== n) throw new UsageError(`--resume: the manifest in ${dir} does not add up (frontier ${f.firstId}+${f.worlds}, ${n} states)`);
  const frontier = Frontier.fromFile(f.firstId, ChunkFile.existing(join(dir, f.file), f.chunks, f.worlds));
  return { generation: manifest.generation, visited, frontier, counters: manifest.counters };
}

/** The data files a checkpoint manifest names (none when there is no manifest, or it is not one). */
function dataFilesOf(manifestPath: string): string[] {
  try {
    const m = (manifestSchema ??= buildManifestSchema(zod())).safeParse(JSON.parse(readFileSync(manifestPath, 'utf8')));
    return m.success ? [m.data.visited, m.data.frontier.file] : [];
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
    format = (JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as { format?: unknown }).format;
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
