/**
 * Exhaustive search on a loopback cluster (issue 25): a nats-server on 127.0.0.1, W = 1, 2, 3
 * `protokit worker` processes and an `explore --cluster` coordinator, against `explore` in one
 * process, on the same configuration (TwoPhase RM=6, then Paxos MaxBallot=2). Every cluster run
 * must find the one-process counts (states, depth, transitions), and these the published ones
 * (TLC's); a difference fails the section. Per run: distinct states/s (wall, from the coordinator's
 * start), the coordinator's CPU over the search (its own report, start-up excluded) and what it
 * did with it (successors deduplicated per CPU second: where one coordinator saturates), the
 * workers' CPU over the run (each says it when the run is over) and their successors per CPU
 * second, and so how many workers one coordinator serves (the first rate over the second), and
 * bytes on the wire per transition (both directions, payloads).
 *
 * Then the visited set split in S = 2 shards (`--shards 2`: the coordinator and one `protokit
 * shard` process) with 2 and 3 workers: each shard's CPU from its last line, the search's
 * successors per CPU second of the busiest coordinator process (the coordinator or a shard:
 * what limits the search), the aggregate over all of them, and so how many workers S shards serve.
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
  /** The whole process's CPU (start-up included). */
  readonly cpuMs: number;
  /** The coordinator's CPU over the search alone (its report), and the workers' over the run (summed); null for one process. */
  readonly searchCpuMs: number | null;
  readonly workersCpuMs: number | null;
  readonly candidates: number | null;
  readonly bytes: number | null;
  /** Shards of the visited set (1: the coordinator alone); each shard process's CPU over the run, and the successors the coordinator deduplicated itself. */
  readonly shards: number;
  readonly shardCpuMs: readonly number[];
  readonly leadCandidates: number | null;
}

