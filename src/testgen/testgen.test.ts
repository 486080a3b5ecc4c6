import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import model from '../../models/two-phase-commit/index.js';
import suite from '../../properties/two-phase-commit/index.js';
import { resolveInstance } from '../engine/instance.js';
import { run } from '../cli/run-in-process.js';
import { runConformance, type ConformanceAdapter } from './conformance.js';
import { generateScenarios } from './generate.js';
import { transitionCoverage } from './scenarios.js';

/** An RM that votes yes and never says anything else: it ignores every decision. */
function deafRm(): ConformanceAdapter {
  let status = 'working';
  return {
    init: () => void (status = 'working'),
    deliver: (event) => {
      if (event.type === 'Prepare' && status === 'working') {
        status = 'prepared';
        return [{ to: 'tm', message: { type: 'Prepared', rm: 'rm1' } }];
      }
      return [];
    },
    state: () => ({ status }),
  };
}

describe('testgen', () => {
  const instance = resolveInstance(model, { config: { rms: 1 } });
  const { set, scenarios } = generateScenarios(suite, instance, 'rm', 1_000);

  test('with one RM, scenarios cover all 9 transitions of its machine', () => {
    expect(set.unreached).toEqual([]);
    expect(transitionCoverage(set)).toEqual({ covered: 9, total: 9 });
    expect(scenarios.every((s) => s.node === 'rm1' && s.trace.model === 'two-phase-commit')).toBe(true);
  });

  test('a failing scenario says the step and what differs, and saves a trace that replays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'protokit-testgen-'));
    const commit = scenarios.find((s) => s.transition === '(any) --Commit--> committed')!;
    let message = '';
    try {
      runConformance(deafRm(), commit, { rms: 1 }, dir);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^rm1, step \d+ of \d+ \(\{"from":"tm","type":"Commit"\}\): state field status is "prepared"; in the model "committed"/);
    const path = /replay: npx protokit replay (\S+)/.exec(message)![1]!;
    expect(JSON.parse(readFileSync(path, 'utf8')).actions).toEqual(commit.actions);
    expect((await run('replay', path)).code).toBe(0);
    // Scenarios that restart the node are skipped for an adapter without restart().
    const restart = scenarios.find((s) => s.steps.some((x) => x.kind === 'restart'))!;
    expect(runConformance(deafRm(), restart, { rms: 1 }, dir)).toEqual({ steps: 0, skipped: true });
  });

  test('the command: bad usage is one line, exit 2', async () => {
    expect((await run('testgen', 'two-phase-commit', '--adapter', 'a.ts', '--out', 'x.test.ts')).stderr).toMatch(/--role ROLE is required/);
    const r = await run('testgen', 'two-phase-commit', '--role', 'nope', '--adapter', 'a.ts', '--out', 'x.test.ts');
    expect([r.code, r.stderr.trim()]).toEqual([2, "protokit: unknown role 'nope' for two-phase-commit (accepted: tm, rm)"]);
  });
});
