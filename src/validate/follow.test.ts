/**
 * Online validation: a log appended to by the test, read between appends (no clock: each batch
 * is read when the test says), and `validate --follow` on the command line.
 */
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import model from '../../models/two-phase-commit/index.js';
import { run } from '../cli/run-in-process.js';
import { resolveInstance } from '../engine/instance.js';
import { LogTail, OnlineValidator } from './follow.js';
import { ndjson, randomRun, recordRun } from './record.js';

const faults = { network: 'unordered', loss: 2, duplicate: 2, crash: 2, partition: 0 } as const;
const instance = resolveInstance(model, { faults });

/** One merged file: the runs' steps in the order they happened (each with its node), so a prefix is a run so far. */
function mergedRun(seed: number, length: number, options: { environment?: boolean } = {}): object[] {
  const actions = randomRun(instance, seed, length);
  const perNode = recordRun(instance, actions, { clocks: true, ...options });
  const lines: object[] = [];
  // Interleave by vector clocks' sum: a line comes after every line it happened after.
  for (const [node, list] of perNode) for (const l of list.slice(1) as { vc: Record<string, number> }[]) lines.push({ node, ...l });
  return lines.sort((a, b) => sum((a as any).vc) - sum((b as any).vc));
}
const sum = (vc: Record<string, number>) => Object.values(vc).reduce((x, y) => x + y, 0);

describe('validate --follow: the set of possible states, batch by batch', () => {
  test('a log appended to in batches (a line split across two appends): each batch explained as it is read', () => {
    const lines = mergedRun(3, 40).map((l) => JSON.stringify(l));
    const path = join(mkdtempSync(join(tmpdir(), 'protokit-follow-')), 'run.ndjson');
    writeFileSync(path, '');
    const tail = new LogTail(path, { map: (line) => line as never });
    const online = new OnlineValidator(instance, { maxStates: 10_000, logsEnvironment: true });
    const cut = Math.floor(lines.length / 3);
    appendFileSync(path, lines.slice(0, cut).join('\n') + '\n' + lines[cut]!.slice(0, 10));
    expect(online.add(tail.poll())).toEqual({ kind: 'explained', possible: 1 });
    expect(online.linesRead).toBe(cut);
    appendFileSync(path, lines[cut]!.slice(10) + '\n' + lines.slice(cut + 1).join('\n') + '\n');
    expect(online.add(tail.poll())).toEqual({ kind: 'explained', possible: 1 });
    expect([online.linesRead, online.explained]).toEqual([lines.length, lines.length]);
    expect(online.end()).toEqual({ kind: 'explained', possible: 1 });
  });

  test("a receipt read before its send (one node's log lags): the batch waits, then is explained when the send is read", () => {
    const dir = mkdtempSync(join(tmpdir(), 'protokit-follow-'));
    const perNode = recordRun(instance, randomRun(instance, 3, 40), { clocks: true });
    const tails = [...perNode.keys()].map((node) => new LogTail(join(dir, `${node}.ndjson`)));
    for (const [node, lines] of perNode) writeFileSync(join(dir, `${node}.ndjson`), ndjson(node === 'tm' ? lines.slice(0, 1) : lines));
    const online = new OnlineValidator(instance, { maxStates: 10_000, logsEnvironment: true });
    const read = tails.flatMap((t) => t.poll());
    online.expect(tails.map((t) => t.header!.node!));
    const first = online.add(read);
    expect(first).toMatchObject({ kind: 'waiting', possible: 1 });
    expect(online.explained).toBe(0);
    appendFileSync(join(dir, 'tm.ndjson'), ndjson(perNode.get('tm')!.slice(1)));
    expect(online.add(tails.flatMap((t) => t.poll()))).toEqual({ kind: 'explained', possible: 1 });
    expect(online.explained).toBe(online.linesRead);
  });

  test('messages-only logs: several possible states carried between batches', () => {
    const lines = mergedRun(2, 30, { environment: false }).map((l) => JSON.stringify(l));
    const path = join(mkdtempSync(join(tmpdir(), 'protokit-follow-')), 'run.ndjson');
    writeFileSync(path, '');
    const tail = new LogTail(path, { map: (line) => line as never });
    const online = new OnlineValidator(instance, { maxStates: 10_000, logsEnvironment: false });
    const kinds: string[] = [];
    let most = 0;
    for (let k = 0; k < lines.length; k += 4) {
      appendFileSync(path, lines.slice(k, k + 4).join('\n') + '\n');
      const status = online.add(tail.poll());
      kinds.push(status.kind);
      if (status.kind === 'explained') most = Math.max(most, status.possible);
    }
    expect(kinds.every((k) => k === 'explained')).toBe(true);
    expect(most).toBeGreaterThan(1);
    expect(online.end().kind).toBe('explained');
  });

  test('a line no state explains is reported when its batch is read; a cap on the set is named', () => {
    const lines = mergedRun(1, 40) as any[];
    const k = lines.findIndex((l) => l.node === 'rm1' && l.event.kind === 'deliver');
    lines[k] = { ...lines[k], fingerprint: undefined, state: { context: { status: 'committed' } } };
    const path = join(mkdtempSync(join(tmpdir(), 'protokit-follow-')), 'run.ndjson');
    writeFileSync(path, '');
    const tail = new LogTail(path, { map: (line) => line as never });
    const online = new OnlineValidator(instance, { maxStates: 10_000, logsEnvironment: true });
    appendFileSync(path, ndjson(lines.slice(0, k)));
    expect(online.add(tail.poll()).kind).toBe('explained');
    appendFileSync(path, ndjson(lines.slice(k, k + 1)));
    const status = online.add(tail.poll());
    expect(status).toMatchObject({ kind: 'invalid', unexplained: { node: 'rm1', where: `${path}:${k + 1}`, field: 'state.context.status', logged: '"committed"', allowed: ['"aborted"'] } });

    const capped = new OnlineValidator(instance, { maxStates: 3, logsEnvironment: false });
    const quiet = new LogTail(path, { map: (line) => line as never });
    expect(capped.add(quiet.poll())).toEqual({ kind: 'unknown', stoppedBy: 'states' });
  });
});

