/**
 * A deadlock reads the same in check, explore, show and replay, and names the two ways out: declare
 * the world `terminal` in the suite, or run with --no-deadlock. The suite is a counter that ticks to 3
 * and stops, with no `terminal`: every run ends in a deadlock at step 3.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { DEADLOCK_WAYS_OUT } from '../render/verdict.js';
import { run } from './run-in-process.js';

const project = mkdtempSync(join(tmpdir(), 'protokit-deadlock-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));
writeFileSync(join(project, 'package.json'), '{"type":"module"}');
const suite = join(project, 'stops.suite.ts');
writeFileSync(
  suite,
  `import { assign, createMachine } from ${JSON.stringify(join(process.cwd(), 'node_modules', 'xstate', 'dist', 'xstate.esm.js'))};
import { always, defineModel, defineSuite } from ${JSON.stringify(join(process.cwd(), 'src', 'index.ts'))};
const counter = createMachine({ context: { n: 0 }, on: { Tick: { guard: ({ context }) => context.n < 3, actions: assign({ n: ({ context }) => context.n + 1 }) } } });
const model = defineModel({
  name: 'stops', title: 'a counter that stops at 3', params: {},
  roles: { counter: { machine: counter, persist: [], environment: (node) => (node.context.n < 3 ? [{ type: 'Tick' }] : []) } },
  nodes: () => [{ id: 'c', role: 'counter', input: {} }],
  faults: { network: 'unordered', loss: 0, duplicate: 0, crash: 0, partition: 0 },
  mutants: {},
});
export default defineSuite({ model, budget: { runs: 5, depth: 10 }, properties: [always('small', 'n stays at most 3', (w) => (w.node('c').context.n > 3 ? 'too far' : undefined))] });
`,
);
const VERDICT = '✗ deadlock at step 3: nothing but faults is enabled, and the suite does not call this world terminal';
const out = join(project, 'traces');

test('check, explore, show and replay say the same, and name terminal and --no-deadlock', async () => {
  expect(DEADLOCK_WAYS_OUT).toContain('terminal: (w) =>');
  expect(DEADLOCK_WAYS_OUT).toContain('--no-deadlock');
  const lines = (text: string) => text.split('\n').map((l) => l.trim());
  const check = await run('check', 'stops', '--load', suite, '--out', out);
  expect(check.code).toBe(1);
  const at = lines(check.stdout).indexOf(VERDICT);
  expect(lines(check.stdout)[at + 1]).toBe(DEADLOCK_WAYS_OUT);
  const explore = await run('explore', 'stops', '--load', suite, '--out', out, '--json');
  expect(explore.code).toBe(1);
  const trace = (JSON.parse(explore.stdout) as { violation: { trace: string } }).violation.trace;
  const exploreText = await run('explore', 'stops', '--load', suite, '--out', out);
  for (const r of [exploreText, await run('show', trace, '--load', suite), await run('replay', trace, '--load', suite)]) {
    const shown = lines(r.stdout);
    expect(shown).toContain(VERDICT);
    expect(shown[shown.indexOf(VERDICT) + 1]).toBe(DEADLOCK_WAYS_OUT);
    expect(r.stdout).not.toContain('violated forever');
  }
  // Either way out ends the report.
  expect((await run('check', 'stops', '--load', suite, '--out', out, '--no-deadlock')).code).toBe(0);
});
