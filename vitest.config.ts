// The test suite's verdicts never depend on the machine's speed: tests are bounded by runs, steps or
// states, and these timeouts only catch hangs (CI shares a loaded 2-core machine, where a file that
// takes 20 s alone can take several minutes). A test file run alone (`npx vitest run FILE`) gets the
// same limits as `npm test`.
import { defineConfig } from 'vitest/config';

/** Ten minutes: far past any test's time under load, short enough to end a hung run. */
const HANG = 600_000;

export default defineConfig({
  test: {
    testTimeout: HANG,
    hookTimeout: HANG,
    teardownTimeout: HANG,
    // A `--load` suite is imported under a time limit (a top-level await that never settles); under
    // load, tsx compiling a suite can take longer than the default, which is no failure of the suite.
    env: { PROTOKIT_LOAD_TIMEOUT_MS: String(HANG) },
  },
});
