/**
 * The raft-kv scenario: start three servers, run a bounded client load while killing (SIGKILL)
 * and restarting servers and dropping their connections, stop everything, and check:
 * 1. the client history is linearizable (protokit's checker, the `kv` specification);
 * 2. every acknowledged write survives: its entry is in the stored log of a majority of servers;
 * 3. the recorded logs are written: one per server, steps numbered 1..n across restarts, one
 *    `recover` per restart, and every delivered message id is a send in its sender's log.
 * Faults are placed by the count of completed operations, so a short run and a long one inject
 * the same faults in the same places; the verdicts are counts and checks, never speeds.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkLinearizability, historyOf, kv, type ClientEvent, type KvInput, type KvOutput } from '../../src/linearizability/index.js';
import { startLocalNatsServer } from '../../src/runtime/local-nats-server.js';
import { fileStorage } from '../../src/runtime/storage.js';
import { Cluster, type ServerInfo } from './cluster.js';

export interface ScenarioOptions {
  /** Where storage, logs and server output go. */
  readonly dir: string;
  /** Client operations to invoke (more when the faults are not all done by then; `seconds` bounds the whole load). */
  readonly ops: number;
  readonly seconds: number;
  readonly clients: number;
  readonly keys: number;
  /** SIGKILLs (each followed by a restart), and connection drops, spread over the load. */
  readonly kills: number;
  readonly drops: number;
  readonly record: boolean;
  /**
   * The planted bug (test only, for validation): servers save after sending, and
   * `crashAfterSend` (`NODE:N`) makes NODE crash at its Nth persisting step that sends, after the
   * sends and before the save; the scenario restarts it.
   */
  readonly unsafeWriteAfterSend?: boolean;
  /** How the servers exchange frames: TCP (default), or NATS through a nats-server the scenario starts. */
  readonly transport?: 'tcp' | 'nats';
  readonly crashAfterSend?: string;
  /** Progress lines (faults, restarts) as they happen. */
  readonly log?: (line: string) => void;
}

export interface FaultReport {
  readonly fault: string;
  /** Completed operations when it was injected. */
  readonly atOp: number;
  /** Operations completed after it that failed (503) or were left unknown (504, connection lost) before the next success. */
  readonly failedBefore: number;
  /** Milliseconds from the fault to the next successful operation (null: none followed). */
  readonly recoveryMs: number | null;
}

export interface ScenarioResult {
  readonly invoked: number;
  readonly ok: number;
  readonly failed: number;
  readonly unknown: number;
  readonly elapsedMs: number;
  readonly opsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number };
  readonly faults: readonly FaultReport[];
  readonly linearizability: string;
  readonly lostWrites: readonly string[];
  readonly logProblems: readonly string[];
  readonly logSteps: number;
  readonly maxTerm: number;
  readonly restarts: Readonly<Record<string, number>>;
  /** Servers that crashed by themselves (the planted bug's crash), in order. */
  readonly crashes: readonly string[];
}

type Reply = { status: number; body: { value?: string; leader?: string | null; error?: string } } | null;

async function call(url: string, init: RequestInit = {}): Promise<Reply> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
    return { status: res.status, body: (await res.json()) as NonNullable<Reply>['body'] };
  } catch {
    return null;
  }
}

const percentile = (sorted: readonly number[], p: number): number => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);

