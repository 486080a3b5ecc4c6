/**
 * Start-up: a whole `protokit` process (`node src/cli/bin.mjs`, TypeScript compiled at start by
 * tsx) for `list`, `check two-phase-commit --runs 1` and `replay` of a kept trace, against
 * `node -e ''` in the same run; wall and CPU time (the child's user + system), medians. The
 * compiled package (dist/, plain node) is another branch's; this measures the source bin.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { median, ms, table } from '../measure.js';

const REPEATS = 5;
const BIN = fileURLToPath(new URL('../../src/cli/bin.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** CPU time of this process's waited-for children so far (Linux /proc: cutime + cstime, ticks of 10 ms). */
function childrenCpuMs(): number {
  const text = readFileSync('/proc/self/stat', 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

function timeChild(args: string[]): { wallMs: number; cpuMs: number } {
  const cpu = childrenCpuMs();
  const t = performance.now(); // allow-clock: benchmark timing
  const child = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  const wallMs = performance.now() - t; // allow-clock
  if (child.status !== 0 && child.status !== 1) throw new Error(`${args.join(' ')} failed: ${child.stderr}`);
  return { wallMs, cpuMs: childrenCpuMs() - cpu };
}

export default {
  title: 'Start-up',
  async run() {
    const trace = readdirSync(`${ROOT}traces/two-phase-commit`).find((f) => f.endsWith('.json'));
    const commands: [string, string[]][] = [
      ["node -e ''", ['-e', '']],
      ['protokit list', [BIN, 'list']],
      ['protokit check two-phase-commit --runs 1', [BIN, 'check', 'two-phase-commit', '--runs', '1']],
      ...(trace ? ([[`protokit replay traces/two-phase-commit/${trace}`, [BIN, 'replay', `traces/two-phase-commit/${trace}`]]] as [string, string[]][]) : []),
    ];
    const rows: (string | number)[][] = [];
    const json: unknown[] = [];
    let base = { wall: 0, cpu: 0 };
    for (const [label, args] of commands) {
      const runs = Array.from({ length: REPEATS }, () => timeChild(args));
      const wall = median(runs.map((r) => r.wallMs));
      const cpu = median(runs.map((r) => r.cpuMs));
      const isBase = label.startsWith('node');
      if (isBase) base = { wall, cpu };
      rows.push([label, ms(wall), ms(cpu), isBase ? '—' : `+${ms(wall - base.wall)}`, isBase ? '—' : `+${ms(cpu - base.cpu)}`, loadavg()[0]!.toFixed(1)]);
      json.push({ command: label, wallMs: wall, cpuMs: cpu, wall: runs.map((r) => r.wallMs), cpu: runs.map((r) => r.cpuMs), load: loadavg()[0] });
    }
    const markdown = [
      `Whole processes, medians of ${REPEATS}: wall time and CPU time (user + system of the child, 10 ms resolution). The source bin compiles TypeScript at start (tsx); each command loads only its own modules.`,
      '',
      table(['command', 'wall', 'CPU', 'wall over node -e', 'CPU over node -e', 'load (1 min) after'], rows),
    ].join('\n');
    return { markdown, json: { commands: json } };
  },
};
