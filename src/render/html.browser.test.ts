/**
 * The HTML trace viewer in a real browser: Debian's chromium, driven by playwright-core (which
 * never downloads a browser), opens the rendered file of a kept counterexample, steps through
 * it with the keyboard, the buttons and the slider, and checks what a reader sees. It also
 * takes a screenshot; PROTOKIT_UPDATE_DOCS=1 keeps it as docs/trace-viewer.png for the README.
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
import { renderTrace } from './trace.js';
import { loadTrace } from '../trace/file.js';

const CHROMIUM = process.env.PROTOKIT_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TRACE = 'traces/two-phase-commit/rm-forgets-prepared.json';
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
    const trace = loadTrace(TRACE);
    const suite = suites.find((s) => s.model.name === trace.model)!;
    dir = mkdtempSync(join(tmpdir(), 'protokit-viewer-'));
    const file = join(dir, 'rm-forgets-prepared.html');
    writeFileSync(file, renderTrace('html', suite, trace, TRACE));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(pathToFileURL(file).href);
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const text = async (selector: string) => (await page.locator(selector).textContent()) ?? '';
  const nodeState = (id: string) => text(`#nodes [data-node="${id}"] .state`);

  test('it opens at the initial world, with a lane per node and nothing loaded from outside', async () => {
    expect(await page.title()).toBe('two-phase-commit, mutant rm-forgets-prepared — protokit trace');
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
    const png = await page.screenshot({ fullPage: true });
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    writeFileSync(join(dir, 'trace-viewer.png'), png);
    if (process.env.PROTOKIT_UPDATE_DOCS === '1') {
      mkdirSync('docs', { recursive: true });
      writeFileSync('docs/trace-viewer.png', png);
    }
    expect(errors).toEqual([]);
  });
});
