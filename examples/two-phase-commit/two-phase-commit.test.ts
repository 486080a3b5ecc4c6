/**
 * Two-Phase Commit over TCP, four processes: the coordinator is killed between the phases; the
 * participants block (prepared, unable to decide alone) and the coordinator's restart from its
 * log ends the blocking. Verdicts are states and counts, never speeds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { runBlockingScenario } from './scenario.js';

const dir = mkdtempSync(join(tmpdir(), 'two-phase-commit-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a coordinator killed between the phases blocks the prepared participants until it recovers', async () => {
  const r = await runBlockingScenario(dir);
  expect(r.whileDown).toEqual({ rm1: 'prepared', rm2: 'prepared', rm3: 'prepared' });
  expect(r.localAbortTaken).toBe(false);
  // No decision was logged, and the votes were volatile: the TM is undecided and remembers none.
  expect(r.tmAfterRestart).toEqual({ state: 'init', decision: null, prepared: [] });
  expect(r.final).toEqual({ tm: 'committed', rm1: 'committed', rm2: 'committed', rm3: 'committed' });
  // The TM's log: started, took three votes, (killed), recovered, took the retried votes, decided.
  const recoverAt = r.tmLog.indexOf('recover');
  expect(r.tmLog.slice(0, recoverAt).filter((e) => e === 'deliver Prepared').length).toBeGreaterThanOrEqual(3);
  expect(r.tmLog[0]).toBe('start');
  expect(r.tmLog.filter((e) => e === 'recover')).toHaveLength(1);
  const decideAt = r.tmLog.indexOf('env DecideCommit');
  expect(decideAt).toBeGreaterThan(recoverAt);
  // Between its restart and its decision, and after it (retries answered with the decision), the TM only took votes.
  expect(r.tmLog.slice(recoverAt + 1).filter((e) => e !== 'deliver Prepared')).toEqual(['env DecideCommit']);
  expect(r.tmLog.slice(recoverAt + 1, decideAt).length).toBeGreaterThanOrEqual(3);
}, 300_000);
