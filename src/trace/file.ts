/**
 * Reading and writing trace files: atomic writes that fail with one clear line and leave
 * nothing behind, and loads that refuse what is not a trace before reading it (a FIFO, a device,
 * a huge file, nesting deep enough to overflow the stack) and explain what is wrong.
 */
import { closeSync, constants, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type * as Zod from 'zod';
import { EnvironmentError, environmentReason, isEnvironmentFailure, UsageError } from '../engine/errors.js';
import { jsonNesting, maxInputBytes, readInputText } from '../engine/input-file.js';
import { createExclusive, temporaryNameFor } from '../engine/own-files.js';
import { TRACE_FORMAT, traceSchemas, type Trace } from './format.js';

/** Trace files larger than this are refused unread (a 100,000-step Raft trace is about 40 MB); PROTOKIT_MAX_INPUT_BYTES raises it. */
export const MAX_TRACE_BYTES = 64 * 2 ** 20;
/** JSON nested deeper than this is refused before it is parsed (real traces nest about 8 deep). */
export const MAX_TRACE_NESTING = 64;

/** A write that failed for a reason of the path given (exit 2); a full or read-only disk is an EnvironmentError (exit 74). */
export class WriteError extends UsageError {
  override name = 'WriteError';
}

const REASONS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a file is in the way where a directory should be',
  EEXIST: 'a file is in the way where a directory should be',
  EISDIR: 'it is a directory',
  ENOENT: 'the directory cannot be created there',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  EIO: 'an input/output error',
};

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ? `${REASONS[code] ?? 'the system refused'} (${code})` : String(error);
}

/**
 * Creates `dir` and its missing parents one at a time. (Node's recursive mkdir loops for ever
 * where a directory exists but refuses children, as /proc does.)
 */
function makeDirectories(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    let stats: Stats | undefined;
    try {
      stats = statSync(at);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (stats) {
      if (!stats.isDirectory()) throw Object.assign(new Error(`${at} is not a directory`), { code: 'ENOTDIR' });
      break;
    }
    missing.push(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const path of missing.reverse()) mkdirSync(path);
}

/**
 * Since 0.1.0. Writes `text` to `path` through a temporary file and a rename, so readers never
 * see half a file. The temporary is a name only this write can make (engine/own-files.ts); no
 * other file is touched. Any failure is a WriteError (or, when the disk is full or read-only, an
 * EnvironmentError) naming the file and the reason, and the temporary is gone.
 */
export function writeFileAtomic(path: string, text: string): void {
  const dir = dirname(path);
  const temporary = temporaryNameFor(path);
  let fd: number | null = null;
  let created = false;
  try {
    makeDirectories(dir);
    const existing = statOrNull(path);
    if (existing?.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (existing && !existing.isFile()) throw new WriteError(`cannot write ${path}: it exists and is not a regular file`);
    fd = createExclusive(temporary);
    created = true;
    const bytes = Buffer.from(text, 'utf8');
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    closeSync(fd);
    fd = null;
    renameSync(temporary, path);
    created = false;
  } catch (error) {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        // Already failing; the close error adds nothing.
      }
    }
    // Only the temporary this write created (an EEXIST on open means the name was someone else's).
    if (created) {
      try {
        unlinkSync(temporary);
      } catch {
        // Already gone: nothing of ours is left.
      }
    }
    if (error instanceof WriteError) throw error;
    // A full or read-only disk is the machine's failure (exit 74), not a bad path (exit 2).
    if (isEnvironmentFailure(error)) throw new EnvironmentError(`cannot write ${path}: ${environmentReason(error)}`);
    throw new WriteError(`cannot write ${path}: ${reasonOf(error)}`);
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/**
 * Saves a trace, after checking that it loads again: a trace this protokit writes must be one it
 * reads (a run whose trace would not load is an internal error, not a lost result on replay).
 */
export function saveTrace(path: string, trace: Trace): void {
  const text = JSON.stringify(trace, null, 2) + '\n';
  try {
    parseTrace(text, path);
  } catch (error) {
    throw new WriteError(`not writing ${path}: the trace would not load again (${(error as Error).message.replace(`${path} `, '')})`);
  }
  writeFileAtomic(path, text);
}

/** Loads and validates a trace; every problem is a UsageError naming the file and the problem. */
export function loadTrace(path: string): Trace {
  return parseTrace(readTraceText(path), path);
}

/** The text of a trace file, refusing what is not a regular file of a sensible size before reading. */
function readTraceText(path: string): string {
  return readInputText(path, { what: 'trace' });
}

export function parseTrace(text: string, path = 'trace'): Trace {
  if (text.trim() === '') throw new UsageError(`${path} is empty, not a trace`);
  const bound = Math.max(MAX_TRACE_BYTES, maxInputBytes());
  if (text.length > bound) throw new UsageError(`${path} is larger than ${Math.round(bound / 2 ** 20)} MB; traces are at most that`);
  if (jsonNesting(text, MAX_TRACE_NESTING) > MAX_TRACE_NESTING) {
    throw new UsageError(`${path} nests arrays and objects more than ${MAX_TRACE_NESTING} deep; a trace never does`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path} is not valid JSON (truncated or malformed): ${(error as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new UsageError(`${path} is not a trace: expected a JSON object`);
  // A key `__proto__` would be dropped, or set a prototype, somewhere between here and the model.
  if (/__proto__|\\u/.test(text)) {
    JSON.parse(text, (key, value) => {
      if (key === '__proto__') throw new UsageError(`${path} is not a valid trace: it has a key named __proto__`);
      return value;
    });
  }
  const format = (json as { format?: unknown }).format;
  if (format !== TRACE_FORMAT) {
    throw new UsageError(`${path} has format ${JSON.stringify(format ?? null)}; this protokit reads ${TRACE_FORMAT}`);
  }
  const parsed = traceSchemas().traceSchema.safeParse(json);
  if (!parsed.success) throw new UsageError(`${path} is not a valid trace: ${describeIssue(parsed.error)}`);
  return parsed.data;
}

function describeIssue(error: Zod.ZodError): string {
  const issue = error.issues[0]!;
  const where = issue.path.length ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : 'the document';
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})` : '';
  return `${where}: ${issue.message}${more}`;
}
