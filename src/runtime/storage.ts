/**
 * Stable storage for a running node: the role's persisted fields and the node's incarnation.
 *
 * The model's crash semantics are write-ahead: a step's persisted fields are on stable storage
 * before any of its messages leave. `save` therefore resolves only once the record is durable;
 * the node awaits it before it sends. `fileStorage` keeps a checkpoint (replaced atomically:
 * temporary file, fsync, rename, fsync of the directory) and a journal of the changes since it
 * (appended, fsynced), so a crash at any instant leaves the record of the last save that
 * resolved, or of the one in progress, never half of one; and a save writes what changed, not
 * the whole record.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { applyDelta, diffPersisted } from './json-delta.js';

/** What a node keeps across crashes. */
export interface StoredNode {
  readonly format: 'protokit-node/1';
  readonly model: string;
  readonly node: string;
  /** Starts and recoveries so far (the one this record was written in included). */
  readonly incarnation: number;
  /** The role's persisted context fields, as of the last step that wrote them. */
  readonly persisted: Readonly<Record<string, unknown>>;
}

/** Since 0.2.0. Where a node's persisted fields live. */
export interface Storage {
  /** The last record saved, or null for a node that never ran. */
  load(): Promise<StoredNode | null>;
  /** Replaces the record; resolves once it is durable (it survives a crash of the process and of the machine). */
  save(record: StoredNode): Promise<void>;
}

/** A stored record that cannot be read: the node refuses to start rather than start from nothing. */
export class StorageError extends Error {
  override name = 'StorageError';
}

export interface FileStorageOptions {
  /**
   * A new checkpoint is written once the journal holds more than this many bytes, or more than the
   * last checkpoint, whichever is larger (default 64 KiB): so the bytes written per change stay in
   * proportion to the change, and a checkpoint's cost is spread over the changes before it.
   */
  readonly minJournalBytes?: number;
}

/**
 * Since 0.2.0. A node's record in a file, kept by a checkpoint and a journal:
 * - `path` holds a checkpoint: the whole record, replaced atomically (temporary file, fsync,
 *   rename, fsync of the directory);
 * - `path.journal` holds one line per later save: only what changed (a field set anew, or a list
 *   that kept a prefix and gained items: Raft's log appends its new entries, not the whole log),
 *   appended and fsynced. The lines name their checkpoint, so lines left from before a newer
 *   checkpoint are skipped; a torn last line (a crash mid-append, before the save resolved) is
 *   ignored and the next save writes a checkpoint.
 * A save's cost thus follows the size of the change, plus a checkpoint now and then.
 */
export function fileStorage(path: string, options: FileStorageOptions = {}): Storage {
  const journalPath = `${path}.journal`;
  const minJournalBytes = options.minJournalBytes ?? 64 * 1024;
  let saves = 0;
  /** What the files hold now, as far as this storage wrote or read them (null: checkpoint next). */
  let last: StoredNode | null = null;
  let generation = '';
  let checkpointBytes = 0;
  let journalBytes = 0;

  async function checkpoint(record: StoredNode): Promise<void> {
    mkdirSync(dirname(path), { recursive: true });
    const next = randomUUID();
    const text = JSON.stringify({ ...record, generation: next });
    const temporary = `${path}.${process.pid}.${++saves}.tmp`;
    const file = await open(temporary, 'w');
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
    syncDirectory(dirname(path));
    // Only now that the checkpoint is durable may the journal before it go.
    const created = !existsSync(journalPath);
    const journal = await open(journalPath, 'a');
    try {
      await journal.truncate(0);
      await journal.sync();
    } finally {
      await journal.close();
    }
    if (created) syncDirectory(dirname(path));
    generation = next;
    checkpointBytes = Buffer.byteLength(text);
    journalBytes = 0;
  }

  return {
    async load() {
      last = null;
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
      const stored = parseStored(text, path);
      const { generation: gen, ...record } = stored as StoredNode & { generation?: unknown };
      if (typeof gen !== 'string') return record;
      let journal = '';
      try {
        journal = await readFile(journalPath, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      return { ...record, persisted: replay(record.persisted, journal, gen, journalPath) };
    },
    async save(record) {
      const delta = last !== null && last.model === record.model && last.node === record.node && last.incarnation === record.incarnation ? diffPersisted(last.persisted, record.persisted) : undefined;
      if (delta === null) {
        last = record;
        return;
      }
      const line = delta === undefined ? '' : JSON.stringify({ generation, ...delta }) + '\n';
      if (delta === undefined || journalBytes + Buffer.byteLength(line) > Math.max(minJournalBytes, checkpointBytes)) {
        last = null;
        await checkpoint(record);
      } else {
        try {
          const journal = await open(journalPath, 'a');
          try {
            await journal.write(line);
            await journal.datasync();
          } finally {
            await journal.close();
          }
        } catch (error) {
          // Part of the line may be in the file: the next save starts afresh with a checkpoint.
          last = null;
          throw error;
        }
        journalBytes += Buffer.byteLength(line);
      }
      last = record;
    },
  };
}

/** The checkpoint's persisted fields with the journal's lines of its generation applied, in order. */
function replay(persisted: Readonly<Record<string, unknown>>, journal: string, generation: string, where: string): Readonly<Record<string, unknown>> {
  let current = persisted;
  const lines = journal.split('\n');
  // The text after the last newline is a torn append (or nothing): its save never resolved.
  lines.pop();
  for (let i = 0; i < lines.length; i++) {
    let entry: unknown;
    try {
      entry = JSON.parse(lines[i]!);
    } catch {
      throw new StorageError(`${where}: line ${i + 1} is not JSON`);
    }
    const e = entry as { generation?: unknown } | null;
    if (typeof e !== 'object' || e === null || typeof e.generation !== 'string') throw new StorageError(`${where}: line ${i + 1} names no checkpoint`);
    if (e.generation !== generation) continue;
    const { generation: _, ...delta } = e;
    const next = applyDelta(current, delta);
    if (typeof next === 'string') throw new StorageError(`${where}: line ${i + 1}: ${next}`);
    current = next;
  }
  return current;
}

/** Since 0.2.0. Storage in memory: survives a node's restart inside one process (tests, simulations), not the process. */
export function memoryStorage(): Storage & { readonly record: StoredNode | null; readonly saves: number } {
  let record: StoredNode | null = null;
  let saves = 0;
  return {
    get record() {
      return record;
    },
    get saves() {
      return saves;
    },
    load: async () => (record === null ? null : structuredClone(record)),
    async save(next) {
      record = structuredClone(next);
      saves++;
    },
  };
}

function parseStored(text: string, where: string): StoredNode {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new StorageError(`${where}: not a stored node (not JSON)`);
  }
  const v = value as Partial<StoredNode> | null;
  if (typeof v !== 'object' || v === null || v.format !== 'protokit-node/1') throw new StorageError(`${where}: not a stored node (format is not protokit-node/1)`);
  if (!Number.isSafeInteger(v.incarnation) || v.incarnation! < 1) throw new StorageError(`${where}: incarnation must be a whole number ≥ 1`);
  if (typeof v.persisted !== 'object' || v.persisted === null || Array.isArray(v.persisted)) throw new StorageError(`${where}: persisted must be an object`);
  if (typeof v.model !== 'string' || typeof v.node !== 'string') throw new StorageError(`${where}: model and node must be strings`);
  return v as StoredNode;
}

/** A rename is durable once the directory entry is: fsync the directory (where the platform allows it). */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot open a directory; the rename is as durable as they make it.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
