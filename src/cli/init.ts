/**
 * `protokit init [DIR] [--protokit SPEC]`: scaffolds a project that keeps its own protocol models and
 * checks them with protokit: package.json (protokit, xstate, vitest), tsconfig, one small model with
 * a mutant, its suite (with the worlds where a run legitimately ends: `terminal`), a vitest file that
 * checks it, searches every state and asserts the mutant is caught, a README.
 * The files come from init-template/ (beside this module, copied into dist/ by the build).
 *
 * It never overwrites: a file already there is an error (exit 2) and nothing is written. The one
 * exception is an existing package.json (an `npm init` project), which gains the dependencies and
 * scripts it lacks and `"type": "module"` (the scaffold's files are ES modules), said on stdout.
 * It writes only inside DIR: no file or folder on the way may be a symbolic link (a dangling one
 * would carry the write outside), and each file appears whole (written aside, then linked into place).
 */
import { existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../engine/errors.js';

const TEMPLATE = fileURLToPath(new URL('./init-template/', import.meta.url));

interface KitPackage {
  readonly version: string;
  readonly peerDependencies: Record<string, string>;
  readonly devDependencies: Record<string, string>;
}

export interface InitOptions {
  /** Where the project's protokit comes from: a version or range, a tarball (`npm pack`), or a folder. */
  readonly protokit?: string;
}

/** protokit's own package.json: the versions a new project depends on. */
function kitPackage(): KitPackage {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const json = JSON.parse(readFileSync(file, 'utf8')) as KitPackage & { name?: string };
      if (json.name === 'protokit') return json;
    }
    if (dirname(dir) === dir) throw new Error('init: protokit package.json not found');
  }
}

/** Every template file, relative to the template folder, without its `.template` suffix. */
function templateFiles(dir = TEMPLATE): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? templateFiles(path) : [relative(TEMPLATE, path)];
  });
}

/** A package name from a folder name: lower case, letters, digits, dots, dashes. */
function packageName(dir: string): string {
  const name = basename(resolve(dir)).toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[.-]+|-+$/g, '');
  return name || 'protocols';
}

/** A version or range npm reads from the registry: 0.3.0, ^0.3.0, ~0.3, 0.x, latest, next. */
const REGISTRY_SPEC = /^(?:[\^~]?\d+(?:\.(?:\d+|x|\*)){0,2}(?:-[0-9A-Za-z.-]+)?|latest|next)$/;

/**
 * The dependency spec of protokit in the new project: `^VERSION` by default; `--protokit` a version
 * or range, or a tarball or folder on disk (written as a `file:` path relative to the project, which
 * npm resolves from there).
 */
export function protokitSpec(given: string | undefined, version: string, target: string): { spec: string; fromRegistry: boolean } {
  if (given === undefined) return { spec: `^${version}`, fromRegistry: true };
  if (REGISTRY_SPEC.test(given)) return { spec: given, fromRegistry: true };
  const path = resolve(given);
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new UsageError(`init: --protokit ${given}: no such file or folder (give a version such as ${version}, a tarball from npm pack, or a protokit folder)`);
  }
  if (isDir && folderPackageName(path) !== 'protokit') throw new UsageError(`init: --protokit ${given}: not a protokit folder (its package.json does not name protokit); give protokit's folder, or the tarball npm pack made`);
  if (!isDir && !/\.(tgz|tar\.gz)$/.test(path)) throw new UsageError(`init: --protokit ${given}: expected a .tgz tarball (npm pack), a folder, or a version`);
  const relativePath = relative(target, path).split(sep).join('/');
  return { spec: `file:${relativePath.startsWith('.') ? relativePath : `./${relativePath}`}`, fromRegistry: false };
}

/** The name in a folder's package.json, or null. */
function folderPackageName(dir: string): string | null {
  try {
    const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
    return typeof json.name === 'string' ? json.name : null;
  } catch {
    return null;
  }
}

interface PackageManifest {
  name?: string;
  type?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  [key: string]: unknown;
}

