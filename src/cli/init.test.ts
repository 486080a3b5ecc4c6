/**
 * `protokit init [DIR]` in-process: the files it writes, the package.json it writes (protokit,
 * xstate, vitest at this kit's versions), and that it never overwrites. That the scaffolded project's
 * own `npm test` passes is checked against the packed tarball in package.test.ts.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, onTestFinished, test } from 'vitest';
import { KIT_VERSION } from '../engine/version.js';
import { oneLine, run } from './run-in-process.js';

test('init writes a project and never overwrites one', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'protokit-init-')), 'My Protocols');
  onTestFinished(() => rmSync(dirname(dir), { recursive: true, force: true }));
  const r = await run('init', dir);
  expect([r.code, r.stderr]).toEqual([0, '']);
  for (const file of ['package.json', 'tsconfig.json', 'README.md', '.gitignore', 'models/lock.ts', 'properties/lock.ts', 'properties/lock.test.ts', 'vitest.config.ts']) {
    expect(existsSync(join(dir, file))).toBe(true);
  }
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  expect(pkg.name).toBe('my-protocols');
  expect(pkg.dependencies).toEqual({ protokit: `^${KIT_VERSION}`, xstate: '^5.33.3' });
  expect(Object.keys(pkg.devDependencies).sort()).toEqual(['@types/node', 'typescript', 'vitest']);
  expect(readFileSync(join(dir, 'README.md'), 'utf8')).toMatch(/^# my-protocols\n/);
  const again = await run('init', dir);
  expect(again.code).toBe(2);
  expect(oneLine(again.stderr)).toMatch(/^protokit: init: .*My Protocols\/\.gitignore exists already; init never overwrites a file \(it adds to package\.json only\)$/);
});

/** A fresh temporary folder, removed after the test. */
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'protokit-init-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('init --protokit: a version, a tarball or a folder (as a file: path relative to the project), anything else refused', async () => {
  const dir = scratch();
  const dependency = async (name: string, spec: string) => {
    const r = await run('init', join(dir, name), '--protokit', spec);
    expect([r.code, r.stderr]).toEqual([0, '']);
    return [JSON.parse(readFileSync(join(dir, name, 'package.json'), 'utf8')).dependencies.protokit, r.stdout.split('\n')[1]];
  };
  writeFileSync(join(dir, 'protokit-0.3.0.tgz'), '');
  expect(await dependency('v', '0.3.0')).toEqual(['0.3.0', 'protokit 0.3.0 comes from the npm registry; for a build that is not published there, run init with --protokit <tarball|folder>']);
  expect(await dependency('t', join(dir, 'protokit-0.3.0.tgz'))).toEqual(['file:../protokit-0.3.0.tgz', 'protokit comes from file:../protokit-0.3.0.tgz']);
  const kitFolder = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
  expect((await dependency('f', kitFolder))[0]).toBe(`file:${relative(join(dir, 'f'), kitFolder)}`);
  for (const [spec, message] of [
    ['rm -rf', /^protokit: init: --protokit rm -rf: no such file or folder/],
    [dir, /^protokit: init: --protokit \S+: not a protokit folder/],
    [join(dir, 'v', 'package.json'), /^protokit: init: --protokit \S+: expected a \.tgz tarball \(npm pack\), a folder, or a version$/],
  ] as const) {
    const r = await run('init', join(dir, 'refused'), '--protokit', spec);
    expect([r.code, existsSync(join(dir, 'refused'))]).toEqual([2, false]);
    expect(oneLine(r.stderr)).toMatch(message);
  }
});

test('init in an npm init project adds what it lacks, sets "type": "module" and says so, and keeps its own scripts', async () => {
  const dir = scratch();
  const npmInit = { name: 'mine', version: '1.0.0', type: 'commonjs', main: 'index.js', scripts: { test: 'echo "Error: no test specified" && exit 1', check: 'my-check' }, dependencies: { xstate: '5.30.0' } };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(npmInit));
  const r = await run('init', dir);
  expect([r.code, r.stderr]).toEqual([0, '']);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  expect(pkg).toMatchObject({ name: 'mine', version: '1.0.0', type: 'module', main: 'index.js' });
  expect(pkg.scripts).toEqual({ test: 'vitest run', check: 'my-check', typecheck: 'tsc', explore: 'protokit explore lock --load properties/lock.ts' });
  expect(pkg.dependencies).toEqual({ xstate: '5.30.0', protokit: `^${KIT_VERSION}` });
  expect(r.stdout.split('\n').slice(1, 4)).toEqual([
    `added to ${relative(process.cwd(), join(dir, 'package.json'))}: the dependencies and scripts it lacked`,
    'set "type": "module" in package.json (it said "commonjs"): the models and suites are ES modules; rename CommonJS files of your own to .cjs',
    'kept your scripts "check": "my-check" (the scaffold\'s would be "protokit check lock --load properties/lock.ts")',
  ]);
  expect(existsSync(join(dir, 'models', 'lock.ts'))).toBe(true);
});

test('init writes only inside its folder: no write through a dangling link, no folder that is a link, /proc refused at once', async () => {
  const dir = scratch();
  const outside = join(dir, 'outside');
  mkdirSync(outside);
  // A dangling link where the README goes: writing through it would create a file outside.
  mkdirSync(join(dir, 'p'));
  symlinkSync(join(outside, 'README.md'), join(dir, 'p', 'README.md'));
  let r = await run('init', join(dir, 'p'));
  expect([r.code, readdirSync(outside), readdirSync(join(dir, 'p'))]).toEqual([2, [], ['README.md']]);
  expect(oneLine(r.stderr)).toMatch(/^protokit: init: \S+\/p\/README\.md exists already; init never overwrites a file/);
  // A folder of the scaffold that is a link to outside.
  mkdirSync(join(dir, 'q'));
  symlinkSync(outside, join(dir, 'q', 'models'));
  r = await run('init', join(dir, 'q'));
  expect([r.code, readdirSync(outside)]).toEqual([2, []]);
  expect(oneLine(r.stderr)).toMatch(/^protokit: init: \S+\/q\/models is a symbolic link; init writes only inside \S+\/q and follows none$/);
  // A package.json that is a link is not the project's own.
  mkdirSync(join(dir, 's'));
  writeFileSync(join(outside, 'package.json'), '{}');
  symlinkSync(join(outside, 'package.json'), join(dir, 's', 'package.json'));
  r = await run('init', join(dir, 's'));
  expect([r.code, readFileSync(join(outside, 'package.json'), 'utf8'), readdirSync(join(dir, 's'))]).toEqual([2, '{}', ['package.json']]);
  expect(oneLine(r.stderr)).toMatch(/^protokit: init: \S+\/s\/package\.json is not a regular file \(a symbolic link\)/);
  // Node's recursive mkdir never returns under /proc: init makes one folder at a time.
  r = await run('init', '/proc/x');
  expect([r.code, oneLine(r.stderr)]).toEqual([2, 'protokit: init: cannot create /proc/x: ENOENT (mkdir)']);
});
