/**
 * Finding suites: the repository's registry file (properties/registry.ts), and modules that
 * users keep elsewhere (`--load PATH`, whose default export is a suite or a list of suites).
 *
 * A `--load` module is someone else's code: whatever goes wrong in loading it (a syntax error,
 * a missing import, a throw, an export of the wrong shape, a top-level await that never
 * settles) is one line naming the file and the problem, exit 2. Every suite's names (model,
 * mutants, properties, presets, parameters) must be safe names, since they become file names.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../engine/errors.js';
import type { Suite } from '../properties/suite.js';
import { unsafeNameReason } from '../trace/names.js';

const REGISTRY = new URL('../../properties/registry.ts', import.meta.url);

/** How long a `--load` module may take to import (its top-level code and awaits); PROTOKIT_LOAD_TIMEOUT_MS overrides it. */
export const LOAD_TIMEOUT_MS = 10_000;

function loadTimeoutMs(): number {
  const set = Number(process.env.PROTOKIT_LOAD_TIMEOUT_MS);
  return Number.isFinite(set) && set > 0 ? set : LOAD_TIMEOUT_MS;
}

export async function loadSuites(load?: string): Promise<Suite[]> {
  const suites = load !== undefined ? await loadExternal(load) : [...((await import(REGISTRY.href)) as { suites: readonly Suite[] }).suites];
  for (const suite of suites) checkNames(suite, load);
  return suites;
}

async function loadExternal(path: string): Promise<Suite[]> {
  const file = resolve(path);
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch {
    throw new UsageError(`--load: no such file: ${path}`);
  }
  if (!isFile) throw new UsageError(`--load ${path}: not a file (give the suite module itself)`);
  const module = (await importWithin(pathToFileURL(file).href, path)) as { default?: unknown; suites?: unknown };
  const found = module.suites ?? module.default;
  const suites = Array.isArray(found) ? found : [found];
  if (suites.length === 0 || !suites.every(isSuite)) {
    throw new UsageError(`--load ${path}: expected a default export made with defineSuite(...) (or an export 'suites', a list of them)`);
  }
  return suites as Suite[];
}

/** Imports a user's module, turning every failure (and a wait past LOAD_TIMEOUT_MS) into a UsageError. */
async function importWithin(url: string, path: string): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const ms = loadTimeoutMs();
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UsageError(`--load ${path}: still importing after ${ms / 1000} s (a top-level await that never settles?)`)), ms);
  });
  try {
    return await Promise.race([import(url), timeout]);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--load ${path}: cannot load it: ${firstLine(error)}`);
  } finally {
    clearTimeout(timer);
  }
}

/** The line of an import error that says what is wrong (esbuild puts it after a header line). */
function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const detail = lines.find((l) => /ERROR:/.test(l)) ?? lines[0] ?? 'unknown error';
  const kind = error instanceof Error && error.name !== 'Error' ? `${error.name}: ` : '';
  return `${kind}${detail}`;
}

function isSuite(value: unknown): value is Suite {
  const s = value as Suite | null;
  return !!s && typeof s === 'object' && !!s.model && typeof s.model === 'object' && typeof s.model.name === 'string' && Array.isArray(s.properties) && !!s.budget;
}

/** Refuses a suite whose names are not safe names (they become file names). */
function checkNames(suite: Suite, load: string | undefined): void {
  const where = load !== undefined ? `--load ${load}: ` : '';
  const check = (what: string, name: unknown) => {
    const reason = unsafeNameReason(name);
    if (reason !== null) throw new UsageError(`${where}${what} ${JSON.stringify(String(name))} is not a safe name: ${reason}`);
  };
  check('model name', suite.model.name);
  for (const name of Object.keys(suite.model.mutants ?? {})) check(`mutant of ${suite.model.name}`, name);
  for (const name of Object.keys(suite.model.presets ?? {})) check(`preset of ${suite.model.name}`, name);
  for (const name of Object.keys(suite.model.params ?? {})) check(`config key of ${suite.model.name}`, name);
  for (const p of suite.properties) check(`property of ${suite.model.name}`, p?.name);
}

export function findSuite(suites: readonly Suite[], name: string): Suite {
  const suite = suites.find((s) => s.model.name === name);
  if (!suite) throw new UsageError(`unknown model '${name}' (accepted: ${suites.map((s) => s.model.name).join(', ')})`);
  return suite;
}
