/**
 * Untrusted files, round two (issue 23, points 1, 3, 6 and 7), one block per class: a file never
 * makes protokit run code the user did not name; hostile values never make a false pass; an exit
 * code blames the right party (bad input 2, the model 4, the environment 74, protokit 70); protokit
 * touches only files this run created. Where the exit code is the point, the CLI runs as a
 * separate process, as a user runs it. Every case is small: a few runs, a few states, a few KB.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { EnvironmentError, exitCodeOf, ModelError, TraceMismatchError, UsageError } from '../engine/errors.js';
import { oneLine, run } from './run-in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'protokit-hostile-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
const KNOWN = 'traces/two-phase-commit/tm-commits-on-majority.json';
const XSTATE = JSON.stringify(join(process.cwd(), 'node_modules', 'xstate', 'dist', 'xstate.esm.js'));
const KIT = JSON.stringify(join(process.cwd(), 'src', 'index.ts'));

/** Runs the protokit bin as a separate process, as a user would. */
function cli(args: readonly string[], options: { cwd?: string; stdout?: 'pipe' | number; stderr?: 'pipe' | number } = {}) {
  const bin = join(process.cwd(), 'src', 'cli', 'bin.mjs');
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? process.cwd(),
    encoding: 'utf8',
    stdio: ['ignore', options.stdout ?? 'pipe', options.stderr ?? 'pipe'],
    timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** A known trace, edited, written into `folder`. */
function editedTrace(folder: string, name: string, edit: (t: Record<string, any>) => void): string {
  const t = JSON.parse(readFileSync(KNOWN, 'utf8'));
  edit(t);
  mkdirSync(folder, { recursive: true });
  const path = join(folder, name);
  writeFileSync(path, JSON.stringify(t));
  return path;
}

/** A one-node counter suite whose invariant (or witness) is `check`; its budget is tiny. */
function counterSuite(name: string, parts: { invariant?: string; witness?: string; budget?: string; small?: string }): string {
  const path = join(dir, `${name}.suite.ts`);
  writeFileSync(
    path,
    `import { assign, createMachine } from ${XSTATE};
import { always, defineModel, defineSuite, sometimes } from ${KIT};
const counter = createMachine({ context: { n: 0 }, on: { Tick: { guard: ({ context }) => context.n < 4, actions: assign({ n: ({ context }) => context.n + 1 }) } } });
const model = defineModel({
  name: ${JSON.stringify(name)}, title: 'a counter', params: {},
  roles: { counter: { machine: counter, persist: [], environment: () => [{ type: 'Tick' }] } },
  nodes: () => [{ id: 'c', role: 'counter', input: {} }],
  faults: { network: 'unordered', loss: 0, duplicate: 0, crash: 0, partition: 0 }, mutants: {},
});
export default defineSuite({ model, budget: ${parts.budget ?? '{ runs: 20, depth: 6 }'}, ${parts.small ? `small: ${parts.small}, ` : ''}properties: [
  always('bounded', 'the counter stays at most 4', ${parts.invariant ?? `(w) => (w.node('c').context.n > 4 ? 'too far' : undefined)`}),
  sometimes('ticks', 'the counter moves', ${parts.witness ?? `(w) => w.node('c').context.n > 0`}),
] });
`,
  );
  return path;
}

describe('1. a trace never makes protokit load code the user did not name', () => {
  const folder = join(dir, 'from-someone-else');
  const marker = join(folder, 'pwned');
  mkdirSync(folder, { recursive: true });
  // The module a hostile trace points at: it leaves a marker if it is ever imported.
  writeFileSync(join(folder, 'pwn.ts'), `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport default {};\n`);
  const trace = editedTrace(folder, 'bug.json', (t) => (t.suite = 'pwn.ts'));

  test('show (a separate process): exit 2, the module is not run, and the line says how to load it', () => {
    const r = cli(['show', trace]);
    expect(existsSync(marker)).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(oneLine(r.stderr)).toBe(
      `protokit: the trace was recorded with the suite module ${join(folder, 'pwn.ts')}; protokit loads only code named on the command line: if you trust that module, run npx protokit show ${trace} --format text --load ${join(folder, 'pwn.ts')}`,
    );
  });

  test('replay, --json and --until: exit 2, not run, the command keeps the options', async () => {
    const r = await run('replay', trace, '--json', '--until', '2');
    expect(existsSync(marker)).toBe(false);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/if you trust that module, run npx protokit replay \S+bug\.json --until 2 --json --load \S+pwn\.ts$/);
  });

  test('a suite path that reads as a flag or holds shell syntax is quoted in the command it prints', async () => {
    writeFileSync(join(folder, '-x $(id).ts'), 'export default {};\n');
    const odd = editedTrace(folder, 'odd.json', (t) => (t.suite = '-x $(id).ts'));
    const r = await run('show', odd);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/--load '\S*from-someone-else\/-x \$\(id\)\.ts'$/);
  });
});

