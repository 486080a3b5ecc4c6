/**
 * The four `show` formats on real traces: every kept trace renders in each; the text and
 * Mermaid renderings of a known counterexample are pinned exactly; the ITF rendering validates
 * against the shape of Apalache's ADR-015; the timeline matches every send to its delivery,
 * including drops, duplicates and partitions.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { suites } from '../../properties/registry.js';
import type { Action } from '../actions.js';
import { renderTrace, SHOW_FORMATS } from './trace.js';
import { resolveInstance } from '../instance.js';
import { loadTrace } from '../trace/file.js';
import type { Trace } from '../trace/format.js';
import { buildTrace, replay } from '../trace/replay.js';
import { nodeChanges } from './describe.js';
import { viewerData } from './html.js';
import { ITF_VARS } from './itf.js';
import { timelineOf } from './timeline.js';

const suiteOf = (trace: Trace) => suites.find((s) => s.model.name === trace.model)!;
const kept = readdirSync('traces', { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.json') && !f.includes('-seed'))
  .map((f) => join('traces', f))
  .sort();
const KNOWN = 'traces/two-phase-commit/rm-forgets-prepared.json';
const render = (format: (typeof SHOW_FORMATS)[number], path: string) => {
  const trace = loadTrace(path);
  return renderTrace(format, suiteOf(trace), trace, path);
};

/** A hand-made 2PC trace with a duplicate, a drop, a partition and a heal. */
function faultyTrace(): Trace {
  const suite = suites.find((s) => s.model.name === 'two-phase-commit')!;
  const instance = resolveInstance(suite.model, {});
  const prepared = { type: 'Prepared', rm: 'rm1' };
  const actions: Action[] = [
    { type: 'env', node: 'rm1', event: { type: 'Prepare' } },
    { type: 'duplicate', from: 'rm1', to: 'tm', message: prepared },
    { type: 'drop', from: 'rm1', to: 'tm', message: prepared },
    { type: 'partition', groups: [['tm', 'rm2', 'rm3'], ['rm1']] },
    { type: 'heal' },
    { type: 'deliver', from: 'rm1', to: 'tm', message: prepared },
  ];
  return buildTrace(instance, suite, actions, { command: 'manual' });
}

describe('every kept trace renders in every format', () => {
  test('there are kept traces', () => expect(kept.length).toBeGreaterThanOrEqual(7));
  test.each(kept)('%s', (path) => {
    const steps = loadTrace(path).actions.length;
    expect(render('text', path)).toContain(`${String(steps).padStart(2)}  `);
    expect(render('mermaid', path).split('\n')[1]).toBe('sequenceDiagram');
    expect(JSON.parse(render('itf', path)).states).toHaveLength(steps + 1);
    expect(render('html', path)).toMatch(/^<!doctype html>/);
  });
});

describe('text', () => {
  test('a restart says what came back from disk and what RECOVER changed, not "(lost) → x"', () => {
    const text = render('text', KNOWN);
    expect(text).toContain(' 9  restart rm1\n      rm1  crashed → aborted; restored from disk: nothing; after RECOVER: status: working → aborted\n');
    expect(text).not.toContain('(lost)');
    expect(text).toContain('✗ step 10: consistency violated — rm2 committed while rm1 aborted');
    const fixed = render('text', 'traces/two-phase-commit/rm-forgets-prepared-fixed.json');
    expect(fixed).toContain('rm1  crashed → prepared; restored from disk: status=prepared; after RECOVER: no field changed');
    expect(fixed).toContain('✓ 10 steps, no property violated');
  });
});

describe('what changed in a node', () => {
  const node = (context: Record<string, unknown>) => ({ up: true, value: 'follower', context });
  test('short values print whole; long ones down to the part that changed', () => {
    const log = [{ term: 1, value: 'a' }, { term: 1, value: 'b' }, { term: 2, value: 'c' }];
    expect(nodeChanges(node({ votedFor: null, log }), node({ votedFor: 'n2', log: [...log, { term: 3, value: 'd' }] }))).toEqual([
      'votedFor: null → n2',
      'log: appended {term:3, value:d}',
    ]);
    expect(nodeChanges(node({ log }), node({ log: log.slice(0, 1) }))).toEqual(['log: removed {term:1, value:b}, {term:2, value:c}']);
    const tasks = [{ running: [], completed: null }, { running: [], completed: null }];
    const next = [tasks[0], { running: [], completed: { attempt: 2, worker: 'w2' } }];
    expect(nodeChanges(node({ tasks }), node({ tasks: next }))).toEqual(['tasks[1].completed: null → {attempt:2, worker:w2}']);
    expect(nodeChanges(node({ disk: {} }), node({ disk: { m0a1: [[['to', 1], ['be', 1], ['or', 1], ['not', 1]]] } }))).toEqual(['disk.m0a1: added [[[to, 1], [be, 1], [or, 1], [not, 1]]]']);
  });
});

