/**
 * Start-up (issue 24: a whole `protokit check two-phase-commit --runs 1` process of the installed
 * package under 0.5 s wall and at most 2× `node -e ''`): the package packed and installed in a
 * temporary project as a user gets it (bench/installed.ts), its bin run as a whole process,
 * alternated with `node -e ''` in the same run, medians; wall and CPU time (the child's user +
 * system). The target line is `check two-phase-commit --runs 1 --no-small --no-witness-search`: one
 * random run and nothing else (without the two flags, `check` also searches the suite's small
 * configuration and the witnesses one run misses, up to 75,000 states each: work, not start-up; that
 * line is kept beside it). Also `--version`, `list` and `replay` of the installed package, and the
 * target command from the checkout's bin (which runs the TypeScript sources through tsx).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installedPackage } from '../installed.js';
import { load1, median, ms, runChild, table, verdict, type ChildRun } from '../measure.js';

const REPEATS = 7;
const TARGET_WALL_MS = 500;
const TARGET_OVER_NODE = 2;
const SOURCE_BIN = fileURLToPath(new URL('../../src/cli/bin.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export default {
  title: 'Start-up',
  async run() {
    const pkg = installedPackage();
    if ('error' in pkg) return { markdown: `Not measured: the package could not be installed: ${pkg.error}`, json: { measured: false, reason: pkg.error } };
    const trace = readdirSync(join(ROOT, 'traces', 'two-phase-commit')).find((f) => f.endsWith('.json'));
    const startOnly = ['--runs', '1', '--no-small', '--no-witness-search'];
    const commands: { label: string; args: string[]; cwd: string }[] = [
      { label: "node -e ''", args: ['-e', ''], cwd: pkg.project },
      { label: 'installed: protokit check two-phase-commit --runs 1 --no-small --no-witness-search', args: [pkg.bin, 'check', 'two-phase-commit', ...startOnly, '--out', join(pkg.project, 'traces')], cwd: pkg.project },
      { label: 'installed: protokit --version', args: [pkg.bin, '--version'], cwd: pkg.project },
      { label: 'installed: protokit list', args: [pkg.bin, 'list'], cwd: pkg.project },
      ...(trace ? [{ label: `installed: protokit replay traces/two-phase-commit/${trace}`, args: [pkg.bin, 'replay', join(ROOT, 'traces', 'two-phase-commit', trace)], cwd: pkg.project }] : []),
      { label: 'installed: protokit check two-phase-commit --runs 1 (with its small pass and witness search)', args: [pkg.bin, 'check', 'two-phase-commit', '--runs', '1', '--out', join(pkg.project, 'traces')], cwd: pkg.project },
      { label: 'checkout (tsx): protokit check two-phase-commit --runs 1 --no-small --no-witness-search', args: [SOURCE_BIN, 'check', 'two-phase-commit', ...startOnly, '--out', join(pkg.project, 'traces')], cwd: ROOT },
    ];
    const loadBefore = load1();
    const runs = new Map<string, ChildRun[]>(commands.map((c) => [c.label, []]));
    // Round by round, every command once: all see the same machine.
    for (let i = 0; i < REPEATS; i++) for (const c of commands) runs.get(c.label)!.push(await runChild(process.execPath, c.args, { cwd: c.cwd }));
    const loadAfter = load1();
    const wall = (label: string) => median(runs.get(label)!.map((r) => r.wallMs));
    const cpu = (label: string) => median(runs.get(label)!.map((r) => r.cpuMs));
    const node = { wall: wall(commands[0]!.label), cpu: cpu(commands[0]!.label) };
    const check = { wall: wall(commands[1]!.label), cpu: cpu(commands[1]!.label) };
    const overNode = check.wall / node.wall;
    const cpuOverNode = check.cpu / node.cpu;
    const withSearch = commands.find((c) => c.label.includes('with its small pass'))!.label;
    const rows = commands.map((c, i) => [
      c.label,
      ms(wall(c.label)),
      ms(cpu(c.label)),
      i === 0 ? '—' : `${(wall(c.label) / node.wall).toFixed(2)}×`,
      i === 0 ? '—' : `${(cpu(c.label) / node.cpu).toFixed(2)}×`,
    ]);
    const markdown = [
      `Whole processes, every command once per round, ${REPEATS} rounds, medians; wall time and CPU time (user + system of the child, every thread, 10 ms resolution). "installed" is the package packed with \`npm pack\` and installed with \`npm install\` in a temporary project (its bin, on plain node ${process.version}); "checkout" is this repository's bin, which runs the TypeScript sources through tsx. Load (1 min) ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after: on a loaded machine wall times stretch with the load, so read the ratios, taken in the same rounds.`,
      '',
      table(['command', 'wall', 'CPU', 'wall ÷ node -e', 'CPU ÷ node -e'], rows),
      '',
      `- \`protokit check two-phase-commit --runs 1 --no-small --no-witness-search\` (one run and nothing else), installed: **${ms(check.wall)}** wall — target < ${ms(TARGET_WALL_MS)}: **${verdict(check.wall, TARGET_WALL_MS, 'lower')}**${loadBefore > 2 ? ` (at load ${loadBefore.toFixed(1)}: node's own start took ${ms(node.wall)})` : ''}.`,
      `- against \`node -e ''\` in the same rounds: **${overNode.toFixed(2)}×** wall, ${cpuOverNode.toFixed(2)}× CPU — target ≤ ${TARGET_OVER_NODE}×: **${verdict(overNode, TARGET_OVER_NODE, 'lower')}**.`,
      `- the same command with its searches (\`check two-phase-commit --runs 1\`): ${ms(wall(withSearch))} wall, ${ms(cpu(withSearch))} CPU; the difference is the small pass and the witness search, not start-up.`,
    ].join('\n');
    return {
      markdown,
      json: {
        measured: true,
        load: [loadBefore, loadAfter],
        commands: commands.map((c) => ({ command: c.label, wallMs: wall(c.label), cpuMs: cpu(c.label), wall: runs.get(c.label)!.map((r) => r.wallMs), cpu: runs.get(c.label)!.map((r) => r.cpuMs) })),
        check,
        checkWithSearch: { wall: wall(withSearch), cpu: cpu(withSearch) },
        node,
        overNode,
        cpuOverNode,
        targets: { wallMs: TARGET_WALL_MS, overNode: TARGET_OVER_NODE },
      },
    };
  },
};