describe('3. hostile values never make a false pass', () => {
  test.each([
    ['true', 'true'],
    ['false', 'false'],
    ['42', '42'],
    ['({ ok: 1 })', 'an object'],
    ['null', 'null'],
  ])('an invariant returning %s is the model’s error (check and explore: exit 4, one line saying what an invariant returns)', async (value, shown) => {
    const name = `returns-${shown.replace(/\W/g, '')}`;
    const suite = counterSuite(name, { invariant: `(w) => ${value}` });
    const out = join(dir, 'traces');
    const expected = `property bounded returned ${shown}; an invariant returns undefined when it holds, or a string saying what it saw (e.g. (w) => (ok ? undefined : 'what went wrong'))`;
    const checked = await run('check', name, '--load', suite, '--out', out);
    expect(checked.code).toBe(4);
    expect(checked.stderr.split('\n')[0]).toBe(`protokit: the model failed: step 0 (the initial world): ${expected}`);
    const explored = await run('explore', name, '--load', suite, '--out', out);
    expect(explored.code).toBe(4);
    expect(explored.stderr.split('\n')[0]).toBe(`protokit: the model failed: step 0 (the initial world): ${expected}`);
  });

  test('a fast-check style predicate, (w) => w.nodes.length > 1, fails at once (a separate process: exit 4)', () => {
    const suite = counterSuite('fastcheck-style', { invariant: `(w) => w.nodes.length > 1` });
    const r = cli(['check', 'fastcheck-style', '--load', suite, '--out', join(dir, 'traces')]);
    expect(r.code).toBe(4);
    expect(r.stderr.split('\n')[0]).toBe(
      "protokit: the model failed: step 0 (the initial world): property bounded returned false; an invariant returns undefined when it holds, or a string saying what it saw (e.g. (w) => (ok ? undefined : 'what went wrong'))",
    );
  });

  test('a witness returning something other than a boolean is the model’s error', async () => {
    const suite = counterSuite('witness-undefined', { witness: `(w) => { if (w.node('c').context.n > 2) return true; }` });
    const r = await run('check', 'witness-undefined', '--load', suite, '--out', join(dir, 'traces'));
    expect(r.code).toBe(4);
    expect(r.stderr.split('\n')[0]).toBe('protokit: the model failed: step 0 (the initial world): witness ticks returned undefined; it returns true or false');
  });
});

