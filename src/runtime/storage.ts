/**
 * Stable storage for a running node: the role's persisted fields and the node's incarnation.
 *
 * The model's crash semantics are write-ahead: a step's persisted fields are on stable storage
 * before any of its messages leave. `save` therefore resolves only once the record is durable;
 * the node awaits it before it sends. `fileStorage` writes a temporary file, fsyncs it, renames
 * it over the old one and fsyncs the directory, so a crash at any instant leaves either the old
 * record or the new one, never half of one.
 */
import { closeSync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

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

/** Since 0.2.0. One JSON file per node, replaced atomically (temporary file, fsync, rename, fsync of the directory). */
export function fileStorage(path: string): Storage {
  let saves = 0;
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
      return parseStored(text, path);
    },
    async save(record) {
      mkdirSync(dirname(path), { recursive: true });
      const temporary = `${path}.${process.pid}.${++saves}.tmp`;
      const file = await open(temporary, 'w');
      try {
        await file.writeFile(JSON.stringify(record));
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temporary, path);
      syncDirectory(dirname(path));
    },
  };
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
