/**
 * The four `show` formats on real traces: every kept trace renders in each; the text and
 * Mermaid renderings of known counterexamples (Raft's Figure 8, a 2PC crash) are pinned exactly,
 * and the README's diagram is the Figure 8 one; the ITF rendering validates
 * against the shape of Apalache's ADR-015; the timeline matches every send to its delivery,
 * including drops, duplicates and partitions.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { suites } from '../../properties/registry.js';
import type { Action } from '../engine/actions.js';
import { renderTrace, SHOW_FORMATS } from './trace.js';
import { resolveInstance } from '../engine/instance.js';
import { loadTrace } from '../trace/file.js';
import type { Trace } from '../trace/format.js';
import { buildTrace, replay } from '../trace/replay.js';
import { nodeChanges } from './describe.js';
import { viewerData } from './html.js';
import { ITF_VARS } from './itf.js';
import { timelineOf } from './timeline.js';
import { faultyTrace as faultyTraceOf } from './test-traces.js';

const suiteOf = (trace: Trace) => suites.find((s) => s.model.name === trace.model)!;
const faultyTrace = () => faultyTraceOf(suites.find((s) => s.model.name === 'two-phase-commit')!);
const kept = readdirSync('traces', { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.json') && !f.includes('-seed'))
  .map((f) => join('traces', f))
  .sort();
const KNOWN = 'traces/two-phase-commit/rm-forgets-prepared.json';
/** Raft's Figure 8: a term-2 entry committed by the term-4 leader, lost when n3 is elected in term 5. */
const FIGURE8 = 'traces/raft/commits-old-term.json';
const render = (format: (typeof SHOW_FORMATS)[number], path: string) => {
  const trace = loadTrace(path);
  return renderTrace(format, suiteOf(trace), trace, path);
};

