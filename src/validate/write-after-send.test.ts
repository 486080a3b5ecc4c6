/**
 * A planted runtime bug the model does not have: a step's persisted fields written AFTER its
 * messages leave. A crash in between loses the write although the messages were received: a Raft
 * server that granted its vote forgets it. Validation of the recorded run must catch it (exit 3,
 * the recover line, the persisted field) while the same run with the runtime's own order
 * (write-ahead) validates.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import raft from '../../models/raft/index.js';
import { run } from '../cli/run-in-process.js';
import { fileRecorder, inProcessNetwork, memoryStorage, startNode, type NodeOptions, type RunningNode, type Transport } from '../runtime/index.js';
import type { UnsafeTestOptions } from '../runtime/node.js';

const settle = () => new Promise((resolve) => setImmediate(resolve));
async function quiet(nodes: readonly RunningNode[]): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await Promise.all(nodes.map((n) => n.idle()));
    await settle();
  }
}

/** A node that dies right after the first message it sends once `arm()` is called: "a crash at the wrong moment". */
export interface CrashingNode {
  readonly node: RunningNode;
  arm(): void;
}

/**
 * Starts a node with the runtime's test-only `unsafeWriteAfterSend` (when `writeAfterSend`: record,
 * send, then save), else in the runtime's own write-ahead order; armed, it is killed just after its
 * next send, so a save still to come is lost.
 */
export async function startWithWriteOrder(options: NodeOptions, writeAfterSend: boolean): Promise<CrashingNode> {
  let armed = false;
  let node: RunningNode | null = null;
  const transport: Transport = {
    listen: (self, receive) => options.transport.listen(self, receive),
    close: () => options.transport.close(),
    send(frame) {
      options.transport.send(frame);
      if (!armed) return;
      armed = false;
      node!.kill();
    },
  };
  const unsafe: NodeOptions & UnsafeTestOptions = { ...options, transport, unsafeWriteAfterSend: writeAfterSend };
  node = await startNode(unsafe);
  return { node, arm: () => void (armed = true) };
}

/** Raft, three servers: n1 asks for votes; n2 grants its vote and crashes right after its answer leaves; n2 restarts from its storage. */
async function voteThenCrash(dir: string, writeAfterSend: boolean): Promise<string[]> {
  const net = inProcessNetwork();
  const config = { nodes: 3, maxTerm: 20, maxLog: 20 };
  const storages = { n1: memoryStorage(), n2: memoryStorage(), n3: memoryStorage() };
  const options = (id: 'n1' | 'n2' | 'n3'): NodeOptions => ({ model: raft, role: 'server', id, config, transport: net.transport(), storage: storages[id], recorder: fileRecorder(dir, { states: false }), log: () => {} });
  const n1 = await startNode(options('n1'));
  const n3 = await startNode(options('n3'));
  const n2 = await startWithWriteOrder(options('n2'), writeAfterSend);
  n2.arm();
  await n1.send({ type: 'Timeout' });
  await quiet([n1, n3]);
  expect(n2.node.view().up).toBe(false);
  const restarted = await startNode(options('n2'));
  expect(restarted.state.context.currentTerm).toBe(writeAfterSend ? 0 : 1);
  await quiet([n1, n3, restarted]);
  await Promise.all([n1.stop(), n3.stop(), restarted.stop()]);
  return readdirSync(dir).filter((f) => f.endsWith('.ndjson')).sort().map((f) => join(dir, f));
}

describe('validate: a runtime that writes after sending', () => {
  test('the write-ahead order, crashed at the same moment: valid (exit 0)', async () => {
    const files = await voteThenCrash(mkdtempSync(join(tmpdir(), 'protokit-was-ok-')), false);
    const r = await run('validate', ...files, '--model', 'raft', '--map', 'examples/raft-kv/validate-map.ts', '--out', mkdtempSync(join(tmpdir(), 'pv-')), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).verdict).toBe('valid');
  });

  test("a vote persisted after it left, lost by the crash: invalid (exit 3) at n2's recover line, on the persisted term", async () => {
    const files = await voteThenCrash(mkdtempSync(join(tmpdir(), 'protokit-was-bug-')), true);
    const r = await run('validate', ...files, '--model', 'raft', '--map', 'examples/raft-kv/validate-map.ts');
    expect(r.code).toBe(3);
    // n2's log: header, start, deliver RequestVote (vote granted, sent), recover.
    expect(r.stdout).toContain(`first unexplained line: ${files[1]}:4 (node n2, its step 3): recover`);
    expect(r.stdout).toContain('persisted.currentTerm: logged 0; the model allows 1 (persisted field currentTerm differs)');
  });
});
