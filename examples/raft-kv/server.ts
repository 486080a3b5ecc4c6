/**
 * One server of the replicated key-value store: the checked Raft server machine
 * (models/raft/server.ts) running as a process, over TCP, with its persisted fields in a file,
 * its steps recorded, and an HTTP API for clients (or over NATS: --transport nats --nats URL):
 *
 *   PUT /kv/<key>?id=<op id>   body: the value    → 200 {}            (committed and applied)
 *   GET /kv/<key>?id=<op id>                      → 200 {"value": …}  (read at its place in the log)
 *   GET /status                                   → 200 {id, state, term, commitIndex, …}
 *   503 {"error":"not leader","leader":…}: the request did not enter the log;
 *   504 {"error":"timeout"}: it may or may not take effect.
 *
 * Usage: tsx examples/raft-kv/server.ts --id n1 --peers n1=127.0.0.1:7001,n2=…,n3=… --http 8001
 *        --dir DIR [--no-record] [--unsafe-write-after-send [--crash-after-send NODE:N]] (the
 *        planted bug, test only). SIGUSR2 drops every TCP connection (a network fault); SIGTERM stops.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import raft from '../../models/raft/index.js';
import { fileRecorder, fileStorage, natsTransport, startNode, tcpTransport, type NodeOptions, type StepReport, type TcpAddress } from '../../src/runtime/index.js';
import type { UnsafeTestOptions } from '../../src/runtime/node.js';
import { encodeCommand, KvStore, type KvCommand } from './kv.js';
import { checkRaftMessage } from './schema.js';

const { values: args } = parseArgs({
  options: {
    id: { type: 'string' },
    peers: { type: 'string' },
    http: { type: 'string' },
    dir: { type: 'string' },
    'no-record': { type: 'boolean', default: false },
    // --transport nats: frames go through the NATS server at --nats (token in $PROTOKIT_NATS_TOKEN);
    // --peers still names the cluster's servers (their TCP ports are then unused).
    transport: { type: 'string', default: 'tcp' },
    nats: { type: 'string' },
    'nats-prefix': { type: 'string', default: 'raftkv' },
    'request-timeout': { type: 'string', default: '2000' },
    'election-ms': { type: 'string', default: '500-1000' },
    'heartbeat-ms': { type: 'string', default: '100' },
    // The planted bug, for validation only (src/runtime/README.md, "A run with the planted bug").
    'unsafe-write-after-send': { type: 'boolean', default: false },
    'crash-after-send': { type: 'string' },
  },
});
if (!args.id || !args.peers || !args.http || !args.dir) {
  process.stderr.write('usage: server.ts --id ID --peers ID=HOST:PORT,... --http PORT --dir DIR [--no-record]\n');
  process.exit(2);
}
const id = args.id;
const peers: Record<string, TcpAddress> = {};
for (const item of args.peers.split(',')) {
  const m = /^([\w-]+)=([\w.-]+):(\d+)$/.exec(item);
  if (m === null) throw new Error(`bad --peers item: ${item}`);
  peers[m[1]!] = { host: m[2]!, port: Number(m[3]) };
}
const requestTimeoutMs = Number(args['request-timeout']);
const [electionMin, electionMax] = args['election-ms'].split('-').map(Number) as [number, number];
const heartbeatMs = Number(args['heartbeat-ms']);
const crashAt = crashPoint(args['crash-after-send'] ?? null);

// The model names servers n1..nN; this cluster is the model's cluster for nodes=N.
if (args.transport !== 'tcp' && args.transport !== 'nats') {
  process.stderr.write(`--transport ${args.transport.slice(0, 40)}: expected tcp or nats\n`);
  process.exit(2);
}
if (args.transport === 'nats' && !args.nats) {
  process.stderr.write('--transport nats needs --nats nats://HOST:PORT\n');
  process.exit(2);
}
const transport =
  args.transport === 'nats'
    ? natsTransport({ servers: args.nats!, token: process.env.PROTOKIT_NATS_TOKEN, subjectPrefix: args['nats-prefix'], reconnectTimeWaitMs: 250 })
    : tcpTransport({ listen: peers[id]!, peers });
let persistingSends = 0;
const unsafe: UnsafeTestOptions = args['unsafe-write-after-send']
  ? {
      unsafeWriteAfterSend: true,
      // The wrong moment: this step's messages are on the wire, its persisted fields are not saved.
      unsafeBeforeWrite: async (step) => {
        if (crashAt === null || step.sends.length === 0 || node.incarnation !== 1 || ++persistingSends !== crashAt) return;
        await new Promise((resolve) => setTimeout(resolve, 50)); // the frames leave the process
        process.stderr.write(`${id}: crashing after step ${step.step}'s sends (${step.sends.map((s) => s.message.type).join(', ')}), before its save\n`);
        process.kill(process.pid, 'SIGKILL');
      },
    }
  : {};
const options: NodeOptions & UnsafeTestOptions = {
  ...unsafe,
  model: raft,
  role: 'server',
  id,
  // maxTerm and maxLog bound the model's environment only to keep checking finite: here a
  // client's request comes from the application, and the election timer fires Timeout itself.
  config: { nodes: Object.keys(peers).length, maxTerm: 20, maxLog: 20 },
  transport,
  storage: fileStorage(join(args.dir, 'storage', `${id}.json`)),
  recorder: args['no-record'] ? null : fileRecorder(join(args.dir, 'logs'), { states: false }),
  checkMessage: checkRaftMessage,
  timers: [
    // Raft's election timeout, restarted whenever the current leader is heard (§5.2).
    { event: 'Timeout', fire: { type: 'Timeout' }, minMs: electionMin, maxMs: electionMax, resetOn: heardLeader },
    // A Heartbeat sends AppendEntries to every follower, and each success reply makes the leader
    // send that follower its next entry (the machine's sendNextEntry): a heartbeat to a follower
    // that is still catching up starts a second stream of entries, then a third… So the heartbeat
    // waits while replies are coming in, and fires only when replication has gone quiet.
    { event: 'Heartbeat', minMs: heartbeatMs, maxMs: heartbeatMs, resetOn: ['AppendEntriesResponse'] },
  ],
};
const node = await startNode(options);

/** `--crash-after-send NODE:N`: this server crashes at its Nth persisting step that sends (first incarnation only). */
function crashPoint(text: string | null): number | null {
  if (text === null) return null;
  const m = /^([\w-]+):(\d{1,6})$/.exec(text);
  if (m === null || Number(m[2]) < 1) {
    process.stderr.write(`--crash-after-send ${text}: expected NODE:N (N ≥ 1)\n`);
    process.exit(2);
  }
  if (!args['unsafe-write-after-send']) {
    process.stderr.write('--crash-after-send needs --unsafe-write-after-send (with write-ahead there is no such moment)\n');
    process.exit(2);
  }
  return m[1] === id ? Number(m[2]) : null;
}

