/**
 * `protokit check MODEL` begins with the small pass (issue 22): the exhaustive search of the
 * suite's small configurations. A bug it finds is reported as found by it, in the text and in
 * --json, with a trace that replays; a configuration of the caller's own, or --no-small, leaves
 * it out. After the runs, a witness they missed is searched for; --no-witness-search leaves that
 * out too (the bench measures start-up with both off). Calls main() in-process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { run } from './run-in-process.js';

const out = mkdtempSync(join(tmpdir(), 'protokit-small-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('check: the small pass', () => {
  test('a stand-in that keeps hints in memory: found by the small pass (7 actions), --json says so, the trace replays', async () => {
    // The random runs of the default budget never crash a stand-in after it acknowledged (0 of 5 seeds before issue 22).
    const r = await run('check', 'quorum-kv', '--mutant', 'hints-in-memory', '--json', '--out', out);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect([json.violation.foundBy, json.violation.property, json.violation.step, json.runs, json.preset]).toEqual(['small', 'acked-write-durable', 7, 0, 'dynamo']);
    expect(json.small.map((p: { violated: string | null }) => p.violated)).toEqual(['acked-write-durable']);
    const replayed = await run('replay', json.violation.trace, '--json');
    // Exit 1: the trace replays to the violation it records.
    expect([replayed.code, JSON.parse(replayed.stdout).violation.property]).toEqual([1, 'acked-write-durable']);
  }, 300_000);

  test('the text names the part that found it and the explore command that finds it alone', async () => {
    const r = await run('check', 'quorum-kv', '--mutant', 'never-hands-over-hints', '--out', out);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✗ convergence (liveness) violated');
    expect(r.stdout).toContain('found by the exhaustive search of a small configuration (Dynamo, 3 nodes, N=2, R=1, one key, one client of one operation, one crash), before any random run');
    expect(r.stdout).toContain(
      'search: npx protokit explore quorum-kv --config preset=dynamo --config nodes=3 --config replicas=2 --config R=1 --config keys=1 --config clients=1 --config ops=1 --config timeouts=false --faults crash=1 --mutant never-hands-over-hints --max-states 75000',
    );
  }, 300_000);

  test('the same search, run by explore, finds the same counterexample', async () => {
    const r = await run('explore', 'quorum-kv', '--config', 'preset=dynamo', '--config', 'nodes=3', '--config', 'replicas=2', '--config', 'R=1', '--config', 'keys=1', '--config', 'clients=1', '--config', 'ops=1', '--config', 'timeouts=false', '--faults', 'crash=1', '--mutant', 'hints-in-memory', '--max-states', '75000', '--json', '--out', out);
    const json = JSON.parse(r.stdout);
    expect([r.code, json.violation.property, json.violation.step]).toEqual([1, 'acked-write-durable', 7]);
  }, 300_000);

  test("a configuration of the caller's own, or --no-small, leaves the small pass out", async () => {
    const withConfig = JSON.parse((await run('check', 'two-phase-commit', '--config', 'rms=2', '--runs', '20', '--json', '--out', out)).stdout);
    const without = JSON.parse((await run('check', 'two-phase-commit', '--no-small', '--runs', '20', '--json', '--out', out)).stdout);
    const plain = JSON.parse((await run('check', 'two-phase-commit', '--runs', '20', '--json', '--out', out)).stdout);
    expect([withConfig.small, without.small]).toEqual([[], []]);
    // Two-Phase Commit's small configurations are searched whole (1,292 states; with a lost message, 2,695), and hold.
    expect(plain.small.map((p: { distinctStates: number; complete: boolean; violated: string | null }) => [p.distinctStates, p.complete, p.violated])).toEqual([
      [1292, true, null],
      [2695, true, null],
    ]);
  }, 300_000);
});

describe('check: the witness search after the runs', () => {
  test('decides the witnesses one run missed (288 states, the whole preset); --no-witness-search leaves them unknown', async () => {
    const args = ['check', 'two-phase-commit', '--config', 'preset=tla', '--runs', '1', '--json', '--out', out];
    const verdicts = (json: { witnesses: { name: string; verdict: string }[] }) => json.witnesses.map((w) => `${w.name}: ${w.verdict}`);
    const searched = await run(...args);
    const searchedJson = JSON.parse(searched.stdout);
    expect([searched.code, verdicts(searchedJson), searchedJson.witnessSearch.distinctStates, searchedJson.witnessSearch.complete]).toEqual([
      1,
      ['commits: reached', 'aborts: reached', 'commits-after-recovery: unreachable'],
      288,
      true,
    ]);
    const left = await run(...args, '--no-witness-search');
    const leftJson = JSON.parse(left.stdout);
    expect([left.code, verdicts(leftJson), 'witnessSearch' in leftJson]).toEqual([1, ['commits: unknown', 'aborts: reached', 'commits-after-recovery: unknown'], false]);
    const text = await run('check', 'two-phase-commit', '--config', 'preset=tla', '--runs', '1', '--no-witness-search', '--out', out);
    expect(text.stdout).toContain('  ✗ 2 witnesses not reached in 1 runs: the budget is too small or the model cannot get there (explore decides which)\n');
    expect(text.stdout).not.toContain('breadth-first search');
  }, 300_000);
});
