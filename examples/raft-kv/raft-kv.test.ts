/**
 * The raft-kv example, short: three server processes, a bounded client load, one SIGKILL (of the
 * leader, then a restart) and one connection drop. The verdicts are the scenario's checks and
 * counts — every operation invoked, the history linearizable, no acknowledged write lost, the
 * logs written with one recover for the one restart — never a speed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { runScenario } from './scenario.js';

const dir = mkdtempSync(join(tmpdir(), 'raft-kv-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a Raft KV of three processes stays linearizable and loses no acknowledged write through a SIGKILL, a restart and a connection drop', async () => {
  const r = await runScenario({ dir, ops: 60, seconds: 240, clients: 3, keys: 3, kills: 1, drops: 1, record: true });
  expect(r.invoked).toBeGreaterThanOrEqual(60 + 3);
  expect(r.ok).toBeGreaterThan(0);
  expect(r.faults.map((f) => f.fault.split(' ')[0])).toEqual(['SIGKILL', 'drop']);
  expect(Object.values(r.restarts).sort()).toEqual([0, 0, 1]);
  expect(r.linearizability).toBe('linearizable');
  expect(r.lostWrites).toEqual([]);
  expect(r.logProblems).toEqual([]);
  expect(r.logSteps).toBeGreaterThan(r.ok);
}, 300_000);
