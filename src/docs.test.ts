/**
 * Doc-tests: every command in a ```console block of README.md and docs/*.md is run through the
 * command line (in-process) and its output compared with the sample. A block holds `$ protokit ...`
 * lines, each followed by its output; `(exit N)` as the output's last line gives the exit code (0 when
 * absent). Times and rates are normalised (`459 ms`, `24 steps/s`), and so are runs of spaces (a
 * table's columns widen with its times); everything else must match exactly, so a sample cannot go
 * stale. Blocks marked ```console costly (the whole `npm run check`) run only with
 * PROTOKIT_DOCTEST=all: `npm run docs:test`.
 *
 * Also: the README stays a front page (at most 250 lines, the quick start's two commands) and every
 * relative link of the README and the guides leads to a file.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { run } from './cli/run-in-process.js';

const ROOT = resolve(import.meta.dirname, '..');
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const ALL = process.env.PROTOKIT_DOCTEST === 'all';

interface Sample {
  readonly file: string;
  readonly line: number;
  readonly argv: string[];
  readonly output: string;
  readonly exit: number;
  readonly costly: boolean;
}

/** The words of a command line: split on spaces, single and double quotes kept together. */
function words(command: string): string[] {
  return [...command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** Every `$ protokit ...` sample of one markdown file. */
export function samplesOf(file: string, text: string): Sample[] {
  const samples: Sample[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```console( costly)?\s*$/.exec(lines[i]!);
    if (!fence) continue;
    let current: { line: number; argv: string[]; out: string[] } | null = null;
    const flush = () => {
      if (current === null) return;
      const last = current.out.at(-1);
      const exit = last !== undefined && /^\(exit \d+\)$/.test(last) ? Number(/\d+/.exec(last)![0]) : 0;
      if (exit !== 0 || last === '(exit 0)') current.out.pop();
      samples.push({ file, line: current.line, argv: current.argv, output: current.out.join('\n'), exit, costly: fence[1] !== undefined });
    };
    for (i++; i < lines.length && lines[i] !== '```'; i++) {
      const command = /^\$ (?:npx )?protokit(?: (.*))?$/.exec(lines[i]!);
      if (command) {
        flush();
        current = { line: i + 1, argv: words(command[1] ?? ''), out: [] };
      } else if (current) current.out.push(lines[i]!);
      else throw new Error(`${file}:${i + 1}: a console block starts with '$ protokit ...'`);
    }
    flush();
  }
  return samples;
}

/** What may differ between two runs of one command: times, rates, column widths, trailing space. */
export function normalise(text: string): string {
  return text
    .replace(/[\d,.]+ (runs|steps|states|transitions|mutants)\/s/g, '<rate> $1/s')
    .replace(/\b\d[\d,.]* ?(ms|s)\b/g, '<time>')
    .replace(/ {2,}/g, ' ')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trim();
}

/** Progress lines (off a terminal, one every few seconds on a slow machine) are no part of a sample. */
const isProgress = (line: string) => /^[^:]+: \d+\/\d+ \w+, [\d.]+ \w+\/s/.test(line);

const samples = DOCS.flatMap((file) => samplesOf(file, readFileSync(join(ROOT, file), 'utf8')));

/** Every file below traces/ now, so that what the samples' own runs write there can be removed after them. */
function tracesNow(): Set<string> {
  const dir = join(ROOT, 'traces');
  return new Set(existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }) : []);
}

describe('the samples of the README and the guides are what the command line prints', () => {
  // The samples print the paths a user sees (traces/...), so they run where a user would; what they
  // write there is this test's, and goes when it ends: the checkout is left as it was.
  let before = new Set<string>();
  beforeAll(() => {
    before = tracesNow();
  });
  afterAll(() => {
    for (const file of tracesNow()) if (!before.has(file)) rmSync(join(ROOT, 'traces', file), { recursive: true, force: true });
  });

  test('there are samples, and the README has some that npm test runs', () => {
    expect(samples.filter((s) => s.file === 'README.md' && !s.costly).length).toBeGreaterThanOrEqual(4);
  });

  test.each(samples.map((s) => [`${s.file}:${s.line} protokit ${s.argv.join(' ')}`, s] as const))('%s', async (_name, sample) => {
    if (sample.costly && !ALL) return; // npm run docs:test checks it
    const r = await run(...sample.argv);
    const stderr = r.stderr.split('\n').filter((l) => !isProgress(l)).join('\n');
    expect(normalise(r.stdout + stderr)).toBe(normalise(sample.output));
    expect(r.code).toBe(sample.exit);
  });
});

describe('the README is a front page and the guides link up', () => {
  test('the README has at most 250 lines and the quick start names npm install && npm run check and npm test', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme.split('\n').length).toBeLessThanOrEqual(250);
    expect(readme).toContain('npm install && npm run check');
    expect(readme).toContain('npm test');
  });

  // Guides other developers are writing now; docs/README.md links them already.
  const PENDING = new Set(['soundness.md', 'runtime.md', 'log-format.md', 'validate.md', 'studio.md', 'properties.md', 'cli-exit-codes.md']);

  test.each(DOCS)('every relative link of %s leads to a file', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const targets = [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z]+:/.test(t));
    const missing = targets.filter((t) => !existsSync(join(ROOT, dirname(file), t)) && !PENDING.has(t));
    expect(missing).toEqual([]);
  });
});

describe('the doc-test harness itself', () => {
  test('reads commands, outputs and exit codes, and normalises only times, rates and spacing', () => {
    const text = ['```console', '$ protokit check x --seed "1"', 'a  b', 'in 6.0 s (2 runs/s, 1,452 states/s)', '(exit 1)', '$ npx protokit list', 'ok', '```'].join('\n');
    expect(samplesOf('f.md', text)).toEqual([
      { file: 'f.md', line: 2, argv: ['check', 'x', '--seed', '1'], output: 'a  b\nin 6.0 s (2 runs/s, 1,452 states/s)', exit: 1, costly: false },
      { file: 'f.md', line: 6, argv: ['list'], output: 'ok', exit: 0, costly: false },
    ]);
    expect(normalise('in 6.0 s (2 runs/s, 1,452 states/s) 459 ms')).toBe('in <time> (<rate> runs/s, <rate> states/s) <time>');
    expect(normalise('288 distinct states')).toBe('288 distinct states');
    expect(normalise('rm2 committed')).not.toBe(normalise('rm3 committed'));
  });
});