describe('3. mutate: a kill counts only when the unmutated model passes', () => {
  // In-process: the spawned check above shows the bin's exit 4 (a spawned --load run cost 2-4 s of CPU).
  test('a property that throws on every state: mutate fails with that error (exit 4), no score', async () => {
    const suite = counterSuite('throws-always', { invariant: `(w) => { throw new Error('cannot judge'); }` });
    const r = await run('mutate', 'throws-always', '--load', suite, '--max-mutants', '2', '--runs', '5');
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toBe(
      "protokit: the model failed: the unmutated model throws-always fails its own check, so no mutant's failure can count as a kill: step 0 (the initial world): property bounded threw: cannot judge",
    );
  });

  test('a model that passes its own check: its mutants are scored as before', async () => {
    const r = await run('mutate', 'two-phase-commit', '--max-mutants', '3', '--runs', '50', '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { total: number; killed: number; score: number; mutants: { name: string; property: string }[] };
    expect({ total: json.total, killed: json.killed, score: json.score }).toEqual({ total: 3, killed: 3, score: 1 });
    expect(json.mutants.map((m) => `${m.name} ${m.property}`)).toEqual([
      'tm/guard-true/allPrepared commit-needs-all-prepared',
      'tm/guard-false/allPrepared witness:commits',
      'tm/action-dropped/recordPrepared witness:commits',
    ]);
  });

  test.each(['', ' ', 'NaN', '1e-1', '80%', '-0.1', '1.5', '0x1'])("--min-score '%s' is refused (exit 2), never read as 0", async (value) => {
    const r = await run('mutate', 'two-phase-commit', '--min-score', value);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(`protokit: --min-score takes a fraction from 0 to 1 (e.g. 0.8), not '${value}'`);
  });
});

describe('3. every number of a suite’s budget is a whole number in range', () => {
  test.each([
    ['{ runs: NaN, depth: 6 }', 'budget.runs is NaN'],
    ['{ runs: 20, depth: 2.5 }', 'budget.depth is 2.5'],
    ['{ runs: Infinity, depth: 6 }', 'budget.runs is Infinity'],
    ['{ runs: 0, depth: 6 }', 'budget.runs is 0'],
    ['{ runs: "20", depth: 6 }', 'budget.runs is "20"'],
    ['{ runs: 20, depth: 6, steps: -1 }', 'budget.steps is -1'],
  ])('budget %s: one line, exit 2', async (budget, what) => {
    const name = `budget-${what.replace(/\W/g, '').toLowerCase()}`;
    const suite = counterSuite(name, { budget });
    const r = await run('check', name, '--load', suite, '--out', join(dir, 'traces'));
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(`protokit: suite ${name}: ${what}; it takes a whole number from 1 to 9,007,199,254,740,991`);
  });
});

describe('7. protokit touches only files this run created', () => {
  const violating = ['check', 'two-phase-commit', '--mutant', 'tm-commits-on-majority', '--runs', '200'];

  test('temporaries of other programs beside an output stay as they are', async () => {
    const out = mkdtempSync(join(dir, 'others-'));
    const folder = join(out, 'two-phase-commit');
    mkdirSync(folder);
    // Names the old sweep took for stale temporaries of protokit's: pid 1 is running, 999999999 is not.
    const theirs = ['.x.json.tmp-999999999', '.notes.999999999.tmp', '.x.json.tmp-1'];
    for (const name of theirs) writeFileSync(join(folder, name), 'not protokit’s');
    const r = await run(...violating, '--out', out);
    expect(r.code).toBe(1);
    for (const name of theirs) expect(readFileSync(join(folder, name), 'utf8')).toBe('not protokit’s');
    // And nothing of protokit's own is left behind.
    expect(readdirSync(folder).filter((n) => n.endsWith('.protokit-tmp'))).toEqual([]);
  });

  test('a --checkpoint folder holding other files is refused (exit 2) and left as it was', async () => {
    const folder = mkdtempSync(join(dir, 'foreign-'));
    const theirs: Record<string, string> = { 'manifest.json': '{"mine":true}', 'data.tmp': 'x', 'frontier-spill-1-1.chunks': 'y' };
    for (const [name, text] of Object.entries(theirs)) writeFileSync(join(folder, name), text);
    const r = await run('explore', 'two-phase-commit', '--checkpoint', folder, '--checkpoint-interval', '0', '--max-depth', '3');
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(
      `protokit: --checkpoint ${folder}: the folder holds files and is not a protokit checkpoint (no manifest.json of protokit-checkpoint/2); give a new or empty folder`,
    );
    expect(Object.fromEntries(readdirSync(folder).map((n) => [n, readFileSync(join(folder, n), 'utf8')]))).toEqual(theirs);
  });

  test('in a folder that is a protokit checkpoint, a new checkpoint deletes only the generation it replaces', async () => {
    const folder = join(dir, 'checkpoint');
    const first = await run('explore', 'two-phase-commit', '--checkpoint', folder, '--checkpoint-interval', '0', '--max-depth', '3');
    expect(first.code).toBe(0);
    const kept = ['notes.tmp', 'frontier-spill-77-1.chunks', '.manifest.json.123.tmp'];
    for (const name of kept) writeFileSync(join(folder, name), 'someone else’s');
    // The search again, from the start, into the same folder: it replaces the checkpoint there.
    const again = await run('explore', 'two-phase-commit', '--checkpoint', folder, '--checkpoint-interval', '0', '--max-depth', '3');
    expect(again.code).toBe(0);
    const names = readdirSync(folder).sort();
    for (const name of kept) expect(names).toContain(name);
    // One generation of data files (the newest), the manifest, and the files that were not protokit's.
    expect(names.filter((n) => !kept.includes(n)).map((n) => n.replace(/\d+/, 'N'))).toEqual(['frontier-N.chunks', 'manifest.json', 'visited-N.bin']);
  });

  test('linearizable --html: two histories with one base name get two pages', async () => {
    const bad = ['{"client":1,"type":"invoke","f":"write","value":1}', '{"client":1,"type":"ok","f":"write","value":1}', '{"client":2,"type":"invoke","f":"read","value":null}', '{"client":2,"type":"ok","f":"read","value":2}'];
    for (const [sub, value] of [['a', 2], ['b', 3]] as const) {
      mkdirSync(join(dir, 'histories', sub), { recursive: true });
      writeFileSync(join(dir, 'histories', sub, 'h.jsonl'), bad.join('\n').replace('"value":2}', `"value":${value}}`) + '\n');
    }
    const pages = mkdtempSync(join(dir, 'pages-'));
    const r = await run('linearizable', join(dir, 'histories', 'a', 'h.jsonl'), join(dir, 'histories', 'b', 'h.jsonl'), '--spec', 'register', '--html', pages);
    expect(r.code).toBe(1);
    expect(readdirSync(pages).sort()).toEqual(['h.jsonl-2.html', 'h.jsonl.html']);
    expect(readFileSync(join(pages, 'h.jsonl.html'), 'utf8')).toContain('histories/a/h.jsonl');
    expect(readFileSync(join(pages, 'h.jsonl-2.html'), 'utf8')).toContain('histories/b/h.jsonl');
  });
});

describe('6. an exit code blames the right party', () => {
  test('stdout on a full device (/dev/full): the environment failed, exit 74, one line', () => {
    if (!existsSync('/dev/full')) return;
    const full = openSync('/dev/full', 'w');
    try {
      const r = cli(['list'], { stdout: full });
      expect(r.code).toBe(74);
      expect(oneLine(r.stderr)).toBe('protokit: the environment failed: cannot write to standard output: no space left on the device (ENOSPC)');
      // stderr on it too: nothing can be said, and the code still says what happened.
      expect(cli(['list'], { stdout: full, stderr: full }).code).toBe(74);
    } finally {
      closeSync(full);
    }
  });

  test('values nested deeper than the reader’s stack in a history: bad input, exit 2', async () => {
    const path = join(dir, 'deep.jsonl');
    writeFileSync(path, `{"client":1,"type":"invoke","f":"write","value":${'['.repeat(20_000)}${']'.repeat(20_000)}}\n`);
    const r = await run('linearizable', path, '--spec', 'register');
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(`protokit: ${path}: values nest too deep to read (format jsonl, spec register)`);
  });

  test('odd entries in a history folder (a dangling link, a folder, a FIFO) are not histories: skipped, not an internal error', async () => {
    const folder = mkdtempSync(join(dir, 'odd-'));
    writeFileSync(join(folder, 'h.jsonl'), '{"client":1,"type":"invoke","f":"write","value":1}\n{"client":1,"type":"ok","f":"write","value":1}\n');
    symlinkSync(join(folder, 'gone'), join(folder, 'dangling.jsonl'));
    mkdirSync(join(folder, 'sub'));
    spawnSync('mkfifo', [join(folder, 'fifo.jsonl')]);
    const r = await run('linearizable', folder, '--spec', 'register', '--json');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { file: string }).file)).toEqual([join(folder, 'h.jsonl')]);
  });

  test('a damaged frontier file on --resume is bad input (exit 2), not the model failing', async () => {
    const folder = join(dir, 'damaged');
    expect((await run('explore', 'two-phase-commit', '--checkpoint', folder, '--checkpoint-interval', '0', '--max-depth', '4')).code).toBe(0);
    const frontier = readdirSync(folder).find((n) => n.startsWith('frontier-'))!;
    const bytes = readFileSync(join(folder, frontier));
    bytes.fill(0x7a, 8);
    writeFileSync(join(folder, frontier), bytes);
    const r = await run('explore', 'two-phase-commit', '--resume', folder, '--checkpoint-interval', '0', '--max-depth', '4');
    expect(r.code).toBe(2);
    // The checksum the manifest carries catches the damage before any chunk is decoded.
    expect(oneLine(r.stderr)).toMatch(new RegExp(`^protokit: --resume: the checkpoint in ${folder} is damaged: ${folder}/frontier-\\d+\\.chunks does not match its checksum`));
  });

  test.each([
    ['nodes: 5', `{ name: 'm1', title: 't', params: {}, roles: {}, nodes: 5, faults: {}, mutants: {} }`, '[]', 'model.nodes must be a function of the parameters'],
    ['roles: null', `{ name: 'm2', title: 't', params: {}, roles: null, nodes: () => [], faults: {}, mutants: {} }`, '[]', 'model.roles must be an object of roles'],
    ['a property that is null', `{ name: 'm3', title: 't', params: {}, roles: {}, nodes: () => [], faults: {}, mutants: {} }`, '[null]', 'properties[0] is not a property (make it with always, alwaysStep, sometimes, eventually or leadsTo)'],
  ])('a malformed --load suite (%s): bad input, exit 2, not an internal error', async (_case, model, properties, problem) => {
    const name = (/name: '(\w+)'/.exec(model) as RegExpExecArray)[1]!;
    const path = join(dir, `${name}.malformed.ts`);
    writeFileSync(path, `export default { model: ${model}, properties: ${properties}, budget: { runs: 1, depth: 1 } };\n`);
    const r = await run('check', '--load', path, '--runs', '1');
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(`protokit: --load ${path}: suite ${name}: ${problem}${problem.startsWith('properties') ? '' : ' (make it with defineModel and defineSuite)'}`);
  });

  test('every kind of error maps to one code, in one place', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const eacces = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    expect([
      exitCodeOf(new UsageError('x')),
      exitCodeOf(new TraceMismatchError('x', 1)),
      exitCodeOf(new ModelError('x')),
      exitCodeOf(enospc),
      exitCodeOf(new Error('x', { cause: enospc })),
      exitCodeOf(new EnvironmentError('x')),
      exitCodeOf(eacces),
      exitCodeOf(new TypeError('x')),
    ]).toEqual([2, 3, 4, 74, 74, 74, 70, 70]);
  });

  /** A 64 KB tmpfs, full: checkpointing there is the environment failing. Needs root; skipped without. */
  test('checkpointing on a full disk: exit 74 (not "the model failed"), and no temporary left', async (context) => {
    const mnt = mkdtempSync(join(tmpdir(), 'protokit-full-'));
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]).status !== 0) {
      rmSync(mnt, { recursive: true, force: true });
      return context.skip();
    }
    try {
      const r = await run('explore', 'two-phase-commit', '--checkpoint', join(mnt, 'ck'), '--checkpoint-interval', '0', '--max-depth', '9');
      expect(r.code).toBe(74);
      expect(oneLine(r.stderr)).toMatch(/^protokit: the environment failed: .*no space left on the device \(ENOSPC\)$/);
      expect(readdirSync(join(mnt, 'ck')).filter((n) => n.endsWith('.protokit-tmp'))).toEqual([]);
    } finally {
      spawnSync('umount', [mnt]);
      rmSync(mnt, { recursive: true, force: true });
    }
  });
});
