/**
 * Reading the files other people give protokit (traces, histories, merge results, checkpoints),
 * in one place, so every such read has the same bounds: only regular files (a FIFO would wait for
 * ever, `/dev/zero` never ends), a size bound checked before a byte is read (64 MiB unless
 * `PROTOKIT_MAX_INPUT_BYTES` says more), JSON nested no deeper than a bound (a deep document
 * overflows the parser's stack), and every refusal one line naming the file and the problem
 * (a UsageError, exit 2).
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { UsageError } from './errors.js';

/** The default size bound: far above any real trace, history or merge result. */
export const DEFAULT_MAX_INPUT_BYTES = 64 * 2 ** 20;
/** The environment variable that raises (or lowers) the size bound, in bytes. */
export const MAX_INPUT_ENV = 'PROTOKIT_MAX_INPUT_BYTES';
/** JSON nested deeper than this is refused before it is parsed (protokit's files nest about 8 deep). */
export const MAX_JSON_NESTING = 64;

/** The size bound in force: PROTOKIT_MAX_INPUT_BYTES when it is a positive integer, else 64 MiB. */
export function maxInputBytes(): number {
  const raw = process.env[MAX_INPUT_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_MAX_INPUT_BYTES;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) <= 0 || !Number.isSafeInteger(Number(raw))) {
    throw new UsageError(`${MAX_INPUT_ENV}=${JSON.stringify(raw).slice(0, 40)}: expected a number of bytes above 0`);
  }
  return Number(raw);
}

function megabytes(bytes: number): string {
  return bytes >= 2 ** 20 ? `${Math.round(bytes / 2 ** 20)} MB` : `${bytes} bytes`;
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ? `${REASONS[code] ?? 'the system refused'} (${code})` : String(error);
}

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  EIO: 'an input/output error',
};

/** How a caller names the file in messages. */
export interface InputOptions {
  /** What the file is, for messages: `trace` gives `trace file not found: x.json`, `x is a directory, not a trace file`. */
  readonly what: string;
  /** Put before every message, e.g. `merge: ` or `--resume: `. */
  readonly prefix?: string;
  /** The size bound for this read; default maxInputBytes(). Infinity for files whose size another file states and the caller checks. */
  readonly maxBytes?: number;
}

function refuseUnlessRegular(path: string, stats: Stats, options: InputOptions): void {
  const prefix = options.prefix ?? '';
  if (stats.isDirectory()) throw new UsageError(`${prefix}${path} is a directory, not a ${options.what} file`);
  if (!stats.isFile()) throw new UsageError(`${prefix}${path} is not a regular file (a device, FIFO or socket), not a ${options.what} file`);
  const bound = options.maxBytes ?? maxInputBytes();
  if (stats.size > bound) {
    const override = options.maxBytes === undefined ? ` (${MAX_INPUT_ENV}=BYTES reads larger ones)` : '';
    throw new UsageError(`${prefix}${path} is ${megabytes(stats.size)}; ${options.what} files are at most ${megabytes(bound)}${override}`);
  }
}

function cannotRead(path: string, options: InputOptions, error: unknown): UsageError {
  const prefix = options.prefix ?? '';
  const code = (error as NodeJS.ErrnoException).code;
  return new UsageError(code === 'ENOENT' ? `${prefix}${options.what} file not found: ${path}` : `${prefix}cannot read ${options.what} ${path}: ${reasonOf(error)}`);
}

/**
 * Opens a regular file for reading and returns its descriptor and size, refusing anything else
 * before it can block or stream without end. The caller closes the descriptor.
 */
export function openInputFile(path: string, options: InputOptions): { fd: number; size: number } {
  let fd: number;
  try {
    refuseUnlessRegular(path, statSync(path), options);
    // Non-blocking: if the path became a FIFO since the stat, opening it must not wait for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw cannotRead(path, options, error);
  }
  try {
    const stats = fstatSync(fd);
    refuseUnlessRegular(path, stats, options);
    return { fd, size: stats.size };
  } catch (error) {
    closeSync(fd);
    if (error instanceof UsageError) throw error;
    throw cannotRead(path, options, error);
  }
}

/** The bytes of a regular file within the size bound (a file that grows while read is cut at the size it had). */
export function readInputBytes(path: string, options: InputOptions): Buffer {
  const { fd, size } = openInputFile(path, options);
  try {
    const buffer = Buffer.alloc(size);
    let at = 0;
    while (at < size) {
      const n = readSync(fd, buffer, at, size - at, at);
      if (n === 0) break;
      at += n;
    }
    return at === size ? buffer : buffer.subarray(0, at);
  } catch (error) {
    throw cannotRead(path, options, error);
  } finally {
    closeSync(fd);
  }
}

/** The text (UTF-8) of a regular file within the size bound. */
export function readInputText(path: string, options: InputOptions): string {
  return readInputBytes(path, options).toString('utf8');
}

/**
 * The deepest nesting of arrays and objects in a JSON text, counted without parsing it (brackets
 * inside strings do not count), stopping as soon as it passes `limit`.
 */
export function jsonNesting(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++;
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > deepest && (deepest = depth) > limit) return deepest;
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return deepest;
}

/** Parses JSON from a file, refusing nesting past MAX_JSON_NESTING and malformed text with one line. */
export function parseInputJson(text: string, path: string, options: { readonly what: string; readonly prefix?: string; readonly hint?: string }): unknown {
  const prefix = options.prefix ?? '';
  if (jsonNesting(text, MAX_JSON_NESTING) > MAX_JSON_NESTING) {
    throw new UsageError(`${prefix}${path} nests arrays and objects more than ${MAX_JSON_NESTING} deep; a ${options.what} file never does`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${prefix}${path} is not valid JSON (${(error as Error).message})${options.hint ? `; ${options.hint}` : ''}`);
  }
}

/** A regular file's JSON, within the size and nesting bounds. */
export function readInputJson(path: string, options: InputOptions & { readonly hint?: string }): unknown {
  return parseInputJson(readInputText(path, options), path, options);
}
