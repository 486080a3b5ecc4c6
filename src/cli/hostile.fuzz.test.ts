/**
 * The command line and the trace loader under generated hostile input (issue 17): strings with
 * escape sequences (CSI, OSC, OSC 52), bidi overrides, NUL, DEL, C1 controls, line breaks that
 * forge protokit's own lines, path traversal and prototype names; flags repeated, contradicting
 * or unknown; traces with all of these in every field, nesting past the limit, huge values.
 *
 * Every case must end with an exit code of the contract (never 70, an internal error), at most
 * one line on stderr, no control or bidi character on stdout or stderr (the input's ESC bytes
 * included), no file outside `--out`, and no temporary file left behind. The renderers are also
 * checked without the output guard (src/cli/terminal.ts), so each layer holds on its own.
 * In-process; seeds fixed so a failure reproduces (PROTOKIT_FUZZ_RUNS and PROTOKIT_FUZZ_SEED to
 * fuzz longer or elsewhere).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { suites } from '../../properties/registry.js';
import { renderTrace } from '../render/trace.js';
import { parseTrace } from '../trace/file.js';
import { findSuite } from './registry.js';
import { run } from './run-in-process.js';

const KNOWN = 'traces/two-phase-commit/tm-commits-on-majority.json';
const known = readFileSync(KNOWN, 'utf8');
const sandbox = mkdtempSync(join(tmpdir(), 'protokit-fuzz-'));
afterAll(() => rmSync(sandbox, { recursive: true, force: true }));
const RUNS = Number(process.env.PROTOKIT_FUZZ_RUNS ?? 150);
const SEED = Number(process.env.PROTOKIT_FUZZ_SEED ?? 17);

/** Any control, DEL, C1 or bidi/invisible formatting character, except the line feed. */
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;
/** Exit codes a hostile input may end in: everything of the contract but 70 (a bug of protokit). */
const CONTRACT = [0, 1, 2, 3, 4, 5];

const payloads = [
  '\x1b[2J\x1b[H', '\x1b]0;pwned\x07', '\x1b]52;c;ZWNobyBwd25lZA==\x07', '\x1b[31m', '\x9b2J', '\x1bP+q\x1b\\',
  '\u202e', '\u2066', '\u200b', '\ufeff', '\0', '\x7f', '\r', '\t', '\n✓ no property violated', '\n',
  '../../../../x', '..', '/', '.', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '', ' ', '-', '--seed', '--no-faults',
  '#', ';', '%%', '<script>', 'rm1', 'tm', 'two-phase-commit', 'tm-commits-on-majority', 'preset', 'rms', 'loss=2000000',
];
/** A hostile string: the payloads above, binary strings, and mixtures of both. */
const hostile = fc.oneof(
  fc.constantFrom(...payloads),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.tuple(fc.constantFrom(...payloads), fc.string({ maxLength: 4 }), fc.constantFrom(...payloads)).map(([a, b, c]) => a + b + c),
);

const pair = (name: string, value: fc.Arbitrary<string>) => fc.tuple(fc.constant(name), value).map((p): string[] => [...p]);
const alone = (name: string): fc.Arbitrary<string[]> => fc.constant([name]);
/** The flags of each command, with hostile values and a few good ones. */
const FLAGS: Readonly<Record<string, fc.Arbitrary<string[]>>> = {
  mutant: pair('--mutant', fc.oneof(hostile, fc.constantFrom('tm-commits-on-majority', 'rm-forgets-prepared'))),
  config: pair('--config', fc.oneof(fc.tuple(hostile, hostile).map(([k, v]) => `${k}=${v}`), fc.constantFrom('rms=2', 'preset=tla', 'retry=false', 'rms=99', '__proto__=1'), hostile)),
  faults: pair('--faults', fc.oneof(hostile, fc.constantFrom('loss=1', 'crash', 'loss=2000000', 'meteor'))),
  noFaults: alone('--no-faults'),
  seed: pair('--seed', fc.oneof(hostile, fc.nat().map(String))),
  network: pair('--network', fc.oneof(hostile, fc.constantFrom('fifo', 'set'))),
  format: pair('--format', fc.oneof(hostile, fc.constantFrom('text', 'mermaid', 'itf'))),
  load: pair('--load', hostile),
  until: pair('--until', fc.oneof(hostile, fc.nat({ max: 8 }).map(String))),
  symmetry: alone('--symmetry'),
  json: alone('--json'),
  stray: hostile.map((w): string[] => [w]),
};
const flagsOf = (...names: string[]) => fc.array(fc.oneof(...names.map((n) => FLAGS[n]!)), { maxLength: 4 }).map((f) => f.flat());

