/**
 * A kill between a step's save and its log line. The runtime saves a step's persisted fields,
 * then writes its log line, then sends: a SIGKILL that lands after the save and before the line
 * leaves a restarted node whose storage is one step ahead of its log. Validation searches for
 * that one lost step before the restart line (match.ts, `matchRestart`), so such a run is valid;
 * a log that needs two lost steps, or a step the model forbids, stays invalid with the diagnosis
 * it had before the rule.
 *
 * The kill is deterministic: a storage wrapper kills the node as soon as its armed save is
 * durable, so the runtime's step stops there (`afterStep` throws on a dead node before `commit`).
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import raft from '../../models/raft/index.js';
import { run } from '../cli/run-in-process.js';
import { resolveInstance } from '../engine/instance.js';
import { fileRecorder, inProcessNetwork, memoryStorage, startNode, type NodeOptions, type RunningNode, type Storage } from '../runtime/index.js';
import { loadTrace } from '../trace/file.js';
import { readLogs } from './read-logs.js';
import { validateLogs } from './validate.js';

const settle = () => new Promise((resolve) => setImmediate(resolve));
/** Rounds of idle nodes and empty turns settle an exchange (a count, not a time). */
async function quiet(nodes: readonly RunningNode[]): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await Promise.all(nodes.map((n) => n.idle()));
    await settle();
  }
}

const config = { nodes: 3, maxTerm: 20, maxLog: 20 };
type Id = 'n1' | 'n2' | 'n3';

/** A Raft cluster on one in-process network; `victim` is killed right after its `saves`-th save once armed (its log line never written). */
function cluster(dir: string, victim: Id, saves: number, params: Record<string, number> = config) {
  const net = inProcessNetwork();
  const storages: Record<Id, Storage> = { n1: memoryStorage(), n2: memoryStorage(), n3: memoryStorage() };
  let armed = false;
  let left = saves;
  let victimNode: RunningNode | null = null;
  const killing: Storage = {
    load: () => storages[victim].load(),
    async save(record) {
      await storages[victim].save(record);
      if (!armed || --left > 0) return;
      armed = false;
      victimNode!.kill();
    },
  };
  const options = (id: Id, storage: Storage): NodeOptions => ({ model: raft, role: 'server', id, config: params, transport: net.transport(), storage, recorder: fileRecorder(dir, { states: false }), log: () => {} });
  return {
    /** Starts `id`; the victim's first incarnation saves through the killing wrapper. */
    async start(id: Id, restart = false): Promise<RunningNode> {
      const node = await startNode(options(id, id === victim && !restart ? killing : storages[id]));
      if (id === victim && !restart) victimNode = node;
      return node;
    },
    arm: () => void (armed = true),
    files: () => readdirSync(dir).filter((f) => f.endsWith('.ndjson')).sort().map((f) => join(dir, f)),
  };
}

/** n1 asks for votes; n2 grants its vote, saves it and is killed before its line (and its answer): a lost delivery. n1 is elected by n3's vote; n2 restarts and hears n1's heartbeat. */
async function lostVote(dir: string): Promise<string[]> {
  const c = cluster(dir, 'n2', 1);
  const n1 = await c.start('n1');
  const n2 = await c.start('n2');
  const n3 = await c.start('n3');
  c.arm();
  await n1.send({ type: 'Timeout' });
  await quiet([n1, n3]);
  expect([n1.state.value, n2.view().up]).toEqual(['leader', false]);
  const restarted = await c.start('n2', true);
  expect([restarted.incarnation, restarted.state.context.currentTerm, restarted.state.context.votedFor]).toEqual([2, 1, 'n1']);
  await n1.send({ type: 'Heartbeat' });
  await quiet([n1, n3, restarted]);
  await Promise.all([n1.stop(), n3.stop(), restarted.stop()]);
  return c.files();
}

