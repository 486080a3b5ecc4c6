/**
 * `protokit linearizable`: exit codes (0 all linearizable, 1 some not, 2 bad input, 5 some
 * undecided), one JSON object per history, directories, the HTML page, the size limit, and no
 * control character from a file reaching the terminal.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { MAX_HISTORY_BYTES } from './linearizable.js';
import { oneLine, run } from './run-in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'protokit-lin-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const good = write(
  'good.jsonl',
  jsonl([
    { client: 1, type: 'invoke', f: 'write', value: 1 },
    { client: 1, type: 'ok', f: 'write', value: 1 },
    { client: 2, type: 'invoke', f: 'read', value: null },
    { client: 2, type: 'ok', f: 'read', value: 1 },
  ]),
);
const stale = write(
  'stale.jsonl',
  jsonl([
    { client: 1, type: 'invoke', f: 'write', value: 1 },
    { client: 1, type: 'ok', f: 'write', value: 1 },
    { client: '\u001b[31mevil', type: 'invoke', f: 'read', value: null },
    { client: '\u001b[31mevil', type: 'ok', f: 'read', value: null },
  ]),
);

describe('protokit linearizable', () => {
  test('exit 0 and one line per history plus a summary when all are linearizable', async () => {
    const r = await run('linearizable', good, '--spec', 'register');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^✓ .*good\.jsonl {2}linearizable \(2 operations, 1 partition\) {2}\d+ ms$/);
    expect(lines[1]).toMatch(/^1 history \(spec register\): 1 linearizable, 0 not linearizable, 0 undecided, in \d+ ms$/);
  });

  test('exit 1 with the evidence, control characters escaped; --json gives the contract fields', async () => {
    const r = await run('linearizable', stale, '--spec', 'register');
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('\u001b');
    expect(r.stdout).toContain('client \\u001b[31mevil: read → nil');
    expect(r.stdout).toContain('then, in state 1, none of these can come next:');
    // The lanes (the renderer `show` uses for a model's violation), the stale read marked.
    const lines = r.stdout.split('\n');
    const at = lines.indexOf('    history of partition 0, spec register: 2 of 2 operations; a lane per client, time →');
    expect(lines.slice(at + 1, at + 3)).toEqual(['      1               [1 write 1]', '      \\u001b[31mevil               [✗ read → nil]']);
    const json = await run('linearizable', stale, good, '--spec', 'register', '--json');
    expect(json.code).toBe(1);
    const objects = json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(objects.map((o) => [o.file, o.spec, o.operations, o.partitions, o.linearizable])).toEqual([
      [stale, 'register', 2, 1, false],
      [good, 'register', 2, 1, true],
    ]);
    expect(typeof objects[0].elapsedMs).toBe('number');
    expect(objects[0].failing).toEqual([
      {
        partition: 0,
        key: null,
        operations: 2,
        prefix: [{ client: '1', op: 'write 1', outcome: 'ok', line: 1, returnLine: 2, before: 'nil', after: '1' }],
        stuck: [{ client: '\u001b[31mevil', op: 'read → nil', outcome: 'ok', line: 3, returnLine: 4, before: '1', allowed: false, deadline: true }],
      },
    ]);
    expect(objects[1].failing).toEqual([]);
  });

  test('a directory stands for every file in it; --html writes a page per refuted history', async () => {
    const many = join(dir, 'many');
    const pages = join(dir, 'pages');
    mkdirSync(many);
    mkdirSync(pages);
    writeFileSync(join(many, 'a.jsonl'), readFileSync(good));
    writeFileSync(join(many, 'b.jsonl'), readFileSync(stale));
    const r = await run('linearizable', many, '--spec', 'cas-register', '--html', pages);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/2 histories \(spec cas-register\): 1 linearizable, 1 not linearizable, 0 undecided/);
    expect(r.stdout).toContain(`view: ${join(pages, 'b.jsonl.html')}`);
    const page = readFileSync(join(pages, 'b.jsonl.html'), 'utf8');
    expect(page).toContain('class="op stuck deadline"');
    expect(page).not.toContain('\u001b');
  });

  test('exit 5 when a history is undecided within the budget and none is refuted', async () => {
    const r = await run('linearizable', good, '--spec', 'register', '--max-steps', '1', '--json');
    expect(r.code).toBe(5);
    expect(JSON.parse(r.stdout)).toMatchObject({ linearizable: null, stoppedBy: 'budget' });
  });

  test('bad input: one line naming the file, the line and what was expected, exit 2', async () => {
    const bad = write('bad.log', 'INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:ok\t:read\t[1\n');
    let r = await run('linearizable', bad, '--spec', 'cas-register');
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(`protokit: ${bad}:2: the value: expected "]", found the end of the line (format jepsen, spec cas-register)`);
    r = await run('linearizable', good);
    expect([r.code, oneLine(r.stderr)]).toEqual([2, 'protokit: --spec is required (accepted: register, cas-register, kv)']);
    r = await run('linearizable', good, '--spec', 'queue');
    expect([r.code, oneLine(r.stderr)]).toEqual([2, "protokit: unknown spec 'queue' (accepted: register, cas-register, kv)"]);
    r = await run('linearizable', good, '--spec', 'register', '--format', 'csv');
    expect([r.code, oneLine(r.stderr)]).toEqual([2, "protokit: unknown format 'csv' (accepted: jepsen, edn, jsonl)"]);
    r = await run('linearizable', join(dir, 'missing.log'), '--spec', 'register');
    expect([r.code, oneLine(r.stderr)]).toEqual([2, `protokit: ${join(dir, 'missing.log')}: no such file or directory`]);
    r = await run('linearizable', good, '--spec', 'register', '--timeout', 'soon');
    expect([r.code, oneLine(r.stderr)]).toEqual([2, "protokit: --timeout takes a number of seconds above 0, not 'soon'"]);
  });

  test('a file above the size limit is refused before it is read', async () => {
    const huge = write('huge.log', '');
    truncateSync(huge, MAX_HISTORY_BYTES + 1); // sparse: no disk used
    const r = await run('linearizable', huge, '--spec', 'register');
    expect([r.code, oneLine(r.stderr)]).toEqual([2, `protokit: ${huge} is 64 MB; history files are at most 64 MB (PROTOKIT_MAX_INPUT_BYTES=BYTES reads larger ones)`]);
  });
});
