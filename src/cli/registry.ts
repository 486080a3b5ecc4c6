/**
 * Finding suites: the repository's registry file (properties/registry.ts), and modules that
 * users keep elsewhere (`--load PATH`, whose default export is a suite or a list of suites).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../engine/errors.js';
import type { Suite } from '../properties/suite.js';

/**
 * The repository's registry of built-in suites. Run from the sources (tsx, vitest) it is the
 * TypeScript file; run compiled (dist/, the installed package) it is its compiled twin, which the
 * build emits beside the kit, so the built-in models need no TypeScript loader.
 */
export const REGISTRY_MODULE = new URL(`../../properties/registry.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href;

export async function loadSuites(load?: string): Promise<Suite[]> {
  if (load !== undefined) return loadExternal(load);
  const registry = (await import(REGISTRY_MODULE)) as { suites: readonly Suite[] };
  return [...registry.suites];
}

/**
 * Imports a user's module. A TypeScript file needs a loader: run from the sources, one is there
 * already (the bin's, or vitest's); run compiled on plain node, register-ts.mjs registers tsx the
 * first time a .ts file is loaded, and only then.
 */
export async function importUserModule(url: string): Promise<unknown> {
  if (/\.[cm]?tsx?$/.test(url) && !import.meta.url.endsWith('.ts')) {
    const loader = (await import(new URL('./register-ts.mjs', import.meta.url).href)) as { registerTypeScript: () => void };
    loader.registerTypeScript();
  }
  return import(url);
}

async function loadExternal(path: string): Promise<Suite[]> {
  const file = resolve(path);
  if (!existsSync(file)) throw new UsageError(`--load: no such file: ${path}`);
  const module = (await importUserModule(pathToFileURL(file).href)) as { default?: unknown; suites?: unknown };
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
