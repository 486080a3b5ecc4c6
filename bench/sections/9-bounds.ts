/**
 * Bounds on hostile input (issue 23.4): peak memory and time of `checkLinearizability` on long
 * sequential histories (memory must grow linearly in operations), and the Jepsen line reader on a
 * line padded with blanks (time must grow linearly in its length). Each figure comes from a fresh
 * process (bench/bounds-child.ts), so its peak RSS is its own.
 *
 *   npm run bench -- bounds                 this section only (printed)
 *   npm run bench -- --update bounds        and written into bench/results.*
 */
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { table } from '../measure.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface Figure {
  readonly verdict: string;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly peakRssMiB: number;
}

function measure(kind: string, n: number): Figure {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/bounds-child.ts', kind, String(n)], { cwd: root, encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`bench/bounds-child.ts ${kind} ${n}: exit ${r.status} ${r.signal ?? ''} ${r.stderr}`);
  return JSON.parse(r.stdout) as Figure;
}

/** Measured on the code before the fixes (commit 66321bc), with the same child, on this kind of machine (load 15–25). */
const BEFORE: Readonly<Record<string, string>> = {
  'linearizable 20000': '164 MiB, 0.65 s CPU',
  'linearizable 100000': '1,674 MiB, 10.9 s CPU (issue 23: 2.1 GB)',
  'linearizable 500000': 'not run (issue 23: killed at 11.9 GB)',
  'jepsen-blanks 40000': '0.95 s CPU (20,000 blanks: 0.30 s: quadratic)',
  'jepsen-blanks 400000': 'not run (issue 23: 143 s)',
};

export default {
  title: 'Bounds on hostile input: linearizability memory, the Jepsen line reader',
  async run() {
    const cases: [string, number, string][] = [
      ['linearizable', 20_000, 'sequential register history, 20,000 operations'],
      ['linearizable', 100_000, 'sequential register history, 100,000 operations'],
      ['linearizable', 500_000, 'sequential register history, 500,000 operations'],
      ['jepsen-blanks', 40_000, 'one Jepsen line, 40,000 blanks'],
      ['jepsen-blanks', 400_000, 'one Jepsen line, 400,000 blanks'],
    ];
    const rows = cases.map(([kind, n, label]) => ({ kind, n, label, figure: measure(kind, n) }));
    const markdown = [
      'Each row is a fresh process (`npx tsx bench/bounds-child.ts KIND N`); "before" is the same child on the code before the fixes.',
      '',
      table(
        ['input', 'verdict', 'peak RSS', 'CPU', 'wall', 'before'],
        rows.map((r) => [r.label, r.figure.verdict.slice(0, 60), `${r.figure.peakRssMiB} MiB`, `${(r.figure.cpuMs / 1000).toFixed(2)} s`, `${(r.figure.wallMs / 1000).toFixed(2)} s`, BEFORE[`${r.kind} ${r.n}`] ?? '']),
      ),
    ].join('\n');
    return { markdown, json: { rows: rows.map((r) => ({ kind: r.kind, n: r.n, ...r.figure })), before: BEFORE } };
  },
};