/** What the scaffold's package.json holds (a new project gets exactly this). */
export function scaffoldManifest(name: string, kit: KitPackage, protokit: string): PackageManifest {
  const caret = (v: string | undefined) => (v === undefined ? '*' : v.startsWith('^') ? v : `^${v}`);
  return {
    name,
    version: '0.0.0',
    private: true,
    type: 'module',
    scripts: {
      test: 'vitest run',
      typecheck: 'tsc',
      check: 'protokit check lock --load properties/lock.ts',
      explore: 'protokit explore lock --load properties/lock.ts',
    },
    dependencies: { protokit, xstate: kit.peerDependencies.xstate ?? '^5' },
    devDependencies: {
      '@types/node': caret(kit.devDependencies['@types/node']),
      typescript: caret(kit.devDependencies.typescript),
      vitest: caret(kit.devDependencies.vitest),
    },
  };
}

/**
 * An existing package.json with what the scaffold needs added: dependencies and scripts it lacks
 * (theirs are kept) and `"type": "module"`. Returns the new text and a sentence per change worth saying.
 */
export function mergeManifest(existing: PackageManifest, scaffold: PackageManifest): { manifest: PackageManifest; notes: string[] } {
  const notes: string[] = [];
  const manifest: PackageManifest = { ...existing };
  if (existing.type !== 'module') {
    manifest.type = 'module';
    notes.push(
      existing.type === undefined
        ? 'set "type": "module" in package.json: the models and suites are ES modules (TypeScript reads them as CommonJS without it)'
        : `set "type": "module" in package.json (it said "${existing.type}"): the models and suites are ES modules; rename CommonJS files of your own to .cjs`,
    );
  }
  for (const field of ['scripts', 'dependencies', 'devDependencies'] as const) {
    const theirs = { ...(existing[field] ?? {}) };
    // `npm init`'s placeholder test script ("no test specified") is no script of theirs to keep.
    if (field === 'scripts' && /^echo "Error: no test specified" && exit 1$/.test(theirs.test ?? '')) delete theirs.test;
    const added = Object.fromEntries(Object.entries(scaffold[field] ?? {}).filter(([key]) => !Object.hasOwn(theirs, key)));
    const kept = Object.keys(scaffold[field] ?? {}).filter((key) => Object.hasOwn(theirs, key) && theirs[key] !== scaffold[field]![key]);
    manifest[field] = { ...theirs, ...added };
    if (kept.length > 0) notes.push(`kept your ${field} ${kept.map((k) => `"${k}": "${theirs[k]}"`).join(', ')} (the scaffold's would be ${kept.map((k) => `"${scaffold[field]![k]}"`).join(', ')})`);
  }
  return { manifest, notes };
}

/** The entry at `path` without following a symbolic link, or null when there is none. */
function entryAt(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/** Shown paths: relative to where init runs. */
const shown = (path: string) => relative(process.cwd(), path) || '.';

/** A system error in one line: "EACCES (permission denied)". */
function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ? `${e.code}${e.syscall ? ` (${e.syscall})` : ''}` : String(e.message ?? e);
}

/**
 * Creates `dir` inside `root`, one folder at a time (Node's recursive mkdir loops for ever under
 * /proc); every folder on the way must be a real folder, not a symbolic link.
 */
function makeFolder(root: string, dir: string): void {
  const parts = relative(root, dir).split(sep).filter(Boolean);
  let at = root;
  for (const part of parts) {
    at = join(at, part);
    const entry = entryAt(at);
    if (entry?.isSymbolicLink()) throw new UsageError(`init: ${shown(at)} is a symbolic link; init writes only inside ${shown(root)} and follows none`);
    if (entry && !entry.isDirectory()) throw new UsageError(`init: ${shown(at)} is a file, not a folder`);
    if (entry) continue;
    try {
      mkdirSync(at);
    } catch (error) {
      throw new UsageError(`init: cannot create ${shown(at)}: ${reason(error)}`);
    }
  }
}

/** The target folder itself, made when missing (its parent must exist and be a folder). */
function makeTarget(target: string, given: string): void {
  const entry = entryAt(target);
  if (entry !== null) {
    if (!statSyncOrNull(target)?.isDirectory()) throw new UsageError(`init: ${given} is ${entry.isSymbolicLink() ? 'a symbolic link to no folder' : 'a file, not a folder'}`);
    return;
  }
  const parent = dirname(target);
  if (!statSyncOrNull(parent)?.isDirectory()) throw new UsageError(`init: cannot create ${given}: ${shown(parent)} is not a folder`);
  try {
    mkdirSync(target);
  } catch (error) {
    throw new UsageError(`init: cannot create ${given}: ${reason(error)}`);
  }
}

