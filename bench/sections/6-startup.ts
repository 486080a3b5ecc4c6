/**
 * Start-up: a whole `protokit` process (`node src/cli/bin.mjs`, TypeScript compiled at start by
 * tsx) for `list`, `check two-phase-commit --runs 1` and `replay` of a kept trace, against
 * `node -e ''` in the same run; wall and CPU time (the child's user + system), medians. The same
 * commands run from the compiled package as a user's project installs it (dist/ on plain node).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, ms, table, timeChild as timeIn } from '../measure.js';

const REPEATS = 5;
const BIN = fileURLToPath(new URL('../../src/cli/bin.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const timeChild = (args: string[], cwd = ROOT) => timeIn(args, cwd);

/**
 * The compiled package as installed in a user's project: package.json and dist/ under
 * node_modules/protokit (no sources beside it, so the bin runs dist/ on plain node), with this
 * repository's node_modules linked as its dependencies. Builds dist/ first when it is missing.
 */
function installedBin(): { bin: string; cwd: string; remove: () => void } {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'bin.mjs'))) {
    const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr}`);
  }
  const project = mkdtempSync(join(tmpdir(), 'protokit-bench-startup-'));
  const pkg = join(project, 'node_modules', 'protokit');
  mkdirSync(pkg, { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
  return { bin: join(pkg, 'dist', 'src', 'cli', 'bin.mjs'), cwd: project, remove: () => rmSync(project, { recursive: true, force: true }) };
}

export default {
  title: 'Start-up',
  async run() {
    const trace = readdirSync(`${ROOT}traces/two-phase-commit`).find((f) => f.endsWith('.json'));
    const installed = installedBin();
    const tracePath = trace ? join(ROOT, 'traces', 'two-phase-commit', trace) : undefined;
    const commandsOf = (bin: string, label: string): [string, string[], string][] => [
      [`${label}: protokit list`, [bin, 'list'], installed.cwd],
      [`${label}: protokit check two-phase-commit --runs 1`, [bin, 'check', 'two-phase-commit', '--runs', '1'], installed.cwd],
      ...(tracePath ? ([[`${label}: protokit replay traces/two-phase-commit/${trace}`, [bin, 'replay', tracePath], installed.cwd]] as [string, string[], string][]) : []),
    ];
    const commands: [string, string[], string][] = [
      ["node -e ''", ['-e', ''], ROOT],
      ...commandsOf(BIN, 'source bin (tsx)'),
      ...commandsOf(installed.bin, 'installed package (dist/, plain node)'),
    ];
    const rows: (string | number)[][] = [];
    const json: unknown[] = [];
    let base = { wall: 0, cpu: 0 };
    for (const [label, args, cwd] of commands) {
      const runs = Array.from({ length: REPEATS }, () => timeChild(args, cwd));
      const wall = median(runs.map((r) => r.wallMs));
      const cpu = median(runs.map((r) => r.cpuMs));
      const isBase = label.startsWith('node');
      if (isBase) base = { wall, cpu };
      rows.push([label, ms(wall), ms(cpu), isBase ? '—' : `+${ms(wall - base.wall)}`, isBase ? '—' : `+${ms(cpu - base.cpu)}`, loadavg()[0]!.toFixed(1)]);
      json.push({ command: label, wallMs: wall, cpuMs: cpu, wall: runs.map((r) => r.wallMs), cpu: runs.map((r) => r.cpuMs), load: loadavg()[0] });
    }
    installed.remove();
    const markdown = [
      `Whole processes, medians of ${REPEATS}: wall time and CPU time (user + system of the child, 10 ms resolution). The source bin compiles TypeScript at start (tsx); the installed package runs dist/ on plain node (target: well under 0.5 s). Each command loads only its own modules; what remains is mostly Node's ES-module loader reading the kit's and its dependencies' files (xstate, fast-check, zod).`,
      '',
      table(['command', 'wall', 'CPU', 'wall over node -e', 'CPU over node -e', 'load (1 min) after'], rows),
    ].join('\n');
    return { markdown, json: { commands: json } };
  },
};
