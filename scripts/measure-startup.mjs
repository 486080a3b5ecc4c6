// Start-up of a whole `protokit` process against `node -e ''`, in the same run (issue 24's target:
// under 0.5 s wall and at most 2× node's own start). Each round runs node -e '' then every command,
// alternated so that a change of load hits both; prints the median wall time of each and its ratio to
// node's. Usage:
//   node scripts/measure-startup.mjs [--rounds 11] BIN [ARGS...] [-- BIN2 ARGS...]
// e.g. node scripts/measure-startup.mjs /tmp/p/node_modules/protokit/dist/src/cli/bin.mjs check two-phase-commit --runs 1 --no-small --no-witness-search
// (without the two flags, check also searches up to 75,000 states: work, not start-up)
// The commands run in a fresh temporary folder (their traces go there), removed at the end.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const argv = process.argv.slice(2);
let rounds = 11;
if (argv[0] === '--rounds') {
  rounds = Number(argv[1]);
  argv.splice(0, 2);
}
const commands = [];
for (let start = 0; start < argv.length; ) {
  const end = argv.indexOf('--', start) === -1 ? argv.length : argv.indexOf('--', start);
  const [bin, ...args] = argv.slice(start, end);
  if (!existsSync(bin)) {
    console.error(`measure-startup: no file ${bin}`);
    process.exit(2);
  }
  commands.push([resolve(bin), ...args]);
  start = end + 1;
}
if (commands.length === 0 || !(rounds > 0)) {
  console.error('usage: node scripts/measure-startup.mjs [--rounds N] BIN [ARGS...] [-- BIN2 ARGS...]');
  process.exit(2);
}

const cwd = mkdtempSync(join(tmpdir(), 'protokit-startup-'));
const wall = (args) => {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd, stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
  if (r.status === null || r.status > 5) throw new Error(`${args.join(' ')} ended with ${r.status ?? r.signal}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
};
const times = [[], ...commands.map(() => [])];
try {
  for (let round = 0; round < rounds; round++) {
    times[0].push(wall(['-e', '']));
    commands.forEach((command, i) => times[i + 1].push(wall(command)));
  }
} finally {
  rmSync(cwd, { recursive: true, force: true });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const base = median(times[0]);
console.log(`node -e ''  ${base.toFixed(0)} ms (median of ${rounds})`);
commands.forEach((command, i) => {
  const m = median(times[i + 1]);
  console.log(`${command.join(' ')}  ${m.toFixed(0)} ms  ${(m / base).toFixed(2)}× node -e ''`);
});
console.log(`load (1 min) ${loadavg()[0].toFixed(1)}`);
