/**
 * `explore --cluster … --shards S` on a loopback: the visited set split between the coordinator
 * and S − 1 `protokit shard` processes must change nothing in the figures (TwoPhase RM=5: 8,832
 * states, depth 17, 37,345 transitions) nor in a mutant's shortest counterexample; a shard
 * killed stops the search with the resume line, and the resumed search finds the same counts.
 *
 * As in cluster.test.ts, parties run in this process (run-in-process.ts for the coordinator,
 * runWorker / runShard for the others) except where a process is what is tested (a shard killed
 * with SIGKILL): then every party is a process, since the handshake pins the model's code by its
 * source text, which vitest's transform and tsx's give differently.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseConfigPairs } from '../cli/common.js';
import { run } from '../cli/run-in-process.js';
import { EnvironmentError, UsageError } from '../engine/errors.js';
import { resolveInstance } from '../engine/instance.js';
import { suites } from '../../properties/registry.js';
import { protokit, startNats, stopAll, until, type Nats, type Proc } from './loopback.js';
import { runShard } from './shard.js';
import { runWorker } from './worker.js';

const TLA5 = ['two-phase-commit', '--config', 'preset=tla', '--config', 'rms=5'];
const TLA3 = ['two-phase-commit', '--config', 'preset=tla', '--config', 'rms=3'];
/** A hang guard only: every wait below ends long before on a working cluster. */
const HANG_MS = 300_000;
const TLA5_FIGURES = { distinctStates: 8832, depth: 17, generated: 37345, complete: true };

let nats: Nats;
let out: string;
const token = () => ['--cluster-token', nats.token];

beforeAll(async () => {
  delete process.env.PROTOKIT_CLUSTER_TOKEN;
  nats = await startNats();
  out = mkdtempSync(join(tmpdir(), 'protokit-shards-test-'));
});
afterAll(async () => {
  await stopAll(nats);
  rmSync(out, { recursive: true, force: true });
});

interface Party {
  readonly lines: string[];
  /** The exit code `protokit worker` / `protokit shard` would give: 0 done, 2 refused, 74 lost. */
  readonly ended: Promise<number>;
}

