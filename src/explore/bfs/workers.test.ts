/**
 * Ctrl-C reaches a search on worker threads (issue 23.5): `interrupted()` was looked at only by
 * the in-process search, so once the workers took over, a search ran to its end whatever it said.
 */
import { describe, expect, test } from 'vitest';
import twoPhase from '../../../properties/two-phase-commit/index.js';
import { explore } from './search.js';

// The catalogue, as the CLI gives it: each worker loads the one suite it searches (properties/suite-module.ts).
const CATALOGUE = new URL('../../../properties/catalogue.ts', import.meta.url).href;

describe('an interrupted search on two worker threads', { timeout: 300_000 }, () => {
  test('stops at the level it was in, dropped whole: the figures of the levels before it, not a complete search', async () => {
    const options = { config: { preset: 'tla', rms: 4 }, liveness: false as const, workers: 2, suiteModule: CATALOGUE, searchWhileWorkersStart: false };
    const whole = await explore(twoPhase, options);
    expect([whole.complete, whole.depth, whole.distinctStates]).toEqual([true, 14, 1568]);
    // Asked to stop once level 6 is reported done: the workers search from the first level here.
    let depthDone = 0;
    const cut = await explore(twoPhase, { ...options, onProgress: (p) => (depthDone = p.depth), interrupted: () => depthDone >= 6 });
    expect([cut.stoppedBy, cut.complete, cut.violation, cut.depth]).toEqual(['interrupted', false, null, 6]);
    expect(cut.distinctStates).toBeLessThan(whole.distinctStates);
    expect(cut.distinctStates).toBe(cut.frontier.reduce((a, b) => a + b, 0));
  });
});
