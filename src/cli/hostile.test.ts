/**
 * Untrusted traces and suites (issue 17), case by case: terminal and diagram injection, claims
 * a trace makes that replay does not confirm, flags given twice, internal errors. The generated
 * cases are in hostile.fuzz.test.ts. Calls main() in-process.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, onTestFinished, test, vi } from 'vitest';
import { suites } from '../../properties/registry.js';
import { renderMermaid } from '../render/mermaid.js';
import { guardOutput, safeLine, safeLines } from '../render/safe-text.js';
import { MAX_TRACE_BYTES, parseTrace } from '../trace/file.js';
import { replay } from '../trace/replay.js';
import { checkRandom, checkRandomInterruptible } from '../explore/random/random.js';
import { findSuite } from './registry.js';
import { oneLine, run } from './run-in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'protokit-hostile-'));
afterAll(() => {
  // Read-only folders made by the EACCES case must be writable again before they can go.
  spawnSync('chmod', ['-R', 'u+w', dir]);
  rmSync(dir, { recursive: true, force: true });
});
const KNOWN = 'traces/two-phase-commit/tm-commits-on-majority.json';
const ESC = '\x1b';
/** Clears the screen, sets the window title, writes the clipboard, forges protokit's own verdict. */
const PAYLOAD = `\x1b[2J\x1b]0;pwned\x07\x1b]52;c;ZWNobyBoaQ==\x07\n✓ no property violated\u202edesrever`;

function edited(name: string, edit: (t: Record<string, any>) => void): string {
  const t = JSON.parse(readFileSync(KNOWN, 'utf8'));
  edit(t);
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(t));
  return path;
}

/** No control character and no bidi override from the payload reached the output. */
function clean(text: string): void {
  expect(text).not.toContain(ESC);
  expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  expect(text).not.toMatch(/^✓ no property violated/m);
}

describe('the sanitiser', () => {
  test('controls, DEL, C1, bidi and zero-width characters are shown escaped; ordinary text is untouched', () => {
    expect(safeLine('a\x1b[2Jb\x07c\x7fd\u009be\u202ef\u200bg\nh\ti')).toBe('a\\x1b[2Jb\\x07c\\u007fd\\u009be\\u202ef\\u200bg\\nh\\ti');
    expect(safeLines('one\ntwo\r')).toBe('one\ntwo\\r');
    expect(safeLine('deliver rm1→tm Prepared{rm:rm1} ✓ ✗ — é 日本')).toBe('deliver rm1→tm Prepared{rm:rm1} ✓ ✗ — é 日本');
    expect(safeLine('\ud800 lone')).toBe('\\ud800 lone');
    expect(safeLine('😀')).toBe('😀');
  });

  test('the output guard keeps protokit’s own colours on a terminal, and nothing else', () => {
    expect(guardOutput('\x1b[31mred\x1b[39m\x1b]0;t\x07', true)).toBe('\x1b[31mred\x1b[39m\\x1b]0;t\\x07');
    expect(guardOutput('\r\x1b[Kline', true)).toBe('\r\x1b[Kline');
    expect(guardOutput('\x1b[1G\x1b[2K\x1b[0K\x1b[0J\x1b[?25l', true)).toBe('\x1b[1G\x1b[2K\x1b[0K\x1b[0J\x1b[?25l');
    // Clearing the screen, moving the cursor up over earlier lines: not protokit's, escaped.
    expect(guardOutput('\x1b[2J\x1b[3A\x1b[H', true)).toBe('\\x1b[2J\\x1b[3A\\x1b[H');
    expect(guardOutput('\x1b[31mred\x1b[39m', false)).toBe('\\x1b[31mred\\x1b[39m');
  });

  test('JSON stays valid and means the same: C1, DEL and bidi become \\u escapes', () => {
    const value = { s: 'a\u0085b\u007fc\u202ed\u2028e\x1b' };
    const guarded = guardOutput(JSON.stringify(value), false);
    expect(guarded).not.toMatch(/[\u007f-\u009f\u202e\u2028]/);
    expect(JSON.parse(guarded)).toEqual(value);
  });
});

