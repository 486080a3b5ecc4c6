/**
 * The page of a refuted history in a real browser (Debian's chromium through playwright-core, as
 * the trace viewer's test): a lane per client, the longest linearisation numbered in order, the
 * operation that cannot be placed highlighted, with the state it met; nothing loaded from outside,
 * and a hostile client name shown as text. PROTOKIT_SCREENSHOT=FILE saves a screenshot to look at.
 *
 * In CI (CI=true) a missing chromium fails the test; elsewhere it is skipped with a message.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkLinearizability } from './checker.js';
import { historyOf, type ClientEvent } from './history.js';
import { renderLinearizabilityHtml } from './html.js';
import { casRegister, type CasRegisterInput, type RegisterOutput } from './specs.js';

const CHROMIUM = process.env.PROTOKIT_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const installed = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true';
if (!installed && !inCi) console.warn(`skipping the browser test of the linearizability page: no chromium at ${CHROMIUM}`);

const HOSTILE = '<img src=x onerror=alert(1)>';

/** a writes 1 then 2; b reads 2 meanwhile; a hostile client then reads 1 after both returned: stale. */
function refuted() {
  const e = (x: ClientEvent<CasRegisterInput, RegisterOutput>) => x;
  const history = historyOf([
    e({ type: 'invoke', client: 'a', input: { f: 'write', value: 1 } }),
    e({ type: 'ok', client: 'a', output: null }),
    e({ type: 'invoke', client: 'a', input: { f: 'write', value: 2 } }),
    e({ type: 'invoke', client: 'b', input: { f: 'read' } }),
    e({ type: 'ok', client: 'b', output: 2 }),
    e({ type: 'invoke', client: 'c', input: { f: 'cas', from: 1, to: 3 } }),
    e({ type: 'ok', client: 'a', output: null }),
    e({ type: 'invoke', client: HOSTILE, input: { f: 'read' } }),
    e({ type: 'ok', client: HOSTILE, output: 1 }),
  ]);
  const result = checkLinearizability(casRegister, history);
  expect(result.verdict).toBe('not-linearizable');
  return renderLinearizabilityHtml('stale <read>', casRegister, result);
}

describe.skipIf(!installed && !inCi)('the linearizability page in chromium', () => {
  let browser: Browser;
  let page: Page;
  let dir: string;
  const requests: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    if (!installed) throw new Error(`CI needs chromium at ${CHROMIUM} for the linearizability page's browser test`);
    dir = mkdtempSync(join(tmpdir(), 'protokit-lin-'));
    const file = join(dir, 'refuted.html');
    writeFileSync(file, refuted());
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('dialog', (d) => (errors.push(`dialog: ${d.message()}`), d.dismiss()));
    await page.goto(pathToFileURL(file).href);
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a lane per client and a bar per operation; nothing loaded from outside, no script run', async () => {
    expect(await page.title()).toBe('stale <read> — protokit linearizability');
    expect(await page.locator('svg .lane-label').allTextContents()).toEqual(['a', 'b', 'c', '<img src=x onerror=aler…']);
    expect(await page.locator('svg .op').count()).toBe(5);
    expect(await page.locator('svg .op.unknown').count()).toBe(1); // c's cas never returned
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    expect(errors).toEqual([]);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('svg g:has(> .lane-label) > title').last().textContent()).toBe(HOSTILE);
  });

  test('the longest linearisation is numbered in order and the operation that cannot follow is highlighted', async () => {
    expect(await page.locator('svg .point-label').allTextContents()).toEqual(['1', '2', '3', '4']);
    expect(await page.locator('#prefix tr.linearized td:nth-child(3)').allTextContents()).toEqual(['write 1', 'write 2', 'read → 2', 'cas 1→3 → ?']);
    const stuck = page.locator('svg .op.stuck');
    expect(await stuck.count()).toBe(1);
    expect(await stuck.getAttribute('class')).toBe('op stuck deadline');
    expect(await stuck.locator('title').textContent()).toBe(`client ${HOSTILE}: read → 1 (7–8)`);
    // Highlighted: drawn red, unlike the linearised (green) ones.
    const fill = (sel: string) => page.locator(sel).first().evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { fill: string } }).getComputedStyle(el).fill);
    expect(await fill('svg .op.stuck rect')).toBe('rgb(255, 213, 213)');
    expect(await fill('svg .op.linearized rect')).toBe('rgb(207, 232, 212)');
    expect(await page.locator('#stuck tr.stuck').allTextContents()).toEqual([`✗${HOSTILE}read → 1state 2: not allowed in this state — returned before it could be placed7–8`]);
    if (process.env.PROTOKIT_SCREENSHOT) await page.screenshot({ path: process.env.PROTOKIT_SCREENSHOT, fullPage: true });
  });
});
