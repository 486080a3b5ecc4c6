/**
 * The runtime (`protokit/runtime`): what running the checked machines as services costs.
 * 1. Per step, in one process: xstate's `transition()` on the Raft server machine, and the kit's
 *    own step that the runtime calls (the same transition with one reused actor scope), against
 *    the same step through `startNode` (queue, persisted-field comparison, sends on an in-process
 *    network) with no recorder, with the recorder (fingerprint, states in the line or not), and
 *    a persisting step (a client request appends to the log) with storage in memory and in a file
 *    (fsync before the step's messages leave). CPU time per step, medians of 5.
 * 2. A follower's persisting step at log length 200 and 2,000: CPU time and bytes written per
 *    step, with the file storage (checkpoint and journal), the whole-record file it replaced, and
 *    storage that keeps nothing.
 * 3. The raft-kv example (three processes on loopback, file storage), over TCP and over NATS: ok
 *    operations per second and latency p50/p99 with the load average beside them, recorder on
 *    and off, no faults; then the same load with kills and connection drops, and what each fault
 *    did, observed.
 * Every figure here depends on the machine's load, printed with the section.
 */
import { closeSync, existsSync, fsyncSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { transition, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import raft from '../../models/raft/index.js';
import { runScenario, type ScenarioResult } from '../../examples/raft-kv/scenario.js';
import { fileRecorder, fileStorage, inProcessNetwork, memoryStorage, startNode, type Recorder, type RunningNode, type Storage, type StoredNode } from '../../src/runtime/index.js';
import { NodeStepper } from '../../src/engine/node-step.js';
import { median, table } from '../measure.js';

const STEPS = 2000;
const REPEATS = 5;

/** A Raft server made leader of term 1 on an in-process network where its peers never answer. */
async function leader(storage: Storage, recorder: Recorder | null): Promise<RunningNode> {
  const net = inProcessNetwork();
  const node = await startNode({ model: raft, role: 'server', id: 'n1', transport: net.transport(), storage, recorder, log: () => {} });
  await node.send({ type: 'Timeout' });
  net.inject('n1', JSON.stringify({ id: 'n2:1:1', from: 'n2', to: 'n1', message: { type: 'RequestVoteResponse', term: 1, voteGranted: true } }));
  for (let i = 0; i < 10 && node.state.value !== 'leader'; i++) await new Promise((resolve) => setImmediate(resolve));
  if (node.state.value !== 'leader') throw new Error('bench: n1 did not become leader');
  return node;
}

async function cpuPerStep(steps: number, body: () => Promise<void> | void): Promise<number> {
  const runs: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const cpu = process.cpuUsage();
    await body();
    const used = process.cpuUsage(cpu);
    runs.push((used.user + used.system) / steps);
  }
  return median(runs);
}

/** Keeps the last record in memory, copying nothing: the node's own cost of a persisting step. */
function keepsNothing(): Storage {
  let last: StoredNode | null = null;
  return { load: async () => last, save: async (r) => void (last = r) };
}

/** The file storage before the journal: the whole record per save (temporary file, fsync, rename, fsync of the directory). */
function wholeRecordStorage(path: string): Storage {
  let saves = 0;
  return {
    load: async () => (existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as StoredNode) : null),
    async save(record) {
      const temporary = `${path}.${++saves}.tmp`;
      const file = await open(temporary, 'w');
      try {
        await file.writeFile(JSON.stringify(record));
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temporary, path);
      const d = openSync(dirname(path), 'r');
      fsyncSync(d);
      closeSync(d);
    },
  };
}

/** Bytes this process has written through system calls so far (Linux's /proc/self/io), or null elsewhere. */
function bytesWritten(): number | null {
  try {
    const m = /^wchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'));
    return m === null ? null : Number(m[1]);
  } catch {
    return null;
  }
}

/**
 * A follower's persisting step at a given log length: n1's storage starts with `logLength` entries
 * of term 1, and `steps` AppendEntries from the leader n2 each append one entry (the step saves,
 * then replies). CPU time and bytes written per step, no recorder.
 */
