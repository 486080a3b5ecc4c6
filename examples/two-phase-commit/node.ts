/**
 * One node of Two-Phase Commit (models/two-phase-commit) as a process: the checked transaction
 * manager or resource manager machine over TCP, its persisted field in a file, its steps
 * recorded, and a small HTTP control API for the application's own decisions:
 *
 *   POST /event  {"type":"Prepare"}     → the report of the step ({changed, state, …})
 *   GET  /status                        → {id, state, context, incarnation, sent: {Prepared: n, …}}
 *
 * A prepared RM's retry (its Timeout) fires on a timer every 150–250 ms, as the model's
 * environment allows it. The TM's decisions (DecideCommit, or Timeout: abort) are the
 * application's, through /event. Usage: tsx examples/two-phase-commit/node.ts --id tm
 * --peers tm=127.0.0.1:7001,rm1=… --http 8001 --dir DIR. SIGTERM stops it.
 */
import { createServer } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import twoPhaseCommit from '../../models/two-phase-commit/index.js';
import { fileRecorder, fileStorage, startNode, tcpTransport, type TcpAddress } from '../../src/runtime/index.js';

const { values: args } = parseArgs({ options: { id: { type: 'string' }, peers: { type: 'string' }, http: { type: 'string' }, dir: { type: 'string' } } });
if (!args.id || !args.peers || !args.http || !args.dir) {
  process.stderr.write('usage: node.ts --id ID --peers ID=HOST:PORT,... --http PORT --dir DIR\n');
  process.exit(2);
}
const id = args.id;
const peers: Record<string, TcpAddress> = {};
for (const item of args.peers.split(',')) {
  const [name, host, port] = item.split(/[=:]/);
  peers[name!] = { host: host!, port: Number(port) };
}

const node = await startNode({
  model: twoPhaseCommit,
  role: id === 'tm' ? 'tm' : 'rm',
  id,
  config: { rms: Object.keys(peers).length - 1 },
  transport: tcpTransport({ listen: peers[id]!, peers }),
  storage: fileStorage(join(args.dir, 'storage', `${id}.json`)),
  recorder: fileRecorder(join(args.dir, 'logs')),
  timers: id === 'tm' ? [] : [{ event: 'Timeout', minMs: 150, maxMs: 250 }],
});
const sent: Record<string, number> = {};
node.onStep((s) => s.sends.forEach((x) => (sent[x.message.type] = (sent[x.message.type] ?? 0) + 1)));

const http = createServer((req, res) => {
  const answer = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.method === 'GET' && req.url === '/status') {
    return answer(200, { id, state: node.state.value, context: node.state.context, incarnation: node.incarnation, sent });
  }
  if (req.method === 'POST' && req.url === '/event') {
    let body = '';
    req.on('data', (chunk: Buffer) => (body.length < 4096 ? (body += chunk.toString('utf8')) : req.destroy()));
    req.on('end', () => {
      let event: { type?: unknown };
      try {
        event = JSON.parse(body) as { type?: unknown };
      } catch {
        return answer(400, { error: 'not JSON' });
      }
      if (typeof event.type !== 'string') return answer(400, { error: 'no event type' });
      node.send(event as { type: string }).then(
        (r) => answer(200, { changed: r.changed, step: r.step, state: r.state.value, sends: r.sends }),
        (e: Error) => answer(500, { error: e.message }),
      );
    });
    return;
  }
  answer(404, { error: 'not found' });
});
await new Promise<void>((resolve) => http.listen(Number(args.http), '127.0.0.1', resolve));
process.on('SIGTERM', () => {
  http.close();
  void node.stop().then(() => process.exit(0));
});
process.stdout.write(JSON.stringify({ ready: id, incarnation: node.incarnation }) + '\n');