describe('terminal injection through a trace', () => {
  const hostile = edited('message.json', (t) => (t.violation.message = PAYLOAD));

  test('show --format text: the reproduced message is shown, the recorded one only escaped in a note', async () => {
    const r = await run('show', hostile);
    expect(r.code).toBe(0);
    clean(r.stdout);
    expect(r.stdout).toContain('note:');
    expect(r.stdout).toContain('recorded \'\\x1b[2J\\x1b]0;pwned\\x07');
    expect(r.stdout).toMatch(/✗ step 5: commit-needs-all-prepared violated — the TM decided commit but rm3 never voted yes/);
  });

  test('replay: says where the recorded message differs, exit 1, nothing raw', async () => {
    const r = await run('replay', hostile);
    expect(r.code).toBe(1);
    clean(r.stdout);
    expect(r.stdout).toMatch(/^! the recorded message differs from the reproduced one: recorded '\\x1b\[2J/m);
    expect(r.stdout).toMatch(/reproduced, but not as recorded/);
    const json = JSON.parse((await run('replay', hostile, '--json')).stdout);
    expect(json.recorded.message).toBe(PAYLOAD);
    expect(json.differences).toHaveLength(1);
  });

  test.each([
    ['model', (t: any) => (t.model = `x${PAYLOAD}`), /^protokit: unknown model 'x\\x1b\[2J\\x1b\]0;pwned\\x07/],
    ['mutant', (t: any) => (t.mutant = `x${PAYLOAD}`), /^protokit: unknown mutant 'x\\x1b\[2J/],
    ['preset', (t: any) => (t.preset = `x${PAYLOAD}`), /^protokit: unknown preset 'x\\x1b\[2J/],
    ['config key', (t: any) => (t.config[`x${PAYLOAD}`] = 1), /^protokit: unknown config key 'x\\x1b\[2J/],
    ['config value', (t: any) => (t.config.rms = `x${PAYLOAD}`), /^protokit: config rms=x\\x1b\[2J/],
    ['node id', (t: any) => (t.actions[0].node = `x${PAYLOAD}`), /names node 'x\\x1b\[2J/],
    ['message type', (t: any) => (t.actions[3].message.type = `x${PAYLOAD}`), /^protokit: the trace does not fit the model: step 4: action 'deliver .*x\\x1b\[2J/],
  ])('a hostile %s: one line on stderr, escaped', async (name, edit, message) => {
    const r = await run('replay', edited(`${name}.json`, edit));
    expect([2, 3]).toContain(r.code);
    clean(r.stderr);
    expect(oneLine(r.stderr)).toMatch(message);
  });

  test('a hostile mutant name on the command line', async () => {
    const r = await run('check', 'two-phase-commit', '--mutant', PAYLOAD);
    expect(r.code).toBe(2);
    clean(r.stderr);
    expect(oneLine(r.stderr)).toMatch(/^protokit: unknown mutant '\\x1b\[2J/);
  });
});

describe('mermaid', () => {
  const trace = parseTrace(readFileSync(KNOWN, 'utf8'));
  const suite = findSuite(suites, trace.model);
  const { instance, execution } = replay(suite, trace);

  test('a line break in the property name cannot start a new diagram; # and ; stay readable', () => {
    const hostile = { ...trace, violation: { property: 'p\nsequenceDiagram\nAlice->>Bob: x', message: 'before#after; <b>x</b> \x1b[2J', step: 5 } };
    const text = renderMermaid(hostile, instance, execution.worlds);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('%% two-phase-commit, mutant tm-commits-on-majority: 5 steps, violates p\\nsequenceDiagram\\nAlice->>Bob: x at step 5');
    expect(lines.filter((l) => l === 'sequenceDiagram')).toHaveLength(1);
    expect(text).toContain('before#35;after#59; #60;b#62;x#60;/b#62; \\x1b[2J');
    expect(text).not.toContain(ESC);
  });
});

describe('flags', () => {
  test.each([
    [['check', 'two-phase-commit', '--seed', '1', '--seed', '2'], /^protokit: --seed is given twice; give it once$/],
    [['check', 'two-phase-commit', '--runs=5', '--runs', '6'], /^protokit: --runs is given twice/],
    [['check', 'two-phase-commit', '--faults', 'loss', '--no-faults'], /^protokit: --faults and --no-faults contradict each other/],
    [['explore', 'two-phase-commit', '--json', '--json'], /^protokit: --json is given twice/],
    [['help', 'nope'], /^protokit: help: unknown command 'nope' \(accepted: list, check, explore, [a-z, ]*replay, show/],
  ])('%j: one line, exit 2', async (args, message) => {
    const r = await run(...args);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(message);
  });

  test('--config stays repeatable', async () => {
    const r = await run('check', 'two-phase-commit', '--config', 'rms=2', '--config', 'retry=false', '--runs', '5', '--json', '--out', dir);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).config).toMatchObject({ rms: 2, retry: false });
  });
});

describe('an internal error', () => {
  test('one line, exit 70, the stack only with --debug', async () => {
    const registry = await import('./registry.js');
    vi.spyOn(registry, 'loadSuites').mockImplementation(() => {
      throw new TypeError('boom\nsecond line');
    });
    const r = await run('list');
    expect(r.code).toBe(70);
    expect(oneLine(r.stderr)).toBe('protokit: internal error: TypeError: boom (rerun with --debug for the stack trace)');
    vi.spyOn(registry, 'loadSuites').mockImplementation(() => {
      throw new TypeError('boom');
    });
    const debug = await run('list', '--debug');
    expect(debug.code).toBe(70);
    expect(debug.stderr).toMatch(/^protokit: internal error: TypeError: boom\nTypeError: boom\n\s+at /);
  });
});

describe('names that become file names', () => {
  // The project sits alone in a folder of its own, so "nothing written outside --out" can be checked
  // on that folder, whatever else the machine's temp dir holds.
  const project = join(mkdtempSync(join(dir, 'load-')), 'project');
  mkdirSync(project);
  const kit = JSON.stringify(join(process.cwd(), 'src', 'index.ts'));
  const xstate = JSON.stringify(join(process.cwd(), 'node_modules', 'xstate', 'dist', 'xstate.esm.js'));
  writeFileSync(join(project, 'package.json'), '{"type":"module"}');
  /** A counter suite that fails at 3, with the model and property names given. */
  const suite = (file: string, model: string, property = 'below-three') => {
    writeFileSync(
      join(project, file),
      `import { assign, createMachine } from ${xstate};
import { always, defineModel, defineSuite } from ${kit};
const counter = createMachine({ context: { n: 0 }, on: { Tick: { actions: assign({ n: ({ context }) => context.n + 1 }) } } });
const model = defineModel({ name: ${JSON.stringify(model)}, title: 't', params: {},
  roles: { counter: { machine: counter, persist: [], environment: () => [{ type: 'Tick' }] } },
  nodes: () => [{ id: 'c', role: 'counter', input: {} }],
  faults: { network: 'unordered', loss: 0, duplicate: 0, crash: 0, partition: 0 }, mutants: {} });
export default defineSuite({ model, budget: { runs: 20, depth: 5 }, properties: [
  always(${JSON.stringify(property)}, 'below 3', (w) => (w.node('c').context.n >= 3 ? 'c reached 3' : undefined)) ] });
`,
    );
    return join(project, file);
  };

  test.each([
    ['../../../x', 'below-three'], // from --out, this lands in the test's own temp folder
    ['ok', '../../escape'],
    ['ok', `evil${ESC}[2J`],
    ['.hidden', 'p'],
  ])('a --load suite named %j / property %j is refused at load: one line, exit 2, nothing written', async (model, property) => {
    const out = mkdtempSync(join(project, 'out-'));
    const path = suite(`s${Math.abs(model.length * 31 + property.length)}.suite.ts`, model, property);
    const r = await run('check', '--load', path, '--out', out, '--runs', '20');
    expect(r.code).toBe(2);
    clean(r.stderr);
    expect(oneLine(r.stderr)).toMatch(/is not a safe name/);
    expect(readdirSync(out)).toEqual([]);
    // Every folder a "../" could reach from --out is this test's own.
    expect(readdirSync(join(project, '..'))).toEqual(['project']);
    for (const folder of [project, join(project, '..', '..')]) {
      expect(readdirSync(folder).filter((n) => n === 'x' || n === 'escape')).toEqual([]);
    }
  });

  test('runs that differ in configuration, faults or depth keep their own traces', async () => {
    const out = mkdtempSync(join(dir, 'runs-'));
    const paths = new Set<string>();
    for (const extra of [[], ['--config', 'rms=4'], ['--no-faults'], ['--depth', '30']]) {
      const r = await run('check', 'two-phase-commit', '--mutant', 'tm-commits-on-majority', '--json', '--out', out, ...extra);
      expect(r.code).toBe(1);
      paths.add(JSON.parse(r.stdout).violation.trace);
    }
    expect(paths.size).toBe(4);
    for (const p of paths) expect(p).toMatch(/tm-commits-on-majority-commit-needs-all-prepared-seed1-[0-9a-f]{8}\.json$/);
  });

  test.each([
    ['--mutant', '__proto__', /^protokit: unknown mutant '__proto__'/],
    ['--mutant', 'constructor', /^protokit: unknown mutant 'constructor'/],
    ['--mutant', 'toString', /^protokit: unknown mutant 'toString'/],
    ['--config', '__proto__=1', /^protokit: unknown config key '__proto__'/],
    ['--config', 'constructor=1', /^protokit: unknown config key 'constructor'/],
    ['--config', 'preset=toString', /^protokit: unknown preset 'toString'/],
    ['--config', 'rms=2 rms=3', /^protokit: --config rms is given twice/],
  ])('%s %s: an unknown name, exit 2', async (flag, value, message) => {
    const r = await run('check', 'two-phase-commit', flag, value, '--runs', '3', '--out', dir);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(message);
  });

  test.each([
    ['a config key __proto__', (text: string) => text.replace('"config":{', '"config":{"__proto__":5,'), /has a key named __proto__/],
    ['an escaped __proto__ key', (text: string) => text.replace('"config":{', '"config":{"\\u005f_proto__":5,'), /has a key named __proto__/],
    ['mutant constructor', (text: string) => text.replace('"mutant":"tm-commits-on-majority"', '"mutant":"constructor"'), /unknown mutant 'constructor'/],
    ['model toString', (text: string) => text.replace('"model":"two-phase-commit"', '"model":"toString"'), /unknown model 'toString'/],
  ])('a trace with %s: exit 2', async (name, edit, message) => {
    const path = join(dir, `proto-${name.replace(/\W/g, '')}.json`);
    writeFileSync(path, edit(JSON.stringify(JSON.parse(readFileSync(KNOWN, 'utf8')))));
    const r = await run('replay', path);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(message);
  });
});

describe('--load of a module that cannot be loaded: one line naming the file, exit 2', () => {
  const project = mkdtempSync(join(tmpdir(), 'protokit-badload-'));
  afterAll(() => rmSync(project, { recursive: true, force: true }));
  writeFileSync(join(project, 'package.json'), '{"type":"module"}');
  const file = (name: string, text: string) => (writeFileSync(join(project, name), text), join(project, name));
  mkdirSync(join(project, 'a-directory.ts'));

  test.each([
    ['a syntax error', () => file('syntax.ts', 'export default {'), /^protokit: --load .*syntax\.ts: cannot load it: .+/],
    ['a missing import', () => file('missing.ts', "import x from './nope.js';\nexport default x;"), /^protokit: --load .*missing\.ts: cannot load it: .*nope\.js/],
    ['a throw at import', () => file('throws.ts', "throw new Error('boom at import');\nexport default 1;"), /^protokit: --load .*throws\.ts: cannot load it: boom at import$/],
    ['an export of the wrong shape', () => file('shape.ts', 'export default { hello: 1 };'), /^protokit: --load .*shape\.ts: expected a default export made with defineSuite/],
    ['a directory', () => join(project, 'a-directory.ts'), /^protokit: --load .*a-directory\.ts: not a file/],
    ['a top-level await that never settles', () => file('never.ts', 'await new Promise(() => {});\nexport default 1;'), /^protokit: --load .*never\.ts: still importing after 0\.3 s \(a loop, or a top-level await that never settles\?\); on a slow machine, allow longer with PROTOKIT_LOAD_TIMEOUT_MS=60000$/],
  ])('%s', async (_name, path, message) => {
    // Only the module that never settles gets a short limit (its verdict is the same at any speed);
    // the others keep the hang-only one, so a slow import is never mistaken for a hang.
    const previous = process.env.PROTOKIT_LOAD_TIMEOUT_MS;
    if (message.source.includes('still importing')) process.env.PROTOKIT_LOAD_TIMEOUT_MS = '300';
    try {
      const r = await run('list', '--load', path());
      expect(r.code).toBe(2);
      expect(oneLine(r.stderr)).toMatch(message);
    } finally {
      if (previous === undefined) delete process.env.PROTOKIT_LOAD_TIMEOUT_MS;
      else process.env.PROTOKIT_LOAD_TIMEOUT_MS = previous;
    }
  });
});

describe('input bounds', () => {
  test.each([
    ['a FIFO', () => {
      const path = join(dir, 'fifo');
      spawnSync('mkfifo', [path]);
      return path;
    }, /is not a regular file \(a device, FIFO or socket\), not a trace file$/],
    ['/dev/zero', () => '/dev/zero', /^protokit: \/dev\/zero is not a regular file/],
    ['nesting 100,000 deep', () => {
      const path = join(dir, 'deep.json');
      writeFileSync(path, readFileSync(KNOWN, 'utf8').replace('"violation":', `"deep":${'['.repeat(100_000)}${']'.repeat(100_000)},"violation":`));
      return path;
    }, /nests arrays and objects more than 64 deep; a trace never does$/],
    ['a file above the size limit', () => {
      const path = join(dir, 'huge.json');
      writeFileSync(path, '');
      truncateSync(path, MAX_TRACE_BYTES + 1);
      return path;
    }, /is 64 MB; trace files are at most 64 MB \(PROTOKIT_MAX_INPUT_BYTES=BYTES reads larger ones\)$/],
  ])('%s is refused before it is read: exit 2', async (_name, path, message) => {
    const r = await run('replay', path());
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(message);
  });

  test('--faults loss=2000000 is refused, so every trace check writes loads again', async () => {
    const r = await run('check', 'two-phase-commit', '--faults', 'loss=2000000', '--out', dir);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe('protokit: fault bound loss=2000000 is too large (accepted: 0..1,000,000)');
    const ok = await run('check', 'two-phase-commit', '--mutant', 'tm-commits-on-majority', '--faults', 'loss=1000000', '--json', '--out', dir);
    expect(ok.code).toBe(1);
    expect((await run('replay', JSON.parse(ok.stdout).violation.trace)).code).toBe(1);
  });
});

describe('a trace that cannot be written: one line, exit 2, the result still printed, nothing left behind', () => {
  const violating = ['check', 'two-phase-commit', '--mutant', 'tm-commits-on-majority'];

  /** The run's result, with its actions, is on stdout though the trace is not on disk. */
  const resultPrinted = (stdout: string) => {
    expect(stdout).toMatch(/✗ commit-needs-all-prepared violated at step 5/);
    expect(stdout).toMatch(/trace: {2}not written: (the environment failed: )?cannot write /);
    expect(stdout).toMatch(/^ {7}1 {2}rm\d: Prepare$/m);
  };

  test('a file where the directory should be', async () => {
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, 'not a directory');
    const r = await run(...violating, '--out', blocker);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/^protokit: cannot write .*blocker\/two-phase-commit\/.*: a file is in the way where a directory should be \(ENOTDIR\)$/);
    resultPrinted(r.stdout);
    const json = JSON.parse((await run(...violating, '--out', blocker, '--json')).stdout);
    expect(json.violation).toMatchObject({ trace: null, replay: null, property: 'commit-needs-all-prepared' });
    expect(json.violation.actions).toHaveLength(5);
  });

  test('--out under /proc ends at once (no mkdir loop) with one line', async () => {
    const r = await run(...violating, '--out', '/proc/protokit-nope');
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/^protokit: cannot write .*: the directory cannot be created there \(ENOENT\)$/);
  });

  test('show --out naming a directory', async () => {
    const r = await run('show', KNOWN, '--out', dir);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(`protokit: cannot write ${dir}: it is a directory (EISDIR)`);
  });

  test('temporaries that are not this run\'s are left alone (another program\'s, or a killed writer\'s)', async () => {
    const out = mkdtempSync(join(dir, 'stale-'));
    // A child that has exited: its pid names a writer that no longer runs.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    mkdirSync(join(out, 'two-phase-commit'));
    const stale = join(out, 'two-phase-commit', `.x.json.tmp-${dead}`);
    writeFileSync(stale, '{"half":');
    const r = await run(...violating, '--out', out);
    expect(r.code).toBe(1);
    expect(readdirSync(join(out, 'two-phase-commit')).filter((n) => n.startsWith('.'))).toEqual([`.x.json.tmp-${dead}`]);
  });

  test('no permission (EACCES): as another user when running as root, in-process otherwise', async () => {
    const locked = mkdtempSync(join(dir, 'locked-'));
    chmodSync(locked, 0o555);
    const root = process.getuid?.() === 0;
    const canDrop = root && spawnSync('runuser', ['-u', 'nobody', '--', 'true']).status === 0;
    if (root && !canDrop) return console.warn('hostile.test.ts: running as root without runuser: the EACCES case is skipped');
    const r = canDrop
      ? spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, join('src', 'cli', 'bin.mjs'), ...violating, '--out', locked], { encoding: 'utf8' })
      : await run(...violating, '--out', locked);
    expect('status' in r ? r.status : r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/^protokit: cannot write .*: permission denied \(EACCES\)$/);
    resultPrinted(r.stdout);
  });

  /** A 64 KB tmpfs: full after a few traces; read-only after a remount. Needs root; skipped without. */
  test('a full disk (ENOSPC) and a read-only one (EROFS), on a 64 KB tmpfs', async (context) => {
    const mnt = mkdtempSync(join(tmpdir(), 'protokit-tmpfs-'));
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]).status !== 0) {
      console.warn(`hostile.test.ts: cannot mount a tmpfs at ${mnt} (needs root): the disk-full and read-only cases are skipped`);
      rmSync(mnt, { recursive: true, force: true });
      return context.skip();
    }
    try {
      // Fill it up, a page at a time, until the disk refuses.
      for (let i = 0; ; i++) {
        try {
          writeFileSync(join(mnt, `filler-${i}`), Buffer.alloc(4096));
        } catch {
          break;
        }
      }
      // The machine failed, not the user: exit 74 (docs/cli-exit-codes.md).
      const full = await run(...violating, '--out', mnt);
      expect(full.code).toBe(74);
      expect(oneLine(full.stderr)).toMatch(/^protokit: the environment failed: cannot write .*: no space left on the device \(ENOSPC\)$/);
      resultPrinted(full.stdout);
      const left = spawnSync('find', [mnt, '-name', '.*tmp*'], { encoding: 'utf8' }).stdout.trim();
      expect(left).toBe('');
      expect(spawnSync('mount', ['-o', 'remount,ro', mnt]).status).toBe(0);
      const readOnly = await run(...violating, '--out', join(mnt, 'more'));
      expect(readOnly.code).toBe(74);
      expect(oneLine(readOnly.stderr)).toMatch(/^protokit: the environment failed: cannot write .*: the file system is read-only \(EROFS\)$/);
      resultPrinted(readOnly.stdout);
    } finally {
      spawnSync('umount', [mnt]);
      rmSync(mnt, { recursive: true, force: true });
    }
  });
});