/** §5.2: the election timer restarts when the current leader is heard, or when this server grants its vote. */
function heardLeader(step: StepReport): boolean {
  const e = step.event;
  if (e.kind === 'deliver' && e.message.type === 'AppendEntries' && e.message.term === step.state.context.currentTerm) return true;
  return step.sends.some((s) => s.message.type === 'RequestVoteResponse' && s.message.voteGranted === true);
}

// ---- The state machine: committed entries, applied in order ------------------------------------

const store = new KvStore();
let leaderHint: string | null = null;
interface Pending {
  readonly command: string;
  readonly answer: (value: string | null) => void;
  readonly refuse: () => void;
}
const pending = new Map<number, Pending>();
node.onObservation((o) => {
  if (o.type !== 'EntryApplied') return;
  const index = o.index as number;
  const result = store.apply(index, o.command as string);
  const waiting = pending.get(index);
  if (waiting === undefined) return;
  pending.delete(index);
  // Another leader's entry took this index: ours can never commit (Log Matching).
  if (waiting.command === o.command) waiting.answer(result);
  else waiting.refuse();
});
node.onStep((s) => {
  const e = s.event;
  if (e.kind === 'deliver' && e.message.type === 'AppendEntries' && e.message.term === s.state.context.currentTerm) leaderHint = e.message.leaderId as string;
  if (s.state.value === 'leader') leaderHint = id;
});

