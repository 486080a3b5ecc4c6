/**
 * The cluster on a loopback: a nats-server on 127.0.0.1 with a token, one for the whole file (a
 * second only where the server itself is killed). The figures must be those of one process for
 * any number of workers, and after a worker, the coordinator or the server dies.
 *
 * What a process is needed for is done with processes: a worker or a coordinator killed with
 * SIGKILL, and a worker's exit code on a wrong token. A run with one party in a process has all
 * of them in processes: the handshake pins the model's code by its source text, which vitest's
 * transform and tsx's give differently (so an in-process worker is refused by a coordinator
 * process, rightly). Everything else (W = 1, 2, 3, the mutant, refusals, the server killed, the
 * resumed search, fail-fast) runs in this process (`run` from run-in-process.ts, and
 * inProcessWorker, which is `protokit worker` without its process): each spawned process costs
 * about a second of CPU just to load the kit. Small configurations only (TwoPhase RM=5: 8,832
 * states; RM=3 where any run will do); the bench measures bigger ones.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { run } from '../cli/run-in-process.js';
import { parseConfigPairs } from '../cli/common.js';
import { EnvironmentError, UsageError } from '../engine/errors.js';
import { resolveInstance } from '../engine/instance.js';
import { suites } from '../../properties/registry.js';
import { protokit, startNats, stopAll, until, type Nats, type Proc } from './loopback.js';
import { runWorker } from './worker.js';

const TLA5 = ['two-phase-commit', '--config', 'preset=tla', '--config', 'rms=5'];
const TLA3 = ['two-phase-commit', '--config', 'preset=tla', '--config', 'rms=3'];
/** A hang guard only: every wait below ends long before on a working cluster. */
const HANG_MS = 300_000;

let nats: Nats;
let out: string;
const env = () => ({ PROTOKIT_CLUSTER_TOKEN: nats.token });
const token = () => ['--cluster-token', nats.token];

beforeAll(async () => {
  // The credentials are given on each command line here: none may come from the environment.
  delete process.env.PROTOKIT_CLUSTER_TOKEN;
  nats = await startNats();
  out = mkdtempSync(join(tmpdir(), 'protokit-cluster-test-'));
});
afterAll(async () => {
  await stopAll(nats);
  rmSync(out, { recursive: true, force: true });
});

/** A `protokit worker` run in this process (for tests where the process itself is not what is tested): what it logged, how it ended. */
interface InProcessWorker {
  readonly lines: string[];
  /** 0 when the run it served is over, 2 when refused, 74 when the server or coordinator was lost (the exit codes of `protokit worker`). */
  readonly ended: Promise<number>;
}

/** A worker of MODEL ARGS (as the command line gives them: `two-phase-commit --config rms=3 --mutant m`) in this process, against `nats`. */
function inProcessWorker(args: readonly string[], nats: Pick<Nats, 'url' | 'token'>, name: string, waitS = 120): InProcessWorker {
  const flag = (f: string) => args.flatMap((a, k) => (a === f ? [args[k + 1]!] : []));
  const suite = suites.find((x) => x.model.name === args[0])!;
  const instance = resolveInstance(suite.model, { config: parseConfigPairs(flag('--config')), mutant: flag('--mutant')[0] });
  const lines: string[] = [];
  const ended = runWorker(suite, instance, { credentials: { url: nats.url, token: nats.token, insecure: false }, waitS, name, log: (line) => lines.push(line) }).then(
    () => 0,
    (error: unknown) => {
      lines.push(error instanceof Error ? error.message : String(error));
      if (error instanceof UsageError) return 2;
      if (error instanceof EnvironmentError) return 74;
      throw error;
    },
  );
  return { lines, ended };
}

/** `n` in-process workers of MODEL ARGS, named PREFIX1… */
const workers = async (n: number, model: readonly string[], prefix: string, waitS = 120, server: Pick<Nats, 'url' | 'token'> = nats): Promise<InProcessWorker[]> =>
  Array.from({ length: n }, (_, k) => inProcessWorker(model, server, `${prefix}${k + 1}`, waitS));