describe('limits the machine cannot meet are refused with the bound', () => {
  test.each([
    [['explore', 'two-phase-commit', '--max-memory', '99999999'], /^protokit: --max-memory 99999999 is above this process's heap limit of \d+ MB \(give at most \d+, or raise the limit: NODE_OPTIONS=--max-old-space-size=\d+\)$/],
    [['explore', 'two-phase-commit', '--workers', '100000'], /^protokit: --workers 100000 is more than 4 per core \(\d+ cores here: at most \d+\)$/],
    [['check', 'two-phase-commit', '--workers', '100000'], /^protokit: --workers 100000 is more than 4 per core/],
    [['check', 'raft', '--depth', '1000000'], /^protokit: --depth 1000000 is more than a trace holds \(at most 100,000 actions\)$/],
    [['check', 'raft', '--runs', '99999999999'], /^protokit: --runs 99999999999 is more than one check takes \(at most 1,000,000,000; split it with --shard K\/N\)$/],
  ])('%j: exit 2', async (args, message) => {
    const r = await run(...args);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(message);
  });

  test('check --json says whether the distinct-state counter reached its cap', async () => {
    const r = await run('check', 'two-phase-commit', '--runs', '50', '--json', '--out', dir);
    expect(JSON.parse(r.stdout).distinctStatesCapped).toBe(false);
  });
});

describe('Ctrl-C during check or explore: the figures so far, the rerun line, exit 130', () => {
  /** Runs `args`, sending SIGINT to this process once it has run a while (other SIGINT listeners set aside). */
  const interrupted = async (...args: string[]) => {
    const others = process.listeners('SIGINT');
    process.removeAllListeners('SIGINT');
    // Once, after the command has installed its handler and run a while (a second one would exit at once).
    let sent = false;
    const timer = setInterval(() => {
      if (!sent && process.listenerCount('SIGINT') > 0) {
        sent = true;
        process.emit('SIGINT');
      }
    }, 300);
    try {
      return await run(...args);
    } finally {
      clearInterval(timer);
      for (const l of others) process.on('SIGINT', l);
    }
  };

  test('check', async () => {
    const r = await interrupted('check', 'two-phase-commit', '--runs', '10000000', '--out', dir);
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/^ {2}[\d,]+ runs, [\d,]+ steps, [\d,]+ distinct states in /m);
    expect(r.stdout).toMatch(/interrupted \(Ctrl-C\) after [\d,]+ runs: no invariant violated in those/);
    expect(r.stdout).toMatch(/rerun: {2}npx protokit check two-phase-commit --seed 1 --runs 10000000$/m);
    expect(oneLine(r.stderr)).toMatch(/^protokit: interrupted after [\d,]+ runs of two-phase-commit$/);
  });

  test('check of every model, side by side: every lane stops, and no model starts after', async () => {
    // With a budget this large every model is worth a thread: Raft's (the deepest) goes to a worker,
    // this thread starts with the shallowest (Paxos). Both stop; the first model in the registry's
    // order that was interrupted is reported (Raft), and no other model starts. (On one core the
    // models run one after the other and the first, Two-Phase Commit, is the one interrupted.)
    const r = await interrupted('check', '--runs', '10000000', '--out', dir);
    expect(r.code).toBe(130);
    const lanes = availableParallelism() > 1;
    expect(oneLine(r.stderr)).toMatch(lanes ? /^protokit: interrupted after [\d,]+ runs of raft$/ : /^protokit: interrupted after [\d,]+ runs of two-phase-commit$/);
    expect(r.stdout).toMatch(/interrupted \(Ctrl-C\) after [\d,]+ runs: no invariant violated in those/);
    expect(r.stdout).not.toMatch(lanes ? /two-phase-commit|mapreduce|quorum-kv/ : /raft|paxos|mapreduce|quorum-kv/);
  });

  test('explore', async () => {
    // The suite has a liveness property, so this is the liveness search: it polls Ctrl-C every few hundred states.
    const out = join(dir, 'interrupted-explore');
    const r = await interrupted('explore', 'two-phase-commit', '--config', 'preset=tla', '--config', 'rms=9', '--skip', 'commits', '--out', out);
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/incomplete: stopped by Ctrl-C; the figures are those so far/);
    expect(r.stdout).toMatch(/^ {2}\? every-rm-learns-outcome \(liveness\) inconclusive: the search was interrupted \(Ctrl-C\)/m);
    // The rerun line is the same search: the same properties.
    expect(r.stdout).toMatch(/rerun: {2}npx protokit explore two-phase-commit --config preset=tla --config rms=9 --skip commits$/m);
    expect(existsSync(out)).toBe(false); // nothing written, nothing half-written
    expect(oneLine(r.stderr)).toMatch(/^protokit: interrupted after [\d,]+ states of two-phase-commit$/);
  });

  test('an interruptible check explores the same runs as checkRandom, and stops where it is told', async () => {
    const suite = findSuite(suites, 'two-phase-commit');
    const plain = checkRandom(suite, { mutant: 'rm-forgets-prepared', runs: 3000 });
    const never = new AbortController();
    const same = await checkRandomInterruptible(suite, { mutant: 'rm-forgets-prepared', runs: 3000 }, never.signal);
    expect({ ...same, elapsedMs: 0 }).toEqual({ ...plain, elapsedMs: 0 });
    const stop = new AbortController();
    const stopped = await checkRandomInterruptible(suite, { runs: 100_000, onProgress: (p) => p.runs >= 1000 && stop.abort() }, stop.signal);
    expect(stopped).toMatchObject({ interrupted: true, runs: 1000, violation: null });
  });
});