export async function persistingStepCost(storage: Storage, logLength: number, steps: number): Promise<{ cpuUs: number; bytes: number | null }> {
  const entry = (i: number) => ({ term: 1, command: `{"op":"put","key":"k${i % 5}","value":"v${i}"}` });
  const log = Array.from({ length: logLength }, (_, i) => entry(i));
  await storage.save({ format: 'protokit-node/1', model: 'raft', node: 'n1', incarnation: 1, persisted: { currentTerm: 1, votedFor: 'n2', log } });
  const net = inProcessNetwork();
  const node = await startNode({ model: raft, role: 'server', id: 'n1', transport: net.transport(), storage, log: () => {} });
  if ((node.state.context.log as unknown[]).length !== logLength) throw new Error('bench: the stored log did not load');
  const done = node.stats.steps + steps;
  const cpu = process.cpuUsage();
  const written = bytesWritten();
  for (let k = 0; k < steps; k++) {
    const index = logLength + k;
    const message = { type: 'AppendEntries', term: 1, leaderId: 'n2', prevLogIndex: index, prevLogTerm: 1, entries: [entry(index)], leaderCommit: 0 };
    net.inject('n1', JSON.stringify({ id: `n2:1:${k + 1}`, from: 'n2', to: 'n1', message }));
  }
  while (node.stats.steps < done) await node.idle().then(() => new Promise((resolve) => setImmediate(resolve)));
  const used = process.cpuUsage(cpu);
  const after = bytesWritten();
  if ((node.state.context.log as unknown[]).length !== logLength + steps) throw new Error('bench: the AppendEntries were not all stored');
  await node.stop();
  return { cpuUs: (used.user + used.system) / steps, bytes: written === null || after === null ? null : Math.round((after - written) / steps) };
}

