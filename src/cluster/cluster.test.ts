/**
 * The cluster on a loopback: a nats-server on 127.0.0.1 with a token, and real `protokit
 * worker` / `explore --cluster` / `check --queue` processes. The figures must be those of one
 * process for any number of workers, and after a worker, the coordinator or the server dies.
 * Small configurations only (TwoPhase RM=5: 8,832 states); the bench measures bigger ones.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { protokit, startNats, stopAll, until, type Nats, type Proc } from './loopback.js';

const TLA5 = ['two-phase-commit', '--config', 'preset=tla', '--config', 'rms=5'];
const TLA3 = ['two-phase-commit', '--config', 'preset=tla', '--config', 'rms=3'];
/** A hang guard only: every wait below ends long before on a working cluster. */
const HANG_MS = 300_000;

let nats: Nats;
let out: string;
const env = () => ({ PROTOKIT_CLUSTER_TOKEN: nats.token });

beforeAll(async () => {
  nats = await startNats();
  out = mkdtempSync(join(tmpdir(), 'protokit-cluster-test-'));
});
afterAll(async () => {
  await stopAll(nats);
  rmSync(out, { recursive: true, force: true });
});

/** `n` worker processes; each gives up after `waitS` seconds without a coordinator. */
function workers(n: number, model: readonly string[], prefix: string, waitS = 120): Proc[] {
  return Array.from({ length: n }, (_, k) => protokit(['worker', ...model, '--cluster', nats.url, '--name', `${prefix}${k + 1}`, '--wait', String(waitS)], env()));
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
const figures = (json: string): Figures => {
  const r = JSON.parse(json) as Figures;
  return { distinctStates: r.distinctStates, depth: r.depth, generated: r.generated, complete: r.complete };
};
const TLA5_FIGURES: Figures = { distinctStates: 8832, depth: 17, generated: 37345, complete: true };

describe('explore --cluster', () => {
  test.each([1, 2, 3])('W=%i worker processes: TwoPhase RM=5 has 8,832 states, depth 17, as in one process', async (w) => {
    const fleet = workers(w, TLA5, `w${w}-`);
    const coordinator = protokit(['explore', ...TLA5, '--cluster', nats.url, '--json', '--cluster-wait', '120'], env());
    expect(await finished(coordinator)).toBe(0);
    expect(figures(coordinator.stdout)).toEqual(TLA5_FIGURES);
    expect(JSON.parse(coordinator.stdout).cluster.workersJoined).toBe(w);
    // Told the run is over, every worker ends cleanly.
    for (const p of fleet) expect(await finished(p)).toBe(0);
  });

  test("a mutant's shortest counterexample is the same for 1 and 3 workers, and the same as in one process", async () => {
    const mutant = [...TLA3, '--mutant', 'tm-commits-on-majority'];
    const alone = protokit(['explore', ...mutant, '--json', '--out', join(out, 'alone')]);
    expect(await finished(alone)).toBe(1);
    const expected = JSON.parse(alone.stdout).violation;
    for (const w of [1, 3]) {
      workers(w, mutant, `m${w}-`);
      const c = protokit(['explore', ...mutant, '--cluster', nats.url, '--json', '--out', join(out, `w${w}`)], env());
      expect(await finished(c)).toBe(1);
      const v = JSON.parse(c.stdout).violation;
      expect([v.property, v.step, v.kind]).toEqual([expected.property, expected.step, expected.kind]);
      // The traces hold the same actions.
      const { readFileSync } = await import('node:fs');
      expect(JSON.parse(readFileSync(v.trace, 'utf8')).actions).toEqual(JSON.parse(readFileSync(expected.trace, 'utf8')).actions);
    }
  });

  test('a worker killed (SIGKILL) mid-level: its units go to the other, the same counts', async () => {
    const [first, second] = workers(2, TLA5, 'k');
    const coordinator = protokit(['explore', ...TLA5, '--cluster', nats.url, '--json', '--cluster-timeout', '5'], env());
    await until(() => /depth 9:/.test(first!.stderr), HANG_MS, 'the first worker to reach depth 9');
    first!.child.kill('SIGKILL');
    expect(await finished(coordinator)).toBe(0);
    expect(figures(coordinator.stdout)).toEqual(TLA5_FIGURES);
    expect(JSON.parse(coordinator.stdout).cluster.workersLost).toBeGreaterThanOrEqual(1);
    expect(coordinator.stderr).toMatch(/worker k1 dropped/);
    expect(await finished(second!)).toBe(0);
  });

  test('the coordinator killed (SIGKILL): --resume from its checkpoint gives the same counts', async () => {
    const dir = join(out, 'checkpoint');
    const fleet = workers(1, TLA5, 'c');
    const coordinator = protokit(['explore', ...TLA5, '--cluster', nats.url, '--checkpoint', dir, '--checkpoint-interval', '0', '--json'], env());
    await until(() => /depth 10:/.test(fleet[0]!.stderr), HANG_MS, 'the worker to reach depth 10');
    coordinator.child.kill('SIGKILL');
    await finished(coordinator);
    fleet[0]!.child.kill('SIGKILL');
    workers(2, TLA5, 'r');
    const resumed = protokit(['explore', ...TLA5, '--cluster', nats.url, '--checkpoint', dir, '--resume', dir, '--json'], env());
    expect(await finished(resumed)).toBe(0);
    expect(figures(resumed.stdout)).toEqual(TLA5_FIGURES);
    expect(JSON.parse(resumed.stdout).resumed).toBe(true);
  });

  test('a wrong token is refused (exit 2, one line); a worker of another configuration is refused and named', async () => {
    const wrong = protokit(['worker', ...TLA3, '--cluster', nats.url, '--cluster-token', 'not-the-token', '--wait', '5']);
    expect(await finished(wrong)).toBe(2);
    expect(wrong.stderr.trim().split('\n')).toEqual([expect.stringMatching(/refused the credentials/)]);
    const open = protokit(['explore', ...TLA3, '--cluster', nats.url]);
    expect(await finished(open)).toBe(2);
    expect(open.stderr).toMatch(/no credentials/);

    // The coordinator first: it waits for a worker, so the refused ones meet it whatever their start-up time.
    const c = protokit(['explore', ...TLA3, '--cluster', nats.url, '--json'], env());
    const other = workers(1, ['two-phase-commit', '--config', 'preset=tla', '--config', 'rms=4'], 'other');
    const otherModel = workers(1, ['paxos'], 'paxos');
    expect(await finished(other[0]!)).toBe(2);
    expect(other[0]!.stderr).toMatch(/refused by the coordinator: config: .*"rms":3.* on the coordinator, .*"rms":4.* on the worker/);
    expect(await finished(otherModel[0]!)).toBe(2);
    expect(otherModel[0]!.stderr).toMatch(/refused by the coordinator: model: "two-phase-commit" on the coordinator, "paxos" on the worker/);
    workers(1, TLA3, 'good');
    expect(await finished(c)).toBe(0);
    expect(c.stderr).toMatch(/worker other1 refused: config/);
    expect(c.stderr).toMatch(/worker paxos1 refused: model/);
    expect(JSON.parse(c.stdout).distinctStates).toBe(288);
  });

  test('the NATS server killed mid-run: a clear stop (exit 74) with the figures and the resume line', async () => {
    const own = await startNats();
    const dir = join(out, 'lost');
    const w = protokit(['worker', ...TLA5, '--cluster', own.url, '--name', 'lost1', '--wait', '30'], { PROTOKIT_CLUSTER_TOKEN: own.token });
    const c = protokit(['explore', ...TLA5, '--cluster', own.url, '--checkpoint', dir, '--checkpoint-interval', '0', '--cluster-timeout', '3'], { PROTOKIT_CLUSTER_TOKEN: own.token });
    await until(() => /depth 8:/.test(w.stderr), HANG_MS, 'the worker to reach depth 8');
    own.proc.child.kill('SIGKILL');
    expect(await finished(c)).toBe(74);
    expect(c.stderr).toMatch(/the cluster stopped the search after [\d,]+ states \(depth \d+, every level before it complete\)/);
    expect(c.stdout).toMatch(/resume: npx protokit explore two-phase-commit .*--resume /);
    expect(c.stdout).toMatch(/incomplete: stopped by the cluster failing/);
    expect(await finished(w)).not.toBe(0);
    rmSync(own.dir, { recursive: true, force: true });
  });
});

describe('check --queue: a random fleet on JetStream', () => {
  const budget = ['--runs', '600', '--units', '6', '--no-small', '--json'];
  const keep = (json: string) => {
    const r = JSON.parse(json);
    return { runs: r.runs, steps: r.steps, seed: r.seed, distinctStates: r.distinctStates, violation: r.violation && { property: r.violation.property, step: r.violation.step } };
  };

  test('the same units give the same result on two workers as here, with a worker killed mid-unit (its unit redelivered)', async () => {
    const local = protokit(['check', 'two-phase-commit', ...budget, '--out', join(out, 'fleet-local')]);
    expect(await finished(local)).toBe(0);
    const fleet = workers(2, ['two-phase-commit'], 'f');
    const queued = protokit(['check', 'two-phase-commit', ...budget, '--queue', nats.url, '--cluster-timeout', '3', '--out', join(out, 'fleet')], env());
    await until(() => /unit \d+:/.test(fleet[0]!.stderr), HANG_MS, 'the first worker to take a unit');
    fleet[0]!.child.kill('SIGKILL');
    expect(await finished(queued)).toBe(0);
    expect(keep(queued.stdout)).toEqual(keep(local.stdout));
    expect(keep(queued.stdout).runs).toBe(600);
    // The unit the killed worker held was run again, by the other.
    const taken = /unit (\d+):/.exec(fleet[0]!.stderr)![1];
    expect(fleet[1]!.stderr).toMatch(new RegExp(`unit ${taken}:`));
  });

  test('fail-fast: a violation stops the fleet; the reported counterexample is the lowest failing unit, as here', async () => {
    const mutant = ['two-phase-commit', '--mutant', 'tm-commits-on-majority'];
    const local = protokit(['check', ...mutant, ...budget, '--out', join(out, 'ff-local')]);
    expect(await finished(local)).toBe(1);
    // A worker too late to join waits this long for another coordinator: short, as none comes.
    const fleet = workers(2, mutant, 'ff', 20);
    const queued = protokit(['check', ...mutant, ...budget, '--queue', nats.url, '--out', join(out, 'ff')], env());
    expect(await finished(queued)).toBe(1);
    expect(keep(queued.stdout)).toEqual(keep(local.stdout));
    // Units after the failing one are not counted (here they were never run).
    expect(keep(queued.stdout).runs).toBeLessThan(600);
    // A worker that joined ends when the run does; one too late to join gives up, saying so.
    for (const p of fleet) {
      const code = await finished(p);
      if (/joined run/.test(p.stderr)) expect(code).toBe(0);
      else expect([code, /no coordinator answered/.test(p.stderr)]).toEqual([74, true]);
    }
  });
});
