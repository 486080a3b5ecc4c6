/**
 * Users' own mistakes, through the command line: a model whose code throws (or sends to a node that
 * does not exist, or emits an effect protokit does not know) is an error of the model, exit 4, with
 * the node, the step and the action, the trace up to it saved and replayable; a suite whose
 * declarations do not fit its model is bad input, one line, exit 2; a trace of a --load suite finds
 * its suite again. Each case is a small suite module written to a temporary project.
 */
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadTrace } from '../trace/file.js';
import { oneLine, run } from './run-in-process.js';

const project = mkdtempSync(join(tmpdir(), 'protokit-mistakes-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));
writeFileSync(join(project, 'package.json'), '{"type":"module"}');
const XSTATE = JSON.stringify(join(process.cwd(), 'node_modules', 'xstate', 'dist', 'xstate.esm.js'));
const KIT = JSON.stringify(join(process.cwd(), 'src', 'index.ts'));

interface Parts {
  /** The Tick transition's guard and actions. */
  readonly tick?: string;
  readonly environment?: string;
  readonly invariant?: string;
  readonly witness?: string;
  readonly mutants?: string;
  readonly persist?: string;
}

/** A counter that ticks up to 4; each case replaces one part with a mistake. */
function suiteModule(name: string, parts: Parts): string {
  const path = join(project, `${name}.suite.ts`);
  writeFileSync(
    path,
    `import { assign, createMachine, emit } from ${XSTATE};
import { always, defineModel, defineSuite, send, sometimes } from ${KIT};
const counter = createMachine({ context: { n: 0 }, on: { Tick: ${parts.tick ?? `{ guard: ({ context }) => context.n < 4, actions: assign({ n: ({ context }) => context.n + 1 }) }`} } });
const other = counter.provide({});
const model = defineModel({
  name: '${name}', title: 'a counter', params: {},
  roles: { counter: { machine: counter, persist: ${parts.persist ?? '[]'}, environment: ${parts.environment ?? `() => [{ type: 'Tick' }]`} } },
  nodes: () => [{ id: 'c', role: 'counter', input: {} }],
  faults: { network: 'unordered', loss: 0, duplicate: 0, crash: 0, partition: 0 },
  mutants: ${parts.mutants ?? '{}'},
});
void emit; void send; void other;
export default defineSuite({ model, budget: { runs: 20, depth: 6 }, properties: [
  always('bounded', 'the counter stays at most 4', ${parts.invariant ?? `(w) => (w.node('c').context.n > 4 ? 'too far' : undefined)`}),
  sometimes('ticks', 'the counter moves', ${parts.witness ?? `(w) => w.node('c').context.n > 0`}),
] });
`,
  );
  return path;
}

const out = join(project, 'traces');

describe('an error of the model: exit 4, the node, the step and the action, a trace that replays to it', () => {
  test.each([
    ['a machine that throws', 'guard-throws', { tick: `{ guard: ({ context }) => { if (context.n >= 2) throw new Error('boom in guard'); return true; }, actions: assign({ n: ({ context }) => context.n + 1 }) }` }, /^protokit: the model failed: step 2: node c \(role counter\), listing the enabled actions, its machine, trying Tick: Unable to evaluate guard .*: boom in guard$/],
    ['an environment function that throws', 'env-throws', { environment: `(node) => { if (node.context.n >= 2) throw new Error('no more ticks'); return [{ type: 'Tick' }]; }` }, /^protokit: the model failed: step 2: node c \(role counter\), listing the enabled actions, its environment function: no more ticks$/],
    ['a property that throws', 'invariant-throws', { invariant: `(w) => { if (w.node('c').context.n === 3) throw new Error('cannot judge 3'); }` }, /^protokit: the model failed: step 3 \(c: Tick\): property bounded threw: cannot judge 3$/],
    ['a witness that throws', 'witness-throws', { witness: `(w) => { if (w.node('c').context.n === 2) throw new Error('cannot see 2'); return false; }` }, /^protokit: the model failed: step 2 \(c: Tick\): witness ticks threw: cannot see 2$/],
    ['a send to an unknown node', 'sends-to-nobody', { tick: `{ guard: ({ context }) => context.n < 4, actions: [assign({ n: ({ context }) => context.n + 1 }), emit(() => send('nobody', { type: 'Ping' }))] }` }, /^protokit: the model failed: step 1 \(c: Tick\): node c sent Ping to unknown node 'nobody' \(nodes: c\)$/],
    ['an effect of an unknown type', 'emits-unknown', { tick: `{ actions: emit(() => ({ type: 'launch' })) }` }, /^protokit: the model failed: step 0 \(the initial world\): node c \(role counter\), listing the enabled actions, its machine, trying Tick: a node emitted 'launch'; protokit understands 'send' and 'observe' effects$/],
  ] as const)('%s', async (_case, name, parts, message) => {
    const suite = suiteModule(name, parts);
    const r = await run('check', name, '--load', suite, '--out', out);
    expect(r.code).toBe(4);
    const [first, trace, replay, ...rest] = r.stderr.trimEnd().split('\n');
    expect(first).toMatch(message);
    expect(rest).toEqual([]);
    const path = relative(process.cwd(), join(out, name, `${name}-model-error-seed1.json`));
    expect(trace).toBe(`  trace:  ${path}`);
    expect(replay).toBe(`  replay: npx protokit replay ${path} --load ${suite}`);
    expect(existsSync(path)).toBe(true);
    const saved = loadTrace(path);
    expect(saved.expect).toBe('error');
    expect(saved.error?.step).toBe(Number(/step (\d+)/.exec(first!)![1]));
    // Replay (given the suite, as the printed command says) meets the same failure at the same step.
    const again = await run('replay', path, '--load', suite);
    expect(again.code).toBe(4);
    expect(again.stderr.split('\n')[0]).toBe(first);
    // The stack of what the model threw, only with --debug.
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const debug = await run('check', name, '--load', suite, '--out', out, '--debug');
    expect(debug.code).toBe(4);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  test('explore meets it too, saves the trace to it, and exits 4', async () => {
    const suite = suiteModule('explore-throws', { witness: `(w) => { if (w.node('c').context.n === 3) throw new Error('cannot see 3'); return false; }` });
    const r = await run('explore', 'explore-throws', '--load', suite, '--out', out);
    expect(r.code).toBe(4);
    expect(r.stderr.split('\n')[0]).toBe('protokit: the model failed: step 3 (c: Tick): witness ticks threw: cannot see 3');
    const path = relative(process.cwd(), join(out, 'explore-throws', 'explore-throws-model-error-explore.json'));
    expect(loadTrace(path).actions).toHaveLength(3);
    expect((await run('replay', path, '--load', suite)).code).toBe(4);
  });
});

describe('an error of the model met on worker threads', () => {
  test('check --workers and explore --workers report it as in one thread, with a trace that replays to it', async () => {
    const suite = suiteModule('workers-throw', { witness: `(w) => { if (w.node('c').context.n === 3) throw new Error('cannot see 3'); return false; }` });
    for (const [command, file] of [['check', 'workers-throw-model-error-seed1.json'], ['explore', 'workers-throw-model-error-explore.json']] as const) {
      const r = await run(command, 'workers-throw', '--load', suite, '--out', out, '--workers', '2');
      expect(r.code).toBe(4);
      expect(r.stderr.split('\n')[0]).toBe('protokit: the model failed: step 3 (c: Tick): witness ticks threw: cannot see 3');
      const path = relative(process.cwd(), join(out, 'workers-throw', file));
      expect((await run('replay', path, '--load', suite)).code).toBe(4);
    }
  });
});

describe('a suite that does not fit its model: one line, exit 2', () => {
  test.each([
    ['a mutant changes a role the model does not have', { mutants: `{ m: { description: 'x', breaks: 'bounded', roles: { countr: { machine: other } } } }` }, /^protokit: suite \S+: mutant 'm' changes role 'countr', which \S+ does not have \(roles: counter\)$/],
    ['a persisted field that is not in the context', { persist: `['count']` }, /^protokit: model \S+: role 'counter' persists 'count', which is not a field of its initial context \(fields: n\)$/],
    ['a mutant breaks no property of the suite', { mutants: `{ m: { description: 'x', breaks: 'bounds', roles: { counter: { machine: other } } } }` }, /^protokit: suite \S+: mutant 'm' breaks 'bounds', which is not a property of the suite \(properties: bounded, ticks\)$/],
    ['a model written without mutants', { mutants: 'undefined' }, /^protokit: suite \S+: model\.mutants must be an object \(write `mutants: \{\}` for a model with no mutants\)$/],
    ['a mutant that changes nothing', { mutants: `{ m: { description: 'x', breaks: 'bounded', roles: { counter: { persist: [] } } } }` }, /^protokit: suite \S+: mutant 'm' changes nothing: /],
  ] as const)('%s', async (name, parts, message) => {
    const suite = suiteModule(`bad-${name.length}-${Object.keys(parts)[0]}`, parts);
    const r = await run('check', '--load', suite, '--out', out);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(message);
  });
});

describe("a user's own error keeps every line of its message; --debug adds its stack", () => {
  test('a misspelt xstate target: the cause is on the one line, after the header xstate puts first', async () => {
    // xstate says what is wrong on the second line of its message: the header alone names no cause.
    const suite = join(project, 'misspelt.suite.ts');
    writeFileSync(suite, `import { createMachine } from ${XSTATE};
createMachine({ id: 'node', initial: 'idle', states: { idle: { on: { Go: { target: 'leder' } } }, leader: {} } });
export default {};
`);
    const r = await run('check', '--load', suite, '--out', out);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/^protokit: --load \S+: cannot load it: Invalid transition definition for state node 'node\.idle': Child state 'leder' does not exist on 'node'$/);
    const debug = await run('check', '--load', suite, '--out', out, '--debug');
    expect(debug.code).toBe(2);
    const lines = debug.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(oneLine(r.stderr));
    expect(lines[1]).toMatch(/^Error: Invalid transition definition/);
    expect(lines.filter((l) => /^\s+at /.test(l)).length).toBeGreaterThan(2);
  });
});

describe('a trace of a --load suite records where the suite is', () => {
  test('replay and show load it only when given --load, and say which --load to give', async () => {
    const suite = suiteModule('moves', { invariant: `(w) => (w.node('c').context.n >= 2 ? 'reached ' + w.node('c').context.n : undefined)` });
    const r = await run('check', 'moves', '--load', suite, '--out', out, '--json');
    expect(r.code).toBe(1);
    const path = (JSON.parse(r.stdout) as { violation: { trace: string } }).violation.trace;
    expect(loadTrace(path).suite).toBe('../../moves.suite.ts');
    // The trace names its suite, but a trace never makes protokit run code the user did not name.
    const unnamed = await run('replay', path);
    expect(unnamed.code).toBe(2);
    expect(oneLine(unnamed.stderr)).toBe(
      `protokit: the trace was recorded with the suite module ${suite}; protokit loads only code named on the command line: if you trust that module, run npx protokit replay ${path} --load ${suite}`,
    );
    expect((await run('replay', path, '--load', suite)).code).toBe(1);
    expect((await run('show', path, '--load', suite)).code).toBe(0);
    renameSync(suite, join(project, 'moved.suite.ts'));
    const lost = await run('replay', path);
    expect(lost.code).toBe(2);
    expect(oneLine(lost.stderr)).toBe(`protokit: the trace was recorded with --load ${suite}, which is not there now; give --load PATH, the suite module of model 'moves'`);
    expect((await run('replay', path, '--load', join(project, 'moved.suite.ts'))).code).toBe(1);
  });
});