function statSyncOrNull(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** Writes `text` to `path` whole or not at all, and never over anything there (not even a dangling link). */
function writeNew(path: string, text: string): void {
  const aside = join(dirname(path), `.${basename(path)}.${process.pid}.protokit-init`);
  try {
    writeFileSync(aside, text, { flag: 'wx' });
    linkSync(aside, path); // fails with EEXIST whatever is at `path`, and follows no link there
  } catch (error) {
    throw new UsageError(`init: cannot write ${shown(path)}: ${reason(error)}`);
  } finally {
    try {
      unlinkSync(aside);
    } catch {
      // nothing was written aside
    }
  }
}

/** Replaces the user's package.json whole (written aside, then renamed over it). */
function replaceFile(path: string, text: string): void {
  const aside = join(dirname(path), `.${basename(path)}.${process.pid}.protokit-init`);
  try {
    writeFileSync(aside, text, { flag: 'wx' });
    renameSync(aside, path);
  } catch (error) {
    try {
      unlinkSync(aside);
    } catch {
      // nothing was written aside
    }
    throw new UsageError(`init: cannot write ${shown(path)}: ${reason(error)}`);
  }
}

/** The user's package.json, when there is one (a regular file, valid JSON, an object). */
function existingManifest(path: string): PackageManifest | null {
  const entry = entryAt(path);
  if (entry === null) return null;
  if (!entry.isFile()) throw new UsageError(`init: ${shown(path)} is not a regular file${entry.isSymbolicLink() ? ' (a symbolic link)' : ''}; init changes only a package.json of its own folder`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`init: ${shown(path)} is not valid JSON: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new UsageError(`init: ${shown(path)} does not hold a JSON object`);
  return json as PackageManifest;
}

export async function initCommand(dir: string | undefined, options: InitOptions = {}): Promise<number> {
  const given = dir ?? '.';
  const target = resolve(given);
  const name = packageName(target);
  const kit = kitPackage();
  const protokit = protokitSpec(options.protokit, kit.version, target);
  const files = new Map<string, string>();
  for (const file of templateFiles()) {
    const out = file.replace(/\.template$/, '').replace(/^gitignore$/, '.gitignore');
    files.set(out, readFileSync(join(TEMPLATE, file), 'utf8').replaceAll('{{name}}', name));
  }
  // Every check before the first write: nothing is written when one fails.
  const taken = [...files.keys()].sort().find((file) => entryAt(join(target, file)) !== null);
  if (taken !== undefined) throw new UsageError(`init: ${join(shown(target), taken)} exists already; init never overwrites a file (it adds to package.json only)`);
  const scaffold = scaffoldManifest(name, kit, protokit.spec);
  const manifestPath = join(target, 'package.json');
  const existing = existingManifest(manifestPath);
  const merged = existing === null ? null : mergeManifest(existing, scaffold);

  makeTarget(target, given);
  for (const [file, text] of files) {
    makeFolder(target, dirname(join(target, file)));
    writeNew(join(target, file), text);
  }
  if (merged === null) writeNew(manifestPath, JSON.stringify(scaffold, null, 2) + '\n');
  else replaceFile(manifestPath, JSON.stringify(merged.manifest, null, 2) + '\n');

  const where = shown(target);
  const lines = [
    `created a protokit project in ${where}: ${[...files.keys(), ...(merged ? [] : ['package.json'])].sort().join(', ')}`,
    ...(merged ? [`added to ${shown(manifestPath)}: the dependencies and scripts it lacked`, ...merged.notes] : []),
    protokit.fromRegistry
      ? `protokit ${protokit.spec} comes from the npm registry; for a build that is not published there, run init with --protokit <tarball|folder>`
      : `protokit comes from ${protokit.spec}`,
    'next:',
    ...(where === '.' ? [] : [`  cd ${where}`]),
    '  npm install',
    '  npm test                                            # checks the suite, searches every state, asserts the mutant is caught',
    '  npx protokit check lock --load properties/lock.ts   # the command line',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
