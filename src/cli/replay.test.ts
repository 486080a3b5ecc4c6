/**
 * `protokit show` in its four formats and `protokit replay --until N`, as a user runs them:
 * exit codes, what lands on stdout or in the --out file, and one clear stderr line for bad
 * input (exit 2) or a trace that does not fit (exit 3). Calls main() in-process; cli.test.ts's
 * "the real process" cases spawn the bin (a missing trace: exit 2, one line).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { oneLine, run } from './run-in-process.js';

const out = mkdtempSync(join(tmpdir(), 'protokit-show-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const KNOWN = 'traces/two-phase-commit/rm-forgets-prepared.json';


function edited(edit: (t: Record<string, any>) => void): string {
  const t = JSON.parse(readFileSync(KNOWN, 'utf8'));
  edit(t);
  const path = join(out, `edited-${readdirSync(out).length}.json`);
  writeFileSync(path, JSON.stringify(t));
  return path;
}

describe('protokit show', () => {
  test.each([
    ['text', /^two-phase-commit, mutant rm-forgets-prepared\n/],
    ['mermaid', /^%% .*\nsequenceDiagram\n {4}participant tm\n/],
    ['itf', /^\{\n {2}"#meta": \{\n {4}"format": "ITF"/],
    ['html', /^<!doctype html>\n/],
  ])('--format %s prints to stdout, exit 0', async (format, start) => {
    const r = await run('show', KNOWN, '--format', format);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(start);
    expect(r.stderr).toBe('');
  });

  test('--out writes the file (atomically: no temporary file is left) and says where', async () => {
    const file = join(out, 'viewer', 'rm-forgets-prepared.html');
    const r = await run('show', KNOWN, '--format', 'html', '--out', file);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`wrote ${file}\n`);
    expect(readFileSync(file, 'utf8')).toMatch(/^<!doctype html>[\s\S]*<\/html>\n$/);
    expect(readdirSync(join(out, 'viewer'))).toEqual(['rm-forgets-prepared.html']);
  });

  test('an unknown format: exit 2, one line naming the accepted formats', async () => {
    const r = await run('show', KNOWN, '--format', 'svg');
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe("protokit: unknown format 'svg' (accepted: text, mermaid, itf, html)");
  });

  test('a trace that does not fit the model: exit 3, nothing rendered', async () => {
    const path = edited((t) => (t.digests[4].nodes.tm = '0000000000000000'));
    const r = await run('show', path, '--format', 'mermaid');
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(oneLine(r.stderr)).toMatch(/^protokit: the trace does not fit the model: step 4: the model diverged: node tm is not in the recorded state/);
  });
});

describe('protokit replay --until', () => {
  test('stops at step N and shows the world there: every node, the messages in flight', async () => {
    const r = await run('replay', KNOWN, '--until', '5');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        '  1  rm1: Prepare',
        '  2  rm2: Prepare',
        '  3  rm3: Prepare',
        '  4  deliver rm1→tm Prepared{rm:rm1}',
        '  5  crash rm1',
        '✓ stopped at step 5 of 10; no property violated so far',
        '',
        'the world after step 5:',
        '  tm   init  {rms:[rm1, rm2, rm3], prepared:[rm1], decision:null}',
        '  rm1  crashed  on disk: nothing',
        '  rm2  prepared  {id:rm2, tm:tm, status:prepared}',
        '  rm3  prepared  {id:rm3, tm:tm, status:prepared}',
        '  in flight (2):',
        '    rm2→tm Prepared{rm:rm2}',
        '    rm3→tm Prepared{rm:rm3}',
        '',
      ].join('\n'),
    );
  });

  test('at the violation: exit 1, and --json carries the world', async () => {
    const r = await run('replay', KNOWN, '--until', '10', '--json');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ model: 'two-phase-commit', mutant: 'rm-forgets-prepared', steps: 10, until: 10, violation: { property: 'consistency', step: 10 } });
    expect(json.world.nodes.map((n: { id: string; state: string }) => `${n.id}:${n.state}`)).toEqual(['tm:committed', 'rm1:aborted', 'rm2:committed', 'rm3:prepared']);
    expect(json.world.network.map((e: { to: string }) => e.to)).toEqual(['rm1', 'rm3']);
  });

  test('--until 0 shows the initial world', async () => {
    const r = await run('replay', KNOWN, '--until', '0', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ steps: 0, until: 0, violation: null });
  });

  test.each([
    [['--until', '11'], "protokit: --until 11: the trace has 10 steps (accepted: 0..10)"],
    [['--until', '-1'], "protokit: option '--until <n>' argument '-1' is invalid. --until takes a whole number (0 or more), not '-1'"],
    [['--until', 'five'], "protokit: option '--until <n>' argument 'five' is invalid. --until takes a whole number (0 or more), not 'five'"],
  ])('bad %j: exit 2, one line', async (args, message) => {
    const r = await run('replay', KNOWN, ...args);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(message);
  });

  test('a divergence before step N still ends in exit 3', async () => {
    const path = edited((t) => (t.digests[2].nodes.rm2 = '0000000000000000'));
    const r = await run('replay', path, '--until', '5');
    expect(r.code).toBe(3);
    expect(oneLine(r.stderr)).toMatch(/^protokit: the trace does not fit the model: step 2: the model diverged: node rm2/);
  });
});

describe('protokit replay and show on fuzzed files', () => {
  test('exit 2 or 3 with one stderr line (or 0/1 when the damage is harmless), never an exception', async () => {
    const text = readFileSync(KNOWN, 'utf8');
    const damaged = fc.oneof(
      fc.nat({ max: text.length - 2 }).map((n) => text.slice(0, n)),
      fc.tuple(fc.constantFrom('model', 'config', 'mutant', 'faults', 'expect', 'violation', 'actions', 'digests', 'origin'), fc.anything()).map(([key, value]) => {
        const t = JSON.parse(text);
        t[key] = value;
        return JSON.stringify(t);
      }),
      fc.tuple(fc.nat({ max: 9 }), fc.constantFrom('node', 'from', 'to', 'type', 'message', 'event'), fc.oneof(fc.string({ maxLength: 5 }), fc.anything())).map(([i, key, value]) => {
        const t = JSON.parse(text);
        t.actions[i][key] = value;
        return JSON.stringify(t);
      }),
    );
    const file = join(out, 'fuzzed.json');
    await fc.assert(
      fc.asyncProperty(damaged, fc.constantFrom(['replay'], ['replay', '--until', '4'], ['show', '--format', 'mermaid'], ['show', '--format', 'itf']), async (content, [command, ...options]) => {
        writeFileSync(file, content);
        const r = await run(command!, file, ...options);
        expect([0, 1, 2, 3]).toContain(r.code);
        if (r.code >= 2) expect(oneLine(r.stderr)).toMatch(/^protokit: /);
      }),
      { seed: 11, numRuns: 60 },
    );
  });
});

test('show --format mermaid of a missing trace: exit 2 and one line, nothing on stdout', async () => {
  const r = await run('show', join(out, 'absent.json'), '--format', 'mermaid');
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe(`protokit: trace file not found: ${join(out, 'absent.json')}\n`);
});
