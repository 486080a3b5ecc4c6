/**
 * Never a "holds", "unreachable" or "no deadlock" on a search a bound cut short (issue 22, point 1),
 * one case per command and option: exact exit codes and wording, small bounds so each case costs
 * well under a second of search.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { oneLine, run } from './run-in-process.js';

const out = mkdtempSync(join(tmpdir(), 'protokit-verdicts-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const TLA = ['two-phase-commit', '--config', 'preset=tla'];
const timeout = 300_000;
const lines = (text: string) => text.split('\n').map((l) => l.trim());

describe('explore: a bound is never a verdict', () => {
  test('the raft case: leadsTo cut off before any state owes it is inconclusive, exit 5 (it printed "holds", exit 0)', async () => {
    const r = await run('explore', 'raft', '--max-states', '2000', '--property', 'stable-leader-commits-applied', '--out', out);
    expect(r.code).toBe(5);
    expect(lines(r.stdout)).toContain(
      '? stable-leader-commits-applied (liveness) inconclusive: --max-states stopped the search at 2,000 states, depth 5, before any state owes it; states beyond the bound may owe it and never pay (exit 5)',
    );
    expect(r.stdout).not.toMatch(/holds on every fair behaviour/);
    const json = JSON.parse((await run('explore', 'raft', '--max-states', '2000', '--property', 'stable-leader-commits-applied', '--json', '--out', out)).stdout);
    expect([json.complete, json.stoppedBy, json.inconclusive, json.liveness.properties[0].verdict]).toEqual([false, 'max-states', true, 'inconclusive']);
  }, timeout);

  test('witnesses and deadlocks: "not reached in the states searched", never "unreachable" or deadlock-free, when cut', async () => {
    const cut = await run('explore', ...TLA, '--max-states', '100', '--skip', 'every-rm-learns-outcome', '--out', out);
    expect(cut.code).toBe(0);
    expect(lines(cut.stdout)).toEqual(
      expect.arrayContaining([
        '✓ no invariant violated and no deadlock in the states searched',
        '(--max-states stopped the search: no verdict on the states beyond it)',
        'witnesses: ○ commits (not reached in the states searched)  ✓ aborts  ○ commits-after-recovery (not reached in the states searched)',
      ]),
    );
    const json = JSON.parse((await run('explore', ...TLA, '--max-states', '100', '--skip', 'every-rm-learns-outcome', '--json', '--out', out)).stdout);
    expect([json.deadlock, json.witnesses.map((w: { verdict: string }) => w.verdict)]).toEqual(['none in the states searched', ['unknown', 'reached', 'unknown']]);
    // Complete, the same search decides: the witness is unreachable, no state deadlocks.
    const whole = await run('explore', ...TLA, '--json', '--out', out);
    const all = JSON.parse(whole.stdout);
    expect([whole.code, all.complete, all.deadlock, all.witnesses.map((w: { verdict: string }) => w.verdict)]).toEqual([0, true, 'none', ['reached', 'reached', 'unreachable']]);
    expect(lines((await run('explore', ...TLA, '--out', out)).stdout)).toContain('witnesses: ✓ commits  ✓ aborts  ○ commits-after-recovery (unreachable in this configuration)');
    // --no-deadlock: no claim about deadlocks at all.
    const unchecked = await run('explore', ...TLA, '--no-deadlock', '--out', out);
    expect(lines(unchecked.stdout)).toContain('✓ no invariant violated in any reachable state');
  }, timeout);

  test('--max-in-flight: complete within the constraint, still no "unreachable" and an owed liveness property inconclusive', async () => {
    const r = await run('explore', ...TLA, '--max-in-flight', '2', '--json', '--out', out);
    const json = JSON.parse(r.stdout);
    expect([r.code, json.complete, json.maxInFlight, json.deadlock, json.witnesses.map((w: { verdict: string }) => w.verdict)]).toEqual([5, true, 2, 'none in the states searched', ['unknown', 'reached', 'unknown']]);
    expect(json.liveness.properties[0].reason).toMatch(/^a state where it is still owed \(depth \d+\) was left unexpanded by --max-in-flight 2 \(a state with more messages in flight\); what follows it is unknown/);
  }, timeout);

  test('--workers: the same wording and fields as one thread when a bound stops it', async () => {
    const args = ['explore', ...TLA, '--max-states', '100', '--skip', 'every-rm-learns-outcome', '--workers', '2', '--json', '--out', out];
    const json = JSON.parse((await run(...args)).stdout);
    expect([json.complete, json.stoppedBy, json.deadlock, json.witnesses.map((w: { verdict: string }) => w.verdict)]).toEqual([false, 'max-states', 'none in the states searched', ['unknown', 'reached', 'unknown']]);
  }, timeout);

  test('--checkpoint: a checkpointed search a bound stopped claims only the states searched', async () => {
    const dir = join(out, 'checkpoint');
    const r = await run('explore', ...TLA, '--max-states', '100', '--skip', 'every-rm-learns-outcome', '--checkpoint', dir, '--checkpoint-interval', '0', '--out', out);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toContain('witnesses: ○ commits (not reached in the states searched)  ✓ aborts  ○ commits-after-recovery (not reached in the states searched)');
  }, timeout);

  test('--symmetry leaves liveness undecided: exit 0 and "not decided", exit 5 with --require-complete', async () => {
    const plain = await run('explore', ...TLA, '--symmetry', '--out', out);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^ {2}- every-rm-learns-outcome \(liveness\) not decided: not checked with --symmetry/m);
    const required = await run('explore', ...TLA, '--symmetry', '--require-complete', '--out', out);
    expect([required.code, oneLine(required.stderr)]).toEqual([
      5,
      'protokit: inconclusive: every-rm-learns-outcome (liveness) not decided: not checked with --symmetry (a fairness class of one node is not that of its renaming); search without it (--require-complete)',
    ]);
  }, timeout);
});

describe('check: a random budget claims what it sampled', () => {
  test('"no invariant violated in N runs", and liveness "no violation found", never "holds"', async () => {
    const r = await run('check', 'two-phase-commit', '--runs', '200', '--out', out);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toContain('✓ no invariant violated in 200 runs (random runs sample behaviours; explore searches every state of a configuration)');
    expect(r.stdout).toMatch(/liveness: no violation found in [\d,]+ lassos examined \(random runs never show that liveness holds; explore decides it\)/);
    expect(r.stdout).not.toMatch(/holds on every/);
  }, timeout);
});
