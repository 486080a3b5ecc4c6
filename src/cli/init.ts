/**
 * `protokit init [DIR]`: scaffolds a project that keeps its own protocol models and checks them
 * with protokit: package.json (protokit, xstate, vitest), tsconfig, one small model with a
 * mutant, its suite (with the worlds where a run legitimately ends: `terminal`), a vitest file that
 * checks it, searches every state and asserts the mutant is caught, a README.
 * The files come from init-template/ (beside this module, copied into dist/ by the build).
 * It never overwrites: a file already there is an error (exit 2) and nothing is written.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../engine/errors.js';

const TEMPLATE = fileURLToPath(new URL('./init-template/', import.meta.url));

interface KitPackage {
  readonly version: string;
  readonly peerDependencies: Record<string, string>;
  readonly devDependencies: Record<string, string>;
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

export function packageJson(name: string, kit: KitPackage): string {
  const caret = (v: string | undefined) => (v === undefined ? '*' : v.startsWith('^') ? v : `^${v}`);
  return (
    JSON.stringify(
      {
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
        dependencies: { protokit: caret(kit.version), xstate: kit.peerDependencies.xstate ?? '^5' },
        devDependencies: {
          '@types/node': caret(kit.devDependencies['@types/node']),
          typescript: caret(kit.devDependencies.typescript),
          vitest: caret(kit.devDependencies.vitest),
        },
      },
      null,
      2,
    ) + '\n'
  );
}

export async function initCommand(dir: string | undefined): Promise<number> {
  const target = resolve(dir ?? '.');
  if (existsSync(target) && !statSync(target).isDirectory()) throw new UsageError(`init: ${dir} is a file, not a folder`);
  const name = packageName(target);
  const files = new Map<string, string>();
  for (const file of templateFiles()) {
    const out = file.replace(/\.template$/, '').replace(/^gitignore$/, '.gitignore');
    files.set(out, readFileSync(join(TEMPLATE, file), 'utf8').replaceAll('{{name}}', name));
  }
  files.set('package.json', packageJson(name, kitPackage()));
  const taken = ['package.json', ...[...files.keys()].filter((f) => f !== 'package.json')].filter((file) => existsSync(join(target, file)));
  if (taken.length > 0) throw new UsageError(`init: ${join(relative(process.cwd(), target) || '.', taken[0]!)} exists already; init writes into a new or empty folder and never overwrites`);
  for (const [file, text] of files) {
    mkdirSync(dirname(join(target, file)), { recursive: true });
    writeFileSync(join(target, file), text);
  }
  const shown = relative(process.cwd(), target) || '.';
  process.stdout.write(
    `created a protokit project in ${shown}: ${[...files.keys()].sort().join(', ')}\n` +
      `next:\n` +
      (shown === '.' ? '' : `  cd ${shown}\n`) +
      `  npm install\n  npm test                                            # checks the suite, searches every state, asserts the mutant is caught\n` +
      `  npx protokit check lock --load properties/lock.ts   # the command line\n`,
  );
  return 0;
}
