/**
 * Untrusted input and runaway suites, bounded (issue 23, points 2, 3 in part, 4, 5, 8): one case
 * per class, each of which failed before its fix. Cases that could hang, abort V8 or grow without
 * bound run in a child process with a small heap (`--max-old-space-size`) and a kill timer that
 * only catches a hang; growth is asserted as a count or a memory figure, never as wall time.
 * The finer cases are beside the modules: engine/input-file.test.ts, explore/bfs/checkpoint.test.ts,
 * explore/bfs/workers.test.ts, linearizability/formats.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { oneLine, run } from './run-in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'protokit-bounds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ROOT = resolve(import.meta.dirname, '../..');
/** Only catches a hang: a case that passes takes seconds. */
const HANG_MS = 300_000;

/** Runs `node --max-old-space-size=HEAP --import tsx FILE ARGS` in the repository, with a kill timer. */
function child(heapMb: number, file: string, args: readonly string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [`--max-old-space-size=${heapMb}`, '--import', 'tsx', file, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: HANG_MS,
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}
const cli = (heapMb: number, args: readonly string[], env: Record<string, string> = {}) => child(heapMb, 'src/cli/main.ts', args, env);

function fifo(name: string): string {
  const path = join(dir, name);
  spawnSync('mkfifo', [path]);
  return path;
}

describe('linearizable: memory linear in operations (issue 23.4)', () => {
  test('60,000 sequential operations: under 300 MB resident (757 MB with the bitset memo)', () => {
    const script = join(dir, 'sequential.ts');
    writeFileSync(
      script,
      [
        `import { checkLinearizability } from '${ROOT}/src/linearizability/checker.ts';`,
        `import { SPECS } from '${ROOT}/src/linearizability/formats.ts';`,
        'const n = 60_000;',
        "const ops = Array.from({ length: n }, (_, i) => ({ id: i, client: String(i % 4), call: 2 * i, ret: 2 * i + 1, outcome: 'ok' as const, input: i % 2 === 0 ? { f: 'write' as const, value: i >> 1 } : { f: 'read' as const }, output: i % 2 === 0 ? null : i >> 1 }));",
        "const r = checkLinearizability(SPECS['cas-register'].spec, ops, { maxSteps: 10 * n });",
        'console.log(JSON.stringify({ verdict: r.verdict, steps: r.steps, rssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));',
      ].join('\n'),
    );
    const r = child(128, script, []);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const out = JSON.parse(r.stdout) as { verdict: string; steps: number; rssMb: number };
    expect([out.verdict, out.steps]).toEqual(['linearizable', 60_000]);
    expect(out.rssMb).toBeLessThan(300);
  }, HANG_MS);

  test('a Jepsen line with a million blanks: refused on its line at once (a lazy pattern made it minutes)', () => {
    const file = join(dir, 'blanks.log');
    writeFileSync(file, `INFO  jepsen.util - 1\t:invoke\t:read\tnil${' '.repeat(1_000_000)}x\n`);
    const r = cli(128, ['linearizable', file, '--spec', 'register']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(`protokit: ${file}:1: the value: expected the end of the line after one value, found 'x' (format jepsen, spec register)`);
  }, HANG_MS);
});

describe('JSON-lines integers beyond 2^53 (issue 23.3): refused, never rounded into a pass', () => {
  test('write 2^53 + 1, read 2^53: exit 2 naming the line, not "linearizable"', async () => {
    const file = join(dir, 'big.jsonl');
    writeFileSync(
      file,
      [
        '{"client": 1, "type": "invoke", "f": "write", "value": 9007199254740993}',
        '{"client": 1, "type": "ok", "f": "write", "value": 9007199254740993}',
        '{"client": 2, "type": "invoke", "f": "read", "value": null}',
        '{"client": 2, "type": "ok", "f": "read", "value": 9007199254740992}',
      ].join('\n'),
    );
    const r = await run('linearizable', file, '--spec', 'register');
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(`protokit: ${file}:1: "value" holds an integer beyond ±9007199254740991 (2^53 − 1), which JSON readers round to a nearby one; write it as a string (format jsonl, spec register)`);
  });
});

describe('files that are not regular files, and claims a file makes (issue 23.4)', () => {
  test.each([
    ['linearizable, /dev/zero', ['linearizable', '/dev/zero', '--spec', 'register'], 'protokit: /dev/zero is not a regular file (a device, FIFO or socket), not a history file'],
    ['merge, /dev/zero', ['merge', '/dev/zero'], 'protokit: merge: /dev/zero is not a regular file (a device, FIFO or socket), not a result file'],
  ])('%s: exit 2 before a byte is read (it streamed to 3.8 GB)', (_name, args, message) => {
    const r = cli(64, args);
    expect([r.code, oneLine(r.stderr)]).toEqual([2, message]);
  }, HANG_MS);

  test('a FIFO with no writer, given to linearizable and to merge: refused, not waited on for ever', () => {
    const path = fifo('history.fifo');
    for (const args of [['linearizable', path, '--spec', 'register'], ['merge', path]]) {
      const r = cli(64, args);
      expect([r.code, r.signal]).toEqual([2, null]);
      expect(oneLine(r.stderr)).toMatch(/is not a regular file \(a device, FIFO or socket\), not a (history|result) file$/);
    }
  }, HANG_MS);

  test('merge of a result claiming 300,000,000 shards: counted, not allocated (a V8 abort in a 64 MB heap before)', () => {
    const result = {
      model: 'two-phase-commit', config: { rms: 3 }, mutant: null, faults: {}, seed: 1, elapsedMs: 5, runs: 10, steps: 100, distinctStates: 50,
      shard: { index: 2, count: 300_000_000 }, witnesses: [], violation: null,
    };
    const file = join(dir, 'claim.json');
    writeFileSync(file, JSON.stringify(result));
    const r = cli(64, ['merge', file, '--json']);
    // Inconclusive (5), not a pass: all but one of the shards the file claims are missing.
    expect([r.code, r.signal, r.stderr]).toEqual([5, null, '']);
    const merged = JSON.parse(r.stdout) as { shards: { count: number; given: number[]; missing: number[]; missingCount: number } };
    expect(merged.shards.count).toBe(300_000_000);
    expect(merged.shards.missingCount).toBe(299_999_999);
    expect(merged.shards.missing).toHaveLength(100);
    expect(merged.shards.missing.slice(0, 3)).toEqual([1, 3, 4]);
  }, HANG_MS);
});

describe('--resume of a damaged checkpoint (issue 23.2): refused, exit 2, never a clean pass', () => {
  const search = ['explore', 'two-phase-commit', '--config', 'rms=2', '--config', 'retry=false', '--faults', 'loss=1,crash=1', '--mutant', 'tm-forgets-decision', '--no-deadlock'];

  test('a manifest resealed to claim an empty frontier; a frontier that is /dev/zero', async () => {
    const ck = join(dir, 'checkpoint');
    const out = join(dir, 'traces');
    const first = await run(...search, '--checkpoint', ck, '--checkpoint-interval', '0', '--max-depth', '5', '--out', out);
    expect(first.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(ck, 'manifest.json'), 'utf8')) as Record<string, any>;
    const sealed = (m: Record<string, any>) => {
      const { sha256: _, ...body } = m;
      return JSON.stringify({ ...body, sha256: createHash('sha256').update(JSON.stringify(body)).digest('hex') });
    };
    const resume = () => run(...search, '--max-depth', '5', '--resume', ck, '--out', out);
    writeFileSync(join(ck, 'manifest.json'), sealed({ ...manifest, states: manifest.frontier.firstId, visited: { ...manifest.visited, bytes: manifest.frontier.firstId * 12 }, frontier: { ...manifest.frontier, chunks: 0, worlds: 0 } }));
    let r = await resume();
    expect([r.code, oneLine(r.stderr)]).toEqual([2, `protokit: --resume: the checkpoint in ${ck} is damaged: a frontier of 0 worlds in 0 chunks (a checkpoint always has states left to search); start the search again (without --resume)`]);
    writeFileSync(join(ck, 'manifest.json'), sealed({ ...manifest, frontier: { ...manifest.frontier, file: '../../../../../../dev/zero' } }));
    r = await resume();
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/^protokit: --resume: .*manifest\.json is not a protokit-checkpoint\/2 manifest \(frontier\.file: /);
  }, HANG_MS);
});

describe('runaway suites at --load (issue 23.5): stopped, one line, exit 2', () => {
  const project = mkdtempSync(join(tmpdir(), 'protokit-runaway-'));
  afterAll(() => rmSync(project, { recursive: true, force: true }));
  writeFileSync(join(project, 'package.json'), '{"type":"module"}');

  test('a suite that loops at import ends at the import limit (it hung past it: the limit\'s timer never fired)', () => {
    writeFileSync(join(project, 'loop.ts'), 'while (true) {}\nexport default 1;\n');
    const r = cli(96, ['list', '--load', join(project, 'loop.ts')], { PROTOKIT_LOAD_TIMEOUT_MS: '2000' });
    expect([r.code, r.signal]).toEqual([2, null]);
    expect(oneLine(r.stderr)).toBe(`protokit: --load ${join(project, 'loop.ts')}: still importing after 2 s (a loop, or a top-level await that never settles?); on a slow machine, allow longer with PROTOKIT_LOAD_TIMEOUT_MS=60000`);
  }, HANG_MS);

  test('a suite that allocates without end at import: one line, not a V8 abort (exit 134 before)', () => {
    writeFileSync(join(project, 'alloc.ts'), 'const keep: number[][] = [];\nfor (;;) keep.push(new Array(100_000).fill(1));\nexport default keep;\n');
    const r = cli(96, ['list', '--load', join(project, 'alloc.ts')]);
    expect([r.code, r.signal]).toEqual([2, null]);
    expect(oneLine(r.stderr)).toMatch(new RegExp(`^protokit: --load ${join(project, 'alloc.ts')}: ran out of memory while importing \\(past the heap limit of \\d+ MB\\)$`));
  }, HANG_MS);
});

describe('--max-memory with a liveness property (issue 23.8)', () => {
  test('the frontier spills and the search completes, liveness decided (it stopped, "memory", before)', async () => {
    const r = await run('explore', 'two-phase-commit', '--config', 'preset=tla', '--config', 'rms=4', '--max-memory', '1', '--json');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { complete: boolean; stoppedBy: string | null; distinctStates: number; spilledWorlds: number; liveness: { checked: boolean } };
    expect([result.complete, result.stoppedBy, result.liveness.checked, result.distinctStates]).toEqual([true, null, true, 1568]);
    expect(result.spilledWorlds).toBeGreaterThan(0);
  }, HANG_MS);
});
