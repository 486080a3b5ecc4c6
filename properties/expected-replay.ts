/**
 * A suite's expected counterexamples replay from the command line: for each expected failure
 * (a documented result, e.g. 2PC blocking), `explore` finds the lasso in its preset, the lasso is
 * saved as a trace file, and the real `protokit replay --json` (a child process, as a user runs
 * it) reproduces it: exit 1, the declared property, the same loop start, no difference from
 * what the file records.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { buildTrace, explore, resolveInstance, saveTrace, type Suite } from '../src/index.js';

const BIN = fileURLToPath(new URL('../src/cli/bin.mjs', import.meta.url));

/** One test per expected failure of `suite`: its lasso, saved, replays with `protokit replay`. */
export function testExpectedFailuresReplay(suite: Suite, timeout = 600_000): void {
  const dir = mkdtempSync(join(tmpdir(), `protokit-expected-${suite.model.name}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const failures = suite.expectedFailures ?? [];
  test('the suite declares expected failures to replay', () => expect(failures.length).toBeGreaterThan(0));
  test.each(failures.map((f) => [f.preset, f] as const))('expected failure in preset %s: its lasso replays with protokit replay', async (preset, { property }) => {
    const options = { config: { preset } };
    const v = (await explore(suite, options)).violation;
    expect([v?.property, v?.kind]).toEqual([property, 'liveness']);
    const trace = buildTrace(resolveInstance(suite.model, options), suite, v!.actions, { command: 'explore' }, { property, loopStart: v!.loopStart! });
    const file = join(dir, `${preset}.json`);
    saveTrace(file, trace);
    const r = spawnSync(process.execPath, [BIN, 'replay', file, '--json'], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([1, '']);
    const out = JSON.parse(r.stdout) as { violation: { property: string; kind: string; loopStart: number }; differences: unknown[]; steps: number };
    expect([out.violation.property, out.violation.kind, out.violation.loopStart, out.steps, out.differences]).toEqual([property, 'liveness', v!.loopStart, v!.actions.length, []]);
  }, timeout);
}