/** A worker's or a shard's CPU over the run, from its last line ("the run is over (1.23 s of CPU serving it…"). */
function workerCpuMs(stderr: string): number {
  const m = /the run is over \(([\d.]+) s of CPU serving it/.exec(stderr);
  if (m === null) throw new Error(`a worker or shard did not say its CPU: ${stderr.slice(-500)}`);
  return Number(m[1]) * 1000;
}

/** Workers and shards of each cluster run: W = 1, 2, 3 on one coordinator, then 2 and 3 workers on S = 2 shards. */
const LAYOUTS = [
  { workers: 1, shards: 1 },
  { workers: 2, shards: 1 },
  { workers: 3, shards: 1 },
  { workers: 2, shards: 2 },
  { workers: 3, shards: 2 },
] as const;

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
  const runs: Run[] = [{ configuration: conf.name, label: 'explore, one process', states: a.distinctStates, depth: a.depth, generated: a.generated, wallMs: alone.wallMs, cpuMs: alone.cpuMs, searchCpuMs: null, workersCpuMs: null, candidates: null, bytes: null, shards: 1, shardCpuMs: [], leadCandidates: null }];
  for (const { workers: w, shards } of LAYOUTS) {
    const env = { PROTOKIT_CLUSTER_TOKEN: nats.token };
    const workers = Array.from({ length: w }, (_, k) => protokit(['worker', ...model, '--cluster', nats.url, '--name', `bench${w}-${k}`, '--wait', '300'], env));
    const shardProcs = Array.from({ length: shards - 1 }, (_, k) => protokit(['shard', ...model, '--cluster', nats.url, '--name', `shard${k + 1}`, '--wait', '300'], env));
    // Started and connected before the coordinator, so its clock measures the search.
    await until(() => [...workers, ...shardProcs].every((p) => /connected/.test(p.stderr)), 300_000, 'the workers and shards to connect');
    const c = timed(['explore', ...model, '--cluster', nats.url, '--json', '--cluster-workers', String(w), ...(shards > 1 ? ['--shards', String(shards)] : [])], env);
    const r = JSON.parse(c.stdout);
    const found = [r.distinctStates, r.depth, r.generated, r.cluster.workersJoined];
    if (found.join() !== [a.distinctStates, a.depth, a.generated, w].join()) {
      throw new Error(`${conf.name} on ${w} workers: ${found.join(', ')} (states, depth, transitions, workers); one process: ${a.distinctStates}, ${a.depth}, ${a.generated}`);
    }
    await Promise.all([...workers, ...shardProcs].map((p) => p.exited));
    const workersCpuMs = workers.reduce((sum, p) => sum + workerCpuMs(p.stderr), 0);
    const label = `--cluster, ${w} worker process${w > 1 ? 'es' : ''}${shards > 1 ? `, --shards ${shards}` : ''}`;
    runs.push({ configuration: conf.name, label, states: r.distinctStates, depth: r.depth, generated: r.generated, wallMs: c.wallMs, cpuMs: c.cpuMs, searchCpuMs: r.cluster.coordinatorCpuMs, workersCpuMs, candidates: r.cluster.candidates, bytes: r.cluster.bytesSent + r.cluster.bytesReceived, shards, shardCpuMs: shardProcs.map((p) => workerCpuMs(p.stderr)), leadCandidates: r.cluster.leadCandidates });
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
    const count = (n: number) => Math.round(n).toLocaleString('en-US');
    // The search's successors per CPU second of its busiest coordinator process (the coordinator, or a shard): what limits it.
    const dedupRate = (r: Run) => (r.candidates! * 1000) / Math.max(r.searchCpuMs!, ...r.shardCpuMs);
    const aggregateRate = (r: Run) => (r.candidates! * 1000) / (r.searchCpuMs! + r.shardCpuMs.reduce((a, b) => a + b, 0));
    const workerRate = (r: Run) => (r.candidates! * 1000) / r.workersCpuMs!;
    const rows = runs.map((r) =>
      r.candidates === null
        ? [r.configuration, r.label, `${count(r.states)} / ${r.depth}`, ms(r.wallMs), count((r.states * 1000) / r.wallMs), `${ms(r.cpuMs)} (whole process)`, '—', '—', '—', '—', '—', '—', '—', '—']
        : [
            r.configuration,
            r.label,
            `${count(r.states)} / ${r.depth}`,
            ms(r.wallMs),
            count((r.states * 1000) / r.wallMs),
            ms(r.searchCpuMs!),
            r.shards > 1 ? r.shardCpuMs.map(ms).join(', ') : '—',
            r.shards > 1 ? `${((r.leadCandidates! * 100) / r.candidates!).toFixed(0)}%` : '100%',
            count(dedupRate(r)),
            count(aggregateRate(r)),
            ms(r.workersCpuMs!),
            count(workerRate(r)),
            (dedupRate(r) / workerRate(r)).toFixed(1),
            (r.bytes! / r.generated).toFixed(1),
          ],
    );
    const cluster = runs.filter((r) => r.candidates !== null);
    const served = cluster.filter((r) => r.shards === 1).map((r) => dedupRate(r) / workerRate(r));
    const servedSharded = cluster.filter((r) => r.shards > 1).map((r) => dedupRate(r) / workerRate(r));
    const span = (xs: number[]) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
    const markdown = [
      `${CONFIGURATIONS.map((c) => c.name).join(', then ')}: whole processes on this machine (2 cores shared, load ${load} after). Every cluster run found the one-process counts (states, depth and transitions, asserted). Wall time includes each process's start (about a second of CPU to load the toolchain); the workers run beside the coordinator on the same 2 cores, so wall times say nothing of a speed-up. CPU is the search's own: the coordinator's from its report (\`cluster.coordinatorCpuMs\`), the workers' summed from their last line. Successors are those the workers sent fingerprints of (\`cluster.candidates\`, after each unit's own filter); one coordinator serves as many workers as its rate over one worker's. With \`--shards 2\`, the coordinator deduplicates only its share of the successors (\`cluster.leadCandidates\`) and a \`protokit shard\` process the rest (its CPU from its last line); the rate is then the search's successors per CPU second of the busiest of them, and the aggregate is over both. Across these runs one coordinator serves ${span(served)} workers, two shards ${span(servedSharded)}.`,
      '',
      table(['configuration', 'search', 'states / depth', 'wall', 'states/s (wall)', 'coordinator CPU (search)', 'shard processes\' CPU', 'successors deduplicated on the coordinator', 'successors per CPU second of the busiest coordinator process', 'aggregate: successors per coordinator and shard CPU second', 'workers\' CPU (search)', 'successors per worker CPU second', 'workers served', 'bytes on the wire per transition'], rows),
    ].join('\n');
    return { markdown, json: { load: Number(load), runs, served: { min: Math.min(...served), max: Math.max(...served) }, servedSharded: { min: Math.min(...servedSharded), max: Math.max(...servedSharded) } } };
  },
};
