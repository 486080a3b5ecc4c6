/**
 * A model's linearizability violation, shown: the trace of the split register's stale read
 * (test-model.ts: c1 writes to the primary, then c2 reads the backup, which has not heard of the
 * write) carries the refuted history (`violation.history`), the trace format validates it, and
 * `show --format text` draws it as lanes with the operation that cannot be placed marked. A
 * hostile trace's history strings (escape sequences, line breaks, bidi overrides, markup) are
 * shown escaped, in text and in HTML; the browser test (html.browser.test.ts) opens the HTML.
 */
import { describe, expect, test } from 'vitest';
import { resolveInstance } from '../engine/instance.js';
import { explore } from '../explore/bfs/search.js';
import { renderTrace } from '../render/trace.js';
import { parseTrace } from '../trace/file.js';
import type { Trace } from '../trace/format.js';
import { buildTrace } from '../trace/replay.js';
import { registerSuite } from './test-model.js';

const suite = registerSuite('split');

/** The shortest counterexample `explore` finds, as `protokit explore` saves it. */
async function staleReadTrace(): Promise<Trace> {
  const result = await explore(suite);
  if (result.violation === null) throw new Error('the split register must have a stale read');
  return buildTrace(resolveInstance(suite.model, {}), suite, result.violation.actions, { command: 'explore' });
}

/** The stale-read trace with hostile strings in its history (as an edited trace file could hold). */
function hostile(trace: Trace): Trace {
  const h = trace.violation!.history!;
  return {
    ...trace,
    violation: {
      ...trace.violation!,
      history: {
        ...h,
        spec: 'reg\u202eister',
        initial: 'nil\n✓ 6 steps, no property violated',
        operations: [
          { ...h.operations[0]!, client: 'c1\x1b]0;pwned\x07' },
          { ...h.operations[1]!, client: '<img src=x onerror=alert(1)>', op: 'read → nil\x1b[2J</svg><script>alert(2)</script>' },
        ],
        prefix: [{ ...h.prefix[0]!, after: '"c1.0"\r\n\x1b[31mforged' }],
      },
    },
  };
}