/** n1 alone times out twice: its first timeout is logged, the second saved (term 2) and killed before its line: a lost environment event. n2 and n3 start after. */
async function lostTimeout(dir: string, params: Record<string, number> = config): Promise<string[]> {
  const c = cluster(dir, 'n1', 2, params);
  const n1 = await c.start('n1');
  c.arm();
  await n1.send({ type: 'Timeout' });
  await n1.send({ type: 'Timeout' }).catch(() => undefined); // killed during it
  expect(n1.view().up).toBe(false);
  const restarted = await c.start('n1', true);
  expect(restarted.state.context.currentTerm).toBe(2);
  const n2 = await c.start('n2');
  const n3 = await c.start('n3');
  await quiet([restarted, n2, n3]);
  await Promise.all([restarted.stop(), n2.stop(), n3.stop()]);
  return c.files();
}

const put = (key: string, id: string) => JSON.stringify({ op: 'put', key, value: id, id });

/** The raft-kv shape: n1 leads and takes a client's put; its next put is saved (in its log) and n1 is killed before the line. n2 takes over; n1 restarts and catches up. */
async function lostClientCommand(dir: string): Promise<string[]> {
  const c = cluster(dir, 'n1', 1);
  const n1 = await c.start('n1');
  const n2 = await c.start('n2');
  const n3 = await c.start('n3');
  await n1.send({ type: 'Timeout' });
  await quiet([n1, n2, n3]);
  await n1.send({ type: 'ClientRequest', command: put('k1', 'c1-1') });
  await n1.send({ type: 'Heartbeat' });
  await quiet([n1, n2, n3]);
  c.arm();
  await n1.send({ type: 'ClientRequest', command: put('k2', 'c1-2') }).catch(() => undefined); // killed during it
  expect(n1.view().up).toBe(false);
  await n2.send({ type: 'Timeout' });
  await quiet([n2, n3]);
  expect(n2.state.value).toBe('leader');
  const restarted = await c.start('n1', true);
  expect((restarted.state.context.log as { command: string }[]).map((e) => e.command)).toEqual([put('k1', 'c1-1'), put('k2', 'c1-2')]);
  for (let k = 0; k < 3; k++) {
    await n2.send({ type: 'Heartbeat' });
    await quiet([restarted, n2, n3]);
  }
  await Promise.all([restarted.stop(), n2.stop(), n3.stop()]);
  return c.files();
}

const lines = (path: string) => readFileSync(path, 'utf8').trimEnd().split('\n');
const outDir = () => mkdtempSync(join(tmpdir(), 'protokit-lost-out-'));

