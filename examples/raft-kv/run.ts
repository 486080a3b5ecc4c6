/**
 * `npm run example:raft-kv [-- --ops N --seconds S --clients C --kills K --drops D --transport tcp|nats --no-record --json --dir DIR]`
 * Test only, the planted bug: `--unsafe-write-after-send [--crash-after-send NODE:N]` (src/runtime/README.md).
 * Runs the raft-kv scenario (scenario.ts) and prints what it observed; exit 0 when every check
 * holds, 1 when one fails.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runScenario } from './scenario.js';

const { values } = parsedArgs(() => parseArgs({
  options: {
    ops: { type: 'string', default: '600' },
    seconds: { type: 'string', default: '60' },
    clients: { type: 'string', default: '4' },
    keys: { type: 'string', default: '5' },
    kills: { type: 'string', default: '3' },
    drops: { type: 'string', default: '2' },
    'no-record': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    dir: { type: 'string' },
    transport: { type: 'string', default: 'tcp' },
    'unsafe-write-after-send': { type: 'boolean', default: false },
    'crash-after-send': { type: 'string' },
  },
}));
const whole = (name: string, text: string, min: number, max: number): number => {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    process.stderr.write(`--${name} ${text}: expected a whole number in ${min}..${max}\n`);
    process.exit(2);
  }
  return n;
};
const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'raft-kv-'));
const options = {
  dir,
  ops: whole('ops', values.ops, 1, 1_000_000),
  seconds: whole('seconds', values.seconds, 1, 3600),
  clients: whole('clients', values.clients, 1, 64),
  keys: whole('keys', values.keys, 1, 1000),
  kills: whole('kills', values.kills, 0, 100),
  drops: whole('drops', values.drops, 0, 100),
  record: !values['no-record'],
  transport: transportOf(values.transport),
  unsafeWriteAfterSend: values['unsafe-write-after-send'],
  crashAfterSend: crashPoint(values['crash-after-send']),
  log: values.json ? undefined : (line: string) => process.stdout.write(`  ${line}\n`),
};
if (!values.json) process.stdout.write(`raft-kv: 3 servers on 127.0.0.1 over ${options.transport === 'nats' ? 'NATS' : 'TCP'}, ${options.clients} clients, ${options.ops} operations (at most ${options.seconds} s), ${options.kills} kills, ${options.drops} connection drops; files in ${dir}\n`);
const r = await runScenario(options);
const passed = r.linearizability === 'linearizable' && r.lostWrites.length === 0 && r.logProblems.length === 0;
if (values.json) {
  process.stdout.write(JSON.stringify({ ...r, dir, passed }) + '\n');
} else {
  const lines = [
    `operations: ${r.invoked} invoked, ${r.ok} ok, ${r.failed} refused (503: did not happen), ${r.unknown} unknown (timeout or connection lost)`,
    `throughput: ${r.opsPerSecond} ok ops/s over ${(r.elapsedMs / 1000).toFixed(1)} s; latency of ok ops p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms; highest term ${r.maxTerm}`,
    ...r.faults.map((f) => `fault at op ${f.atOp}: ${f.fault} → ${f.recoveryMs === null ? 'no operation succeeded after it' : `next ok operation after ${f.recoveryMs} ms, ${f.failedBefore} refused or unknown before it`}`),
    `restarts: ${Object.entries(r.restarts).map(([id, n]) => `${id} ${n}`).join(', ')}`,
    ...(options.unsafeWriteAfterSend ? [`UNSAFE (test only): persisted fields saved after sending; crashed by themselves: ${r.crashes.length === 0 ? 'none' : r.crashes.join(', ')}`] : []),
    `linearizable (kv): ${r.linearizability}`,
    `acknowledged writes lost: ${r.lostWrites.length === 0 ? 'none' : r.lostWrites.join(', ')}`,
    `recorded logs: ${options.record ? (r.logProblems.length === 0 ? `${r.logSteps} steps in ${dir}/logs, every delivery matched with its send` : r.logProblems.join('; ')) : 'off'}`,
    passed ? 'PASS' : 'FAIL',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
process.exit(passed ? 0 : 1);

function transportOf(text: string): 'tcp' | 'nats' {
  if (text === 'tcp' || text === 'nats') return text;
  process.stderr.write(`--transport ${text.slice(0, 40)}: expected tcp or nats\n`);
  process.exit(2);
}

/** `--crash-after-send NODE:N`, checked here so a bad one is one line and exit 2. */
function crashPoint(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!/^n[123]:\d{1,6}$/.test(text) || Number(text.slice(3)) < 1) {
    process.stderr.write(`--crash-after-send ${text}: expected NODE:N, NODE one of n1 n2 n3 and N ≥ 1\n`);
    process.exit(2);
  }
  if (!values['unsafe-write-after-send']) {
    process.stderr.write('--crash-after-send needs --unsafe-write-after-send (with write-ahead there is no such moment)\n');
    process.exit(2);
  }
  return text;
}

/** Bad usage is one line and exit 2, never a stack trace. */
function parsedArgs<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
}
