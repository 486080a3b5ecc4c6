/**
 * Exhaustive search on a loopback cluster (issue 25): a nats-server on 127.0.0.1, W = 1, 2, 3
 * `protokit worker` processes and an `explore --cluster` coordinator, against `explore` in one
 * process, on the same configuration (TwoPhase RM=6, then Paxos MaxBallot=2). Every cluster run
 * must find the one-process counts (states, depth, transitions), and these the published ones
 * (TLC's); a difference fails the section. Per run: distinct states/s (wall, from the coordinator's
 * start, its wait for the first worker included), the coordinator's own CPU time and what it did
 * with it (successors deduplicated per CPU second: where one coordinator saturates), and bytes on
 * the wire per successor (both directions, payloads).
 *
 *   npm run bench -- --update 12-cluster
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { childrenCpuMs, ms, table } from '../measure.js';
import { protokit, startNats, stopAll, until, type Nats } from '../../src/cluster/loopback.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
interface Configuration {
  readonly name: string;
  readonly args: readonly string[];
  /** The published counts (TLC's): states and depth. */
  readonly states: number;
  readonly depth: number;
}
const CONFIGURATIONS: readonly Configuration[] = [
  { name: 'TwoPhase (preset tla) RM=6', args: ['two-phase-commit', '--config', 'preset=tla', '--config', 'rms=6'], states: 50_816, depth: 20 },
  { name: 'Paxos (preset tla) MaxBallot=2', args: ['paxos', '--config', 'preset=tla', '--config', 'maxBallot=2'], states: 185_369, depth: 25 },
];

interface Run {
  readonly configuration: string;
  readonly label: string;
  readonly states: number;
  readonly depth: number;
  readonly generated: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly candidates: number | null;
  readonly bytes: number | null;
}

/** `protokit ARGS` to its end, with its stdout and its own CPU time (the workers are reaped after, so not counted). */
function timed(args: string[], env: Record<string, string>): { stdout: string; wallMs: number; cpuMs: number } {
  const cpu = childrenCpuMs();
  const t = performance.now(); // allow-clock: benchmark timing
  const child = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 2 ** 20 });
  const wallMs = performance.now() - t; // allow-clock
  if (child.status !== 0) throw new Error(`protokit ${args.join(' ')} failed: ${child.stderr}`);
  return { stdout: child.stdout, wallMs, cpuMs: childrenCpuMs() - cpu };
}

/** `explore` in one process, then on the loopback cluster with W = 1, 2, 3 workers; every count checked. */
async function measure(conf: Configuration, nats: Nats): Promise<Run[]> {
  const model = conf.args;
  const alone = timed(['explore', ...model, '--json'], {});
  const a = JSON.parse(alone.stdout);
  if (a.distinctStates !== conf.states || a.depth !== conf.depth) {
    throw new Error(`${conf.name}: explore found ${a.distinctStates} states, depth ${a.depth}; published: ${conf.states}, ${conf.depth}`);
  }
  const runs: Run[] = [{ configuration: conf.name, label: 'explore, one process', states: a.distinctStates, depth: a.depth, generated: a.generated, wallMs: alone.wallMs, cpuMs: alone.cpuMs, candidates: null, bytes: null }];
  for (const w of [1, 2, 3]) {
    const env = { PROTOKIT_CLUSTER_TOKEN: nats.token };
    const workers = Array.from({ length: w }, (_, k) => protokit(['worker', ...model, '--cluster', nats.url, '--name', `bench${w}-${k}`, '--wait', '300'], env));
    // Started and connected before the coordinator, so its clock measures the search.
    await until(() => workers.every((p) => /connected/.test(p.stderr)), 300_000, 'the workers to connect');
    const c = timed(['explore', ...model, '--cluster', nats.url, '--json'], env);
    const r = JSON.parse(c.stdout);
    const found = [r.distinctStates, r.depth, r.generated, r.cluster.workersJoined];
    if (found.join() !== [a.distinctStates, a.depth, a.generated, w].join()) {
      throw new Error(`${conf.name} on ${w} workers: ${found.join(', ')} (states, depth, transitions, workers); one process: ${a.distinctStates}, ${a.depth}, ${a.generated}`);
    }
    runs.push({ configuration: conf.name, label: `--cluster, ${w} worker process${w > 1 ? 'es' : ''}`, states: r.distinctStates, depth: r.depth, generated: r.generated, wallMs: c.wallMs, cpuMs: c.cpuMs, candidates: r.cluster.candidates, bytes: r.cluster.bytesSent + r.cluster.bytesReceived });
    await Promise.all(workers.map((p) => p.exited));
  }
  return runs;
}

export default {
  title: 'Exhaustive search on a loopback cluster (NATS)',
  async run() {
    const runs: Run[] = [];
    const nats = await startNats();
    try {
      for (const conf of CONFIGURATIONS) runs.push(...(await measure(conf, nats)));
    } finally {
      await stopAll(nats);
    }
    const load = loadavg()[0]!.toFixed(1);
    const rows = runs.map((r) => [
      r.configuration,
      r.label,
      `${r.states.toLocaleString('en-US')} / ${r.depth}`,
      ms(r.wallMs),
      Math.round((r.states * 1000) / r.wallMs).toLocaleString('en-US'),
      ms(r.cpuMs),
      r.candidates === null ? '—' : Math.round((r.candidates * 1000) / r.cpuMs).toLocaleString('en-US'),
      r.bytes === null ? '—' : (r.bytes / r.generated).toFixed(1),
    ]);
    const markdown = [
      `${CONFIGURATIONS.map((c) => c.name).join(', then ')}: whole processes on this machine (2 cores shared, load ${load} after). Every cluster run found the one-process counts (states, depth and transitions, asserted). Wall time includes each process's start (about a second of CPU to load the toolchain). Coordinator CPU is that process's alone; the workers run beside it on the same 2 cores.`,
      '',
      table(['configuration', 'search', 'states / depth', 'wall', 'states/s (wall)', 'coordinator CPU', 'successors deduplicated per coordinator CPU second', 'bytes on the wire per successor'], rows),
    ].join('\n');
    return { markdown, json: { load: Number(load), runs } };
  },
};
