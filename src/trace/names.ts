/**
 * Names that become file names. Model, mutant, property and preset names come from suites,
 * which may come from other people (`--load`), and they go into trace file names: a model
 * named `../../../../x` must not write outside `--out`. Suites are checked against the safe-name
 * rule when they are loaded (src/cli/registry.ts); file names are still built from a safe form,
 * and a trace path is checked to stay inside its directory.
 *
 * A trace's file name also carries a short hash of what the run was (configuration, faults,
 * depth), so two runs that differ only there do not overwrite each other's trace.
 */
import { relative, resolve, isAbsolute, join } from 'node:path';
import { canonical, fingerprint } from '../engine/canonical.js';
import { UsageError } from '../engine/errors.js';

/** Letters, digits, `.`, `_`, `-`; starting with a letter or a digit; no `..`; at most 100 characters. */
export const SAFE_NAME = /^[a-z0-9][a-z0-9._-]*$/i;
export const MAX_NAME_LENGTH = 100;

/** Why `name` is not a safe name, or null when it is. */
export function unsafeNameReason(name: unknown): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'it is empty or not a string';
  if (name.length > MAX_NAME_LENGTH) return `it is longer than ${MAX_NAME_LENGTH} characters`;
  if (name.includes('..')) return "it contains '..'";
  if (!SAFE_NAME.test(name)) return 'use letters, digits, ., _ and -, starting with a letter or a digit';
  return null;
}

/** `name` as a file-name part: every other character becomes `_`, and it never starts with `.`. */
export function fileSafe(name: string): string {
  const safe = name
    .slice(0, MAX_NAME_LENGTH)
    .replace(/[^a-z0-9._-]/gi, '_')
    .replace(/\.\.+/g, '_')
    .replace(/^[._-]/, '_');
  return safe === '' ? '_' : safe;
}

/** Eight hex digits that tell runs apart: the same settings give the same hash on every machine. */
export function settingsHash(settings: unknown): string {
  return fingerprint(canonical(settings)).slice(0, 8);
}

/**
 * `dir/model/file`, where model and file are file-safe, after checking that the result stays
 * inside `dir` (it always does for safe parts; the check is the net under them).
 */
export function pathInside(dir: string, ...parts: string[]): string {
  const path = join(dir, ...parts.map(fileSafe));
  const rel = relative(resolve(dir), resolve(path));
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new UsageError(`refusing to write ${path}: it is not inside ${dir}`);
  return path;
}
