/**
 * The package as a user installs it, for the sections that measure whole processes of its bin:
 * `npm pack` of this checkout (its prepack builds dist/) into a temporary folder, then `npm install`
 * of that tarball into a temporary project. Done once per bench run and shared by the sections;
 * the folder is removed when the bench exits.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface InstalledPackage {
  /** The installed bin (node_modules/.bin/protokit's target), to run with node. */
  readonly bin: string;
  /** The temporary project it is installed in. */
  readonly project: string;
}

let installed: InstalledPackage | { readonly error: string } | null = null;

function npm(args: string[], cwd: string): string | null {
  const r = spawnSync('npm', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (r.status === 0) return null;
  const lines = `${r.stderr}\n${r.stdout}`.split('\n').filter((l) => l.trim() !== '');
  return `npm ${args[0]} failed (exit ${r.status}): ${lines.slice(-3).join(' / ')}`;
}

/** The installed package, or why it could not be installed (one line). */
export function installedPackage(): InstalledPackage | { readonly error: string } {
  if (installed !== null) return installed;
  const dir = mkdtempSync(join(tmpdir(), 'protokit-bench-package-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const failed = npm(['pack', '--pack-destination', dir, '--silent'], ROOT);
  if (failed !== null) return (installed = { error: failed });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (tarball === undefined) return (installed = { error: `npm pack wrote no tarball into ${dir}` });
  const project = join(dir, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'protokit-bench-user', version: '1.0.0', private: true, type: 'module' }));
  const installFailed = npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--silent', join(dir, tarball)], project);
  if (installFailed !== null) return (installed = { error: installFailed });
  const pkg = join(project, 'node_modules', 'protokit');
  const { bin } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  return (installed = { bin: join(pkg, bin.protokit!), project });
}
