/**
 * `protokit merge`: shards run apart (`--shard auto`, read from the environment as a CI matrix or a
 * Kubernetes Indexed Job sets it), their `--json` results merged into one report: runs and steps
 * summed, witnesses of any shard, the lowest shard's violation with its rerun line, distinct states
 * combined. Each shard runs in-process, one after the other, with the environment its job would
 * have (a spawned bin cost a second of CPU more each, for tsx; cli.test.ts keeps the spawned bin's
 * exit codes), and writes its --json result to a file, as a separate process would.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { oneLine, run } from './run-in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'protokit-merge-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Variables from which `--shard auto` reads its place: only the shard's own are set while it runs. */
const PLACE = /^(PROTOKIT_SHARD|JOB_COMPLETION|CI_NODE|CIRCLE_NODE|BUILDKITE_PARALLEL)/;

async function shard(name: string, env: Record<string, string>, args: string[]): Promise<{ code: number; file: string; json: Record<string, any> }> {
  for (const key of Object.keys(process.env)) if (PLACE.test(key)) vi.stubEnv(key, undefined);
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
  try {
    const r = await run('check', 'two-phase-commit', '--shard', 'auto', '--json', '--out', join(dir, 'traces'), ...args);
    const file = join(dir, `${name}.json`);
    writeFileSync(file, r.stdout);
    return { code: r.code, file, json: JSON.parse(r.stdout) };
  } finally {
    vi.unstubAllEnvs();
  }
}

// A GitHub Actions matrix job (PROTOKIT_SHARD) and a Kubernetes Indexed Job pod (JOB_COMPLETION_INDEX, --shards).
const buggy = ['--mutant', 'rm-forgets-prepared', '--runs', '3000', '--seed', '3'];
const clean = ['--runs', '300', '--seed', '5'];
let shards: Awaited<ReturnType<typeof shard>>[] = [];
beforeAll(async () => {
  // One after the other: each reads its place from this process's environment.
  shards = [
    await shard('buggy-1', { PROTOKIT_SHARD: '1/2' }, buggy),
    await shard('buggy-2', { JOB_COMPLETION_INDEX: '1' }, [...buggy, '--shards', '2']),
    await shard('clean-1', { JOB_COMPLETION_INDEX: '0', JOB_COMPLETIONS: '2' }, clean),
    await shard('clean-2', { PROTOKIT_SHARD: '2/2' }, clean),
  ];
});