/** A worker process (for the cases that kill a party), connected to the server before this returns. */
async function workerProcess(model: readonly string[], name: string): Promise<Proc> {
  const p = protokit(['worker', ...model, '--cluster', nats.url, '--name', name, '--wait', '120'], env());
  await logged(p, /connected/);
  return p;
}

/** Waits until `p` has written a line matching `re` on stderr; a process that ended first fails the test at once (not after the hang guard). */
async function logged(p: Proc, re: RegExp): Promise<void> {
  await until(() => re.test(p.stderr) || p.child.exitCode !== null, HANG_MS, `${re} from a process`);
  if (!re.test(p.stderr)) throw new Error(`the process ended (exit ${p.child.exitCode}) before writing ${re}: ${p.stderr}`);
}

/** The same for an in-process worker. */
async function workerLogged(w: InProcessWorker, re: RegExp): Promise<void> {
  let ended = false;
  void w.ended.then(() => (ended = true));
  await until(() => w.lines.some((l) => re.test(l)) || ended, HANG_MS, `${re} from a worker`);
  if (!w.lines.some((l) => re.test(l))) throw new Error(`the worker ended before writing ${re}: ${w.lines.join(' | ')}`);
}

async function finished(p: Proc): Promise<number | null> {
  let code: number | null | undefined;
  void p.exited.then((c) => (code = c));
  await until(() => code !== undefined, HANG_MS, 'a process to exit');
  return code!;
}

interface Figures {
  distinctStates: number;
  depth: number;
  generated: number;
  complete: boolean;
}
const figures = (r: Figures): Figures => ({ distinctStates: r.distinctStates, depth: r.depth, generated: r.generated, complete: r.complete });
const TLA5_FIGURES: Figures = { distinctStates: 8832, depth: 17, generated: 37345, complete: true };

