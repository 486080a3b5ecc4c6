// The test suite's verdicts never depend on the machine's speed: tests are bounded by runs, steps or
// states, and these timeouts only catch hangs (CI shares a loaded 2-core machine, where a file that
// takes 20 s alone can take several minutes). A test file run alone (`npx vitest run FILE`) gets the
// same limits as `npm test`.
import { relative } from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Ten minutes: far past any test's time under load, short enough to end a hung run. */
const HANG = 600_000;

/**
 * The costliest test files, most CPU first (PROTOKIT_TEST_CPU, npm test of 2026-12-08 at load 16;
 * docs/test-suite.md): they start first, so that two workers end together instead of one running
 * raft.test.ts alone at the end. On a fresh clone (CI) vitest has no timings of earlier runs and
 * would order by file size, which puts the short but costly model suites last. Only an order: a file
 * missing here runs after them, as vitest sorts it.
 */
const COSTLIEST = [
  'src/cli/package.test.ts',
  'properties/raft/raft.test.ts',
  'src/cluster/cluster.test.ts',
  'properties/paxos/paxos.test.ts',
  'src/explore/bfs/search.test.ts',
  'properties/quorum-kv/quorum-kv.test.ts',
  'src/cli/hostile-files.test.ts',
  'src/cli/hostile.test.ts',
  'src/cli/hostile-bounds.test.ts',
  'src/cli/supervise.test.ts',
  'src/engine/semantics.test.ts',
  'src/engine/packed.test.ts',
  'src/studio/studio.browser.test.ts',
  'examples/raft-kv/raft-kv.test.ts',
  'properties/mapreduce/mapreduce.test.ts',
  'src/render/html.browser.test.ts',
  'src/explore/bfs/checkpoint.test.ts',
  'examples/two-phase-commit/two-phase-commit.test.ts',
  'src/cli/cli.test.ts',
  'src/linearizability/html.browser.test.ts',
  'properties/small-configs.test.ts',
];

/**
 * Files that run with fresh modules of their own (vitest's default isolation). Every other file shares
 * its worker's modules with the files that ran before it there (`isolate: false`): the kit, xstate and
 * fast-check are imported once per worker instead of once per file, about a second of CPU per file.
 * Kept apart: what drives a browser (the studio's browser test hung when it ran after another file in
 * its worker), runs servers, live actors or other processes on timers (studio, cluster, runtime,
 * examples), sets the environment for the whole file (docs.test.ts) or installs signal handlers
 * (supervise.test.ts); and the costliest model suites, which ran slower (more live heap to collect)
 * after other files in a shared worker.
 */
const ISOLATED = [
  '**/*.browser.test.ts',
  'src/studio/**/*.test.ts',
  'src/cluster/**/*.test.ts',
  'src/runtime/**/*.test.ts',
  'examples/**/*.test.ts',
  'src/docs.test.ts',
  'src/cli/supervise.test.ts',
  'src/cli/package.test.ts',
  'src/release.test.ts',
  'properties/raft/raft.test.ts',
  'properties/paxos/paxos.test.ts',
  'properties/quorum-kv/quorum-kv.test.ts',
  'src/explore/bfs/search.test.ts',
];

class CostliestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const i = COSTLIEST.indexOf(relative(this.ctx.config.root, file.moduleId).replaceAll('\\', '/'));
      return i === -1 ? COSTLIEST.length : i;
    };
    const sorted = await super.sort(files);
    // Array.prototype.sort is stable: the files not listed keep vitest's own order.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    testTimeout: HANG,
    hookTimeout: HANG,
    teardownTimeout: HANG,
    // A `--load` suite is imported under a time limit (a top-level await that never settles); under
    // load, tsx compiling a suite can take longer than the default, which is no failure of the suite.
    env: { PROTOKIT_LOAD_TIMEOUT_MS: String(HANG) },
    // PROTOKIT_TEST_CPU=FILE: each test file's CPU, one line per file (bench/tools/test-cpu.ts).
    setupFiles: process.env.PROTOKIT_TEST_CPU ? ['bench/tools/test-cpu.ts'] : [],
    sequence: { sequencer: CostliestFirst },
    projects: [
      { extends: true, test: { name: 'isolated', include: ISOLATED } },
      { extends: true, test: { name: 'shared', exclude: [...configDefaults.exclude, ...ISOLATED], isolate: false } },
    ],
  },
});
