/**
 * Two-Phase Commit's documented blocking (preset tm-gone: the TM crashes for good) replays from
 * the command line: `explore` finds the lasso, `protokit replay` reproduces it. (That
 * every-rm-learns-outcome holds, that rm-stops-asking is caught by it alone, and the lasso's
 * shape are asserted in two-phase-commit.test.ts.)
 */
import { describe } from 'vitest';
import { testExpectedFailuresReplay } from '../expected-replay.js';
import suite from './index.js';

describe('two-phase-commit liveness', () => {
  testExpectedFailuresReplay(suite);
});