describe('validate: a kill between the save and the log line', () => {
  test('a vote saved but never logged (the runtime killed in the window): valid, the lost delivery found before the crash, the trace replays', async () => {
    const files = await lostVote(mkdtempSync(join(tmpdir(), 'protokit-lost-vote-')));
    // n2's log: header, start, recover (step 2: the lost step took no number), then the heartbeat.
    expect(lines(files[1]!).slice(1).map((l) => [JSON.parse(l).step, JSON.parse(l).event.kind])).toEqual([[1, 'start'], [2, 'recover'], [3, 'deliver']]);
    const r = await run('validate', ...files, '--model', 'raft', '--out', outDir(), '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ verdict: 'valid', violation: null, clocks: true });
    expect(json.linesMatched).toBe(json.linesTotal);
    const actions = loadTrace(json.trace).actions;
    const crash = actions.findIndex((a) => a.type === 'crash');
    expect(actions.slice(crash - 1, crash + 2)).toEqual([
      { type: 'deliver', from: 'n1', to: 'n2', message: { type: 'RequestVote', term: 1, candidateId: 'n1', lastLogIndex: 0, lastLogTerm: 0 } },
      { type: 'crash', node: 'n2' },
      { type: 'restart', node: 'n2' },
    ]);
    expect((await run('replay', json.trace)).code).toBe(0);
    // Breadth-first finds it too.
    const breadth = await run('validate', ...files, '--model', 'raft', '--strategy', 'breadth-first', '--out', outDir(), '--json');
    expect([breadth.code, JSON.parse(breadth.stdout).verdict]).toEqual([0, 'valid']);
  });

  test('a timeout saved but never logged: valid with clocks and without them', async () => {
    const paths = await lostTimeout(mkdtempSync(join(tmpdir(), 'protokit-lost-timeout-')));
    const instance = resolveInstance(raft, { config });
    for (const clocks of [true, false]) {
      const result = validateLogs(instance, readLogs(paths), { clocks });
      expect([clocks, result.verdict, result.linesMatched]).toEqual([clocks, 'valid', result.linesTotal]);
      const crash = result.actions.findIndex((a) => a.type === 'crash');
      expect(result.actions[crash - 1]).toEqual({ type: 'env', node: 'n1', event: { type: 'Timeout' } });
    }
  });

  test("a lost application event of a kind the node's log records (a timeout the model stops offering at maxTerm): valid with --app-events, invalid without", async () => {
    const paths = await lostTimeout(mkdtempSync(join(tmpdir(), 'protokit-lost-app-')), { ...config, maxTerm: 1 });
    const widened = await run('validate', ...paths, '--model', 'raft', '--config', 'maxTerm=1', '--app-events', 'Timeout', '--out', outDir(), '--json');
    expect([widened.code, JSON.parse(widened.stdout).verdict]).toEqual([0, 'valid']);
    const plain = await run('validate', ...paths, '--model', 'raft', '--config', 'maxTerm=1', '--json');
    expect(plain.code).toBe(3);
    expect(JSON.parse(plain.stdout).unexplained).toMatchObject({ node: 'n1', where: `${paths[0]}:4`, event: 'recover', field: 'persisted.currentTerm', logged: '2', allowed: ['1'] });
  });

  test("a client's command saved in the leader's log but never logged (the raft-kv case): valid with the raft-kv map, its payload read from the restarted node's persisted log", async () => {
    const paths = await lostClientCommand(mkdtempSync(join(tmpdir(), 'protokit-lost-command-')));
    const r = await run('validate', ...paths, '--model', 'raft', '--map', 'examples/raft-kv/validate-map.ts', '--out', outDir(), '--json');
    expect(r.stderr).toBe('');
    expect([r.code, JSON.parse(r.stdout).verdict]).toEqual([0, 'valid']);
    const result = validateLogs(resolveInstance(raft, { config }), readLogs(paths), { applicationEvents: ['ClientRequest', 'Timeout'] });
    const crash = result.actions.findIndex((a) => a.type === 'crash');
    expect(result.actions[crash - 1]).toEqual({ type: 'env', node: 'n1', event: { type: 'ClientRequest', command: put('k2', 'c1-2') } });
  });

  test('a restart line holding a persisted list of 30,000 commands: at most 1,000 of its values are tried as payloads, and the verdict is the one without a lost step', async () => {
    const paths = await lostClientCommand(mkdtempSync(join(tmpdir(), 'protokit-lost-huge-')));
    const n1 = lines(paths[0]!);
    const at = n1.findIndex((l) => l.includes('"recover"'));
    const recover = JSON.parse(n1[at]!);
    recover.persisted.log = Array.from({ length: 30_000 }, (_, k) => ({ term: 1, command: `x${k}` }));
    delete recover.fingerprint;
    n1[at] = JSON.stringify(recover);
    writeFileSync(paths[0]!, n1.join('\n') + '\n');
    const result = validateLogs(resolveInstance(raft, { config }), readLogs(paths), { applicationEvents: ['ClientRequest', 'Timeout'] });
    expect(result.verdict).toBe('invalid');
    expect(result.unexplained).toMatchObject({ node: 'n1', where: `${paths[0]}:${at + 1}`, event: 'recover', field: 'persisted.log' });
  });

  test('two steps lost before the restart: still invalid, with the diagnosis it had before lost steps were searched for', async () => {
    const paths = await lostTimeout(mkdtempSync(join(tmpdir(), 'protokit-lost-two-')));
    // Cut n1's logged first timeout too: its recover (term 2) now needs two unlogged steps.
    const n1 = lines(paths[0]!);
    expect(JSON.parse(n1[2]!).event).toEqual({ kind: 'env', event: { type: 'Timeout' } });
    writeFileSync(paths[0]!, [n1[0], n1[1], ...n1.slice(3)].join('\n') + '\n');
    const result = validateLogs(resolveInstance(raft, { config }), readLogs(paths), { clocks: false });
    expect(result.verdict).toBe('invalid');
    expect(result.unexplained).toMatchObject({ node: 'n1', where: `${paths[0]}:3`, step: 2, event: 'recover', field: 'persisted.currentTerm', logged: '2', allowed: ['0'], reason: 'persisted field currentTerm differs' });
  });
});
