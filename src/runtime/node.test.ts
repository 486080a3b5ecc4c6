/**
 * The runtime against the model's semantics: write-ahead persistence and restart, malformed
 * frames, timer-driven environment events. In-process network, memory storage and a manual
 * clock, so every verdict is a count, never a speed.
 */
import { describe, expect, test } from 'vitest';
import raft from '../../models/raft/index.js';
import twoPhaseCommit from '../../models/two-phase-commit/index.js';
import { nodeStateFingerprint } from '../engine/fingerprint.js';
import { manualClock } from './clock.js';
import { inProcessNetwork } from './in-process.js';
import { startNode, type NodeOptions, type RunningNode, type UnsafeTestOptions } from './node.js';
import { memoryRecorder } from './recorder.js';
import { memoryStorage, type Storage, type StoredNode } from './storage.js';
import type { Frame, Transport } from './transport.js';

const settle = () => new Promise((resolve) => setImmediate(resolve));
async function quiet(nodes: readonly RunningNode[]): Promise<void> {
  // Frames travel on setImmediate: a few rounds of idle nodes and empty turns settle a small exchange.
  for (let i = 0; i < 20; i++) {
    await Promise.all(nodes.map((n) => n.idle()));
    await settle();
  }
}

/** A storage and a transport that write down, in one list, every save and every send. */
function journaled(storage: Storage, transport: Transport, journal: string[]): { storage: Storage; transport: Transport } {
  return {
    storage: { load: () => storage.load(), save: async (r: StoredNode) => { await storage.save(r); journal.push(`save ${JSON.stringify(r.persisted)}`); } },
    transport: { ...transport, listen: transport.listen.bind(transport), close: transport.close.bind(transport), send: (f: Frame) => { journal.push(`send ${f.id} ${(f.message as { type: string }).type}`); transport.send(f); } },
  };
}