describe('explore --cluster', () => {
  test.each([1, 2, 3])('W=%i workers: TwoPhase RM=5 has 8,832 states, depth 17, as in one process', async (w) => {
    const fleet = await workers(w, TLA5, `w${w}-`);
    // Waits for the whole fleet: a worker says hello once a second, and one alone can finish RM=5 before the next joins.
    const coordinator = await run('explore', ...TLA5, '--cluster', nats.url, ...token(), '--json', '--cluster-wait', '120', '--cluster-workers', String(w));
    expect(coordinator.code).toBe(0);
    const result = JSON.parse(coordinator.stdout);
    expect(figures(result)).toEqual(TLA5_FIGURES);
    expect(result.cluster.workersJoined).toBe(w);
    expect(result.cluster.candidates).toBeGreaterThanOrEqual(result.distinctStates - 1);
    expect(result.cluster.coordinatorCpuMs).toBeGreaterThan(0);
    // Told the run is over, every worker ends cleanly.
    expect(await Promise.all(fleet.map((p) => p.ended))).toEqual(fleet.map(() => 0));
  });

  test("a mutant's shortest counterexample is the same for 1, 2 and 3 workers, and the same as in one process", async () => {
    const mutant = [...TLA3, '--mutant', 'tm-commits-on-majority'];
    const alone = await run('explore', ...mutant, '--json', '--out', join(out, 'alone'));
    expect(alone.code).toBe(1);
    const expected = JSON.parse(alone.stdout).violation;
    for (const w of [1, 2, 3]) {
      await workers(w, mutant, `m${w}-`);
      const c = await run('explore', ...mutant, '--cluster', nats.url, ...token(), '--json', '--cluster-workers', String(w), '--out', join(out, `w${w}`));
      expect(c.code).toBe(1);
      const v = JSON.parse(c.stdout).violation;
      expect([v.property, v.step, v.kind]).toEqual([expected.property, expected.step, expected.kind]);
      // The traces hold the same actions.
      expect(JSON.parse(readFileSync(v.trace, 'utf8')).actions).toEqual(JSON.parse(readFileSync(expected.trace, 'utf8')).actions);
    }
  });

  test('a worker killed (SIGKILL) mid-level: its units go to the other, the same counts', async () => {
    // All three in processes (see the top of this file).
    const killed = await workerProcess(TLA5, 'k1');
    const coordinator = protokit(['explore', ...TLA5, '--cluster', nats.url, '--json', '--cluster-timeout', '5'], env());
    // Killed as soon as it joined: the search cannot be over, as it was the only worker (a whole
    // RM=5 search takes a second of CPU, and this search is that fast: a later kill could come after it).
    await logged(killed, /joined run/);
    killed.child.kill('SIGKILL');
    const other = await workerProcess(TLA5, 'k2');
    expect(await finished(coordinator)).toBe(0);
    const result = JSON.parse(coordinator.stdout);
    expect(figures(result)).toEqual(TLA5_FIGURES);
    expect(result.cluster.workersLost).toBe(1);
    // The unit it held, or the next it was sent, was done again by the other.
    expect(result.cluster.unitsRedone).toBeGreaterThanOrEqual(1);
    expect(coordinator.stderr).toMatch(/worker k1 dropped/);
    expect(await finished(other)).toBe(0);
  });

  test('the coordinator killed (SIGKILL): --resume from its checkpoint gives the same counts', async () => {
    const dir = join(out, 'checkpoint');
    const first = await workerProcess(TLA5, 'c1');
    const coordinator = protokit(['explore', ...TLA5, '--cluster', nats.url, '--checkpoint', dir, '--checkpoint-interval', '0', '--json'], env());
    // Early (depth 5 of 17, most states still ahead): a kill later could come after the search.
    await logged(first, /depth 5:/);
    coordinator.child.kill('SIGKILL');
    expect(await finished(coordinator)).toBe(null);
    first.child.kill('SIGKILL');
    // The checkpoint pins no code hash: it resumes here, with new workers.
    await workers(2, TLA5, 'r');
    const resumed = await run('explore', ...TLA5, '--cluster', nats.url, ...token(), '--checkpoint', dir, '--resume', dir, '--json');
    expect(resumed.code).toBe(0);
    const result = JSON.parse(resumed.stdout);
    expect(figures(result)).toEqual(TLA5_FIGURES);
    expect(result.resumed).toBe(true);
  });

  test('a wrong token is refused (exit 2, one line); a worker of another configuration or model is refused and named', async () => {
    const wrong = protokit(['worker', ...TLA3, '--cluster', nats.url, '--cluster-token', 'not-the-token', '--wait', '5']);
    const open = await run('explore', ...TLA3, '--cluster', nats.url);
    expect(open.code).toBe(2);
    expect(open.stderr).toMatch(/no credentials/);
    expect(await finished(wrong)).toBe(2);
    expect(wrong.stderr.trim().split('\n')).toEqual([expect.stringMatching(/refused the credentials/)]);

    // The coordinator first: it waits for a worker, so the refused ones meet it.
    const searching = run('explore', ...TLA3, '--cluster', nats.url, ...token(), '--json');
    const [other] = await workers(1, ['two-phase-commit', '--config', 'preset=tla', '--config', 'rms=4'], 'other');
    const [otherModel] = await workers(1, ['paxos'], 'paxos');
    expect(await other!.ended).toBe(2);
    expect(other!.lines.at(-1)).toMatch(/refused by the coordinator: config: .*"rms":3.* on the coordinator, .*"rms":4.* on the worker/);
    expect(await otherModel!.ended).toBe(2);
    expect(otherModel!.lines.at(-1)).toMatch(/refused by the coordinator: model: "two-phase-commit" on the coordinator, "paxos" on the worker/);
    await workers(1, TLA3, 'good');
    const c = await searching;
    expect(c.code).toBe(0);
    expect(c.stderr).toMatch(/worker other1 refused: config/);
    expect(c.stderr).toMatch(/worker paxos1 refused: model/);
    expect(JSON.parse(c.stdout).distinctStates).toBe(288);
  });

  test('the NATS server killed mid-run: a clear stop (exit 74) with the figures and the resume line, which resumes to the same counts', async () => {
    const own = await startNats();
    const dir = join(out, 'lost');
    const [w] = await workers(1, TLA5, 'lost', 30, own);
    const searching = run('explore', ...TLA5, '--cluster', own.url, '--cluster-token', own.token, '--checkpoint', dir, '--checkpoint-interval', '0', '--cluster-timeout', '3');
    await workerLogged(w!, /depth 5:/);
    own.proc.child.kill('SIGKILL');
    const c = await searching;
    expect(c.code).toBe(74);
    expect(c.stderr).toMatch(/the cluster stopped the search after [\d,]+ states \(depth \d+, every level before it complete\)/);
    expect(c.stdout).toMatch(/resume: npx protokit explore two-phase-commit .*--resume /);
    expect(c.stdout).toMatch(/incomplete: stopped by the cluster failing/);
    expect(await w!.ended).toBe(74);
    rmSync(own.dir, { recursive: true, force: true });
    // The checkpoint written as the cluster failed resumes (on another server) to the counts of a search that never failed.
    await workers(1, TLA5, 'after-lost');
    const resumed = await run('explore', ...TLA5, '--cluster', nats.url, ...token(), '--checkpoint', dir, '--resume', dir, '--json');
    expect(resumed.code).toBe(0);
    expect(figures(JSON.parse(resumed.stdout))).toEqual(TLA5_FIGURES);
  });
});

