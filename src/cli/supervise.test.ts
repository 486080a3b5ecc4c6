/**
 * The supervised worker (issue 23 point 5): a run of the user's code can always be stopped by Ctrl-C,
 * and runaway allocation in it is one line, not V8's abort. Each case spawns the `protokit` bin of the
 * sources (a whole process, as a user runs it) with a kill timer that only catches a hang; the
 * signal is sent once the run has said it started, never after a guessed delay.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { needsSupervisor } from './supervise-policy.js';
import { heapLimitMb } from './supervise.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'src', 'cli', 'bin.mjs');
/** Only catches a hang: a case that passes takes seconds. */
const HANG_MS = 300_000;
const project = mkdtempSync(join(tmpdir(), 'protokit-supervise-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));
writeFileSync(join(project, 'package.json'), '{"type":"module"}');

/**
 * A counter suite whose invariant runs `body` (the counter's value is `n`) once the counter reaches 2,
 * after writing "started" to stderr. `body` is line 17 of the file.
 */
function suite(name: string, body: string): string {
  const path = join(project, `${name}.suite.ts`);
  writeFileSync(
    path,
    `import { assign, createMachine } from ${JSON.stringify(join(ROOT, 'node_modules', 'xstate', 'dist', 'xstate.esm.js'))};
import { always, defineModel, defineSuite } from ${JSON.stringify(join(ROOT, 'src', 'index.ts'))};
const counter = createMachine({ context: { n: 0 }, on: { Tick: { guard: ({ context }) => context.n < 4, actions: assign({ n: ({ context }) => context.n + 1 }) } } });
const model = defineModel({
  name: '${name}', title: 'a counter', params: {},
  roles: { counter: { machine: counter, persist: [], environment: () => [{ type: 'Tick' }] } },
  nodes: () => [{ id: 'c', role: 'counter', input: {} }],
  faults: { network: 'unordered', loss: 0, duplicate: 0, crash: 0, partition: 0 },
  mutants: {},
});
const keep: unknown[] = [];
let told = false;
function ${name}(w: { node(id: string): { context: { n: number } } }): string | undefined {
  let n = w.node('c').context.n;
  if (n < 2) return undefined;
  if (!told) { told = true; process.stderr.write('started\\n'); }
  ${body}
}
export default defineSuite({ model, budget: { runs: 20, depth: 6 }, properties: [always('${name}', 'runs its body at 2', ${name})] });
`,
  );
  return path;
}

interface Ended {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the bin; sends SIGINT once stderr holds `when` (if given). */
function protokit(args: readonly string[], options: { env?: Record<string, string>; interruptWhen?: RegExp } = {}): Promise<Ended> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: project, env: { ...process.env, NO_COLOR: '1', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const hang = setTimeout(() => child.kill('SIGKILL'), HANG_MS);
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => {
      stderr += String(d);
      if (!sent && options.interruptWhen?.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.on('error', fail);
    child.on('close', (code, signal) => {
      clearTimeout(hang);
      done({ code, signal, stdout, stderr });
    });
  });
}

describe('which runs are supervised', () => {
  test('runs that load the user\'s code, by any command but those that run none or serve (studio)', () => {
    expect(needsSupervisor(['explore', 'x', '--load', 's.ts'], {})).toBe(true);
    expect(needsSupervisor(['--debug', 'check', '--load=s.ts'], {})).toBe(true);
    expect(needsSupervisor(['validate', 'log', '--map', 'm.ts'], {})).toBe(true);
    expect(needsSupervisor(['a-command-added-later', '--load', 's.ts'], {})).toBe(true);
    expect(needsSupervisor(['check', 'two-phase-commit'], {})).toBe(false);
    expect(needsSupervisor(['list', '--load', 's.ts'], {})).toBe(false);
    expect(needsSupervisor(['studio', '--load', 's.ts'], {})).toBe(false);
    expect(needsSupervisor(['check', '--load', 's.ts', '--help'], {})).toBe(false);
    expect(needsSupervisor(['check', 'two-phase-commit'], { PROTOKIT_SUPERVISE: 'always' })).toBe(true);
    expect(needsSupervisor(['check', '--load', 's.ts'], { PROTOKIT_SUPERVISE: 'never' })).toBe(false);
  });

  test('the heap cap: PROTOKIT_MAX_HEAP_MB, else half the memory; a bad value is refused', () => {
    expect(heapLimitMb({ PROTOKIT_MAX_HEAP_MB: '96' })).toBe(96);
    expect(heapLimitMb({})).toBeGreaterThanOrEqual(256);
    for (const bad of ['8', 'lots', '1e3', '-5']) expect(() => heapLimitMb({ PROTOKIT_MAX_HEAP_MB: bad })).toThrow(`PROTOKIT_MAX_HEAP_MB must be a whole number of megabytes, at least 16, not '${bad}'`);
  });
});

describe('Ctrl-C and runaway code in a --load suite (issue 23.5)', () => {
  test('an invariant that loops for ever: Ctrl-C stops it within a second, exit 130 (it could not be stopped before)', async () => {
    const path = suite('spins', 'for (;;) n++;');
    const r = await protokit(['explore', 'spins', '--load', path], { interruptWhen: /^started$/m });
    expect([r.code, r.signal, r.stdout]).toEqual([130, null, '']);
    // Where it was is named when the inspector sees the user's function (V8 may inline it into the kit's).
    const [started, line, ...rest] = r.stderr.split('\n');
    expect([started, rest]).toEqual(['started', ['']]);
    expect(line).toMatch(/^protokit: interrupted \(Ctrl-C\): stopped explore(?: in \S+ at \S+)?, which had not returned 1 s after Ctrl-C; no figures \(it never got back to count them\)$/);
    // The loop's line (a pause), or the line where its function starts (sampled): lines 17 and 13.
    if (line!.includes(' in ')) expect(line).toMatch(new RegExp(` in spins at ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(17|13),`));
  }, HANG_MS);

  test('a search that returns between steps keeps its own Ctrl-C: the figures so far, exit 130', async () => {
    const r = await protokit(['explore', 'two-phase-commit', '--config', 'preset=tla', '--config', 'rms=9'], { env: { PROTOKIT_SUPERVISE: 'always' }, interruptWhen: /^two-phase-commit: [\d,]+ states/m });
    expect([r.code, r.signal]).toEqual([130, null]);
    expect(r.stderr.trimEnd().split('\n').pop()).toMatch(/^protokit: interrupted after [\d,]+ states of two-phase-commit$/);
    expect(r.stdout).toContain('incomplete: stopped by Ctrl-C; the figures are those so far');
  }, HANG_MS);

  test('an invariant that allocates without end: one line naming the cap and how to raise it, exit 74, no V8 abort (exit 134 before)', async () => {
    const path = suite('hoards', 'for (;;) keep.push(new Array(100_000).fill(n));');
    const r = await protokit(['check', 'hoards', '--load', path], { env: { PROTOKIT_MAX_HEAP_MB: '64' } });
    expect([r.code, r.signal, r.stdout]).toEqual([74, null, '']);
    expect(r.stderr).toBe("started\nprotokit: check ran out of memory: it passed the heap limit of 64 MB of the thread running the suite's code; set PROTOKIT_MAX_HEAP_MB=128 to allow more\n");
    expect(r.stderr).not.toContain('FATAL ERROR');
  }, HANG_MS);
});