describe("a model's linearizability violation in its trace", () => {
  test('the trace carries the refuted history, and it loads again', async () => {
    const trace = await staleReadTrace();
    expect(trace.actions.length).toBe(6);
    expect(trace.violation?.message).toBe('not linearizable: after the longest linearisation found [c1:write "c1.0"] (state "c1.0"), client c2: read → nil [2–3] cannot come next');
    expect(trace.violation?.history).toEqual({
      spec: 'register',
      partition: 0,
      partitions: 1,
      key: null,
      total: 2,
      initial: 'nil',
      operations: [
        // Positions are the order of the client events; steps, the trace's steps that made them.
        { client: 'c1', op: 'write "c1.0"', outcome: 'ok', call: 0, ret: 1, steps: [1, 3] },
        { client: 'c2', op: 'read → nil', outcome: 'ok', call: 2, ret: 3, steps: [4, 6] },
      ],
      prefix: [{ op: 0, before: 'nil', after: '"c1.0"' }],
      stuck: [{ op: 1, before: '"c1.0"', allowed: false }],
      deadline: 1,
    });
    expect(parseTrace(JSON.stringify(trace))).toEqual(trace);
  });

  test('show draws a lane per client, the linearisation numbered and the operation that cannot be placed marked', async () => {
    const text = renderTrace('text', suite, await staleReadTrace(), 'stale.json');
    const lines = text.split('\n');
    const at = lines.indexOf('  history of partition 0, spec register: 2 of 2 operations; a lane per client, time →');
    expect(at).toBeGreaterThan(0);
    expect(lines[at - 2]).toMatch(/^✗ step 6: linearizable violated — not linearizable: /);
    expect(lines.slice(at + 1)).toEqual([
      '    c1  [1 write "c1.0"]',
      '    c2                    [✗ read → nil]',
      '    [ … ] invocation to return; 1 2 …: the longest linearisation found, in order; ✗: cannot be placed after it; ···>: outcome unknown, pending to the end',
      '',
      '  longest linearisation found: 1 of 2 operations',
      '    1. client c1: write "c1.0" [steps 1–3]   state nil → "c1.0"',
      '  then, in state "c1.0", none of these can come next:',
      '    ✗ client c2: read → nil [steps 4–6]: the specification does not allow it in this state — it returned before it could be placed',
      '',
    ]);
  });

  test('a hostile history is shown escaped in text: no control character, no forged line', async () => {
    const text = renderTrace('text', suite, hostile(await staleReadTrace()), 'hostile.json');
    expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]/);
    const lines = text.split('\n');
    // A forged line (a newline, then protokit's own words) stays inside the line it came in.
    expect(lines.filter((l) => l.includes('forged'))).toEqual([
      '    1. client c1\\x1b]0;pwned\\x07: write "c1.0" [steps 1–3]   state nil → "c1.0"\\r\\n\\x1b[31mforged',
      '  then, in state "c1.0"\\r\\n\\x1b[31mforged, none of these can come next:',
    ]);
    expect(lines).toContain('  history of partition 0, spec reg\\u202eister: 2 of 2 operations; a lane per client, time →');
    // Escaped before it is measured: the lanes stay aligned.
    expect(lines.filter((l) => l.startsWith('    c1\\x1b') || l.startsWith('    <img'))).toEqual([
      '    c1\\x1b]0;pwned\\…  [1 write "c1.0"]',
      '    <img src=x oner…                    [✗ read → nil\\x1b[2J</svg><script>alert(2)</script>]',
    ]);
  });

  test('a hostile history is escaped in the HTML view: no markup of its own', async () => {
    const page = renderTrace('html', suite, hostile(await staleReadTrace()), 'hostile.json');
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<script>alert');
    expect(page).not.toMatch(/[\x00-\x09\x0b-\x1f\u202e]/);
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('read → nil\\u001b[2J&lt;/svg&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
  });

  test('a trace whose history does not hold together is refused with one line', async () => {
    const trace = await staleReadTrace();
    const h = trace.violation!.history!;
    const broken = (history: unknown) => () => parseTrace(JSON.stringify({ ...trace, violation: { ...trace.violation, history } }), 't.json');
    expect(broken({ ...h, prefix: [{ op: 7, before: 'nil', after: '1' }] })).toThrow(/^t\.json is not a valid trace: violation\.history\.prefix\[0\]\.op: names operation 7, but there are 2$/);
    expect(broken({ ...h, deadline: 0 })).toThrow(/^t\.json is not a valid trace: violation\.history\.deadline: is not one of the stuck operations$/);
    expect(broken({ ...h, operations: [{ ...h.operations[0]!, ret: -1 }, h.operations[1]] })).toThrow(/^t\.json is not a valid trace: violation\.history\.operations\[0\]\.ret: returns \(-1\) before it is invoked \(0\)$/);
    expect(broken({ ...h, operations: 'x' })).toThrow(/^t\.json is not a valid trace: violation\.history\.operations: .*$/);
    expect(broken({ ...h, extra: 1 })).toThrow(/^t\.json is not a valid trace: violation\.history: .*$/);
  });

  test('show takes the recorded history only when replay reproduced the recorded violation, message and all; otherwise replay\'s', async () => {
    const trace = await staleReadTrace();
    const edited = hostile({ ...trace, violation: { ...trace.violation!, message: 'something else' } });
    const text = renderTrace('text', suite, edited, 'edited.json');
    expect(text).toContain('the recorded message differs from the reproduced one');
    expect(text).not.toContain('pwned');
    expect(text).toContain('\n    c2                    [✗ read → nil]\n');
    // A trace saved before traces kept the history: show draws the one replay reproduces.
    const { history: _, ...older } = trace.violation!;
    expect(renderTrace('text', suite, { ...trace, violation: older }, 'older.json')).toBe(renderTrace('text', suite, trace, 'older.json'));
  });
});