describe('persistence, as the model assumes it', () => {
  test("a step's persisted fields are durable before its messages leave; a restart is the model's restart (RECOVER)", async () => {
    const net = inProcessNetwork();
    const journal: string[] = [];
    const rmStorage = memoryStorage();
    const quietLog = () => {};
    const tm = await startNode({ model: twoPhaseCommit, role: 'tm', id: 'tm', transport: net.transport(), storage: memoryStorage(), log: quietLog });
    const wired = journaled(rmStorage, net.transport(), journal);
    const recorder = memoryRecorder();
    let rm = await startNode({ model: twoPhaseCommit, role: 'rm', id: 'rm1', ...wired, recorder, log: quietLog });
    const prepared = await rm.send({ type: 'Prepare' });
    expect(prepared.changed).toBe(true);
    expect(journal).toEqual(['save {"status":"working"}', 'save {"status":"prepared"}', 'send rm1:1:1 Prepared']);
    await quiet([tm, rm]);
    expect(tm.state.context.prepared).toEqual(['rm1']);

    // A crash in the middle of the next persisting step: its save lands, its messages never leave.
    rm.kill();
    expect((await rm.send({ type: 'Prepare' }).catch((e: Error) => e.message))).toBe('node rm1 is stopped');
    journal.length = 0;
    rm = await startNode({ model: twoPhaseCommit, role: 'rm', id: 'rm1', ...journaled(rmStorage, net.transport(), journal), recorder, log: quietLog });
    // Restarted from its persisted status, it resumes as RECOVER says: prepared, and it asks again.
    expect(rm.state.value).toBe('prepared');
    expect(rm.incarnation).toBe(2);
    expect(journal).toEqual(['save {"status":"prepared"}', 'send rm1:2:1 Prepared']);
    expect(recorder.steps.map((s) => [s.step, s.event.kind, s.sends.map((x) => x.id)])).toEqual([
      [1, 'start', []],
      [2, 'env', ['rm1:1:1']],
      [3, 'recover', ['rm1:2:1']],
    ]);
    expect(recorder.steps[2]!.fingerprint).toBe(nodeStateFingerprint(rm.state));
    expect(recorder.steps[2]!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    await quiet([tm, rm]);
    await tm.stop();
    await rm.stop();
  });

  test('a node killed while its step is being saved sends nothing of that step', async () => {
    const net = inProcessNetwork();
    const inner = memoryStorage();
    let node: RunningNode | null = null;
    let killOnSave = false;
    const storage: Storage = {
      load: () => inner.load(),
      async save(r) {
        await inner.save(r);
        if (killOnSave) node!.kill();
      },
    };
    node = await startNode({ model: twoPhaseCommit, role: 'rm', id: 'rm2', transport: net.transport(), storage, log: () => {} });
    const sentBefore = net.stats.sent;
    killOnSave = true;
    await expect(node.send({ type: 'Prepare' })).rejects.toThrow('stopped during the step');
    expect(net.stats.sent).toBe(sentBefore);
    expect(inner.record!.persisted).toEqual({ status: 'prepared' });
  });

  test('the planted bug (unsafeWriteAfterSend, test only): messages leave before the save, and a crash between them loses what the peer was told', async () => {
    const net = inProcessNetwork();
    const journal: string[] = [];
    const rmStorage = memoryStorage();
    const lines: string[] = [];
    const tm = await startNode({ model: twoPhaseCommit, role: 'tm', id: 'tm', transport: net.transport(), storage: memoryStorage(), log: () => {} });
    let crash = false;
    let rm: RunningNode | null = null;
    const unsafe: NodeOptions & UnsafeTestOptions = {
      model: twoPhaseCommit,
      role: 'rm',
      id: 'rm1',
      ...journaled(rmStorage, net.transport(), journal),
      log: (l) => lines.push(l),
      unsafeWriteAfterSend: true,
      unsafeBeforeWrite: () => {
        if (crash) rm!.kill();
      },
    };
    rm = await startNode(unsafe);
    expect(lines).toEqual(["rm1: UNSAFE (test only): persisted fields are saved after the step's messages leave"]);
    // The start's save is write-ahead still (it comes before any message); the step's is not.
    await rm.send({ type: 'Prepare' });
    expect(journal).toEqual(['save {"status":"working"}', 'send rm1:1:1 Prepared', 'save {"status":"prepared"}']);
    await quiet([tm, rm]);
    await rm.stop();

    // A fresh RM, crashed after its Prepared left and before its save: the TM holds its yes vote,
    // and the restarted RM recovers from 'working', so its RECOVER aborts — after it voted yes,
    // which write-ahead forbids.
    journal.length = 0;
    const rm2Storage = memoryStorage();
    crash = true;
    rm = await startNode({ ...unsafe, id: 'rm2', ...journaled(rm2Storage, net.transport(), journal) });
    await expect(rm.send({ type: 'Prepare' })).rejects.toThrow('stopped during the step');
    expect(journal).toEqual(['save {"status":"working"}', 'send rm2:1:1 Prepared']);
    await quiet([tm]);
    expect(tm.state.context.prepared).toEqual(['rm1', 'rm2']);
    const restarted = await startNode({ model: twoPhaseCommit, role: 'rm', id: 'rm2', transport: net.transport(), storage: rm2Storage, log: () => {} });
    expect(restarted.state.value).toBe('aborted');
    await quiet([tm, restarted]);
    await Promise.all([tm.stop(), restarted.stop()]);
  });

  test('storage of another node is refused', async () => {
    const storage = memoryStorage();
    await storage.save({ format: 'protokit-node/1', model: 'raft', node: 'n2', incarnation: 1, persisted: {} });
    await expect(startNode({ model: raft, role: 'server', id: 'n1', transport: inProcessNetwork().transport(), storage })).rejects.toThrow("storage holds node 'n2' of model raft, not 'n1' of raft");
  });
});

describe('what arrives off the wire', () => {
  test('malformed and unknown messages are dropped and logged, the node goes on', async () => {
    const net = inProcessNetwork();
    const lines: string[] = [];
    const recorder = memoryRecorder();
    const n1 = await startNode({ model: raft, role: 'server', id: 'n1', transport: net.transport(), storage: memoryStorage(), recorder, log: (l) => lines.push(l) });
    const frame = (message: unknown, extra: object = {}) => JSON.stringify({ id: 'n2:1:1', from: 'n2', to: 'n1', message, ...extra });
    const appendEntries = { type: 'AppendEntries', term: 1, leaderId: 'n2', prevLogIndex: 0, prevLogTerm: 0, entries: [], leaderCommit: 0 };
    net.inject('n1', '{not json');
    net.inject('n1', '[1,2]');
    net.inject('n1', frame({ type: 'Timeout' }));
    net.inject('n1', frame({ type: 'RECOVER' }));
    net.inject('n1', frame({ type: 'Nope\u001b[31m' }));
    net.inject('n1', frame({ term: 1 }));
    net.inject('n1', JSON.stringify({ id: 'x:1:1', from: 'n9', to: 'n1', message: appendEntries }));
    net.inject('n1', frame(appendEntries, { to: 'n3' }));
    net.inject('n1', frame({ ...appendEntries, from: 'n3' }));
    net.inject('n1', frame({ ...appendEntries, entries: 7 }));
    net.inject('n1', frame(appendEntries, { vc: { n2: -1 } }));
    net.inject('n1', '{"id":"n2:1:1","from":"n2","to":"n1","message":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}');
    // And one good message: a heartbeat of term 1 from n2, which n1 takes and answers.
    net.inject('n1', frame(appendEntries));
    await quiet([n1]);
    expect(n1.stats.dropped).toBe(12);
    expect(lines).toHaveLength(12);
    expect(lines.join('\n')).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(lines[2]).toBe('n1: dropped message n2:1:1 from n2: unknown message type');
    expect(lines[9]).toMatch(/^n1: dropped message n2:1:1 from n2: the machine threw: /);
    expect(n1.state.context.currentTerm).toBe(1);
    expect(recorder.steps.map((s) => s.event.kind)).toEqual(['start', 'deliver']);
    expect(recorder.steps[1]!.sends).toEqual([{ id: 'n1:1:1', to: 'n2', message: { type: 'AppendEntriesResponse', term: 1, success: true, matchIndex: 0 } }]);
    expect(recorder.steps[1]!.persisted).toEqual({ currentTerm: 1, votedFor: null, log: [] });
    await n1.stop();
  });

  test("a field check (the role's message schema) drops what the structural check lets through", async () => {
    const net = inProcessNetwork();
    const lines: string[] = [];
    const checkMessage = (m: { type: string } & Record<string, unknown>) => (typeof m.term === 'number' && m.term <= 1000 ? null : 'term out of range');
    const n1 = await startNode({ model: raft, role: 'server', id: 'n1', transport: net.transport(), storage: memoryStorage(), checkMessage, log: (l) => lines.push(l) });
    net.inject('n1', JSON.stringify({ id: 'n2:1:1', from: 'n2', to: 'n1', message: { type: 'RequestVote', term: 1e300, candidateId: 'n2', lastLogIndex: 0, lastLogTerm: 0 } }));
    await quiet([n1]);
    expect(lines).toEqual(['n1: dropped message n2:1:1 from n2: term out of range']);
    expect(n1.state.context.currentTerm).toBe(0);
    await n1.stop();
  });
});

describe('environment events from timers and from the application', () => {
  test("three Raft servers elect one leader on timers alone; a leader's environment has no Timeout, so none fires there", async () => {
    const clock = manualClock(7);
    const net = inProcessNetwork();
    const timers = [
      { event: 'Timeout', minMs: 150, maxMs: 300, resetOn: ['AppendEntries'] },
      { event: 'Heartbeat', minMs: 50, maxMs: 50 },
    ];
    const recorders = ['n1', 'n2', 'n3'].map(() => memoryRecorder());
    const nodes = await Promise.all(
      ['n1', 'n2', 'n3'].map((id, i) => startNode({ model: raft, role: 'server', id, transport: net.transport(), storage: memoryStorage(), clock, timers, recorder: recorders[i], log: () => {} })),
    );
    const elected: unknown[] = [];
    for (const n of nodes) n.onObservation((o) => o.type === 'LeaderElected' && elected.push(o));
    for (let t = 0; t < 2000; t += 10) {
      clock.advance(10);
      await quiet(nodes);
    }
    expect(elected).toHaveLength(1);
    const leader = nodes.find((n) => n.state.value === 'leader')!;
    expect(leader.state.context.currentTerm).toBe(1);
    // Heartbeats kept the followers from timing out: one election only, every Timeout step before it.
    const timeouts = recorders.flatMap((r) => r.steps.filter((s) => s.event.kind === 'env' && s.event.event.type === 'Timeout'));
    expect(timeouts).toHaveLength(1);
    const leaderSteps = recorders[nodes.indexOf(leader)]!.steps;
    expect(leaderSteps.filter((s) => s.event.kind === 'env' && s.event.event.type === 'Heartbeat').length).toBeGreaterThan(20);

    // A client request through the application API: committed and applied on every server.
    const applied: string[] = [];
    for (const n of nodes) n.onObservation((o) => o.type === 'EntryApplied' && applied.push(`${o.node}:${o.command}`));
    const taken = await leader.send({ type: 'ClientRequest', command: 'x=1' });
    expect(taken.changed).toBe(true);
    const follower = nodes.find((n) => n !== leader)!;
    expect((await follower.send({ type: 'ClientRequest', command: 'y=2' })).changed).toBe(false);
    for (let t = 0; t < 200; t += 10) {
      clock.advance(10);
      await quiet(nodes);
    }
    expect(applied.sort()).toEqual(['n1:x=1', 'n2:x=1', 'n3:x=1']);
    await Promise.all(nodes.map((n) => n.stop()));
    expect(clock.pending()).toBe(0);
  });
});
