/**
 * The HTML trace viewer in a real browser: Debian's chromium, driven by playwright-core (which
 * never downloads a browser), opens the rendered file of a kept counterexample, steps through
 * it with the keyboard, the buttons and the slider, and checks what a reader sees. It opens
 * Raft's Figure 8 at its violation and takes a screenshot (PROTOKIT_UPDATE_DOCS=1 keeps it as
 * docs/trace-viewer.png for the README), and checks on one trace of every model, and on a
 * hand-made one with every fault, that no two labels of the diagram overlap and the actions fit.
 *
 * In CI (CI=true) a missing chromium fails the test; on a developer's machine it is skipped
 * with a message saying how to install it.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { suites } from '../../properties/registry.js';
import type { Trace } from '../trace/format.js';
import { loadTrace } from '../trace/file.js';
import { faultyTrace } from './test-traces.js';
import { renderTrace } from './trace.js';

/** Waits in the browser end only on a hang, never on a slow machine (CI shares 2 cores). */
const HANG_MS = 300_000;

const CHROMIUM = process.env.PROTOKIT_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TRACE = 'traces/two-phase-commit/rm-forgets-prepared.json';
/** Raft's Figure 8, the README's screenshot. */
const FIGURE8 = 'traces/raft/commits-old-term.json';
/** One kept trace per model (the longest), for the layout checks. */
const PER_MODEL = ['traces/two-phase-commit/tm-forgets-decision.json', 'traces/paxos/shared-ballots.json', 'traces/mapreduce/reduce-writes-in-place.json', FIGURE8];
const suiteOf = (model: string) => suites.find((s) => s.model.name === model)!;
const installed = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true';

if (!installed && !inCi) {
  console.warn(`skipping the browser test of the trace viewer: no chromium at ${CHROMIUM} (apt-get install -y chromium, or set PROTOKIT_CHROMIUM)`);
}

