/**
 * The CPU each test file costs inside `npm test` (issue 28: the suite must hold on a loaded 2-core
 * machine, so its CPU, not its wall time, is what to cut). A vitest setup file, loaded only when
 * PROTOKIT_TEST_CPU names an output file (vitest.config.ts):
 *
 *   PROTOKIT_TEST_CPU=/tmp/cpu.tsv npm test
 *   sort -t$'\t' -k2 -rn /tmp/cpu.tsv | head
 *
 * Each line is `file <TAB> seconds`: the worker's user+system time from just before the file is
 * imported to its last hook, plus that of the child processes it waited for (spawned CLIs, npm, tsc). Read from
 * /proc/self/stat (Linux), in clock ticks of 10 ms.
 *
 * PROTOKIT_TEST_CPU_TESTS=FILE adds one line per test, `file <TAB> test <TAB> seconds`, from its
 * beforeEach to its afterEach (a file's beforeAll, imports and the work of concurrent tests shared
 * through a promise are in the file's line only).
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { afterAll, afterEach, beforeEach, expect } from 'vitest';

const TICKS_PER_SECOND = 100;

/** utime + stime + cutime + cstime of this process, in seconds. */
function cpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the command name (which may hold spaces, so split after its closing parenthesis).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime is field 14 of the whole line, the 12th after the name: index 11.
  const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
  return (utime! + stime! + cutime! + cstime!) / TICKS_PER_SECOND;
}

const output = process.env.PROTOKIT_TEST_CPU;
const perTest = process.env.PROTOKIT_TEST_CPU_TESTS;
// Set when vitest runs this setup file, before it imports the test file: the import counts too.
const start = cpuSeconds();
afterAll(() => {
  const file = expect.getState().testPath;
  if (output && file) appendFileSync(output, `${relative(process.cwd(), file)}\t${(cpuSeconds() - start).toFixed(2)}\n`);
});

if (perTest) {
  let testStart = 0;
  beforeEach(() => {
    testStart = cpuSeconds();
  });
  afterEach(() => {
    const { testPath, currentTestName } = expect.getState();
    if (testPath) appendFileSync(perTest, `${relative(process.cwd(), testPath)}\t${currentTestName ?? ''}\t${(cpuSeconds() - testStart).toFixed(2)}\n`);
  });
}