export default {
  title: 'Runtime: the checked machines as services',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'protokit-bench-runtime-'));
    try {
      // ---- 1. Per step ----------------------------------------------------------------------------
      const rows: (string | number)[][] = [];
      const json: Record<string, number> = {};
      const probe = await leader(memoryStorage(), null);
      const machine = raft.roles.server.machine as AnyStateMachine;
      const snapshot = machine.resolveState({ value: probe.state.value as string, context: probe.state.context }) as AnyMachineSnapshot;
      await probe.stop();
      const heartbeat = { type: 'Heartbeat' };
      const direct = await cpuPerStep(STEPS, () => {
        for (let i = 0; i < STEPS; i++) transition(machine, snapshot, heartbeat);
      });
      json.transitionUs = direct;
      rows.push(["xstate `transition()` (leader's Heartbeat: two AppendEntries)", direct.toFixed(1), '1.0×']);
      // The kit's own uncached step (xstate's transition with one reused actor scope), which the runtime calls.
      const stepper = new NodeStepper(machine);
      const state = probe.state;
      const kit = await cpuPerStep(STEPS, () => {
        for (let i = 0; i < STEPS; i++) stepper.stepUncached(state, heartbeat);
      });
      json.kitStepUs = kit;
      rows.push(['the kit\'s step (`NodeStepper.stepUncached`: same transition, reused scope)', kit.toFixed(1), `${(kit / direct).toFixed(1)}×`]);
      const through = async (label: string, key: string, storage: () => Storage, recorder: () => Recorder | null, event: () => { type: string; command?: string }, steps = STEPS) => {
        const us = await cpuPerStep(steps, async () => {
          const node = await leader(storage(), recorder());
          for (let i = 0; i < steps; i++) await node.send(event());
          await node.stop();
        });
        json[key] = us;
        rows.push([label, us.toFixed(1), `${(us / direct).toFixed(1)}×`]);
      };
      // The per-run start (a leader election of two steps) is in these figures, spread over the steps.
      await through('startNode, Heartbeat, no recorder', 'runtimeUs', () => memoryStorage(), () => null, () => heartbeat);
      let logs = 0;
      await through('startNode, Heartbeat, recorder (fingerprint, no states)', 'recorderUs', () => memoryStorage(), () => fileRecorder(join(dir, `logs-${++logs}`), { states: false }), () => heartbeat);
      await through('startNode, Heartbeat, recorder (fingerprint and states)', 'recorderStatesUs', () => memoryStorage(), () => fileRecorder(join(dir, `logs-${++logs}`)), () => heartbeat);
      let n = 0;
      await through('startNode, ClientRequest (log grows to 200), memory storage', 'persistMemoryUs', () => memoryStorage(), () => null, () => ({ type: 'ClientRequest', command: `c${++n}` }), 200);
      let files = 0;
      await through('startNode, ClientRequest (log grows to 200), file storage (fsync)', 'persistFileUs', () => fileStorage(join(dir, `store-${++files}.json`)), () => null, () => ({ type: 'ClientRequest', command: `c${++n}` }), 200);

      // ---- 2. A follower's persisting step against its log's length -------------------------------
      // 200 AppendEntries of one entry each, onto a stored log of 200 and of 2,000 entries, no
      // recorder: storage that keeps nothing (the node's own cost), the file storage (checkpoint
      // and journal), and the whole-record file it replaced (kept here, in this file, to compare).
      const storageRows: (string | number)[][] = [];
      const storageJson: Record<string, { cpuUs: number; bytes: number | null }> = {};
      let stores = 0;
      const kinds: [string, () => Storage][] = [
        ['storage that keeps nothing (the node alone)', () => keepsNothing()],
        ['fileStorage: checkpoint and journal', () => fileStorage(join(dir, `journal-${++stores}.json`))],
        ['whole record per save (the file storage before)', () => wholeRecordStorage(join(dir, `whole-${++stores}.json`))],
      ];
      for (const [label, make] of kinds) {
        const row: (string | number)[] = [label];
        for (const length of [200, 2000]) {
          const runs: { cpuUs: number; bytes: number | null }[] = [];
          for (let r = 0; r < REPEATS; r++) runs.push(await persistingStepCost(make(), length, 200));
          const cpuUs = median(runs.map((x) => x.cpuUs));
          const bytes = runs[0]!.bytes;
          storageJson[`${label} @${length}`] = { cpuUs, bytes };
          row.push(cpuUs.toFixed(0), bytes === null ? 'n/a' : bytes.toLocaleString('en-US'));
        }
        storageRows.push(row);
      }

      // ---- 3. The raft-kv service --------------------------------------------------------------------
      const kv = async (name: string, record: boolean, kills: number, drops: number, transport: 'tcp' | 'nats' = 'tcp'): Promise<ScenarioResult & { load: string }> => {
        const before = loadavg()[0]!;
        const r = await runScenario({ dir: join(dir, name), ops: 400, seconds: 120, clients: 4, keys: 5, kills, drops, record, transport });
        return { ...r, load: `${before.toFixed(1)}–${loadavg()[0]!.toFixed(1)}` };
      };
      const on = await kv('record-on', true, 0, 0);
      const off = await kv('record-off', false, 0, 0);
      const faulty = await kv('faults', true, 3, 2);
      const nats = await kv('nats', true, 0, 0, 'nats');
      const natsFaulty = await kv('nats-faults', true, 3, 2, 'nats');
      const kvRows = [
        ['TCP, recorder on, no faults', on],
        ['TCP, recorder off, no faults', off],
        ['TCP, recorder on, 3 SIGKILLs + 2 connection drops', faulty],
        ['NATS, recorder on, no faults', nats],
        ['NATS, recorder on, 3 SIGKILLs + 2 connection drops', natsFaulty],
      ].map(([label, r]) => {
        const x = r as ScenarioResult & { load: string };
        return [label as string, x.load, x.invoked, x.ok, x.failed, x.unknown, x.opsPerSecond, x.latencyMs.p50, x.latencyMs.p99, x.maxTerm, x.linearizability, x.lostWrites.length];
      });
      const faultRows = [...faulty.faults.map((f) => ['TCP', f] as const), ...natsFaulty.faults.map((f) => ['NATS', f] as const)].map(([t, f]) => [
        t,
        f.fault,
        f.atOp,
        f.recoveryMs === null ? 'none followed' : `${f.recoveryMs} ms`,
        f.failedBefore,
      ]);

      const markdown = [
        'CPU time per step of one Raft server (µs, median of 5 runs), `npm run bench -- --update 10-runtime`:',
        '',
        table(['step', 'µs per step', 'against transition()'], rows),
        '',
        "A follower's persisting step (an AppendEntries of one entry, saved before the reply leaves) onto a stored log of 200 and of 2,000 entries: CPU time per step (median of 5 runs of 200 steps) and bytes written per step (Linux's /proc/self/io), no recorder. The bytes do not depend on the load; the CPU times do, and what still grows with the log in the node's own cost is the kit's step (it compares a new state with the old by its canonical key, the whole log) and the model's copy of its log on each append.",
        '',
        table(['storage', 'µs/step @200', 'bytes/step @200', 'µs/step @2,000', 'bytes/step @2,000'], storageRows),
        '',
        'The raft-kv example (`examples/raft-kv`: three processes on loopback, file storage with fsync; 4 clients, 5 keys, 400 operations, half gets (through the log), half puts), over TCP and over NATS (a local nats-server). **These are wall-clock figures on a shared, loaded machine: ops/s and latency at a load average of N (the column beside them, before–after the run) are not what the service does on a quiet machine**, and two rows taken at different loads do not compare; the counts, the verdicts and the lost writes do.',
        '',
        table(['run', 'load (1 min)', 'invoked', 'ok', 'refused', 'unknown', 'ok ops/s', 'p50 ms', 'p99 ms', 'highest term', 'history', 'acked writes lost'], kvRows),
        '',
        'What each injected fault did (the faulty runs above): operations refused (503) or left unknown (timeout) before the next success, and how long until it:',
        '',
        table(['transport', 'fault', 'at operation', 'next ok operation after', 'refused or unknown before it'], faultRows),
      ].join('\n');
      return { markdown, json: { perStepUs: json, persistingStep: storageJson, kv: { on, off, faulty, nats, natsFaulty } } };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