describe('check --queue: a random fleet on JetStream', () => {
  const budget = ['--runs', '600', '--units', '6', '--no-small', '--json'];
  const keep = (json: string) => {
    const r = JSON.parse(json);
    return { runs: r.runs, steps: r.steps, seed: r.seed, distinctStates: r.distinctStates, violation: r.violation && { property: r.violation.property, step: r.violation.step } };
  };

  test('the same units give the same result on the fleet as here, with a worker killed mid-unit (its unit redelivered)', async () => {
    const local = await run('check', 'two-phase-commit', ...budget, '--out', join(out, 'fleet-local'));
    expect(local.code).toBe(0);
    // The queue's side in processes too (see the top of this file).
    const killed = await workerProcess(['two-phase-commit'], 'f1');
    const queued = protokit(['check', 'two-phase-commit', ...budget, '--queue', nats.url, '--cluster-timeout', '3', '--out', join(out, 'fleet')], env());
    await logged(killed, /unit \d+:/);
    killed.child.kill('SIGKILL');
    // The unit it was running when killed: its last.
    const taken = [...killed.stderr.matchAll(/unit (\d+):/g)].at(-1)![1];
    // The only worker left: it runs the rest, the killed worker's unit included once redelivered.
    const other = await workerProcess(['two-phase-commit'], 'f2');
    expect(await finished(queued)).toBe(0);
    expect(keep(queued.stdout)).toEqual(keep(local.stdout));
    expect(keep(queued.stdout).runs).toBe(600);
    expect(other.stderr).toMatch(new RegExp(`unit ${taken}:`));
    expect(await finished(other)).toBe(0);
  });

  test('fail-fast: a violation stops the fleet; the reported counterexample is the lowest failing unit, as here', async () => {
    const mutant = ['two-phase-commit', '--mutant', 'tm-commits-on-majority'];
    const local = await run('check', ...mutant, ...budget, '--out', join(out, 'ff-local'));
    expect(local.code).toBe(1);
    // A worker too late to join waits this long for another coordinator: short, as none comes.
    const fleet = await workers(2, mutant, 'ff', 20);
    const queued = await run('check', ...mutant, ...budget, '--queue', nats.url, ...token(), '--out', join(out, 'ff'));
    expect(queued.code).toBe(1);
    expect(keep(queued.stdout)).toEqual(keep(local.stdout));
    // Units after the failing one are not counted (here they were never run).
    expect(keep(queued.stdout).runs).toBeLessThan(600);
    // A worker that joined ends when the run does; one too late to join gives up, saying so.
    for (const p of fleet) {
      const code = await p.ended;
      if (p.lines.some((l) => /joined run/.test(l))) expect(code).toBe(0);
      else expect([code, p.lines.some((l) => /no coordinator answered/.test(l))]).toEqual([74, true]);
    }
  });
});
