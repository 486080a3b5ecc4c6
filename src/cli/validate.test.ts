import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import model from '../../models/two-phase-commit/index.js';
import { resolveInstance } from '../engine/instance.js';
import { ndjson, randomRun as walk, recordRun } from '../validate/record.js';
import { oneLine, run } from './run-in-process.js';

const faults = { network: 'unordered', loss: 2, duplicate: 2, crash: 2, partition: 0 } as const;

/** The logs of a random run of 2PC (or of a mutant), one file per node. */
function logsOf(seed: number, mutant: string | null = null, length = 40): string[] {
  const instance = resolveInstance(model, { faults, mutant });
  const dir = mkdtempSync(join(tmpdir(), 'protokit-validate-cli-'));
  return [...recordRun(instance, walk(instance, seed, length))].map(([node, lines]) => {
    const path = join(dir, `${node}.ndjson`);
    writeFileSync(path, ndjson(lines));
    return path;
  });
}

describe('protokit validate', () => {
  test('valid: exit 0, the run saved as a trace that replays', async () => {
    const out = mkdtempSync(join(tmpdir(), 'protokit-validate-out-'));
    const r = await run('validate', ...logsOf(3), '--model', 'two-phase-commit', '--out', out, '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ model: 'two-phase-commit', mutant: null, valid: true, verdict: 'valid', violation: null, linesMatched: json.linesTotal, statesVisited: json.linesTotal + 1 });
    expect(typeof json.elapsedMs).toBe('number');
    const replayed = await run('replay', json.trace, '--json');
    expect(replayed.code).toBe(0);
    expect(JSON.parse(replayed.stdout).steps).toBe(JSON.parse(readFileSync(json.trace, 'utf8')).actions.length);
  });

  test('the validated run is a trace like any other: show renders it as text and HTML, saying where it came from', async () => {
    const out = mkdtempSync(join(tmpdir(), 'protokit-validate-show-'));
    const trace = JSON.parse((await run('validate', ...logsOf(3), '--model', 'two-phase-commit', '--out', out, '--json')).stdout).trace;
    const text = await run('show', trace);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n').slice(0, 4)).toEqual([
      'two-phase-commit',
      '  config:   rms=3 retry=true tmRecovers=true',
      '  faults:   unordered network; loss≤1000000, duplicate≤1000000, crash≤1000000, partition off',
      '  expects:  no violation (a recorded run of a real system, reconstructed by protokit validate)',
    ]);
    const html = join(out, 'run.html');
    expect((await run('show', trace, '--format', 'html', '--out', html)).code).toBe(0);
    expect(readFileSync(html, 'utf8')).toMatch(/^<!doctype html>/i);
  });

  test('one merged log (every node in one file, each line naming its node) validates as the per-node files do', async () => {
    const paths = logsOf(3);
    const perNode = JSON.parse((await run('validate', ...paths, '--model', 'two-phase-commit', '--out', mkdtempSync(join(tmpdir(), 'pv-')), '--json')).stdout);
    const files = paths.map((p) => readFileSync(p, 'utf8').trimEnd().split('\n'));
    const header = { ...JSON.parse(files[0]![0]!), node: null, role: null };
    const lines = files.flatMap((f) => f.slice(1).map((l) => JSON.stringify({ node: JSON.parse(f[0]!).node, ...JSON.parse(l) })));
    const merged = join(mkdtempSync(join(tmpdir(), 'protokit-validate-merged-')), 'all.ndjson');
    writeFileSync(merged, [JSON.stringify(header), ...lines].join('\n') + '\n');
    const r = await run('validate', merged, '--model', 'two-phase-commit', '--out', mkdtempSync(join(tmpdir(), 'pv-')), '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect([json.verdict, json.linesTotal, json.linesMatched, json.statesVisited]).toEqual(['valid', perNode.linesTotal, perNode.linesTotal, perNode.statesVisited]);
    expect(json.progress).toEqual(perNode.progress);
  });

  test('a run of a mutant the model allows (it is the mutant): exit 1, the property it violates', async () => {
    // tm-commits-on-majority: find a run of the mutant that commits on a majority; validated with the mutant, the property fails on it.
    let found: { code: number; stdout: string } | null = null;
    for (let seed = 1; seed <= 200 && found === null; seed++) {
      const r = await run('validate', ...logsOf(seed, 'tm-commits-on-majority', 60), '--model', 'two-phase-commit', '--out', mkdtempSync(join(tmpdir(), 'pv-')), '--json');
      if (r.code === 1) found = r;
    }
    expect(found).not.toBeNull();
    expect(JSON.parse(found!.stdout)).toMatchObject({ valid: true, mutant: 'tm-commits-on-majority', violation: { property: 'commit-needs-all-prepared' } });
  });

  test('the logs of a mutant against the correct model: exit 3, the line, node and field', async () => {
    let found: { code: number; stdout: string } | null = null;
    for (let seed = 1; seed <= 200 && found === null; seed++) {
      const paths = logsOf(seed, 'rm-presumes-commit', 60);
      // The headers name the mutant; strip it so the logs claim the correct model.
      for (const p of paths) writeFileSync(p, readFileSync(p, 'utf8').replace('"mutant":"rm-presumes-commit"', '"mutant":null'));
      const v = await run('validate', ...paths, '--model', 'two-phase-commit');
      if (v.code === 3) found = v;
    }
    expect(found).not.toBeNull();
    expect(found!.stdout).toMatch(/✗ invalid: no behaviour of the model explains the logs/);
    expect(found!.stdout).toMatch(/first unexplained line: .*rm\d\.ndjson:\d+ \(node rm\d, its step \d+\): env Timeout/);
  });

  test('a budget too small: exit 5, unknown, how far it got', async () => {
    const r = await run('validate', ...logsOf(1), '--model', 'two-phase-commit', '--unlogged-env', '--max-states', '3');
    expect(r.code).toBe(5);
    expect(r.stdout).toMatch(/\? unknown: the search budget \(3 states\) ran out after explaining \d+ of \d+ lines/);
    expect(r.stdout).toMatch(/raise --max-states/);
  });

  test('a time budget too small (--max-time): exit 5, unknown, the budget named (only the exit code and wording: the verdict of a time budget depends on speed)', async () => {
    // Breadth-first over messages-only logs needs hundreds of states; the budget is asked every 256.
    const instance = resolveInstance(model, { faults });
    const dir = mkdtempSync(join(tmpdir(), 'protokit-validate-time-'));
    const paths = [...recordRun(instance, walk(instance, 2, 30), { environment: false })].map(([node, lines]) => {
      writeFileSync(join(dir, `${node}.ndjson`), ndjson(lines));
      return join(dir, `${node}.ndjson`);
    });
    const r = await run('validate', ...paths, '--model', 'two-phase-commit', '--unlogged-env', '--strategy', 'breadth-first', '--max-time', '0.000001', '--json');
    expect(r.code).toBe(5);
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'unknown', valid: null, stoppedBy: 'time' });
    const text = await run('validate', ...paths, '--model', 'two-phase-commit', '--unlogged-env', '--strategy', 'breadth-first', '--max-time', '0.000001');
    expect(text.code).toBe(5);
    expect(text.stdout).toMatch(/\? unknown: the time budget \(--max-time 0\.000001 s, [\d,]+ states searched\) ran out after explaining \d+ of \d+ lines/);
    expect(text.stdout).toMatch(/raise --max-time/);
    const bad = await run('validate', ...paths, '--model', 'two-phase-commit', '--max-time', '-1');
    expect([bad.code, oneLine(bad.stderr)]).toEqual([2, 'protokit: --max-time takes a number of seconds above 0, not "-1"']);
  });

  test('hostile logs: one line, exit 2, no escape bytes of theirs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'protokit-validate-bad-'));
    const header = '{"format":"protokit-log/1","model":"two-phase-commit","config":{},"mutant":null,"node":"tm","role":"tm"}\n';
    const cases: [string, string, RegExp][] = [
      ['escape.ndjson', header + '{"step":1,"event":{"kind":"\\u001b]0;owned\\u0007"}}\n', /event\.kind must be start, recover, crash, deliver or env \(got "\\u001b\]0;owned\\u0007"\)/],
      ['long.ndjson', header + `{"step":1,"event":{"kind":"start"},"x":"${'a'.repeat(2 ** 20 + 10)}"}\n`, /the line is \d+ characters long; lines are at most 1048576/],
      ['deep.ndjson', header + '['.repeat(100) + ']'.repeat(100) + '\n', /nests more than 64 deep/],
      ['proto.ndjson', header + '{"__proto__":{"x":1},"event":{"kind":"start"}}\n', /a key named __proto__/],
      ['notjson.ndjson', header + '{"step":1,\n', /not valid JSON/],
      ['other.ndjson', '{"format":"protokit-log/9"}\n', /not a protokit-log\/1 header/],
      ['node.ndjson', header.replace('"tm","role":"tm"', '"zz","role":"tm"') + '{"event":{"kind":"start"}}\n', /a log is of node 'zz', which two-phase-commit with this config does not have \(nodes: tm, rm1, rm2, rm3\)/],
    ];
    for (const [name, text, expected] of cases) {
      const path = join(dir, name);
      writeFileSync(path, text);
      const r = await run('validate', path, '--model', 'two-phase-commit');
      expect([name, r.code]).toEqual([name, 2]);
      const line = oneLine(r.stderr);
      expect(line).toMatch(expected);
      expect(line).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    }
    mkdirSync(join(dir, 'sub'));
    expect(oneLine((await run('validate', join(dir, 'sub'), '--model', 'two-phase-commit')).stderr)).toMatch(/is a directory, not a log file/);
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    const fifo = await run('validate', join(dir, 'fifo'), '--model', 'two-phase-commit');
    expect([fifo.code, oneLine(fifo.stderr)]).toEqual([2, expect.stringMatching(/is not a regular file/)]);
    expect((await run('validate', join(dir, 'escape.ndjson'))).code).toBe(2);
  });
});
