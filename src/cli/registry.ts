/**
 * Finding suites: the repository's registry file (properties/registry.ts), and modules that
 * users keep elsewhere (`--load PATH`, whose default export is a suite or a list of suites).
 *
 * A `--load` module is someone else's code: whatever goes wrong in loading it (a syntax error,
 * a missing import, a throw, an export of the wrong shape, a top-level await that never
 * settles) is one line naming the file and the problem, exit 2. Every suite's names (model,
 * mutants, properties, presets, parameters) must be safe names, since they become file names.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ModelError, UsageError } from '../engine/errors.js';
import { resolveInstance, type InstanceOptions } from '../engine/instance.js';
import { saveTrace } from '../trace/file.js';
import type { Trace } from '../trace/format.js';
import { traceOfModelError } from '../trace/replay.js';
import { COMMAND, shellArg } from './common.js';
import { probeImport, stillImporting } from './load-probe.js';
import type { Suite } from '../properties/suite.js';
import { unsafeNameReason } from '../trace/names.js';
import { validateBudget, validateSuite } from '../properties/validate.js';

/**
 * The repository's registry of built-in suites. Run from the sources (tsx, vitest) it is the
 * TypeScript file; run compiled (dist/, the installed package) it is its compiled twin, which the
 * build emits beside the kit, so the built-in models need no TypeScript loader.
 */
export const REGISTRY_MODULE = new URL(`../../properties/registry.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href;

/**
 * The catalogue of built-in suites (properties/catalogue.ts), which loads one model's suite alone:
 * also the module worker threads load a built-in suite from (properties/suite-module.ts).
 */
export const CATALOGUE_MODULE = new URL(`../../properties/catalogue.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href;

interface CatalogueEntry {
  readonly name: string;
  readonly load: () => Promise<Suite>;
}

/**
 * How long a `--load` module may take to import (its top-level code and awaits), in ms;
 * PROTOKIT_LOAD_TIMEOUT_MS overrides it. Generous, since a slow or busy machine is not bad usage;
 * it is there so that a CI job whose suite loops at import ends instead of hanging.
 */
export const LOAD_TIMEOUT_MS = 60_000;

function loadTimeoutMs(): number {
  const set = Number(process.env.PROTOKIT_LOAD_TIMEOUT_MS);
  return Number.isFinite(set) && set > 0 ? set : LOAD_TIMEOUT_MS;
}

export async function loadSuites(load?: string): Promise<Suite[]> {
  const suites = load !== undefined ? await loadExternal(load) : [...((await import(REGISTRY_MODULE)) as { suites: readonly Suite[] }).suites];
  for (const suite of suites) checkNames(suite, load);
  return suites;
}

/**
 * Imports a user's module. A TypeScript file needs a loader: run from the sources, one is there
 * already (the bin's, or vitest's); run compiled on plain node, register-ts.mjs registers tsx the
 * first time a .ts file is loaded, and only then.
 */
export async function importUserModule(url: string): Promise<unknown> {
  if (/\.[cm]?tsx?$/.test(url) && !import.meta.url.endsWith('.ts')) {
    const loader = (await import(new URL('../engine/register-ts.mjs', import.meta.url).href)) as { registerTypeScript: () => void };
    loader.registerTypeScript();
  }
  return import(url);
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
  await probeImport(pathToFileURL(file).href, path, loadTimeoutMs(), LOAD_TIMEOUT_MS);
  const module = (await importWithin(pathToFileURL(file).href, path)) as { default?: unknown; suites?: unknown };
  const found = module.suites ?? module.default;
  const suites = Array.isArray(found) ? found : [found];
  if (suites.length === 0 || !suites.every(isSuite)) {
    throw new UsageError(`--load ${path}: expected a default export made with defineSuite(...) (or an export 'suites', a list of them)`);
  }
  for (const s of suites as Suite[]) {
    const problem = shapeProblem(s);
    if (problem !== null) throw new UsageError(`--load ${path}: suite ${s.model.name}: ${problem}${problem.includes('(make it') ? '' : ' (make it with defineModel and defineSuite)'}`);
    validateSuite(s.model, s.properties);
    validateBudget(s.model.name, s.budget, s.small);
  }
  return suites as Suite[];
}

/** Imports a user's module, turning every failure (and a wait past LOAD_TIMEOUT_MS) into a UsageError. */
async function importWithin(url: string, path: string): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const ms = loadTimeoutMs();
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(stillImporting(path, ms, LOAD_TIMEOUT_MS)), ms);
  });
  try {
    return await Promise.race([importUserModule(url), timeout]);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--load ${path}: cannot load it: ${userErrorText(error)}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A user's import error on one line, with every line of its message: xstate's "Invalid transition
 * definition for state node 'client.waiting':" says what is wrong only on its next line ("Child state
 * 'holdnig' does not exist on 'client'"). esbuild's syntax errors keep only their ERROR line (the
 * header before it is esbuild's, not the user's).
 */
function userErrorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const esbuild = lines.find((l) => /ERROR:/.test(l));
  const detail = esbuild ?? (lines.join(' ') || 'unknown error');
  const kind = error instanceof Error && error.name !== 'Error' ? `${error.name}: ` : '';
  return `${kind}${detail}`;
}

function isSuite(value: unknown): value is Suite {
  const s = value as Suite | null;
  return !!s && typeof s === 'object' && !!s.model && typeof s.model === 'object' && typeof s.model.name === 'string' && Array.isArray(s.properties) && !!s.budget;
}