describe('protokit validate --follow', () => {
  function logs(lines: readonly object[]): string {
    const path = join(mkdtempSync(join(tmpdir(), 'protokit-follow-cli-')), 'run.ndjson');
    writeFileSync(path, ndjson([{ format: 'protokit-log/1', model: 'two-phase-commit', config: { rms: 3 }, mutant: null, node: null, role: null, kit: '0.1.0' }, ...lines]));
    return path;
  }

  test('logs that end: valid once they have been quiet for --idle-timeout (exit 0)', async () => {
    const path = logs(mergedRun(3, 40));
    const r = await run('validate', path, '--model', 'two-phase-commit', '--faults', 'loss=2,duplicate=2,crash=2', '--follow', '--idle-timeout', '0.2', '--json');
    expect([r.code, r.stderr]).toEqual([0, '']);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ verdict: 'valid', follow: true, possibleStates: 1, trace: null });
    expect(json.linesMatched).toBe(json.linesTotal);
  });

  test('an unexplained line is reported as it is read, without waiting for the logs to end (exit 3)', async () => {
    const lines = mergedRun(1, 40) as any[];
    const k = lines.findIndex((l) => l.node === 'rm1' && l.event.kind === 'deliver');
    lines[k] = { ...lines[k], fingerprint: undefined, state: { context: { status: 'committed' } } };
    // A ten-minute idle timeout: the verdict must come from the line, not from the end of the logs.
    const r = await run('validate', logs(lines), '--model', 'two-phase-commit', '--faults', 'loss=2,duplicate=2,crash=2', '--follow', '--idle-timeout', '600');
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^following 1 log of two-phase-commit \(rms=3 .*\): at most 1,000,000 possible states/);
    expect(r.stdout).toContain(`state.context.status: logged "committed"; the model allows "aborted"`);
  }, 300_000);

  test('bad usage: an unknown application event, a depth-first --follow', async () => {
    const path = logs(mergedRun(3, 10));
    const a = await run('validate', path, '--model', 'two-phase-commit', '--follow', '--app-events', 'Nope');
    expect([a.code, a.stderr.trim()]).toEqual([2, expect.stringMatching(/^protokit: --app-events: 'Nope' is not an environment event of two-phase-commit \(its environment events: .*Timeout/)]);
    const b = await run('validate', path, '--model', 'two-phase-commit', '--follow', '--strategy', 'depth-first');
    expect(b.code).toBe(2);
  });

  test('Ctrl-C: the verdict so far, exit 130', async () => {
    const path = logs(mergedRun(3, 40));
    // As hostile.test.ts does: other SIGINT listeners set aside, one SIGINT emitted once the command
    // has installed its handler; the idle timeout is ten minutes, so only the signal ends it.
    const others = process.listeners('SIGINT');
    process.removeAllListeners('SIGINT');
    let sent = false;
    const timer = setInterval(() => {
      if (!sent && process.listenerCount('SIGINT') > 0) {
        sent = true;
        process.emit('SIGINT');
      }
    }, 300);
    try {
      const r = await run('validate', path, '--model', 'two-phase-commit', '--faults', 'loss=2,duplicate=2,crash=2', '--follow', '--idle-timeout', '600');
      expect([r.code, r.stderr]).toEqual([130, '']);
      expect(r.stdout).toMatch(/\ninterrupted: \d+ lines read, \d+ explained, none contradicts the model so far; \d+ possible states?, /);
      // The command it offers validates the same logs with the same fault bounds (without them it would search another model).
      expect(r.stdout).toContain(`its properties on it: npx protokit validate ${path} --model two-phase-commit --faults loss=2,duplicate=2,crash=2\n`.replace('its properties', "the model's properties"));
    } finally {
      clearInterval(timer);
      for (const l of others) process.on('SIGINT', l);
    }
  }, 300_000);
});
