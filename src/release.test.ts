/**
 * The release is consistent with itself: one version in package.json, the kit (KIT_VERSION, recorded
 * in traces) and the CHANGELOG; no API note announces a version after it; the published manifest
 * runs no install-time script that needs files it does not ship, and the tarball ships no tests.
 * The packed tarball (its bin on plain node, and installed into a project with npm) is tested in
 * src/cli/package.test.ts, which packs once: two files packing at once raced on dist/.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { KIT_VERSION } from './engine/version.js';

const ROOT = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; scripts: Record<string, string>; files: string[] };

/** [major, minor, patch] of a version string. */
const parts = (v: string) => v.split('.').map(Number) as [number, number, number];
const after = (a: string, b: string) => {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! > y[i]!;
  return false;
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the release', () => {
  test('package.json, KIT_VERSION and the CHANGELOG name the same version', () => {
    expect(KIT_VERSION).toBe(pkg.version);
    const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toContain(`\n## [${pkg.version}] - `);
    expect(changelog).toContain('\n## [Unreleased]\n');
  });

  test('no "Since X.Y.Z" note of the public API names a version after the package\'s', () => {
    const notes = sources(join(ROOT, 'src')).flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/Since (\d+\.\d+\.\d+)/g)].map((m) => m[1]!));
    expect(notes.length).toBeGreaterThan(10);
    expect(notes.filter((v) => after(v, pkg.version))).toEqual([]);
  });

  test('the published manifest has no prepare or install script (it would run on install without the sources)', () => {
    expect(Object.keys(pkg.scripts).filter((s) => /^(pre|post)?(prepare|install)$/.test(s))).toEqual([]);
    expect(pkg.scripts.prepack).toBe('node scripts/build.mjs');
  });

  test('npm pack ships no tests, no sources of the kit and no kept traces', () => {
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 })) as [{ files: { path: string }[] }];
    const files = packed.files.map((f) => f.path);
    expect(files).toContain('models/raft/index.ts');
    expect(files).toContain('CHANGELOG.md');
    expect(files.filter((f) => /\.test\.ts$|^src\/|^bench\/|^traces\/|^\.github\//.test(f))).toEqual([]);
  });
});