async function submit(command: KvCommand): Promise<{ status: number; body: object }> {
  const text = encodeCommand(command);
  const taken = await node.send({ type: 'ClientRequest', command: text });
  if (!taken.changed) return { status: 503, body: { error: 'not leader', leader: leaderHint === id ? null : leaderHint } };
  const index = (taken.state.context.log as readonly unknown[]).length;
  const answered = new Promise<{ status: number; body: object }>((resolve) => {
    const timer = setTimeout(() => {
      pending.delete(index);
      resolve({ status: 504, body: { error: 'timeout' } });
    }, requestTimeoutMs);
    pending.set(index, {
      command: text,
      answer: (value) => {
        clearTimeout(timer);
        resolve({ status: 200, body: command.op === 'get' ? { value } : {} });
      },
      refuse: () => {
        clearTimeout(timer);
        resolve({ status: 503, body: { error: 'not leader', leader: leaderHint } });
      },
    });
  });
  // Replicate now rather than at the next heartbeat (a Heartbeat is the leader's event that sends
  // AppendEntries), but only to start a follower that was caught up: one that is still catching
  // up gets the new entry after its reply (the machine's sendNextEntry), and every extra
  // AppendEntries in flight would start one more such stream of replies.
  const nextIndex = taken.state.context.nextIndex as Readonly<Record<string, number>>;
  if (Object.values(nextIndex).some((next) => next === index)) void node.send({ type: 'Heartbeat' }).catch(() => {});
  return answered;
}

// ---- HTTP -------------------------------------------------------------------------------------

function reply(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

let opCounter = 0;
const http = createServer((req, res) => {
  void (async () => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/status' && req.method === 'GET') {
      const c = node.state.context;
      return reply(res, 200, { id, incarnation: node.incarnation, state: node.state.value, term: c.currentTerm, commitIndex: c.commitIndex, lastApplied: c.lastApplied, log: c.log.length, stats: node.stats });
    }
    const m = /^\/kv\/([^/]{1,200})$/.exec(url.pathname);
    if (m === null) return reply(res, 404, { error: 'not found' });
    const key = decodeURIComponent(m[1]!);
    const opId = url.searchParams.get('id') ?? `${id}-${++opCounter}`;
    if (req.method === 'GET') {
      const r = await submit({ op: 'get', key, id: opId });
      return reply(res, r.status, r.body);
    }
    if (req.method === 'PUT') {
      const value = await readBody(req, 64 * 1024);
      if (value === null) return reply(res, 413, { error: 'value too large' });
      const r = await submit({ op: 'put', key, value, id: opId });
      return reply(res, r.status, r.body);
    }
    reply(res, 405, { error: 'method not allowed' });
  })().catch((error: Error) => reply(res, 500, { error: error.message }));
});
const httpPort = Number(args.http);
await new Promise<void>((resolve) => http.listen(httpPort, '127.0.0.1', resolve));

// TCP: every connection is destroyed; NATS: the connection to the server is dropped and re-made.
process.on('SIGUSR2', () => transport.dropConnections());
process.on('SIGTERM', () => {
  http.close();
  void node.stop().then(() => process.exit(0));
});
process.stdout.write(JSON.stringify({ ready: id, http: httpPort, incarnation: node.incarnation, kit: JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version }) + '\n');