describe('mermaid', () => {
  test('a known counterexample, exactly', () => {
    expect(render('mermaid', KNOWN)).toBe(`%% two-phase-commit, mutant rm-forgets-prepared: 10 steps, violates consistency at step 10
sequenceDiagram
    participant tm
    participant rm1
    participant rm2
    participant rm3
    Note over rm1: 1. Prepare → prepared
    Note over rm2: 2. Prepare → prepared
    Note over rm3: 3. Prepare → prepared
    rm1->>tm: 4. Prepared{rm:rm1}
    Note over rm1: 5. crash
    rm2->>tm: 6. Prepared{rm:rm2}
    rm3->>tm: 7. Prepared{rm:rm3}
    Note over tm: 8. DecideCommit → committed
    Note over rm1: 9. restart → aborted
    tm->>rm2: 10. Commit
    Note over rm2: → committed
    Note over tm,rm3: ✗ step 10: consistency violated: rm2 committed while rm1 aborted
`);
  });

  test("the README's diagram is this trace's rendering", () => {
    const readme = readFileSync('README.md', 'utf8');
    const block = /```mermaid\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBe(render('mermaid', KNOWN).split('\n').slice(1).join('\n'));
  });

  test('faults become notes, and every line is one of the few statement forms it emits', async () => {
    const trace = faultyTrace();
    const text = renderTrace('mermaid', suiteOf(trace), trace, 'faulty');
    expect(text).toContain('    Note over rm1,tm: 2. duplicated: Prepared{rm:rm1}\n    Note over rm1,tm: 3. lost: Prepared{rm:rm1}\n');
    expect(text).toContain('    Note over tm,rm3: 4. partition {tm, rm2, rm3} | {rm1}\n    Note over tm,rm3: 5. heal\n    rm1->>tm: 6. Prepared{rm:rm1}\n');
    // Free text may hold entity codes (#59; for ';', #35; for '#') but no bare ';' or '#'.
    const free = String.raw`(?:[^;#\n]|#\d+;)+`;
    const statement = new RegExp(String.raw`^(%% .*|sequenceDiagram|    participant \w+( as ${free})?|    \w+->>\w+: ${free}|    Note over \w+(,\w+)?: ${free})$`);
    for (const path of kept) {
      for (const line of render('mermaid', path).trimEnd().split('\n')) expect(line).toMatch(statement);
    }
    for (const line of text.trimEnd().split('\n')) expect(line).toMatch(statement);
  });
});

// ---- ITF (Apalache ADR-015) --------------------------------------------------------------------
const itfValue: z.ZodType = z.lazy(() =>
  z.union([
    z.boolean(),
    z.string(),
    z.strictObject({ '#bigint': z.string().regex(/^-?[0-9]+$/) }),
    z.strictObject({ '#tup': z.array(itfValue) }),
    z.strictObject({ '#set': z.array(itfValue) }),
    z.strictObject({ '#map': z.array(z.tuple([itfValue, itfValue])) }),
    z.strictObject({ '#unserializable': z.string() }),
    z.array(itfValue),
    // A record: field names that do not start with '#'.
    z.record(z.string().regex(/^[^#]/), itfValue),
  ]),
);
const itfTrace = z.strictObject({
  '#meta': z.record(z.string(), z.unknown()).optional(),
  params: z.array(z.string()).optional(),
  vars: z.array(z.string()),
  states: z.array(z.record(z.string(), z.unknown())),
  loop: z.number().int().optional(),
});

function expectItf(text: string): z.infer<typeof itfTrace> {
  const itf = itfTrace.parse(JSON.parse(text));
  for (const state of itf.states) {
    const { '#meta': meta, ...vars } = state;
    expect(meta === undefined || (typeof meta === 'object' && meta !== null)).toBe(true);
    expect(Object.keys(vars).sort()).toEqual([...itf.vars].sort());
    for (const value of Object.values(vars)) itfValue.parse(value);
  }
  return itf;
}

describe('itf', () => {
  test.each(kept)('%s validates against the ADR-015 shape', (path) => {
    const itf = expectItf(render('itf', path));
    expect(itf.vars).toEqual([...ITF_VARS]);
  });

  test('node states are records, integers #bigint, an unordered network a #map multiset', () => {
    const trace = faultyTrace();
    const itf = expectItf(renderTrace('itf', suiteOf(trace), trace, 'faulty')) as { states: Record<string, any>[] };
    const envelope = { from: 'rm1', to: 'tm', message: { type: 'Prepared', rm: 'rm1' } };
    expect(itf.states[2]!.network).toEqual({ '#map': [[envelope, { '#bigint': '2' }]] });
    expect(itf.states[4]!.partition).toEqual({ '#set': [{ '#set': ['rm1'] }, { '#set': ['rm2', 'rm3', 'tm'] }] });
    expect(itf.states[6]!.nodes.tm).toEqual({
      role: 'tm',
      up: true,
      state: 'init',
      context: { rms: ['rm1', 'rm2', 'rm3'], prepared: ['rm1'], decision: { '#unserializable': 'null' } },
    });
    expect(itf.states[6]!.faults_used).toEqual({ loss: { '#bigint': '1' }, duplicate: { '#bigint': '1' }, crash: { '#bigint': '0' }, partition: { '#bigint': '1' } });
    expect(itf.states[0]!.action).toEqual({ type: 'init' });
  });

  test('a set network (the tla preset) is a #set', () => {
    const suite = suites.find((s) => s.model.name === 'two-phase-commit')!;
    const instance = resolveInstance(suite.model, { preset: 'tla' });
    const trace = buildTrace(instance, suite, [{ type: 'env', node: 'rm2', event: { type: 'Prepare' } }], { command: 'manual' });
    const itf = expectItf(renderTrace('itf', suite, trace, 'tla')) as { states: Record<string, any>[] };
    expect(itf.states[1]!.network).toEqual({ '#set': [{ from: 'rm2', to: 'tm', message: { type: 'Prepared', rm: 'rm2' } }] });
  });
});

describe('timeline and viewer data', () => {
  test('every delivery, drop and duplicate is matched to the message it acts on', () => {
    const trace = faultyTrace();
    const { instance, execution } = replay(suiteOf(trace), trace);
    const timeline = timelineOf(execution.worlds, trace.actions as Action[], instance.faults.network);
    expect(timeline.messages.map((m) => [m.sentAt, m.copyOf, m.deliveredAt, m.droppedAt])).toEqual([
      [1, null, [], 3], // the original: lost at step 3
      [2, 0, [6], null], // the copy made at step 2, delivered at step 6
    ]);
    expect(timeline.steps.map((s) => s.inFlight.length)).toEqual([1, 2, 1, 1, 1, 0]);
  });

  test.each(kept)('%s: each delivery arrow starts at a send and ends at its deliver action', (path) => {
    const trace = loadTrace(path);
    const { instance, execution } = replay(suiteOf(trace), trace);
    const data = viewerData(suiteOf(trace), trace, instance, execution.worlds);
    const delivered = data.messages.flatMap((m) => m.deliveredAt.map((at) => ({ m, at })));
    const deliveries = (trace.actions as Action[]).flatMap((a, i) => (a.type === 'deliver' ? [i + 1] : []));
    expect(delivered.map((d) => d.at).sort((a, b) => a - b)).toEqual(deliveries);
    for (const { m, at } of delivered) {
      const action = trace.actions[at - 1] as Extract<Action, { type: 'deliver' }>;
      expect([m.from, m.to]).toEqual([action.from, action.to]);
      expect(m.sentAt).toBeLessThan(at);
    }
    expect(data.steps).toHaveLength(trace.actions.length + 1);
  });

  test('the HTML is one self-contained file: inline style and script, no URL to fetch', () => {
    const html = render('html', KNOWN);
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html).not.toMatch(/\s(src|href)=/);
    expect(html).not.toMatch(/<link|@import|url\(http/);
    expect(html).toContain("default-src 'none'");
    // The data cannot close its own <script>: every '<' in it is escaped.
    const start = html.indexOf('id="trace-data">') + 'id="trace-data">'.length;
    const data = html.slice(start, html.indexOf('</script>', start));
    expect(data.length).toBeGreaterThan(1000);
    expect(data).not.toContain('<');
  });
});
