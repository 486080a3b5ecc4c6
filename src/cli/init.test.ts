/**
 * `protokit init [DIR]` in-process: the files it writes, the package.json it writes (protokit,
 * xstate, vitest at this kit's versions), and that it never overwrites. That the scaffolded project's
 * own `npm test` passes is checked against the packed tarball in package.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { KIT_VERSION } from '../engine/version.js';
import { oneLine, run } from './run-in-process.js';

test('init writes a project and never overwrites one', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'protokit-init-')), 'My Protocols');
  onTestFinished(() => rmSync(dirname(dir), { recursive: true, force: true }));
  const r = await run('init', dir);
  expect([r.code, r.stderr]).toEqual([0, '']);
  for (const file of ['package.json', 'tsconfig.json', 'README.md', '.gitignore', 'models/lock.ts', 'properties/lock.ts', 'properties/lock.test.ts']) {
    expect(existsSync(join(dir, file))).toBe(true);
  }
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  expect(pkg.name).toBe('my-protocols');
  expect(pkg.dependencies).toEqual({ protokit: `^${KIT_VERSION}`, xstate: '^5.33.3' });
  expect(Object.keys(pkg.devDependencies).sort()).toEqual(['@types/node', 'typescript', 'vitest']);
  expect(readFileSync(join(dir, 'README.md'), 'utf8')).toMatch(/^# my-protocols\n/);
  const again = await run('init', dir);
  expect(again.code).toBe(2);
  expect(oneLine(again.stderr)).toMatch(/^protokit: init: .*package\.json exists already; init writes into a new or empty folder and never overwrites$/);
});
