/**
 * The import probe of --load modules (load-probe.ts): one worker serves a process's probes, and a
 * worker that had to be stopped is replaced. The probes' verdicts through the command line (a loop,
 * an allocation, a never-settling await) are in hostile.test.ts and hostile-bounds.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { probeImport, probeWorkersStarted } from './load-probe.js';

const dir = mkdtempSync(join(tmpdir(), 'protokit-probe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const module = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return pathToFileURL(join(dir, name)).href;
};
/** Hang-only: a module that imports at all imports well within it. */
const HANG_MS = 300_000;

test('one worker probes module after module, including one that throws at import', async () => {
  // The probe worker is one per process: a file that ran before this one in a shared vitest worker
  // may have started it already. After the first probe it exists; no other may start after it.
  await probeImport(module('a.mjs', 'export default 1;'), 'a.mjs', HANG_MS, HANG_MS);
  const before = probeWorkersStarted();
  await probeImport(module('b.mjs', 'export default 2;'), 'b.mjs', HANG_MS, HANG_MS);
  // A throw is left to the real import, which reports it: the probe resolves and the worker stays.
  await probeImport(module('throws.mjs', "throw new Error('boom');"), 'throws.mjs', HANG_MS, HANG_MS);
  await probeImport(module('c.mjs', 'export default 3;'), 'c.mjs', HANG_MS, HANG_MS);
  expect(probeWorkersStarted() - before).toBe(0);
});

test('a module that never settles is stopped at the limit, and the next probe gets a fresh worker', async () => {
  const before = probeWorkersStarted();
  await expect(probeImport(module('never.mjs', 'await new Promise(() => {});'), 'never.mjs', 300, 60_000)).rejects.toThrow(
    '--load never.mjs: still importing after 0.3 s (a loop, or a top-level await that never settles?); on a slow machine, allow longer with PROTOKIT_LOAD_TIMEOUT_MS=60000',
  );
  await probeImport(module('after.mjs', 'export default 4;'), 'after.mjs', HANG_MS, HANG_MS);
  expect(probeWorkersStarted() - before).toBe(1);
});

test('probes asked for at once run one after another, each with its own verdict', async () => {
  const verdicts = await Promise.allSettled([
    probeImport(module('d.mjs', 'export default 5;'), 'd.mjs', HANG_MS, HANG_MS),
    probeImport(module('loops.mjs', 'while (true) {}'), 'loops.mjs', 300, 60_000),
    probeImport(module('e.mjs', 'export default 6;'), 'e.mjs', HANG_MS, HANG_MS),
  ]);
  expect(verdicts.map((v) => v.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  expect(String((verdicts[1] as PromiseRejectedResult).reason)).toContain('--load loops.mjs: still importing after 0.3 s');
});
