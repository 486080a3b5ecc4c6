/**
 * Progress off a terminal (a CI log): one line per update that is due, naming what is counted; none
 * with --json (disabled). The interval is set to 0 here so that every update is due: the lines'
 * content, not their timing, is under test.
 */
import { afterEach, expect, test, vi } from 'vitest';
import { progressFor } from './progress.js';

afterEach(() => vi.restoreAllMocks());

/** stderr's lines; a test worker's stderr is a pipe, never a terminal. */
function capture(): string[] {
  expect(process.stderr.isTTY).not.toBe(true);
  const lines: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
  return lines;
}

test('off a terminal, each due update is one line with the count, the unit, the rate and the time left', () => {
  const lines = capture();
  const progress = progressFor('raft: mutate', 40, true, { unit: 'mutants', everyMs: 0 });
  progress.update(10, 40);
  progress.update(20, 40);
  progress.stop();
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/^raft: mutate: 10\/40 mutants, [\d.]+ mutants\/s(, ~\d+ s left)?\n$/);
  expect(lines[1]).toMatch(/^raft: mutate: 20\/40 mutants, /);
});

test('runs are the default unit, and a disabled progress (--json) prints nothing', () => {
  const lines = capture();
  progressFor('paxos', 100, true, { everyMs: 0 }).update(50, 100);
  progressFor('paxos', 100, false, { everyMs: 0 }).update(60, 100);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^paxos: 50\/100 runs, /);
});