describe('protokit merge, shards run apart', () => {
  test('each shard read its place from the environment', () => {
    expect(shards.map((s) => [s.json.shard.index, s.json.shard.count, s.json.shard.source])).toEqual([
      [1, 2, 'PROTOKIT_SHARD'],
      [2, 2, 'JOB_COMPLETION_INDEX, --shards'],
      [1, 2, 'JOB_COMPLETION_INDEX, JOB_COMPLETIONS'],
      [2, 2, 'PROTOKIT_SHARD'],
    ]);
    expect(shards.slice(2).map((s) => s.json.runs)).toEqual([150, 150]);
  });

  test('a violation: that of the lowest shard that found one, with its rerun line; runs and steps summed; exit 1', async () => {
    const [a, b] = shards as [(typeof shards)[0], (typeof shards)[0]];
    const r = await run('merge', b.file, a.file, '--json');
    expect(r.code).toBe(1);
    const m = JSON.parse(r.stdout);
    const lowest = [a, b].find((s) => s.json.violation !== null)!;
    expect(m.violation).toMatchObject({ shard: lowest.json.shard.index, property: lowest.json.violation.property, step: lowest.json.violation.step, rerun: lowest.json.rerun, trace: lowest.json.violation.trace });
    expect(m.violation.rerun).toMatch(/--seed \d+ --runs \d+/);
    expect([m.runs, m.steps]).toEqual([a.json.runs + b.json.runs, a.json.steps + b.json.steps]);
    expect(m.shards).toEqual({ count: 2, given: [1, 2], missing: [], missingCount: 0 });
  });

  test('no violation: witnesses of any shard, distinct states combined and labelled; exit 0', async () => {
    const [, , a, b] = shards as [unknown, unknown, (typeof shards)[0], (typeof shards)[0]];
    const r = await run('merge', a.file, b.file, '--json');
    const m = JSON.parse(r.stdout);
    expect([r.code, m.violation, m.ok, m.runs, m.steps]).toEqual([0, null, true, 300, a.json.steps + b.json.steps]);
    expect(m.witnesses.map((w: { name: string; reached: boolean }) => [w.name, w.reached])).toEqual(
      a.json.witnesses.map((w: { name: string }, k: number) => [w.name, a.json.witnesses[k].reached || b.json.witnesses[k].reached]),
    );
    expect(m.distinctStatesBounds).toEqual([Math.max(a.json.distinctStates, b.json.distinctStates), a.json.distinctStates + b.json.distinctStates]);
    expect(m.distinctStates).toBeGreaterThanOrEqual(m.distinctStatesBounds[0]);
    expect(m.distinctStates).toBeLessThanOrEqual(m.distinctStatesBounds[1]);
    expect(m.distinctStatesExact).toBe(false);
    const text = await run('merge', a.file, b.file);
    expect(text.stdout).toMatch(/2 of 2 shards merged/);
    expect(text.stdout).toMatch(/about [\d,]+ distinct states \(estimate from the shards' sketches; between/);
  });

  test('a missing or interrupted shard makes a clean merge inconclusive (exit 5), never a pass or a missed witness', async () => {
    const [, , a, b] = shards as [unknown, unknown, (typeof shards)[0], (typeof shards)[0]];
    const alone = await run('merge', a.file, '--json');
    const m = JSON.parse(alone.stdout);
    expect([alone.code, m.violation, m.ok, m.shards.missing, m.inconclusive]).toEqual([5, null, false, [2], 'shard 2 of 2 missing: what its runs would have found is unknown']);
    const text = await run('merge', a.file);
    expect([text.code, text.stdout]).toEqual([5, expect.stringMatching(/^ {2}\? inconclusive: no violation in the runs merged, but shard 2 of 2 missing: what its runs would have found is unknown/m)]);
    expect(text.stdout).not.toMatch(/✓ no violation/);
    // A shard stopped by Ctrl-C (check --json writes interrupted: true) counts as missing runs.
    const stopped = join(dir, 'clean-2-interrupted.json');
    writeFileSync(stopped, JSON.stringify({ ...b.json, interrupted: true }));
    const cut = await run('merge', a.file, stopped, '--json');
    expect([cut.code, JSON.parse(cut.stdout).interruptedShards, JSON.parse(cut.stdout).inconclusive]).toEqual([5, [2], 'shard 2 interrupted (Ctrl-C): what its runs would have found is unknown']);
    // The whole split merged is a verdict again.
    expect((await run('merge', a.file, b.file)).code).toBe(0);
  });

  test('bad input: one line, exit 2', async () => {
    const [, , a] = shards as [unknown, unknown, (typeof shards)[0]];
    const twice = await run('merge', a.file, a.file);
    expect([twice.code, oneLine(twice.stderr)]).toEqual([2, 'protokit: merge: shard 1/2 of two-phase-commit is given twice']);
    const junk = join(dir, 'junk.json');
    writeFileSync(junk, '{"hello": 1}');
    const bad = await run('merge', junk);
    expect(bad.code).toBe(2);
    expect(oneLine(bad.stderr)).toMatch(/junk\.json is not the --json result of protokit check/);
    const missing = await run('merge', join(dir, 'nope.json'));
    expect(oneLine(missing.stderr)).toMatch(/result file not found/);
    const mixed = await run('merge', a.file, shards[0]!.file);
    expect(oneLine(mixed.stderr)).toMatch(/are of different checks/);
  });
});
