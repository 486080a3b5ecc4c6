/**
 * Everyday options of check and explore: --property and --skip choose the properties checked
 * (and the trace remembers which, so replay checks the same); explore --require-complete exits 5
 * when a bound stopped the search; a frontier that keeps growing is named in a warning; explore
 * writes the HTML view next to its trace.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { suites } from '../../properties/registry.js';
import { explore } from '../explore/bfs/search.js';
import { loadTrace } from '../trace/file.js';
import { findSuite } from './registry.js';
import { oneLine, run } from './run-in-process.js';

const out = mkdtempSync(join(tmpdir(), 'protokit-options-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const TLA = ['--config', 'preset=tla'];

describe('--property and --skip', () => {
  test('check --skip: the mutant is caught by the next property in the suite order, and the trace replays under the same selection', async () => {
    // tm-commits-on-majority breaks commit-needs-all-prepared first; without it, consistency catches it.
    const all = JSON.parse((await run('check', 'two-phase-commit', '--mutant', 'tm-commits-on-majority', '--json', '--out', out)).stdout);
    expect(all.violation.property).toBe('commit-needs-all-prepared');
    const r = await run('check', 'two-phase-commit', '--mutant', 'tm-commits-on-majority', '--skip', 'commit-needs-all-prepared', '--json', '--out', out);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.violation.property).not.toBe('commit-needs-all-prepared');
    expect(json.rerun).toContain('--skip commit-needs-all-prepared');
    const trace = loadTrace(json.violation.trace);
    // Every property of the suite but the skipped one, in the suite's order (its liveness property too).
    expect(trace.properties).toEqual(['consistency', 'decision-never-changes', 'agreement', 'every-rm-learns-outcome', 'commits', 'aborts', 'commits-after-recovery']);
    expect((await run('replay', json.violation.trace)).code).toBe(1);
  });

  test('explore --property: only the named properties are checked', async () => {
    const r = await run('explore', 'two-phase-commit', ...TLA, '--mutant', 'rm-presumes-commit', '--property', 'consistency', '--property', 'commits', '--json', '--out', out);
    const json = JSON.parse(r.stdout);
    expect(json.witnesses.map((w: { name: string }) => w.name)).toEqual(['commits']);
    expect([r.code, json.violation]).toEqual([0, null]); // tla has no timeouts: the mutant cannot show
  });

  test.each([
    [['check', 'two-phase-commit', '--property', 'consistncy'], /^protokit: --property consistncy: two-phase-commit has no such property \(accepted: consistency, /],
    [['explore', 'two-phase-commit', '--skip', 'nope'], /^protokit: --skip nope: two-phase-commit has no such property/],
    [['check', '--property', 'consistency'], /^protokit: --property and --skip need a MODEL/],
  ])('%j: one line, exit 2', async (args, message) => {
    const r = await run(...args);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(message);
  });
});

describe('explore --require-complete, the growing-frontier warning, the HTML view', () => {
  test('exit 5 when a bound stopped the search; 0 when it completed', async () => {
    const cut = await run('explore', 'two-phase-commit', ...TLA, '--max-states', '100', '--require-complete', '--out', out);
    expect(cut.code).toBe(5);
    // The liveness verdict (on stdout) is inconclusive as well; the message names the bound.
    expect(cut.stdout).toMatch(/^ {2}\? every-rm-learns-outcome \(liveness\) inconclusive: a state where it is still owed \(depth \d+\) was cut off by --max-states; what follows it is unknown \(searched 100 states, depth \d+\) \(exit 5\)$/m);
    expect(oneLine(cut.stderr)).toBe('protokit: inconclusive: --max-states stopped the search before it was complete (--require-complete)');
    const whole = await run('explore', 'two-phase-commit', ...TLA, '--require-complete', '--out', out);
    expect([whole.code, whole.stderr]).toEqual([0, '']);
    // Without --require-complete, the cut search is still inconclusive for liveness (exit 5, issue 13)...
    const live = await run('explore', 'two-phase-commit', ...TLA, '--max-states', '100', '--out', out);
    expect([live.code, live.stderr]).toEqual([5, '']);
    // ...while the safety properties alone pass in the states searched (exit 0), unless --require-complete.
    const safety = ['explore', 'two-phase-commit', ...TLA, '--max-states', '100', '--skip', 'every-rm-learns-outcome', '--out', out];
    expect((await run(...safety)).code).toBe(0);
    const required = await run(...safety, '--require-complete');
    expect([required.code, oneLine(required.stderr)]).toEqual([5, 'protokit: inconclusive: --max-states stopped the search before it was complete (--require-complete)']);
  });

  test('a search stopped while its frontier grew level after level warns, naming --max-in-flight and the bounds', async () => {
    // Retries on an unordered network: messages without end.
    const r = await run('explore', 'two-phase-commit', '--config', 'rms=2', '--max-states', '8000', '--json', '--out', out);
    expect(JSON.parse(r.stdout).frontierGrowing).toBe(true);
    expect(oneLine(r.stderr)).toMatch(/^protokit: warning: the frontier grew at each of the last 5 levels \(.*\): the state space is probably unbounded .*--max-in-flight N .*--config rms/);
    const bounded = await run('explore', 'two-phase-commit', ...TLA, '--json', '--out', out);
    expect([bounded.stderr, JSON.parse(bounded.stdout).frontierGrowing]).toEqual(['', false]);
  });

  test('the liveness search reports the same level sizes as the safety search (what the warning reads)', async () => {
    const suite = findSuite(suites, 'two-phase-commit');
    for (const options of [{ config: { rms: 2 }, maxStates: 8000 }, { preset: 'tla', maxDepth: 4 }]) {
      const live = await explore(suite, options);
      const safety = await explore(suite, { ...options, liveness: false });
      expect([live.liveness.checked, safety.liveness.checked]).toEqual([true, false]);
      expect([live.frontier, live.depth, live.stoppedBy]).toEqual([safety.frontier, safety.depth, safety.stoppedBy]);
    }
  });

  test('explore writes the HTML view next to its trace and prints its path', async () => {
    const r = await run('explore', 'two-phase-commit', ...TLA, '--mutant', 'tm-commits-on-majority', '--out', out);
    expect(r.code).toBe(1);
    const trace = /trace: {2}(\S+\.json)/.exec(r.stdout)?.[1];
    const view = /view: {3}(\S+\.html)/.exec(r.stdout)?.[1];
    // Beside the trace, under the same name (mutant, property, the hash of the settings: src/trace/names.ts).
    expect(trace).toMatch(/-[0-9a-f]{8}-explore\.json$/);
    expect(view).toBe(trace!.replace(/\.json$/, '.html'));
    const prefix = relative(process.cwd(), join(out, 'two-phase-commit', 'tm-commits-on-majority-commit-needs-all-prepared-'));
    expect(view!.slice(0, prefix.length)).toBe(prefix);
    expect(view!.slice(prefix.length)).toMatch(/^[0-9a-f]{8}-explore\.html$/);
    expect(existsSync(view!)).toBe(true);
    expect(readFileSync(view!, 'utf8')).toContain('commit-needs-all-prepared');
  });
});
