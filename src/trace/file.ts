/** Reading and writing trace files: atomic writes, and loads that explain what is wrong. */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../engine/errors.js';
import { TRACE_FORMAT, traceSchema, type Trace } from './format.js';

/** Writes `text` to `path` through a temporary file and a rename, so readers never see half a file. */
export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

export function saveTrace(path: string, trace: Trace): void {
  writeFileAtomic(path, JSON.stringify(trace, null, 2) + '\n');
}

/** Loads and validates a trace; every problem is a UsageError naming the file and the problem. */
export function loadTrace(path: string): Trace {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `trace file not found: ${path}` : code === 'EISDIR' ? `${path} is a directory, not a trace file` : `cannot read trace ${path}: ${code ?? String(error)}`);
  }
  return parseTrace(text, path);
}

export function parseTrace(text: string, path = 'trace'): Trace {
  if (text.trim() === '') throw new UsageError(`${path} is empty, not a trace`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path} is not valid JSON (truncated or malformed): ${(error as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new UsageError(`${path} is not a trace: expected a JSON object`);
  const format = (json as { format?: unknown }).format;
  if (format !== TRACE_FORMAT) {
    throw new UsageError(`${path} has format ${JSON.stringify(format ?? null)}; this protokit reads ${TRACE_FORMAT}`);
  }
  const parsed = traceSchema.safeParse(json);
  if (!parsed.success) throw new UsageError(`${path} is not a valid trace: ${describeIssue(parsed.error)}`);
  return parsed.data;
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const where = issue.path.length ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : 'the document';
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})` : '';
  return `${where}: ${issue.message}${more}`;
}
