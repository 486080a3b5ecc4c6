/**
 * The hand-written Two-Phase Commit services against the model: the correct services' recorded
 * runs validate and they pass the generated conformance scenarios; each planted bug is caught by
 * both, and the figures below (which run or scenario, after how many implementation steps) are
 * the ones the README reports.
 */
import { describe, expect, test } from 'vitest';
import { caughtByConformance, caughtByValidation } from './catch.js';
import { mutationScore } from './mutation-score.js';

// Generating the scenarios takes seconds; the limit only catches a hang.
describe('hand-written 2PC services', { timeout: 300_000 }, () => {
  test('the correct services: 30 recorded runs validate, every generated scenario passes', () => {
    expect(caughtByValidation({}, 30)).toEqual({ by: null, steps: 445, detail: '' });
    expect(caughtByConformance({})).toEqual({ by: null, steps: 179, detail: '' });
  });

  test('commit after a timeout without every vote: conformance first (18 steps), validation on run 4 (58 steps)', () => {
    const v = caughtByValidation({ commitAfterTimeout: true });
    const c = caughtByConformance({ commitAfterTimeout: true });
    expect([v.by, v.steps]).toEqual(['seed 4', 58]);
    expect(v.detail).toMatch(/^tm step 3: env Timeout: sends logged \[rm1←\{"type":"Commit"\}/);
    expect([c.by, c.steps]).toEqual(['tm scenario init --Timeout--> aborted', 18]);
  });

  test('a participant that forgets its vote on restart: validation first (15 steps), conformance at its restart scenario (176 steps)', () => {
    const v = caughtByValidation({ forgetVote: true });
    const c = caughtByConformance({ forgetVote: true });
    expect([v.by, v.steps]).toEqual(['seed 1', 15]);
    expect(v.detail).toBe('rm3 step 4: recover: sends logged [], the model allows [tm←{"rm":"rm3","type":"Prepared"}]');
    expect([c.by, c.steps]).toEqual(['rm scenario working --RECOVER#3[loggedPrepared]--> prepared', 176]);
  });

  test('the generated scenarios kill 33 of 35 mechanical mutants of the correct services; the two survivors are equivalent for sends and state', async () => {
    expect(await mutationScore()).toEqual({
      killed: 33,
      total: 35,
      survivors: ["coordinator.ts:16  private lastSent: Wire = { kind: 'ABORT' };  →  private lastSent: Wire = { kind: 'COMMIT' };", 'coordinator.ts:33  return;  →  '],
    });
  });

  test('a retry answered with a stale decision: validation first (15 steps), conformance later (34 steps)', () => {
    const v = caughtByValidation({ staleRetry: true });
    const c = caughtByConformance({ staleRetry: true });
    expect([v.by, v.steps]).toEqual(['seed 1', 15]);
    expect(v.detail).toMatch(/^tm step 3: deliver Prepared\{rm:rm3\} from rm3 .*sends logged \[rm3←\{"type":"Abort"\}\], the model allows \[\]$/);
    expect([c.by, c.steps]).toEqual(['tm scenario (ignored)', 34]);
  });
});
