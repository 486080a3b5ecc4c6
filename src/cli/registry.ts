/**
 * Finding suites: the repository's registry file (properties/registry.ts), and modules that
 * users keep elsewhere (`--load PATH`, whose default export is a suite or a list of suites).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../engine/errors.js';
import type { Suite } from '../properties/suite.js';

const REGISTRY = new URL('../../properties/registry.ts', import.meta.url);

export async function loadSuites(load?: string): Promise<Suite[]> {
  if (load !== undefined) return loadExternal(load);
  const registry = (await import(REGISTRY.href)) as { suites: readonly Suite[] };
  return [...registry.suites];
}

async function loadExternal(path: string): Promise<Suite[]> {
  const file = resolve(path);
  if (!existsSync(file)) throw new UsageError(`--load: no such file: ${path}`);
  const module = (await import(pathToFileURL(file).href)) as { default?: unknown; suites?: unknown };
  const found = module.suites ?? module.default;
  const suites = Array.isArray(found) ? found : [found];
  if (suites.length === 0 || !suites.every(isSuite)) {
    throw new UsageError(`--load ${path}: expected a default export made with defineSuite(...) (or an export 'suites', a list of them)`);
  }
  return suites as Suite[];
}

function isSuite(value: unknown): value is Suite {
  const s = value as Suite | null;
  return !!s && typeof s === 'object' && !!s.model && typeof s.model.name === 'string' && Array.isArray(s.properties) && !!s.budget;
}

export function findSuite(suites: readonly Suite[], name: string): Suite {
  const suite = suites.find((s) => s.model.name === name);
  if (!suite) throw new UsageError(`unknown model '${name}' (accepted: ${suites.map((s) => s.model.name).join(', ')})`);
  return suite;
}
