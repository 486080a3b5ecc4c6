/**
 * The runtime's recorded runs validate: clusters of the checked machines run by `startNode` over
 * the in-process network, with file recorders (the format the example services write), a node
 * killed mid-run and restarted from its storage, then `protokit validate` on their logs.
 * Environment events come from the application (`send`), so every run is the same run.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import raft from '../../models/raft/index.js';
import twoPhaseCommit from '../../models/two-phase-commit/index.js';
import { run } from '../cli/run-in-process.js';
import { fileRecorder, inProcessNetwork, memoryStorage, startNode, type RunningNode, type Storage } from '../runtime/index.js';
import type { Model } from '../engine/model.js';

const settle = () => new Promise((resolve) => setImmediate(resolve));
/** Frames travel on setImmediate: rounds of idle nodes and empty turns settle an exchange (a count, not a time). */
async function quiet(nodes: readonly RunningNode[]): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await Promise.all(nodes.map((n) => n.idle()));
    await settle();
  }
}

/** A cluster of one model on one in-process network, each node with its own storage and file recorder in `dir`. */
function cluster(model: Model, roles: Record<string, string>, dir: string, config: Record<string, number> = {}) {
  const net = inProcessNetwork();
  const storage = new Map<string, Storage>(Object.keys(roles).map((id) => [id, memoryStorage()]));
  const nodes = new Map<string, RunningNode>();
  const start = async (id: string) => {
    const node = await startNode({ model, role: roles[id]!, id, config, transport: net.transport(), storage: storage.get(id)!, recorder: fileRecorder(dir, { states: false }), log: () => {} });
    nodes.set(id, node);
    return node;
  };
  return {
    nodes,
    start,
    node: (id: string) => nodes.get(id)!,
    quiet: () => quiet([...nodes.values()]),
    files: () => readdirSync(dir).filter((f) => f.endsWith('.ndjson')).sort().map((f) => join(dir, f)),
    stop: () => Promise.all([...nodes.values()].map((n) => n.stop())),
  };
}

const kv = (op: string, key: string, id: string, value?: string) => JSON.stringify({ op, key, ...(value === undefined ? {} : { value }), id });

/** A Raft KV run: n1 elected, two puts, n1 SIGKILLed (the leader), n2 elected, a put and a get, n1 restarted and caught up. */
export async function raftKvRun(dir: string): Promise<string[]> {
  const c = cluster(raft, { n1: 'server', n2: 'server', n3: 'server' }, dir, { nodes: 3, maxTerm: 20, maxLog: 20 });
  for (const id of ['n1', 'n2', 'n3']) await c.start(id);
  await c.node('n1').send({ type: 'Timeout' });
  await c.quiet();
  expect(c.node('n1').state.value).toBe('leader');
  for (const [k, v] of [['k1', 'a'], ['k2', 'b']] as const) {
    expect((await c.node('n1').send({ type: 'ClientRequest', command: kv('put', k, `c1-${k}`, v) })).changed).toBe(true);
    await c.node('n1').send({ type: 'Heartbeat' });
    await c.quiet();
  }
  c.node('n1').kill();
  await c.node('n2').send({ type: 'Timeout' });
  await c.quiet();
  expect(c.node('n2').state.value).toBe('leader');
  await c.node('n2').send({ type: 'ClientRequest', command: kv('put', 'k1', 'c2-1', 'c') });
  await c.node('n2').send({ type: 'ClientRequest', command: kv('get', 'k2', 'c2-2') });
  await c.node('n2').send({ type: 'Heartbeat' });
  await c.quiet();
  const n1 = await c.start('n1');
  expect(n1.incarnation).toBe(2);
  await c.quiet();
  for (let i = 0; i < 4; i++) {
    await c.node('n2').send({ type: 'Heartbeat' });
    await c.quiet();
  }
  expect((n1.state.context.log as unknown[]).length).toBe(4);
  await c.stop();
  return c.files();
}

/** Two-Phase Commit's blocking run: every RM prepared, the TM killed before deciding, the RMs retry, the TM recovers and commits. */
export async function twoPhaseCommitRun(dir: string): Promise<string[]> {
  const c = cluster(twoPhaseCommit, { tm: 'tm', rm1: 'rm', rm2: 'rm', rm3: 'rm' }, dir, { rms: 3 });
  for (const id of ['tm', 'rm1', 'rm2', 'rm3']) await c.start(id);
  for (const rm of ['rm1', 'rm2', 'rm3']) await c.node(rm).send({ type: 'Prepare' });
  await c.quiet();
  expect(c.node('tm').state.context.prepared).toHaveLength(3);
  c.node('tm').kill();
  for (const rm of ['rm1', 'rm2', 'rm3']) await c.node(rm).send({ type: 'Timeout' });
  await c.quiet();
  await c.start('tm');
  for (const rm of ['rm1', 'rm2', 'rm3']) await c.node(rm).send({ type: 'Timeout' });
  await c.quiet();
  expect((await c.node('tm').send({ type: 'DecideCommit' })).changed).toBe(true);
  await c.quiet();
  expect([...c.nodes.values()].map((n) => n.state.value)).toEqual(['committed', 'committed', 'committed', 'committed']);
  await c.stop();
  return c.files();
}

const lineCount = (files: readonly string[]) => files.reduce((n, f) => n + readFileSync(f, 'utf8').trimEnd().split('\n').length - 1, 0);

describe('validate: recorded runs of the runtime', () => {
  test('a Raft KV run with a SIGKILLed leader and its restart: valid with the raft-kv map (client commands are application events)', async () => {
    const files = await raftKvRun(mkdtempSync(join(tmpdir(), 'protokit-raftkv-')));
    expect(files.map((f) => f.split('/').at(-1))).toEqual(['n1.ndjson', 'n2.ndjson', 'n3.ndjson']);
    const out = mkdtempSync(join(tmpdir(), 'protokit-raftkv-out-'));
    const r = await run('validate', ...files, '--model', 'raft', '--map', 'examples/raft-kv/validate-map.ts', '--out', out, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ verdict: 'valid', violation: null, linesTotal: lineCount(files), linesMatched: lineCount(files), trace: null, clocks: true });
    expect(json.progress.map((p: { node: string }) => p.node)).toEqual(['n1', 'n2', 'n3']);
    // Fully logged: one state per line, the kill found as the unlogged crash before n1's recover.
    expect(json.statesVisited).toBe(json.linesTotal + 1);
    expect(json.traceNotSaved).toMatch(/^not saved: action \d+ \(n1: ClientRequest/);

    // Without the map, the first client command is a payload the model's environment never offers.
    const plain = await run('validate', ...files, '--model', 'raft', '--json');
    expect(plain.code).toBe(3);
    expect(JSON.parse(plain.stdout).unexplained).toMatchObject({ node: 'n1', field: 'event', reason: 'the model does not offer ClientRequest to n1 here' });
  });

  test('the Two-Phase Commit blocking run (TM killed between the phases, recovered): valid, saved as a trace that replays', async () => {
    const files = await twoPhaseCommitRun(mkdtempSync(join(tmpdir(), 'protokit-2pc-')));
    const out = mkdtempSync(join(tmpdir(), 'protokit-2pc-out-'));
    const r = await run('validate', ...files, '--model', 'two-phase-commit', '--out', out, '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ verdict: 'valid', violation: null, linesMatched: lineCount(files) });
    const replayed = await run('replay', json.trace, '--json');
    expect(replayed.code).toBe(0);
  });
});
