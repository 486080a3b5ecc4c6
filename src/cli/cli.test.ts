/**
 * The command-line contract: exit codes, --json fields, and one clear line for every kind of bad
 * input. Most cases call main() in-process; two spawn the real bin to prove the process exit code
 * and that no stack trace escapes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, onTestFinished, test } from 'vitest';
import { oneLine, run } from './run-in-process.js';

const out = mkdtempSync(join(tmpdir(), 'protokit-cli-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));


describe('protokit list', () => {
  test('lists models with properties and mutants, as text and as JSON', async () => {
    const text = await run('list');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/two-phase-commit/);
    const json = await run('list', '--json');
    const tpc = JSON.parse(json.stdout).models.find((m: { model: string }) => m.model === 'two-phase-commit');
    expect(tpc.mutants.map((m: { name: string }) => m.name)).toContain('rm-forgets-prepared');
    expect(tpc.properties.map((p: { name: string }) => p.name)).toContain('consistency');
    expect(Object.keys(tpc.presets)).toEqual(['tla', 'tm-gone']);
  });
});

describe('protokit check', () => {
  test('exit 0 and the contract JSON when nothing is violated', async () => {
    const r = await run('check', 'two-phase-commit', '--runs', '1000', '--json', '--out', out);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ model: 'two-phase-commit', config: { rms: 3, retry: true }, mutant: null, violation: null, runs: 1000 });
    expect(json.steps).toBeGreaterThan(0);
    expect(typeof json.elapsedMs).toBe('number');
  });

  test('exit 1 with the trace path and a replay command on a violation; the trace replays', async () => {
    const r = await run('check', 'two-phase-commit', '--mutant', 'tm-commits-on-majority', '--json', '--out', out);
    expect(r.code).toBe(1);
    const v = JSON.parse(r.stdout).violation;
    expect(v).toMatchObject({ property: 'commit-needs-all-prepared', step: 5 });
    expect(v.replay).toBe(`npx protokit replay ${v.trace}`);
    const replayed = await run('replay', v.trace, '--json');
    expect(replayed.code).toBe(1);
    expect(JSON.parse(replayed.stdout).violation).toMatchObject({ property: 'commit-needs-all-prepared', step: 5 });
    const text = await run('check', 'two-phase-commit', '--mutant', 'tm-commits-on-majority', '--out', out);
    expect(text.stdout).toMatch(/replay: npx protokit replay .*tm-commits-on-majority-commit-needs-all-prepared-seed1-[0-9a-f]{8}\.json/);
    expect(text.stdout).toMatch(/rerun: {2}npx protokit check two-phase-commit --mutant tm-commits-on-majority --seed 1 --runs 3000/);
  });

  test('the tla preset runs with its own network and no faults', async () => {
    const r = await run('check', 'two-phase-commit', '--config', 'preset=tla', '--runs', '300', '--json', '--out', out);
    const json = JSON.parse(r.stdout);
    expect(json.preset).toBe('tla');
    expect(json.faults).toEqual({ network: 'set', loss: 0, duplicate: 0, crash: 0, partition: 0 });
    expect(json.config).toEqual({ rms: 3, retry: false, tmRecovers: true });
  });

  test.each([
    [['check', 'nope'], /^protokit: unknown model 'nope' \(accepted: two-phase-commit/],
    [['check', 'two-phase-commit', '--mutant', 'nope'], /^protokit: unknown mutant 'nope' for two-phase-commit \(accepted: tm-commits-on-majority, /],
    [['check', 'two-phase-commit', '--config', 'nodes=3'], /^protokit: unknown config key 'nodes' for two-phase-commit \(accepted: rms, retry, tmRecovers, preset\)$/],
    [['check', 'two-phase-commit', '--config', 'rms=many'], /^protokit: config rms=many: expected a whole number$/],
    [['check', 'two-phase-commit', '--config', 'rms=99'], /^protokit: config rms=99: out of range \(accepted: 1\.\.12\)$/],
    [['check', 'two-phase-commit', '--config', 'rms'], /^protokit: --config takes key=value/],
    [['check', 'two-phase-commit', '--config', 'preset=nope'], /^protokit: unknown preset 'nope' for two-phase-commit \(accepted: tla, tm-gone\)$/],
    [['check', 'two-phase-commit', '--faults', 'loss,meteor'], /^protokit: unknown fault 'meteor' \(accepted: loss, duplicate, crash, partition, each optionally =N\)$/],
    [['check', 'two-phase-commit', '--faults', 'crash=x'], /^protokit: fault bound 'crash=x' must be a whole number/],
    [['check', 'two-phase-commit', '--runs', 'abc'], /--runs takes a positive whole number, not 'abc'/],
    [['check', 'two-phase-commit', '--runs', '-5'], /--runs takes a positive whole number, not '-5'/],
    [['check', 'two-phase-commit', '--runs', '0'], /--runs takes a positive whole number, not '0'/],
    [['check', 'two-phase-commit', '--network', 'carrier-pigeon'], /argument 'carrier-pigeon' is invalid\. Allowed choices are unordered, fifo, set/],
    [['check', 'two-phase-commit', '--frobnicate'], /unknown option '--frobnicate'/],
    [['check', '--mutant', 'x'], /^protokit: --mutant and --config need a MODEL/],
    [['launch'], /unknown command 'launch'/],
  ])('bad usage %j: one line, exit 2', async (args, message) => {
    const r = await run(...args);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(message);
  });
});

describe('protokit replay: bad traces', () => {
  const valid = readFileSync('traces/two-phase-commit/tm-commits-on-majority.json', 'utf8');
  const file = (name: string, text: string) => {
    const path = join(out, name);
    writeFileSync(path, text);
    return path;
  };
  const edited = (edit: (t: Record<string, any>) => void) => {
    const t = JSON.parse(valid);
    edit(t);
    return JSON.stringify(t);
  };

  test.each([
    ['missing', () => join(out, 'absent.json'), /^protokit: trace file not found: /],
    ['a directory', () => out, /is a directory, not a trace file$/],
    ['empty', () => file('empty.json', ''), /is empty, not a trace$/],
    ['truncated', () => file('truncated.json', valid.slice(0, valid.length / 2)), /is not valid JSON \(truncated or malformed\)/],
    ['not an object', () => file('array.json', '[1,2]'), /is not a trace: expected a JSON object$/],
    ['another format', () => file('v2.json', edited((t) => (t.format = 'protokit-trace/2'))), /has format "protokit-trace\/2"; this protokit reads protokit-trace\/1$/],
    ['a wrong type', () => file('type.json', edited((t) => (t.actions[0].node = 42))), /is not a valid trace: actions\[0\]\.node: /],
    ['an unknown action', () => file('action.json', edited((t) => t.actions.push({ type: 'teleport', node: 'rm1' }))), /is not a valid trace: actions\[5\]/],
    ['an unknown model', () => file('model.json', edited((t) => (t.model = 'zab'))), /^protokit: unknown model 'zab'/],
    ['an unknown mutant', () => file('mutant.json', edited((t) => (t.mutant = 'nope'))), /^protokit: unknown mutant 'nope' for two-phase-commit/],
    ['a node that does not exist', () => file('node.json', edited((t) => (t.actions[0].node = 'rm9'))), /action 1 \(rm9: Prepare\) names node 'rm9', which two-phase-commit with this config does not have/],
  ])('%s: one line, exit 2', async (_name, path, message) => {
    const r = await run('replay', path());
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(message);
  });

  test('an action that is not enabled: exit 3 with the step and what was enabled', async () => {
    const path = file('disabled.json', edited((t) => t.actions.splice(0, 1)));
    const r = await run('replay', path);
    expect(r.code).toBe(3);
    expect(oneLine(r.stderr)).toMatch(/^protokit: the trace does not fit the model: step 1: action 'deliver rm\d→tm Prepared\{rm:rm\d\}' is not enabled \(enabled: /);
  });

  test('a model that diverged from the recording: exit 3 naming the step and the node', async () => {
    const path = file('diverged.json', edited((t) => (t.digests[2].nodes.tm = '0000000000000000')));
    const r = await run('replay', path);
    expect(r.code).toBe(3);
    expect(oneLine(r.stderr)).toMatch(/^protokit: the trace does not fit the model: step 2: the model diverged: node tm is not in the recorded state/);
  });

  test('a recorded violation that no longer happens: exit 3', async () => {
    const path = file('fixed.json', edited((t) => (t.mutant = null)));
    const r = await run('replay', path);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/diverged|not enabled/);
  });
});

describe('the real process', () => {
  const bin = join('src', 'cli', 'bin.mjs');
  test('bad input: exit code 2 and one line, no stack trace', () => {
    const r = spawnSync(process.execPath, [bin, 'replay', join(out, 'absent.json')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/^protokit: trace file not found: .*absent\.json$/);
  });
  test('a violation: exit code 1', () => {
    const r = spawnSync(process.execPath, [bin, 'replay', 'traces/two-phase-commit/tm-commits-on-majority.json'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/✗ step 5: commit-needs-all-prepared violated/);
  });
});

describe('protokit check of every model, side by side', () => {
  test('a model whose budget is worth a thread runs on a worker, with the figures it has alone', async () => {
    const project = mkdtempSync(join(tmpdir(), 'protokit-lanes-'));
    onTestFinished(() => rmSync(project, { recursive: true, force: true }));
    const kit = join(process.cwd(), 'src', 'index.ts');
    // Two counters: 'long' has a budget of 5,000 runs × depth 100 (worth a worker thread), 'short' 50 × 10.
    writeFileSync(
      join(project, 'two.suite.ts'),
      `import { assign, createMachine } from ${JSON.stringify(join(process.cwd(), 'node_modules', 'xstate', 'dist', 'xstate.esm.js'))};
import { always, defineModel, defineSuite } from ${JSON.stringify(kit)};
const counter = createMachine({ context: { n: 0 }, on: { Tick: { actions: assign({ n: ({ context }) => context.n + 1 }) } } });
const modelOf = (name: string, limit: number) => defineModel({
  name, title: 'a counter', params: {},
  roles: { counter: { machine: counter, persist: [], environment: (node: { context: { n: number } }) => (node.context.n < limit ? [{ type: 'Tick' }] : []) } },
  nodes: () => [{ id: 'c', role: 'counter', input: {} }, { id: 'd', role: 'counter', input: {} }],
  faults: { network: 'unordered', loss: 0, duplicate: 0, crash: 0, partition: 0 }, mutants: {},
});
const bounded = always('bounded', 'counters stay at most 4', (w) => (w.node('c').context.n > 4 ? 'too far' : undefined));
export const suites = [
  defineSuite({ model: modelOf('long', 4), budget: { runs: 5000, depth: 100 }, properties: [bounded], terminal: () => true }),
  defineSuite({ model: modelOf('short', 3), budget: { runs: 50, depth: 10 }, properties: [bounded], terminal: () => true }),
];
`,
    );
    const suitePath = join(project, 'two.suite.ts');
    const all = await run('check', '--load', suitePath, '--json', '--out', join(project, 'traces'));
    expect(all.code).toBe(0);
    const together = JSON.parse(all.stdout).models as { model: string; runs: number; steps: number; distinctStates: number }[];
    for (const name of ['long', 'short']) {
      const alone = await run('check', name, '--load', suitePath, '--json', '--out', join(project, 'traces'));
      expect(alone.code).toBe(0);
      const one = JSON.parse(alone.stdout) as { runs: number; steps: number; distinctStates: number };
      const mine = together.find((m) => m.model === name)!;
      expect({ runs: mine.runs, steps: mine.steps, distinctStates: mine.distinctStates }).toEqual({ runs: one.runs, steps: one.steps, distinctStates: one.distinctStates });
    }
    expect(together.map((m) => m.runs)).toEqual([5000, 50]);
    expect(together[1]!.distinctStates).toBe(16);
  });
});

describe('protokit check --load: a suite kept outside this repository', () => {
  test('checks it, and the printed replay command carries --load', async () => {
    const project = mkdtempSync(join(tmpdir(), 'protokit-user-'));
    onTestFinished(() => rmSync(project, { recursive: true, force: true }));
    const kit = join(process.cwd(), 'src', 'index.ts');
    writeFileSync(join(project, 'package.json'), '{"type":"module"}');
    writeFileSync(
      join(project, 'counter.suite.ts'),
      `import { assign, createMachine } from ${JSON.stringify(join(process.cwd(), 'node_modules', 'xstate', 'dist', 'xstate.esm.js'))};
import { always, defineModel, defineSuite, sometimes } from ${JSON.stringify(kit)};
const counter = createMachine({ context: { n: 0 }, on: { Tick: { actions: assign({ n: ({ context }) => context.n + 1 }) } } });
const model = defineModel({
  name: 'counter', title: 'a counter that must stay below 3', params: {},
  roles: { counter: { machine: counter, persist: [], environment: () => [{ type: 'Tick' }] } },
  nodes: () => [{ id: 'c', role: 'counter', input: {} }],
  faults: { network: 'unordered', loss: 0, duplicate: 0, crash: 0, partition: 0 }, mutants: {},
});
export default defineSuite({ model, budget: { runs: 20, depth: 5 }, properties: [
  always('below-three', 'the counter stays below 3', (w) => (w.node('c').context.n >= 3 ? 'c reached ' + w.node('c').context.n : undefined)),
  sometimes('ticks', 'the counter moves', (w) => w.node('c').context.n > 0),
] });
`,
    );
    const suitePath = join(project, 'counter.suite.ts');
    const r = await run('check', '--load', suitePath, '--json', '--out', join(project, 'traces'));
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout).models[0];
    expect(json.violation).toMatchObject({ property: 'below-three', step: 3, message: 'c reached 3' });
    expect(json.violation.replay).toBe(`npx protokit replay ${json.violation.trace} --load ${suitePath}`);
    const replayed = await run('replay', json.violation.trace, '--load', suitePath);
    expect(replayed.code).toBe(1);
    const missing = await run('check', '--load', join(project, 'nope.ts'));
    expect(missing.code).toBe(2);
    expect(oneLine(missing.stderr)).toMatch(/^protokit: --load: no such file: /);
  });
});