/** A worker or a shard of MODEL ARGS in this process. */
function party(role: 'worker' | 'shard', args: readonly string[], name: string, waitS = 120): Party {
  const flag = (f: string) => args.flatMap((a, k) => (a === f ? [args[k + 1]!] : []));
  const suite = suites.find((x) => x.model.name === args[0])!;
  const instance = resolveInstance(suite.model, { config: parseConfigPairs(flag('--config')), mutant: flag('--mutant')[0] });
  const lines: string[] = [];
  const options = { credentials: { url: nats.url, token: nats.token, insecure: false }, waitS, name, log: (line: string) => lines.push(line) };
  const ended = (role === 'shard' ? runShard(suite, instance, options) : runWorker(suite, instance, options)).then(
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

const many = (role: 'worker' | 'shard', n: number, args: readonly string[], prefix: string): Party[] => Array.from({ length: n }, (_, k) => party(role, args, `${prefix}${k + 1}`));

const figures = (r: typeof TLA5_FIGURES) => ({ distinctStates: r.distinctStates, depth: r.depth, generated: r.generated, complete: r.complete });

async function logged(p: Proc, re: RegExp): Promise<void> {
  await until(() => re.test(p.stderr) || p.child.exitCode !== null, HANG_MS, `${re} from a process`);
  if (!re.test(p.stderr)) throw new Error(`the process ended (exit ${p.child.exitCode}) before writing ${re}: ${p.stderr}`);
}

async function finished(p: Proc): Promise<number | null> {
  let code: number | null | undefined;
  void p.exited.then((c) => (code = c));
  await until(() => code !== undefined, HANG_MS, 'a process to exit');
  return code!;
}

describe('explore --cluster --shards', () => {
  test.each([1, 2, 3])('S=%i shards, 2 workers: TwoPhase RM=5 has 8,832 states, depth 17, 37,345 transitions, as in one process', async (shards) => {
    const fleet = [...many('worker', 2, TLA5, `s${shards}w`), ...many('shard', shards - 1, TLA5, `s${shards}s`)];
    const c = await run('explore', ...TLA5, '--cluster', nats.url, ...token(), '--json', '--cluster-wait', '120', '--cluster-workers', '2', '--shards', String(shards));
    expect(c.code).toBe(0);
    const result = JSON.parse(c.stdout);
    expect(figures(result)).toEqual(TLA5_FIGURES);
    expect(result.cluster.shards).toBe(shards);
    // Every successor is deduplicated once, by its owner; the coordinator owns about 1/S of them.
    if (shards === 1) expect(result.cluster.leadCandidates).toBe(result.cluster.candidates);
    else {
      expect(result.cluster.leadCandidates).toBeGreaterThan(result.cluster.candidates / shards / 2);
      expect(result.cluster.leadCandidates).toBeLessThan((result.cluster.candidates * 2) / shards);
    }
    expect(await Promise.all(fleet.map((p) => p.ended))).toEqual(fleet.map(() => 0));
    // Each shard process held its share and says so on its last line.
    for (const s of fleet.slice(2)) expect(s.lines.at(-1)).toMatch(/the run is over \(.* s of CPU serving it; [\d,]+ successors deduplicated, [\d,]+ new\)/);
  });

  test("a mutant's shortest counterexample is the one of a search in one process, with S=2", async () => {
    const mutant = [...TLA3, '--mutant', 'tm-commits-on-majority'];
    const alone = await run('explore', ...mutant, '--json', '--out', join(out, 'alone'));
    expect(alone.code).toBe(1);
    const expected = JSON.parse(alone.stdout).violation;
    const fleet = [...many('worker', 2, mutant, 'mw'), party('shard', mutant, 'ms1')];
    const c = await run('explore', ...mutant, '--cluster', nats.url, ...token(), '--json', '--cluster-workers', '2', '--shards', '2', '--out', join(out, 'sharded'));
    expect(c.code).toBe(1);
    const v = JSON.parse(c.stdout).violation;
    expect([v.property, v.step, v.kind]).toEqual([expected.property, expected.step, expected.kind]);
    expect(JSON.parse(readFileSync(v.trace, 'utf8')).actions).toEqual(JSON.parse(readFileSync(expected.trace, 'utf8')).actions);
    expect(await Promise.all(fleet.map((p) => p.ended))).toEqual([0, 0, 0]);
  });

  test('a shard of another configuration, one too many, and one for a run without shards are refused (exit 2), named', async () => {
    const searching = run('explore', ...TLA3, '--cluster', nats.url, ...token(), '--json', '--shards', '2');
    const other = party('shard', ['two-phase-commit', '--config', 'preset=tla', '--config', 'rms=4'], 'other');
    expect(await other.ended).toBe(2);
    expect(other.lines.at(-1)).toMatch(/refused by the coordinator: config: .*"rms":3.* on the coordinator, .*"rms":4.* on the shard/);
    const good = party('shard', TLA3, 'good');
    await until(() => good.lines.some((l) => /joined run .* as shard 1 of 2/.test(l)), HANG_MS, 'the shard to join');
    const extra = party('shard', TLA3, 'extra');
    expect(await extra.ended).toBe(2);
    expect(extra.lines.at(-1)).toMatch(/refused by the coordinator: the run already has its 1 shard process \(--shards 2\)/);
    const worker = party('worker', TLA3, 'w');
    const c = await searching;
    expect([c.code, JSON.parse(c.stdout).distinctStates]).toEqual([0, 288]);
    expect(c.stderr).toMatch(/shard other refused: config/);
    expect(await Promise.all([good.ended, worker.ended])).toEqual([0, 0]);

    // A coordinator without --shards takes no shard.
    const plain = run('explore', ...TLA3, '--cluster', nats.url, ...token(), '--json');
    const lone = party('shard', TLA3, 'lone');
    expect(await lone.ended).toBe(2);
    expect(lone.lines.at(-1)).toMatch(/this run has no shards \(start the coordinator with explore … --cluster … --shards N\)/);
    party('worker', TLA3, 'w2');
    expect((await plain).code).toBe(0);
  });

  test('a shard killed (SIGKILL) mid-run: a clear stop (exit 74) with the resume line; the resumed search has the same counts', async () => {
    const dir = join(out, 'checkpoint');
    const env = { PROTOKIT_CLUSTER_TOKEN: nats.token };
    // In processes, all three (see the top of this file).
    const shard = protokit(['shard', ...TLA5, '--cluster', nats.url, '--name', 'k1', '--wait', '120'], env);
    const worker = protokit(['worker', ...TLA5, '--cluster', nats.url, '--name', 'kw', '--wait', '120'], env);
    const lead = protokit(['explore', ...TLA5, '--cluster', nats.url, '--shards', '2', '--checkpoint', dir, '--checkpoint-interval', '0', '--cluster-timeout', '10'], env);
    // Early (depth 5 of 17, most states still ahead): a later kill could come after the search.
    await logged(shard, /depth 5:/);
    shard.child.kill('SIGKILL');
    expect(await finished(lead)).toBe(74);
    expect(lead.stderr).toMatch(/the cluster stopped the search after [\d,]+ states \(depth \d+, every level before it complete\): .*shard 1 \(k1\)/);
    expect(lead.stdout).toMatch(/resume: npx protokit explore two-phase-commit .*--resume .*--shards 2/);
    expect(await finished(worker)).toBe(0);

    // New shards are seeded from the checkpoint: the same counts as a search that never failed.
    const fleet = [...many('worker', 2, TLA5, 'rw'), party('shard', TLA5, 'rs')];
    const resumed = await run('explore', ...TLA5, '--cluster', nats.url, ...token(), '--checkpoint', dir, '--resume', dir, '--shards', '2', '--cluster-workers', '2', '--json');
    expect(resumed.code).toBe(0);
    const result = JSON.parse(resumed.stdout);
    expect(figures(result)).toEqual(TLA5_FIGURES);
    expect(result.resumed).toBe(true);
    expect(await Promise.all(fleet.map((p) => p.ended))).toEqual([0, 0, 0]);
  });
});