export async function runScenario(o: ScenarioOptions): Promise<ScenarioResult> {
  const say = o.log ?? (() => {});
  const serverArgs = [...(o.record ? [] : ['--no-record']), ...(o.unsafeWriteAfterSend ? ['--unsafe-write-after-send'] : []), ...(o.crashAfterSend ? ['--crash-after-send', o.crashAfterSend] : [])];
  const nats = o.transport === 'nats' ? await startLocalNatsServer() : null;
  if (nats !== null) say(`nats-server at ${nats.url} (pid ${nats.pid})`);
  const natsArgs = nats === null ? [] : ['--transport', 'nats', '--nats', nats.url];
  let cluster: Cluster;
  try {
    cluster = await Cluster.start(o.dir, ['n1', 'n2', 'n3'], undefined, [...serverArgs, ...natsArgs], nats === null ? {} : { PROTOKIT_NATS_TOKEN: nats.token });
  } catch (error) {
    await nats?.stop();
    throw error;
  }
  const crashes: string[] = [];
  const relaunches: Promise<void>[] = [];
  cluster.onExit = (server) => {
    crashes.push(server.id);
    say(`${server.id} crashed by itself; restarting it`);
    relaunches.push(cluster.launch(server).then(() => say(`restarted ${server.id} (start ${server.starts})`)));
  };
  try {
    const events: ClientEvent<KvInput, KvOutput>[] = [];
    const latencies: number[] = [];
    const acked: string[] = [];
    let invoked = 0;
    let completed = 0;
    let leader: ServerInfo = cluster.servers[0]!;
    const faults: { fault: string; atOp: number; at: number; failedBefore: number; recoveredAt: number | null }[] = [];
    const outcomes = { ok: 0, failed: 0, unknown: 0 };
    const started = performance.now();
    const deadline = started + o.seconds * 1000;

    /** One operation from `client`: invoke, send to the server believed leader, record what came back. */
    async function operation(client: string, input: KvInput, opId: string): Promise<'ok' | 'fail' | 'info'> {
      events.push({ type: 'invoke', client, input });
      const t0 = performance.now();
      const target = leader;
      const url = `${cluster.url(target)}/kv/${encodeURIComponent(input.key)}?id=${opId}`;
      const reply = input.f === 'get' ? await call(url) : await call(url, { method: 'PUT', body: (input as { value: string }).value });
      let outcome: 'ok' | 'fail' | 'info';
      if (reply?.status === 200) {
        outcome = 'ok';
        events.push({ type: 'ok', client, output: input.f === 'get' ? (reply.body.value ?? '') : null });
        latencies.push(performance.now() - t0);
        if (input.f === 'put') acked.push(opId);
      } else if (reply?.status === 503) {
        // Not accepted into the log (not leader, or its entry was replaced): it did not happen.
        outcome = 'fail';
        events.push({ type: 'fail', client });
        const hint = cluster.servers.find((s) => s.id === reply.body.leader);
        leader = hint ?? cluster.servers[(cluster.servers.indexOf(target) + 1) % cluster.servers.length]!;
      } else {
        // Timed out or the connection broke: it may or may not have taken effect. A read whose
        // answer never came changes nothing and constrains nothing, so the history records it as
        // not having happened (a checker's search over every place an unknown read might go is
        // wasted work); an unknown write stays unknown.
        outcome = 'info';
        events.push({ type: input.f === 'get' ? 'fail' : 'info', client });
        if (leader === target) leader = cluster.servers[(cluster.servers.indexOf(target) + 1) % cluster.servers.length]!;
      }
      outcomes[outcome === 'ok' ? 'ok' : outcome === 'fail' ? 'failed' : 'unknown']++;
      for (const f of faults) {
        if (f.recoveredAt !== null) continue;
        if (outcome === 'ok') f.recoveredAt = performance.now();
        else f.failedBefore++;
      }
      completed++;
      return outcome;
    }

    // ---- Faults, placed by completed operations ------------------------------------------------
    const plan: ('kill' | 'drop')[] = [];
    for (let i = 0; i < Math.max(o.kills, o.drops); i++) {
      if (i < o.kills) plan.push('kill');
      if (i < o.drops) plan.push('drop');
    }
    const spacing = Math.floor(o.ops / (plan.length + 1));
    let down: ServerInfo | null = null;
    let downSinceOp = 0;
    let downSinceMs = 0;
    let nextFault = 0;
    let restarting: Promise<void> | null = null;
    async function injectFaults(): Promise<void> {
      if (down !== null && restarting === null && (completed - downSinceOp >= spacing / 2 || performance.now() - downSinceMs > 1500)) {
        const server: ServerInfo = down;
        restarting = cluster.launch(server).then(() => {
          say(`restarted ${server.id} (start ${server.starts})`);
          down = null;
          restarting = null;
        });
      }
      if (nextFault >= plan.length || down !== null || completed < spacing * (nextFault + 1)) return;
      const kind = plan[nextFault++]!;
      // Kills alternate between the leader and a follower; drops hit the leader. Who leads is asked, not guessed.
      const states = await Promise.all(cluster.servers.map(async (s) => ((await call(`${cluster.url(s)}/status`))?.body as { state?: string } | undefined)?.state));
      const actual = cluster.servers[states.indexOf('leader')] ?? null;
      const hitLeader = kind === 'drop' || nextFault % 4 === 1;
      const victim = (hitLeader ? actual : cluster.servers.find((s) => s !== actual)) ?? leader;
      if (kind === 'kill') {
        await cluster.kill(victim);
        down = victim;
        downSinceOp = completed;
        downSinceMs = performance.now();
        faults.push({ fault: `SIGKILL ${victim.id} (${victim === actual ? 'the leader' : actual === null ? 'no leader at the time' : 'a follower'})`, atOp: completed, at: performance.now(), failedBefore: 0, recoveredAt: null });
      } else {
        cluster.dropConnections(victim);
        faults.push({ fault: `drop the ${o.transport === 'nats' ? 'NATS connection' : 'TCP connections'} of ${victim.id} (${victim === actual ? 'the leader' : 'no leader at the time'})`, atOp: completed, at: performance.now(), failedBefore: 0, recoveredAt: null });
      }
      say(`fault at op ${completed}: ${faults.at(-1)!.fault}`);
    }

    // ---- The load --------------------------------------------------------------------------------
    const keys = Array.from({ length: o.keys }, (_, i) => `k${i}`);
    let seed = 12345;
    const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    await Promise.all(
      Array.from({ length: o.clients }, async (_, c) => {
        const client = `c${c + 1}`;
        let seq = 0;
        // The load runs its count of operations, and on until every planned fault has happened
        // and the cluster is whole again (so a slow restart cannot skip a fault); time bounds both.
        while ((invoked < o.ops || nextFault < plan.length || down !== null) && performance.now() < deadline) {
          invoked++;
          const key = keys[Math.floor(next() * keys.length)]!;
          const input: KvInput = next() < 0.5 ? { f: 'get', key } : { f: 'put', key, value: `${client}.${++seq}` };
          const outcome = await operation(client, input, `${client}-${seq}-${invoked}`);
          await injectFaults();
          // A client that was refused waits a moment for an election to finish.
          if (outcome !== 'ok') await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }),
    );
    if (restarting !== null) await restarting;
    if (down !== null) await cluster.launch(down);
    await Promise.all(relaunches);
    const elapsedMs = performance.now() - started;

    // ---- Final reads, through the log ------------------------------------------------------------
    for (const key of keys) {
      for (let attempt = 0; attempt < 100; attempt++) {
        if ((await operation('final', { f: 'get', key }, `final-${key}-${attempt}`)) === 'ok') break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    const statuses = await Promise.all(cluster.servers.map((s) => call(`${cluster.url(s)}/status`)));
    const maxTerm = Math.max(...statuses.map((s) => Number((s?.body as { term?: number } | undefined)?.term ?? 0)));
    cluster.onExit = null;
    await cluster.stop();

    // ---- Checks ---------------------------------------------------------------------------------
    const history = historyOf(events);
    const verdict = checkLinearizability(kv, history, { maxSteps: 5_000_000 }).verdict;
    // What each server's storage holds, read as the server reads it (checkpoint and journal).
    const stored = await Promise.all(
      cluster.servers.map(async (s) => {
        const record = await fileStorage(join(o.dir, 'storage', `${s.id}.json`)).load();
        const log = (record?.persisted.log ?? []) as { command: string }[];
        return new Set(log.map((e) => (JSON.parse(e.command) as { id: string }).id));
      }),
    );
    const lostWrites = acked.filter((id) => stored.filter((ids) => ids.has(id)).length < 2);
    const restarts = Object.fromEntries(cluster.servers.map((s) => [s.id, s.starts - 1]));
    const logs = o.record ? checkLogs(o.dir, cluster.servers) : { problems: [], steps: 0 };
    const ok = latencies.sort((a, b) => a - b);
    return {
      invoked: events.filter((e) => e.type === 'invoke').length,
      ...outcomes,
      elapsedMs: Math.round(elapsedMs),
      opsPerSecond: Math.round((outcomes.ok / elapsedMs) * 1000),
      latencyMs: { p50: round(percentile(ok, 50)), p99: round(percentile(ok, 99)) },
      faults: faults.map((f) => ({ fault: f.fault, atOp: f.atOp, failedBefore: f.failedBefore, recoveryMs: f.recoveredAt === null ? null : Math.round(f.recoveredAt - f.at) })),
      linearizability: verdict,
      lostWrites,
      logProblems: logs.problems,
      logSteps: logs.steps,
      maxTerm,
      restarts,
      crashes,
    };
  } finally {
    cluster.onExit = null;
    await cluster.stop();
    await nats?.stop();
  }
}

const round = (x: number) => Math.round(x * 100) / 100;

interface LoggedStep {
  readonly step: number;
  readonly event: { kind: string; id?: string; from?: string; message?: unknown };
  readonly sends: readonly { id: string; to: string; message: unknown }[];
}

/** The recorded logs: present, numbered, one recover per restart, every delivery matched with its send. */
function checkLogs(dir: string, servers: readonly ServerInfo[]): { problems: string[]; steps: number } {
  const problems: string[] = [];
  const sends = new Map<string, string>();
  const deliveries: { node: string; id: string; from: string; message: string }[] = [];
  let steps = 0;
  for (const s of servers) {
    const path = join(dir, 'logs', `${s.id}.ndjson`);
    if (!existsSync(path)) {
      problems.push(`${s.id}: no log`);
      continue;
    }
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    const header = JSON.parse(lines[0]!) as { format?: string; node?: string; model?: string };
    if (header.format !== 'protokit-log/1' || header.node !== s.id || header.model !== 'raft') problems.push(`${s.id}: bad header`);
    const body = lines.slice(1).map((l) => JSON.parse(l) as LoggedStep);
    steps += body.length;
    body.forEach((step, i) => step.step !== i + 1 && problems.push(`${s.id}: line ${i + 2} is step ${step.step}, expected ${i + 1}`));
    const recovers = body.filter((x) => x.event.kind === 'recover').length;
    const startsLogged = body.filter((x) => x.event.kind === 'start').length;
    if (startsLogged !== 1 || recovers !== s.starts - 1) problems.push(`${s.id}: ${startsLogged} start and ${recovers} recover steps for ${s.starts} process starts`);
    for (const step of body) {
      for (const send of step.sends) {
        if (sends.has(send.id)) problems.push(`${s.id}: message id ${send.id} sent twice`);
        sends.set(send.id, JSON.stringify(send.message));
      }
      if (step.event.kind === 'deliver') deliveries.push({ node: s.id, id: step.event.id!, from: step.event.from!, message: JSON.stringify(step.event.message) });
    }
  }
  for (const d of deliveries) {
    if (!d.id.startsWith(`${d.from}:`)) problems.push(`${d.node}: delivery ${d.id} claims sender ${d.from}`);
    else if (sends.get(d.id) !== d.message) problems.push(`${d.node}: delivery ${d.id} matches no send in ${d.from}'s log`);
  }
  return { problems: problems.slice(0, 20), steps };
}
