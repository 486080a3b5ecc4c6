/**
 * The one reader of other people's files: regular files only, a size bound checked before any
 * byte is read (PROTOKIT_MAX_INPUT_BYTES overrides it), JSON nesting bounded, one line each.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { UsageError } from './errors.js';
import { DEFAULT_MAX_INPUT_BYTES, maxInputBytes, MAX_INPUT_ENV, readInputJson, readInputText } from './input-file.js';

const dir = mkdtempSync(join(tmpdir(), 'protokit-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  delete process.env[MAX_INPUT_ENV];
});

function refusal(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('readInputText', () => {
  test('a regular file is read whole', () => {
    writeFileSync(join(dir, 'a.log'), 'one\ntwo\n');
    expect(readInputText(join(dir, 'a.log'), { what: 'history' })).toBe('one\ntwo\n');
  });

  test('a FIFO, /dev/zero and a directory are refused before a byte is read (a FIFO would wait for a writer for ever)', () => {
    const fifo = join(dir, 'fifo');
    spawnSync('mkfifo', [fifo]);
    expect(refusal(() => readInputText(fifo, { what: 'history' }))).toBe(`${fifo} is not a regular file (a device, FIFO or socket), not a history file`);
    expect(refusal(() => readInputText('/dev/zero', { what: 'result', prefix: 'merge: ' }))).toBe('merge: /dev/zero is not a regular file (a device, FIFO or socket), not a result file');
    expect(refusal(() => readInputText(dir, { what: 'trace' }))).toBe(`${dir} is a directory, not a trace file`);
    expect(refusal(() => readInputText(join(dir, 'absent'), { what: 'trace' }))).toBe(`trace file not found: ${join(dir, 'absent')}`);
  });

  test('the size bound is checked on the size, and PROTOKIT_MAX_INPUT_BYTES moves it', () => {
    const big = join(dir, 'big.log');
    writeFileSync(big, '');
    truncateSync(big, DEFAULT_MAX_INPUT_BYTES + 1); // sparse: no disk used, nothing read
    expect(refusal(() => readInputText(big, { what: 'history' }))).toBe(`${big} is 64 MB; history files are at most 64 MB (PROTOKIT_MAX_INPUT_BYTES=BYTES reads larger ones)`);
    writeFileSync(join(dir, 'small.log'), '12345678');
    process.env[MAX_INPUT_ENV] = '4';
    expect(maxInputBytes()).toBe(4);
    expect(refusal(() => readInputText(join(dir, 'small.log'), { what: 'history' }))).toMatch(/is 8 bytes; history files are at most 4 bytes/);
    process.env[MAX_INPUT_ENV] = '8';
    expect(readInputText(join(dir, 'small.log'), { what: 'history' })).toBe('12345678');
    process.env[MAX_INPUT_ENV] = 'lots';
    expect(refusal(() => maxInputBytes())).toBe('PROTOKIT_MAX_INPUT_BYTES="lots": expected a number of bytes above 0');
  });
});

describe('readInputJson', () => {
  test('nesting past 64 is refused before parsing (100,000 deep would overflow the parser)', () => {
    const deep = join(dir, 'deep.json');
    writeFileSync(deep, `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(refusal(() => readInputJson(deep, { what: 'result', prefix: 'merge: ' }))).toBe(`merge: ${deep} nests arrays and objects more than 64 deep; a result file never does`);
    writeFileSync(deep, `{"a": "${'['.repeat(1000)}"}`); // brackets in a string do not count
    expect(readInputJson(deep, { what: 'result' })).toEqual({ a: '['.repeat(1000) });
  });

  test('malformed JSON: one line with the hint', () => {
    writeFileSync(join(dir, 'bad.json'), '{"a":');
    expect(refusal(() => readInputJson(join(dir, 'bad.json'), { what: 'result', prefix: 'merge: ', hint: 'write it with check --json' }))).toMatch(/^merge: .*bad\.json is not valid JSON \(.*\); write it with check --json$/);
  });
});