describe('claims a trace makes', () => {
  test('a trace of a fixed bug (expect: pass) that violates again: exit 1, and replay says so', async () => {
    const path = edited('expects-pass.json', (t) => (t.expect = 'pass'));
    const r = await run('replay', path);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^! the trace expects no violation \(a fixed bug\), but replay violated commit-needs-all-prepared at step 5$/m);
    const shown = await run('show', path);
    expect(shown.stdout).toMatch(/note: +the trace expects no violation \(a fixed bug\), but replay violated commit-needs-all-prepared at step 5/);
  });

  test('a recorded violation at another step: exit 3, naming both', async () => {
    const r = await run('replay', edited('other-step.json', (t) => (t.violation.step = 4)));
    expect(r.code).toBe(3);
    expect(oneLine(r.stderr)).toMatch(/replay violated commit-needs-all-prepared, the trace recorded commit-needs-all-prepared at step 4$/);
  });
});

describe('a --load suite with hostile text', () => {
  test('list shows its title and descriptions escaped, one line each', async () => {
    const project = mkdtempSync(join(tmpdir(), 'protokit-text-'));
    onTestFinished(() => rmSync(project, { recursive: true, force: true }));
    writeFileSync(join(project, 'package.json'), '{"type":"module"}');
    const path = join(project, 'text.suite.ts');
    writeFileSync(
      path,
      `import { createMachine } from ${JSON.stringify(join(process.cwd(), 'node_modules', 'xstate', 'dist', 'xstate.esm.js'))};
import { always, defineModel, defineSuite } from ${JSON.stringify(join(process.cwd(), 'src', 'index.ts'))};
const P = ${JSON.stringify(PAYLOAD)};
const model = defineModel({ name: 'texty', title: 'title' + P, params: { n: { default: 1, description: 'n' + P } },
  roles: { r: { machine: createMachine({}), persist: [] } }, nodes: () => [{ id: 'a', role: 'r', input: {} }],
  faults: { network: 'unordered', loss: 0, duplicate: 0, crash: 0, partition: 0 }, mutants: {} });
export default defineSuite({ model, budget: { runs: 1, depth: 1 }, properties: [always('p', 'description' + P, () => undefined)] });
`,
    );
    const r = await run('list', '--load', path);
    expect(r.code).toBe(0);
    clean(r.stdout);
    expect(r.stdout).toContain('title\\x1b[2J\\x1b]0;pwned\\x07\\x1b]52;c;ZWNobyBoaQ==\\x07\\n✓ no property violated\\u202edesrever');
  });
});

describe('a reader that closes stdout early (`protokit … | head -1`)', () => {
  test('the bin exits quietly, with the command’s own code, no internal error', () => {
    // A real pipe to head, as users type it. The HTML view is larger than a pipe's buffer, so the bin
    // is still writing when head has its 10 bytes and goes.
    const trace = join('traces/mapreduce', readdirSync('traces/mapreduce').find((f) => f.endsWith('.json'))!);
    const r = spawnSync('bash', ['-c', 'node src/cli/bin.mjs show "$0" --format html | head -c 10; exit "${PIPESTATUS[0]}"', trace], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 600_000 });
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '<!doctype ', '']);
  });
});