/** A command line: a command (or a hostile word), a model or trace (or a hostile one), and that command's flags (with strays). */
const commandLine = fc.oneof(
  fc.tuple(fc.constant('check'), fc.oneof(fc.constant('two-phase-commit'), hostile), flagsOf('mutant', 'config', 'faults', 'noFaults', 'seed', 'network', 'json', 'load', 'stray')),
  fc.tuple(fc.constant('explore'), fc.oneof(fc.constant('two-phase-commit'), hostile), flagsOf('mutant', 'config', 'faults', 'noFaults', 'network', 'json', 'symmetry', 'stray')),
  fc.tuple(fc.constant('replay'), fc.oneof(fc.constant(KNOWN), hostile), flagsOf('json', 'until', 'load', 'stray')),
  fc.tuple(fc.constant('show'), fc.oneof(fc.constant(KNOWN), hostile), flagsOf('format', 'load', 'stray')),
  fc.tuple(fc.constantFrom('list', 'help'), fc.oneof(fc.constant('--json'), hostile), flagsOf('json', 'load', 'stray')),
  fc.tuple(hostile, hostile, flagsOf('json', 'stray')),
);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** The contract for any input: a known exit code, at most one stderr line, nothing unsafe printed. */
function contract(r: Outcome): void {
  expect(CONTRACT).toContain(r.code);
  expect(r.stderr.trimEnd().split('\n').filter(Boolean).length).toBeLessThanOrEqual(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stdout).not.toMatch(UNSAFE);
  expect(r.stderr).not.toMatch(UNSAFE);
}

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)));
}

let cases = 0;
/** How the command-line cases ended, by exit code. */
const codes = new Map<number, number>();

describe('generated hostile input', () => {
  test('the command line: exit code of the contract, one line, nothing unsafe printed, nothing outside --out, nothing left behind', async () => {
    await fc.assert(
      fc.asyncProperty(commandLine, hostile, async ([command, target, flags], word) => {
        cases++;
        const work = mkdtempSync(join(sandbox, 'cli-'));
        // --out is a directory of the case's own, whose name may be hostile too (but not a way out of it).
        const out = join(work, 'out', word.replace(/[/.\0]/g, '_') || 'o');
        const args =
          command === 'check'
            ? [command, target, ...flags, '--runs', '3', '--depth', '12', '--out', out]
            : command === 'explore'
              ? [command, target, ...flags, '--max-states', '40', '--out', out]
              : [command, target, ...flags];
        const r = await run(...args);
        codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
        contract(r);
        const outside = filesUnder(work).filter((f) => !resolve(work, f).startsWith(resolve(out) + '/'));
        expect(outside).toEqual([]);
        expect(filesUnder(work).filter((f) => /\.tmp/.test(f))).toEqual([]);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  /** Where a hostile value goes in a trace. */
  const places: readonly ((t: any, v: string) => void)[] = [
    (t, v) => (t.model = v),
    (t, v) => (t.mutant = v),
    (t, v) => (t.preset = v),
    (t, v) => (t.config[v] = 1),
    (t, v) => (t.config.rms = v),
    (t, v) => (t.violation.property = v),
    (t, v) => (t.violation.message = v),
    (t, v) => (t.actions[0].node = v),
    (t, v) => (t.actions[3].from = v),
    (t, v) => (t.actions[3].message.type = v),
    (t, v) => (t.actions[3].message.extra = v),
    (t, v) => (t.actions[0].event = { type: v }),
    (t, v) => (t.kit.version = v),
    (t, v) => (t.origin.path = v),
    (t, v) => (t.digests[1].nodes[v] = '0'),
    (t, v) => (t.expect = 'pass'),
  ];
  /** Structures: nesting around the limit and far past it, a huge string, a huge array. */
  const structure = fc.oneof(
    fc.constantFrom(8, 63, 65, 1_000, 200_000).map((depth) => ({ kind: 'nested' as const, depth })),
    fc.constantFrom(1_000, 100_000).map((length) => ({ kind: 'huge' as const, length })),
    fc.constant({ kind: 'none' as const }),
  );

  test('the trace loader, replay and show: the same contract, and the renderers print nothing unsafe by themselves', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: places.length - 1 }), hostile), { minLength: 1, maxLength: 3 }),
        structure,
        fc.constantFrom(['replay'], ['replay', '--json'], ['show'], ['show', '--format', 'mermaid'], ['show', '--format', 'itf'], ['show', '--format', 'html']),
        async (edits, shape, command) => {
          cases++;
          const t = JSON.parse(known);
          for (const [at, value] of edits) places[at]!(t, value);
          let text = JSON.stringify(t);
          if (shape.kind === 'nested') text = text.replace('"origin":', `"deep":${'['.repeat(shape.depth)}${']'.repeat(shape.depth)},"origin":`);
          if (shape.kind === 'huge') text = text.replace('"origin":', `"huge":"${'\\u001b[2J'.repeat(shape.length / 8)}","origin":`);
          const path = join(mkdtempSync(join(sandbox, 'trace-')), 'hostile.json');
          writeFileSync(path, text);
          const r = await run(command[0]!, path, ...command.slice(1));
          contract(r);
          // Without the guard: what the renderers themselves produce for a trace that loads and replays.
          let trace;
          try {
            trace = parseTrace(text, path);
            const suite = findSuite(suites, trace.model);
            for (const format of ['text', 'mermaid'] as const) expect(renderTrace(format, suite, trace, path)).not.toMatch(UNSAFE);
          } catch (error) {
            if (!(error instanceof Error) || !/UsageError|TraceMismatchError/.test(error.name)) throw error;
          }
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  test('every generated case was run', () => {
    // The generators reach past the argument parser: runs that pass, violate and are refused all occur.
    expect([...codes.keys()].sort()).toEqual(expect.arrayContaining([0, 1, 2]));
    expect(cases).toBe(2 * RUNS);
    mkdirSync(join(sandbox, 'done'), { recursive: true });
  });
});
