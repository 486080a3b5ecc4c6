/**
 * A child process of the mutant benchmarks: runs the jobs it is sent and answers with what each
 * found and the CPU time it took. `runJobs` spreads jobs over two of these side by side (two
 * cores), so the seeds of every mutant fit in the bench's time.
 * - a mutant job (`model`, `mutant`, `seed`): the suite's default check, minimised;
 * - an unseen-bug job (with `exploration`): unseen.ts's `catchOne`, before or after issue 12.
 */
import { fork } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { suites } from '../properties/registry.js';
import { defaultCheck } from './default-check.js';
import { ModelError } from '../src/engine/errors.js';
import { catchOne, type Catch } from './unseen.js';
import { batchSuite, catchBatch, catchBatchDefault, type BatchCatch } from './unseen-2.js';
import type { Strategy } from '../src/explore/random/strategy.js';

const PROCESSES = 2;
/** PROTOKIT_BENCH_PARTIAL (a file): each answer is appended to it, one JSON a line, as it arrives. */
const PARTIAL = process.env.PROTOKIT_BENCH_PARTIAL;

export interface UnseenJob {
  readonly model: string;
  readonly mutant: string;
  readonly seed: number;
  readonly exploration: 'before' | 'after';
}

/**
 * PROTOKIT_BENCH_RESUME (a file of answers, as PROTOKIT_BENCH_PARTIAL writes them): jobs answered
 * there are not run again (matched by model, mutant and seed); with PROTOKIT_BENCH_RUN_NONE=1 no
 * job is run, and a section reports the jobs without an answer as not run.
 */
const RESUME = process.env.PROTOKIT_BENCH_RESUME;
const RUN_NONE = process.env.PROTOKIT_BENCH_RUN_NONE === '1';
const keyOf = (x: unknown): string => {
  const j = x as { model: string; mutant: string; seed: number; strategy?: string };
  return `${j.model}/${j.mutant}/${j.seed}${j.strategy ? `/${j.strategy}` : ''}`;
};

/** Runs `jobs` in two child processes (jobs dealt out in turn) and returns every answer (see RESUME). */
export async function runJobs<J, A>(jobs: readonly J[]): Promise<A[]> {
  const kept = RESUME && existsSync(RESUME) ? readFileSync(RESUME, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as A) : [];
  const known = new Map(kept.map((a) => [keyOf(a), a]));
  const done = jobs.flatMap((j) => (known.has(keyOf(j)) ? [known.get(keyOf(j))!] : []));
  const left = RUN_NONE ? [] : jobs.filter((j) => !known.has(keyOf(j)));
  return [...done, ...(left.length ? await runInChildren<J, A>(left) : [])];
}

function runInChildren<J, A>(jobs: readonly J[]): Promise<A[]> {
  const script = fileURLToPath(import.meta.url);
  const shares = Array.from({ length: PROCESSES }, (_, p) => jobs.filter((_, j) => j % PROCESSES === p));
  return Promise.all(
    shares.map(
      (share) =>
        new Promise<A[]>((resolve, reject) => {
          const answers: A[] = [];
          const child = fork(script, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
          child.on('message', (m) => {
            answers.push(...(m as A[]));
            // A long sweep on a crowded machine may not end in time: what is done is kept as it comes.
            if (PARTIAL) appendFileSync(PARTIAL, (m as A[]).map((a) => JSON.stringify(a) + '\n').join(''));
          });
          child.on('error', reject);
          child.on('exit', (code) => (code === 0 && answers.length === share.length ? resolve(answers) : reject(new Error(`a bench job process exited with ${code} after ${answers.length} of ${share.length} jobs`))));
          child.send(share);
        }),
    ),
  ).then((parts) => parts.flat());
}

export interface MutantJob {
  readonly model: string;
  readonly mutant: string;
  readonly seed: number;
}

/** A job of the second to fifth unseen batch (bench/unseen-2.ts … unseen-5.ts): today's default check of one mutant at one seed. */
export interface BatchJob {
  readonly batch: 2 | 3 | 4 | 5;
  readonly model: string;
  readonly mutant: string;
  readonly seed: number;
}

/** A job of bench/sections/7-bugs-guided.ts: the random runs alone (no small pass) of a batch mutant, with one strategy. */
export interface StrategyJob extends BatchJob {
  readonly strategy: Strategy;
}

export interface MutantOutcome extends MutantJob {
  readonly caught: string | null;
  /** Which part of the default check found it: the small pass or the random runs. */
  readonly foundBy: 'small' | 'random' | null;
  readonly breaks: string;
  readonly runs: number;
  readonly step: number | null;
  readonly shrunk: number | null;
  readonly minimized: number | null;
  readonly cpuMs: number;
  readonly wallMs: number;
}

/** The default check of a shipped mutant (the small pass, then the random runs), as `protokit check MODEL --mutant M --seed N`. */
export async function runJob(job: MutantJob): Promise<MutantOutcome> {
  const suite = suites.find((s) => s.model.name === job.model)!;
  const t0 = process.cpuUsage();
  const w0 = performance.now();
  const breaks = suite.model.mutants[job.mutant]!.breaks;
  const spent = () => {
    const used = process.cpuUsage(t0);
    return { cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - w0 };
  };
  try {
    const r = await defaultCheck(suite, job.mutant, job.seed);
    const small = r.small.find((p) => p.violation)?.violation ?? null;
    const v = r.random?.violation ?? null;
    const length = small?.actions.length ?? null;
    return {
      ...job,
      caught: small?.property ?? v?.property ?? null,
      foundBy: r.foundBy,
      breaks,
      runs: r.random?.runs ?? 0,
      step: small?.step ?? v?.step ?? null,
      shrunk: length ?? v?.lengths.shrunk ?? null,
      minimized: length ?? v?.lengths.minimized ?? null,
      // The small pass's CPU as measured when it was searched (it is searched once per mutant).
      cpuMs: r.cpuMs,
      wallMs: spent().wallMs,
    };
  } catch (error) {
    // A machine that throws fails the check too (exit 4).
    if (!(error instanceof ModelError)) throw error;
    return { ...job, caught: 'model error', foundBy: null, breaks, runs: 0, step: error.step, shrunk: null, minimized: null, ...spent() };
  }
}

if (process.send !== undefined) {
  process.on('message', async (jobs: (MutantJob | UnseenJob | BatchJob | StrategyJob)[]) => {
    // Each answer as soon as it is known (the parent keeps them as they come).
    for (const j of jobs) {
      const outcome: MutantOutcome | Catch | BatchCatch | (BatchCatch & { strategy: Strategy }) =
        'exploration' in j
          ? catchOne(j.model, j.mutant, j.seed, j.exploration)
          : 'strategy' in j
            ? { ...catchBatch(j.model, j.mutant, j.seed, batchSuite(j.model, j.batch), j.strategy), strategy: j.strategy }
            : 'batch' in j
              ? await catchBatchDefault(j.model, j.mutant, j.seed, j.batch)
              : await runJob(j);
      await new Promise<void>((resolve) => process.send!([outcome], undefined, {}, () => resolve()));
    }
    // Disconnect only once every answer is handed over, or one may be lost.
    process.disconnect();
  });
}