const PROPERTY_KINDS = ['always', 'always-step', 'sometimes', 'eventually', 'leadsTo'];

/**
 * What is wrong with the shape of a --load module's suite, or null: the fields protokit reads, of
 * the types it reads them as (a suite written without defineSuite, or a wrong export, would
 * otherwise fail deep in a run as a TypeError, blamed on protokit).
 */
function shapeProblem(suite: Suite): string | null {
  const m = suite.model as unknown as Record<string, unknown>;
  const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObject(m.roles)) return 'model.roles must be an object of roles';
  for (const [role, spec] of Object.entries(m.roles as object)) {
    if (!isObject(spec) || !isObject((spec as { machine?: unknown }).machine)) return `model.roles.${role} must be { machine, persist, environment? }`;
  }
  if (typeof m.nodes !== 'function') return 'model.nodes must be a function of the parameters';
  if (!isObject(m.params)) return 'model.params must be an object';
  if (!isObject(m.faults)) return 'model.faults must be an object';
  if (!isObject(m.mutants)) return 'model.mutants must be an object';
  if (m.presets !== undefined && !isObject(m.presets)) return 'model.presets must be an object';
  for (const [i, p] of suite.properties.entries()) {
    const q = p as unknown as Record<string, unknown> | null;
    if (!isObject(q) || typeof q!.name !== 'string' || !PROPERTY_KINDS.includes(q!.kind as string)) return `properties[${i}] is not a property (make it with always, alwaysStep, sometimes, eventually or leadsTo)`;
  }
  if (!isObject(suite.budget)) return 'budget must be an object { runs, depth }';
  return null;
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

/**
 * The suite of model `name`: from the --load module when one is given, else the built-in one,
 * loaded alone (a command about one model does not start the machines of the others).
 */
export async function loadSuite(name: string, load?: string): Promise<Suite> {
  if (load !== undefined) return findSuite(await loadSuites(load), name);
  const catalogue = await catalogueOfBuiltIns();
  const entry = catalogue.find((e) => e.name === name);
  if (entry === undefined) throw unknownModel(name, catalogue.map((e) => e.name));
  const suite = await entry.load();
  checkNames(suite, undefined);
  return suite;
}

async function catalogueOfBuiltIns(): Promise<readonly CatalogueEntry[]> {
  return ((await import(CATALOGUE_MODULE)) as { catalogue: readonly CatalogueEntry[] }).catalogue;
}

function unknownModel(name: string, names: readonly string[]): UsageError {
  return new UsageError(`unknown model '${name}' (accepted: ${names.join(', ')})`);
}

export function findSuite(suites: readonly Suite[], name: string): Suite {
  const suite = suites.find((s) => s.model.name === name);
  if (!suite) throw unknownModel(name, suites.map((s) => s.model.name));
  return suite;
}

/** How a trace saved at `tracePath` names the --load suite: its path relative to the trace's folder. */
export function suiteRecordOf(tracePath: string, load: string | undefined): string | undefined {
  return load === undefined ? undefined : relative(dirname(resolve(tracePath)), resolve(load)) || '.';
}

/**
 * The suite a trace replays against: the one given with --load, else the built-in registry. A
 * trace is someone else's file: the suite module it says it was recorded with is never loaded
 * on its word (that would run whatever code sits at that path). When it names one, the error
 * says so and gives the command that loads it, for the user to run once they trust the file;
 * `rerunWith(load)` is that command.
 */
export async function suiteForTrace(trace: Pick<Trace, 'model' | 'suite'>, tracePath: string, load: string | undefined, rerunWith: (load: string) => string): Promise<Suite> {
  if (load !== undefined) return findSuite(await loadSuites(load), trace.model);
  if (trace.suite !== undefined) {
    const recorded = isAbsolute(trace.suite) ? trace.suite : resolve(dirname(resolve(tracePath)), trace.suite);
    const relativeToHere = relative(process.cwd(), recorded);
    const near = relativeToHere.startsWith('..') || relativeToHere === '' || isAbsolute(relativeToHere) ? recorded : relativeToHere;
    // A name that starts with a dash would read as a flag.
    const shown = near.startsWith('-') ? `./${near}` : near;
    if (!existsSync(recorded)) {
      throw new UsageError(`the trace was recorded with --load ${shown}, which is not there now; give --load PATH, the suite module of model '${trace.model}'`);
    }
    throw new UsageError(
      `the trace was recorded with the suite module ${shown}; protokit loads only code named on the command line: if you trust that module, run ${rerunWith(shown)}`,
    );
  }
  const names = (await catalogueOfBuiltIns()).map((e) => e.name);
  if (!names.includes(trace.model)) {
    throw new UsageError(`unknown model '${trace.model}' (built in: ${names.join(', ')}); if the trace comes from a suite outside this repository, give --load PATH, the suite module it was recorded with`);
  }
  return loadSuite(trace.model);
}

/**
 * Saves the trace of a ModelError met by `check` or `explore` (the actions up to the failure) and
 * records on the error where it went and how to replay it, for the report (exit 4).
 */
export function saveModelErrorTrace(error: ModelError, suite: Suite, options: InstanceOptions, path: string, origin: Trace['origin'], load: string | undefined): void {
  if (error.actions === null) return;
  const instance = resolveInstance(suite.model, options);
  saveTrace(path, traceOfModelError(instance, suite, error, origin, suiteRecordOf(path, load)));
  error.tracePath = path;
  error.replay = `${COMMAND} replay ${shellArg(path)}${load ? ` --load ${shellArg(load)}` : ''}`;
}