describe('every kept trace renders in every format', () => {
  test('there are kept traces', () => expect(kept.length).toBeGreaterThanOrEqual(7));
  test.each(kept)('%s', (path) => {
    const trace = loadTrace(path);
    const steps = trace.actions.length;
    expect(render('text', path)).toContain(`${String(steps).padStart(2)}  `);
    expect(render('mermaid', path).split('\n')[1]).toBe('sequenceDiagram');
    // A lasso with a loop lists the loop's closing world once: the last state loops back to `loop`.
    const loopStart = trace.violation?.loopStart;
    const itf = JSON.parse(render('itf', path));
    expect([itf.states.length, itf.loop]).toEqual(
      loopStart === undefined ? [steps + 1, undefined] : loopStart < steps ? [steps, loopStart] : [steps + 1, steps],
    );
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

  test('short in-flight lists print whole; every send says what became of it', () => {
    const text = render('text', KNOWN);
    expect(text).toContain(' 3  rm3: Prepare\n      rm3  working → prepared; status: working → prepared\n      sent rm3→tm Prepared{rm:rm3}  (delivered at step 7)\n');
    expect(text).toContain('      in flight (3): rm1→tm Prepared{rm:rm1}, rm2→tm Prepared{rm:rm2}, rm3→tm Prepared{rm:rm3}\n');
    expect(text).toContain('      sent tm→rm1 Commit  (never delivered)\n');
    const trace = faultyTrace();
    const faulty = renderTrace('text', suiteOf(trace), trace, 'faulty');
    expect(faulty).toContain('      sent rm1→tm Prepared{rm:rm1}  (lost at step 3)\n');
    expect(faulty).toContain(' 2  duplicate rm1→tm Prepared{rm:rm1}\n      copy rm1→tm Prepared{rm:rm1}  (delivered at step 6)\n      in flight (2): rm1→tm Prepared{rm:rm1} ×2\n');
    expect(text).toContain('the world at step 10 (fields that never change left out):\n      tm   committed  prepared=[rm1, rm2, rm3]  decision=commit\n      rm1  aborted    status=aborted\n');
  });

  test("Raft's Figure 8 reads as terms, logs and the lost entry: the last four steps and the world, exactly", () => {
    const text = render('text', FIGURE8);
    expect(text.slice(text.indexOf('21  deliver'))).toBe(`21  deliver n2→n1 AppendEntries{term:4, leaderId:n2, prevLogIndex:0, prevLogTerm:0, entries:[{term:2, command:c2.1}], leaderCommit:0}
      n1  log: appended {term:2, command:c2.1}
      sent n1→n2 AppendEntriesResponse{term:4, success:true, matchIndex:1}  (delivered at step 23)
      in flight (13): 5 to n1, 4 to n2, 4 to n3

22  deliver n3→n1 RequestVote{term:5, candidateId:n3, lastLogIndex:3, lastLogTerm:3}
      n1  currentTerm: 4 → 5; votedFor: n2 → n3
      sent n1→n3 RequestVoteResponse{term:5, voteGranted:true}  (delivered at step 24)
      in flight (13): 4 to n1, 4 to n2, 5 to n3

23  deliver n1→n2 AppendEntriesResponse{term:4, success:true, matchIndex:1}
      n2  commitIndex: 0 → 1; lastApplied: 0 → 1; nextIndex: {n1:1, n3:2} → {n1:2, n3:2};
          matchIndex: {n1:0, n3:0} → {n1:1, n3:0}
      observed EntryCommitted{index:1, term:2, command:c2.1, leader:n2, leaderTerm:4}
      observed EntryApplied{node:n2, index:1, command:c2.1}
      in flight (12): 4 to n1, 3 to n2, 5 to n3

24  deliver n1→n3 RequestVoteResponse{term:5, voteGranted:true}
      n3  candidate → leader; votesGranted: [n3] → []; nextIndex: {} → {n1:4, n2:4}; matchIndex: {} → {n1:0, n2:0}
      sent n3→n1 AppendEntries{term:5, leaderId:n3, prevLogIndex:3, prevLogTerm:3, entries:[], leaderCommit:0}  (never delivered)
      sent n3→n2 AppendEntries{term:5, leaderId:n3, prevLogIndex:3, prevLogTerm:3, entries:[], leaderCommit:0}  (never delivered)
      observed LeaderElected{node:n3, term:5}
      in flight (13): 5 to n1, 4 to n2, 4 to n3

the world at step 24 (fields that never change left out):
      n1  follower  currentTerm=5  votedFor=n3  log=[{term:2, command:c2.1}]  commitIndex=0  lastApplied=0
          votesGranted=[]  nextIndex={}  matchIndex={}
      n2  leader    currentTerm=4  votedFor=n2  log=[{term:2, command:c2.1}]  commitIndex=1  lastApplied=1
          votesGranted=[]  nextIndex={n1:2, n3:2}  matchIndex={n1:1, n3:0}
      n3  leader    currentTerm=5  votedFor=n3
          log=[{term:3, command:c3.1}, {term:3, command:c3.2}, {term:3, command:c3.3}]  commitIndex=0  lastApplied=0
          votesGranted=[]  nextIndex={n1:4, n2:4}  matchIndex={n1:0, n2:0}

✗ step 24: leader-completeness violated — n3, leader of term 5, has c3.1 (term 3) at index 1, but c2.1 (term 2) was committed there by n2 in term 4; n3's log: [3:c3.1, 3:c3.2, 3:c3.3]
`);
    // A dozen long messages in flight: how many wait for each node, each listed once where it was sent.
    expect(text).toContain('      sent n2→n1 AppendEntries{term:4, leaderId:n2, prevLogIndex:0, prevLogTerm:0, entries:[{term:2, command:c2.1}], leaderCommit:0}  (delivered at step 21)\n');
    expect(text).toContain('      n3  log: appended {term:3, command:c3.2}\n');
    // Node changes, fields and in-flight lines wrap at 120 columns; only an action, a message or the violation may be longer.
    const wrapped = text.split('\n').filter((l) => !/^\s*(\d+ |sent |observed |✗ |(bug|violates): )/.test(l));
    expect(Math.max(...wrapped.map((l) => l.length))).toBeLessThanOrEqual(120);
  });

  test('colour only paints: without its escape codes the coloured text is the plain text', () => {
    const trace = loadTrace(FIGURE8);
    const coloured = renderTrace('text', suiteOf(trace), trace, FIGURE8, { color: true });
    expect(coloured).toContain('\x1b[');
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, '')).toBe(render('text', FIGURE8));
  });

  test("the guide's text excerpt (docs/reading-counterexamples.md) is Figure 8's rendering", () => {
    const excerpt = /```\n(the world at step[\s\S]*?)```/.exec(readFileSync('docs/reading-counterexamples.md', 'utf8'))?.[1];
    expect(excerpt).toBeDefined();
    expect(render('text', FIGURE8).endsWith(excerpt!)).toBe(true);
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

  test('a log changes by whole entries, even when it is short', () => {
    const a = { term: 1, command: 'c1.1' };
    const b = { term: 2, command: 'c2.1' };
    const c = { term: 3, command: 'c3.1' };
    expect(nodeChanges(node({ log: [] }), node({ log: [a] }))).toEqual(['log: appended {term:1, command:c1.1}']);
    expect(nodeChanges(node({ log: [a] }), node({ log: [{ term: 1, command: 'c1.2' }] }))).toEqual(['log[0]: {term:1, command:c1.1} → {term:1, command:c1.2}']);
    expect(nodeChanges(node({ log: [a, b] }), node({ log: [a, c, c] }))).toEqual(['log[1…]: {term:2, command:c2.1} → {term:3, command:c3.1}, {term:3, command:c3.1}']);
    expect(nodeChanges(node({ votes: [] }), node({ votes: ['n3'] }))).toEqual(['votes: [] → [n3]']);
  });
});

describe('mermaid', () => {
  test('a known counterexample, exactly: observations are notes over the node that made them', () => {
    expect(render('mermaid', KNOWN)).toBe(`%% two-phase-commit, mutant rm-forgets-prepared: 10 steps, violates consistency at step 10
sequenceDiagram
    participant tm
    participant rm1
    participant rm2
    participant rm3
    Note over rm1: 1. Prepare → prepared<br/>Voted{rm:rm1}
    Note over rm2: 2. Prepare → prepared<br/>Voted{rm:rm2}
    Note over rm3: 3. Prepare → prepared<br/>Voted{rm:rm3}
    rm1->>tm: 4. Prepared{rm:rm1}
    Note over rm1: 5. crash
    rm2->>tm: 6. Prepared{rm:rm2}
    rm3->>tm: 7. Prepared{rm:rm3}
    Note over tm: 8. DecideCommit → committed<br/>Decided{decision:commit}
    Note over rm1: 9. restart → aborted<br/>Recovered{node:rm1, status:working}
    tm->>rm2: 10. Commit
    Note over rm2: → committed
    Note over tm,rm3: ✗ step 10: consistency violated: rm2 committed<br/>while rm1 aborted
`);
  });

  test("Raft's Figure 8, exactly: long messages break between fields", () => {
    expect(render('mermaid', FIGURE8)).toBe(`%% raft, mutant commits-old-term: 24 steps, violates leader-completeness at step 24
sequenceDiagram
    participant n1
    participant n2
    participant n3
    Note over n3: 1. Timeout → candidate
    n3->>n2: 2. RequestVote{term:1, candidateId:n3,<br/>lastLogIndex:0, lastLogTerm:0}
    Note over n2: 3. Timeout → candidate
    n2->>n3: 4. RequestVote{term:2, candidateId:n2,<br/>lastLogIndex:0, lastLogTerm:0}
    Note over n3: → follower
    n3->>n2: 5. RequestVoteResponse{term:2, voteGranted:true}
    Note over n2: → leader<br/>LeaderElected{node:n2, term:2}
    Note over n2: 6. ClientRequest{command:c2.1}
    Note over n3: 7. Timeout → candidate
    n3->>n2: 8. RequestVote{term:3, candidateId:n3,<br/>lastLogIndex:0, lastLogTerm:0}
    Note over n2: → follower
    n3->>n1: 9. RequestVote{term:3, candidateId:n3,<br/>lastLogIndex:0, lastLogTerm:0}
    n1->>n3: 10. RequestVoteResponse{term:3, voteGranted:true}
    Note over n3: → leader<br/>LeaderElected{node:n3, term:3}
    Note over n3: 11. ClientRequest{command:c3.1}
    Note over n3: 12. ClientRequest{command:c3.2}
    Note over n3: 13. ClientRequest{command:c3.3}
    Note over n2: 14. Timeout → candidate
    n2->>n1: 15. RequestVote{term:4, candidateId:n2,<br/>lastLogIndex:1, lastLogTerm:2}
    n1->>n2: 16. RequestVoteResponse{term:4, voteGranted:true}
    Note over n2: → leader<br/>LeaderElected{node:n2, term:4}
    n2->>n1: 17. AppendEntries{term:4, leaderId:n2,<br/>prevLogIndex:1, prevLogTerm:2, entries:[],<br/>leaderCommit:0}
    n1->>n2: 18. AppendEntriesResponse{term:4, success:false,<br/>matchIndex:0}
    n2->>n3: 19. RequestVote{term:4, candidateId:n2,<br/>lastLogIndex:1, lastLogTerm:2}
    Note over n3: → follower
    Note over n3: 20. Timeout → candidate
    n2->>n1: 21. AppendEntries{term:4, leaderId:n2,<br/>prevLogIndex:0, prevLogTerm:0,<br/>entries:[{term:2, command:c2.1}],<br/>leaderCommit:0}
    n3->>n1: 22. RequestVote{term:5, candidateId:n3,<br/>lastLogIndex:3, lastLogTerm:3}
    n1->>n2: 23. AppendEntriesResponse{term:4, success:true,<br/>matchIndex:1}
    Note over n2: EntryCommitted{index:1, term:2, command:c2.1,<br/>leader:n2, leaderTerm:4}<br/>EntryApplied{node:n2, index:1, command:c2.1}
    n1->>n3: 24. RequestVoteResponse{term:5, voteGranted:true}
    Note over n3: → leader<br/>LeaderElected{node:n3, term:5}
    Note over n1,n3: ✗ step 24: leader-completeness violated: n3,<br/>leader of term 5, has c3.1 (term 3) at index 1,<br/>but c2.1 (term 2) was committed there by n2 in<br/>term 4#59; n3's log: [3:c3.1, 3:c3.2, 3:c3.3]
`);
  });

  test("the guide's diagram (docs/reading-counterexamples.md) is Figure 8's rendering", () => {
    const readme = readFileSync('docs/reading-counterexamples.md', 'utf8');
    const block = /```mermaid\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBe(render('mermaid', FIGURE8).split('\n').slice(1).join('\n'));
  });

  test('faults become notes, and every line is one of the few statement forms it emits', async () => {
    const trace = faultyTrace();
    const text = renderTrace('mermaid', suiteOf(trace), trace, 'faulty');
    expect(text).toContain('    Note over rm1,tm: 2. duplicated: Prepared{rm:rm1}\n    Note over rm1,tm: 3. lost: Prepared{rm:rm1}\n');
    expect(text).toContain('    Note over tm,rm3: 4. partition {tm, rm2, rm3} | {rm1}\n    Note over tm,rm3: 5. heal\n    rm1->>tm: 6. Prepared{rm:rm1}\n');
    // Free text may hold entity codes (#59; for ';', #35; for '#') but no bare ';' or '#'.
    const free = String.raw`(?:[^;#\n]|#\d+;)+`;
    // A lasso's loop is a `loop` block: `loop steps 7–12 repeat forever` ... `end`.
    const statement = new RegExp(String.raw`^(%% .*|sequenceDiagram|    participant \w+( as ${free})?|    \w+->>\w+: ${free}|    Note over \w+(,\w+)?: ${free}|    loop (step \d+ repeats|steps \d+–\d+ repeat) forever|    end)$`);
    // A label's lines are short, so the lanes stay close: 48 characters and a step number.
    const label = (line: string) => line.replace(/^.*?: /, '').split('<br/>');
    for (const path of kept) {
      for (const line of render('mermaid', path).split('\n').filter((l) => l.includes('<br/>'))) {
        for (const part of label(line)) expect(part.length).toBeLessThanOrEqual(56);
      }
    }
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
