/**
 * `npx tsx examples/two-phase-commit-handwritten/record.ts --seed N --out DIR [--steps N] [--bug NAME]`
 *
 * Runs the hand-written services once (cluster.ts: a seeded scheduler with crashes, restarts, a
 * lost and a duplicated message) and writes each service's log to `DIR/<node>.ndjson`, as it would
 * write its own file in production: the logs `protokit validate` reads in docs/validate.md.
 * `--bug` plants one of bugs.ts's bugs. Exit 2 on bad usage.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BUGS, type BugName } from './bugs.js';
import { STEPS_PER_RUN } from './catch.js';
import { runCluster } from './cluster.js';

function usage(message: string): never {
  process.stderr.write(`record: ${message}\n`);
  process.exit(2);
}

let values: { seed?: string; out?: string; steps?: string; bug?: string };
try {
  ({ values } = parseArgs({ options: { seed: { type: 'string' }, out: { type: 'string' }, steps: { type: 'string' }, bug: { type: 'string' } } }));
} catch (error) {
  usage((error as Error).message);
}
const whole = (name: string, text: string | undefined, fallback: number | null): number => {
  if (text === undefined && fallback !== null) return fallback;
  const n = Number(text);
  if (text === undefined || !Number.isSafeInteger(n) || n < 1 || n > 1_000_000) usage(`--${name} takes a whole number from 1 to 1000000`);
  return n;
};
const seed = whole('seed', values.seed, null);
const steps = whole('steps', values.steps, STEPS_PER_RUN);
if (values.out === undefined) usage('--out DIR is required');
if (values.bug !== undefined && !BUGS.includes(values.bug as BugName)) usage(`--bug takes one of ${BUGS.join(', ')}`);

const logs = runCluster({ seed, steps, bugs: values.bug === undefined ? {} : { [values.bug]: true } });
mkdirSync(values.out, { recursive: true });
let lines = 0;
for (const [node, list] of logs) {
  writeFileSync(join(values.out, `${node}.ndjson`), list.map((l) => JSON.stringify(l)).join('\n') + '\n');
  lines += list.length;
}
process.stdout.write(`wrote ${lines} lines to ${[...logs.keys()].map((n) => join(values.out!, `${n}.ndjson`)).join(' ')}\n`);