describe.skipIf(!installed && !inCi)('the HTML trace viewer in chromium', () => {
  let browser: Browser;
  let page: Page;
  let dir: string;
  const requests: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    if (!installed) throw new Error(`CI needs chromium at ${CHROMIUM} for the trace viewer's browser test (.ci/run installs Debian's chromium)`);
    dir = mkdtempSync(join(tmpdir(), 'protokit-viewer-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, timeout: HANG_MS });
    page = await open(loadTrace(TRACE), TRACE, { width: 1280, height: 900 });
  });

  /** A new page showing `trace` rendered as HTML, with requests and errors recorded. */
  async function open(trace: Trace, source: string, viewport: { width: number; height: number }): Promise<Page> {
    const file = join(dir, `${source.replace(/\W+/g, '-')}.html`);
    writeFileSync(file, renderTrace('html', suiteOf(trace.model), trace, source));
    const p = await browser.newPage({ viewport });
    p.setDefaultTimeout(HANG_MS); // playwright's 30 s would fail a loaded machine: only a hang may fail
    p.on('request', (r) => requests.push(r.url()));
    p.on('pageerror', (e) => errors.push(e.message));
    p.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await p.goto(pathToFileURL(file).href);
    return p;
  }

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const text = async (selector: string) => (await page.locator(selector).textContent()) ?? '';
  const nodeState = (id: string) => text(`#nodes [data-node="${id}"] .state`);

  test('it opens at the violation; Home goes to the initial world, with a lane per node and nothing loaded from outside', async () => {
    expect(await page.title()).toBe('two-phase-commit, mutant rm-forgets-prepared — protokit trace');
    expect(await text('#step-label')).toBe('step 10 / 10');
    await page.keyboard.press('Home');
    expect(await text('#step-label')).toBe('step 0 / 10');
    expect(await text('#action')).toBe('Step 0: the initial world');
    expect(await page.locator('svg .lane-head').allTextContents()).toEqual(['tm', 'rm1', 'rm2', 'rm3']);
    // Three Prepared and one Commit delivered; the Commits to rm1 and rm3 still in flight at the end.
    expect(await page.locator('svg .msg').count()).toBe(6);
    expect(await page.locator('svg .msg.undelivered').count()).toBe(2);
    expect(await page.locator('svg .crash').count()).toBe(1);
    expect(await text('#ahead')).toBe('consistency is violated at step 10.');
    expect(requests.every((url) => url.startsWith('file://'))).toBe(true);
    expect(errors).toEqual([]);
  });

  test('the keyboard steps forward and back; each step shows every node and the messages in flight', async () => {
    await page.keyboard.press('ArrowRight');
    expect(await text('#step-label')).toBe('step 1 / 10');
    expect(await text('#action')).toBe('Step 1: rm1: Prepare');
    expect(await nodeState('rm1')).toBe('prepared');
    expect(await nodeState('rm2')).toBe('working');
    expect(await page.locator('#nodes .node.changed').count()).toBe(1);
    expect(await page.locator('#inflight li').allTextContents()).toEqual(['rm1→tm Prepared{rm:rm1}']);
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    expect(await text('#step-label')).toBe('step 2 / 10');
    expect(await page.locator('#inflight li').count()).toBe(2);
  });

  test('the slider selects a step: after the crash rm1 is down with nothing on disk', async () => {
    await page.locator('#step-slider').fill('5');
    expect(await text('#step-label')).toBe('step 5 / 10');
    expect(await text('#action')).toBe('Step 5: crash rm1');
    expect(await nodeState('rm1')).toBe('crashed');
    expect(await page.locator('#nodes [data-node="rm1"]').getAttribute('class')).toContain('down');
    expect(await text('#nodes [data-node="rm1"] .changes')).toBe('prepared → crashed; nothing kept on disk');
    expect(await text('#inflight-title')).toBe('in flight (2)');
    expect(await page.locator('svg .row.selected').getAttribute('data-step')).toBe('5');
  });

  test('the restart says what came back from disk and what the node resumed as', async () => {
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowLeft');
    expect(await text('#action')).toBe('Step 9: restart rm1');
    expect(await text('#nodes [data-node="rm1"] .changes')).toBe('crashed → aborted; restored from disk: nothing; after RECOVER: status: working → aborted');
    expect(await page.locator('#violation').isVisible()).toBe(false);
  });

  test('#step=N in the address opens it at step N', async () => {
    const file = join(dir, `${TRACE.replace(/\W+/g, '-')}.html`);
    const linked = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    linked.setDefaultTimeout(HANG_MS); // playwright's 30 s would fail a loaded machine: only a hang may fail
    await linked.goto(`${pathToFileURL(file).href}#step=4`);
    expect((await linked.locator('#step-label').textContent()) ?? '').toBe('step 4 / 10');
    await linked.close();
  });

  test('the violated property is highlighted at its step', async () => {
    await page.keyboard.press('Home');
    await page.keyboard.press('v');
    expect(await text('#step-label')).toBe('step 10 / 10');
    expect(await page.locator('#violation').isVisible()).toBe(true);
    expect(await text('#violation')).toContain('✗ consistency violated: rm2 committed while rm1 aborted');
    expect(await nodeState('rm2')).toBe('committed');
    expect(await nodeState('rm1')).toBe('aborted');
    expect(await page.locator('svg .row.violation').getAttribute('data-step')).toBe('10');
    await page.locator('#next').click(); // past the end: stays at the last step
    expect(await text('#step-label')).toBe('step 10 / 10');
    expect(errors).toEqual([]);
  });

  test("Raft's Figure 8 at its violation: three lanes, the lost entry named, the logs side by side", async () => {
    const raft = await open(loadTrace(FIGURE8), FIGURE8, { width: 1280, height: 1010 });
    const on = async (selector: string) => (await raft.locator(selector).textContent()) ?? '';
    const field = (node: string, key: string) => on(`#nodes [data-node="${node}"] tr[data-key="${key}"] td:last-child`);
    expect(await raft.locator('svg .lane-head').allTextContents()).toEqual(['n1', 'n2', 'n3']);
    await raft.keyboard.press('v');
    expect(await on('#step-label')).toBe('step 24 / 24');
    expect(await on('#violation')).toContain('c2.1 (term 2) was committed there by n2 in term 4');
    expect(await on('#nodes [data-node="n3"] .state')).toBe('leader');
    expect(await field('n3', 'currentTerm')).toBe('5');
    expect(await field('n3', 'log')).toBe('[{term:3, command:c3.1}, {term:3, command:c3.2}, {term:3, command:c3.3}]');
    expect(await field('n1', 'log')).toBe('[{term:2, command:c2.1}]');
    expect(await field('n2', 'commitIndex')).toBe('1');
    // What never changes (an id, the peers) shares one quiet line under the fields that move.
    expect(await on('#nodes [data-node="n1"] tr.constant')).toBe('id n1 · peers [n2, n3]');
    expect(await raft.locator('svg .step-no.violation-mark').textContent()).toBe('✗ 24');
    const png = await raft.screenshot({ fullPage: true });
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    writeFileSync(join(dir, 'trace-viewer.png'), png);
    if (process.env.PROTOKIT_UPDATE_DOCS === '1') {
      mkdirSync('docs', { recursive: true });
      writeFileSync('docs/trace-viewer.png', png);
    }
    await raft.close();
    expect(errors).toEqual([]);
  });

  /** Pairs of diagram labels whose boxes overlap (by more than a pixel), as `a / b`. */
  const overlaps = (p: Page) =>
    p.locator('#diagram svg text').evaluateAll((texts) => {
      const boxes = texts.map((t) => ({ box: t.getBoundingClientRect(), text: t.firstChild?.nodeValue ?? '' }));
      const found: string[] = [];
      boxes.forEach((a, i) =>
        boxes.slice(i + 1).forEach((b) => {
          const apart = a.box.right - 1 <= b.box.left || b.box.right - 1 <= a.box.left || a.box.bottom - 1 <= b.box.top || b.box.bottom - 1 <= a.box.top;
          if (!apart) found.push(`${a.text} / ${b.text}`);
        }),
      );
      return found;
    });

  test.each([...PER_MODEL, 'faults'])('%s: no two labels overlap, and lanes and actions fit the box', async (source) => {
    const trace = source === 'faults' ? faultyTrace(suiteOf('two-phase-commit')) : loadTrace(source);
    const p = await open(trace, source, { width: 1280, height: 900 });
    expect(await overlaps(p)).toEqual([]);
    const diagram = p.locator('#diagram');
    expect(await diagram.evaluate((d) => d.scrollWidth - d.clientWidth)).toBeLessThanOrEqual(0);
    // The action column is cut to fit, never below 30 characters: whole, or cut with an ellipsis.
    // (The first child is the text drawn; the second, its tooltip.)
    const shown = await p.locator('svg .action-text').evaluateAll((texts) => texts.map((t) => t.firstChild?.nodeValue ?? ''));
    const whole = (JSON.parse((await p.locator('#trace-data').textContent())!) as { steps: { text: string }[] }).steps.map((s) => s.text);
    expect(shown).toHaveLength(trace.actions.length + 1);
    shown.forEach((a, k) => expect(a === whole[k] || (a.endsWith('…') && a.length >= 30 && whole[k]!.startsWith(a.slice(0, -1)))).toBe(true));
    await p.close();
    expect(errors).toEqual([]);
  });
});
