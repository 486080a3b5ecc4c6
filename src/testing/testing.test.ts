/**
 * The vitest helpers on a user's suite (a module outside the kit): a failure's replay line carries
 * --load and the suite's module, its stack starts in the test that called the helper (not in
 * protokit's files, which a package does not ship as sources), and expectCaught says where it keeps
 * a mutant's trace and names a stale one instead of leaving it silently.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, expect, test, vi } from 'vitest';
import type { Suite } from '../properties/suite.js';
import { loadTrace } from '../trace/file.js';
import { checkSuite, expectCaught } from './testing.js';

const project = mkdtempSync(join(tmpdir(), 'protokit-helpers-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));
writeFileSync(join(project, 'package.json'), '{"type":"module"}');
const module = join(project, 'counter.suite.ts');
writeFileSync(
  module,
  `import { assign, createMachine } from ${JSON.stringify(join(process.cwd(), 'node_modules', 'xstate', 'dist', 'xstate.esm.js'))};
import { always, defineModel, defineSuite } from ${JSON.stringify(join(process.cwd(), 'src', 'index.ts'))};
const counter = createMachine({ context: { n: 0 }, on: { Tick: { actions: assign({ n: ({ context }) => context.n + 1 }) } } });
const skips = createMachine({ context: { n: 0 }, on: { Tick: { actions: assign({ n: ({ context }) => context.n + 2 }) } } });
const model = defineModel({
  name: 'counter', title: 'a counter', params: { limit: { default: 9, min: 1, max: 9, description: 'the largest n allowed' } },
  roles: { counter: { machine: counter, persist: [], environment: (node) => (node.context.n < 3 ? [{ type: 'Tick' }] : []) } },
  nodes: () => [{ id: 'c', role: 'counter', input: {} }],
  faults: { network: 'unordered', loss: 0, duplicate: 0, crash: 0, partition: 0 },
  mutants: { skips: { description: 'ticks by two', breaks: 'within-limit', roles: { counter: { machine: skips } } } },
});
export default defineSuite({ model, budget: { runs: 5, depth: 6 }, terminal: () => true, properties: [
  always('within-limit', 'n stays within the limit', (w) => (w.node('c').context.n > 3 ? 'n is ' + w.node('c').context.n : undefined)),
] });
`,
);
const suite = async () => ((await import(/* @vite-ignore */ module)) as { default: Suite }).default;

test("checkSuite's failure replays with --load, and its stack starts in the calling test", async () => {
  const s = await suite();
  const traceDir = join(project, 'failing');
  let error: Error | undefined;
  try {
    checkSuite(s, { traceDir, mutant: 'skips' });
  } catch (e) {
    error = e as Error;
  }
  const path = join(traceDir, 'counter', 'skips-within-limit-seed1.json');
  expect(error?.message).toBe(`counter: within-limit violated at step 2: n is 4\n  replay: npx protokit replay ${path} --load ${relative(process.cwd(), module)}`);
  expect(error?.stack?.split('\n').find((l) => /^\s+at /.test(l))).toContain('testing.test.ts');
  expect(loadTrace(path).suite).toBe('../../counter.suite.ts');
});

test('expectCaught says where it keeps the trace, keeps it once, and names a stale one without overwriting it', async () => {
  const s = await suite();
  const traceDir = join(project, 'kept');
  const said: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (said.push(String(chunk)), true));
  try {
    const path = join(traceDir, 'counter', 'skips.json');
    expect(expectCaught(s, 'skips', { traceDir }).violation?.property).toBe('within-limit');
    expect(said).toEqual([`protokit: kept mutant skips's counterexample as ${path} (none yet); replay: npx protokit replay ${path} --load ${relative(process.cwd(), module)}\n`]);
    expectCaught(s, 'skips', { traceDir });
    expect(said).toHaveLength(1);
    const kept = JSON.parse(readFileSync(path, 'utf8')) as { actions: unknown[] };
    const stale = JSON.stringify({ ...kept, actions: kept.actions.slice(0, 1) }, null, 2);
    writeFileSync(path, stale);
    expectCaught(s, 'skips', { traceDir });
    expect(said[1]).toMatch(new RegExp(`^protokit: the kept trace ${path.replace(/[.]/g, '\\.')} is (stale|unreadable): .*; PROTOKIT_UPDATE_TRACES=1 replaces it\\n$`));
    expect(readFileSync(path, 'utf8')).toBe(stale);
  } finally {
    spy.mockRestore();
  }
});
