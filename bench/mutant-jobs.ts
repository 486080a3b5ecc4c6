/**
 * A child process of the mutant benchmarks: runs the jobs it is sent and answers with what each
 * found and the CPU time it took. `runJobs` spreads jobs over two of these side by side (two
 * cores), so the seeds of every mutant fit in the bench's time.
 * - a mutant job (`model`, `mutant`, `seed`): the suite's default check, minimised;
 * - an unseen-bug job (with `exploration`): unseen.ts's `catchOne`, before or after issue 12.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { suites } from '../properties/registry.js';
import { checkRandom } from '../src/explore/random/random.js';
import { time } from './measure.js';
import { catchOne, type Catch } from './unseen.js';

const PROCESSES = 2;

export interface UnseenJob {
  readonly model: string;
  readonly mutant: string;
  readonly seed: number;
  readonly exploration: 'before' | 'after';
}

/** Runs `jobs` in two child processes (jobs dealt out in turn) and returns every answer. */
export function runJobs<J, A>(jobs: readonly J[]): Promise<A[]> {
  const script = fileURLToPath(import.meta.url);
  const shares = Array.from({ length: PROCESSES }, (_, p) => jobs.filter((_, j) => j % PROCESSES === p));
  return Promise.all(
    shares.map(
      (share) =>
        new Promise<A[]>((resolve, reject) => {
          const answers: A[] = [];
          const child = fork(script, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
          child.on('message', (m) => answers.push(...(m as A[])));
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

export interface MutantOutcome extends MutantJob {
  readonly caught: string | null;
  readonly breaks: string;
  readonly runs: number;
  readonly step: number | null;
  readonly shrunk: number | null;
  readonly minimized: number | null;
  readonly cpuMs: number;
  readonly wallMs: number;
}

export function runJob(job: MutantJob): MutantOutcome {
  const suite = suites.find((s) => s.model.name === job.model)!;
  const run = time(() => checkRandom(suite, { mutant: job.mutant, seed: job.seed }));
  const v = run.value.violation;
  return {
    ...job,
    caught: v?.property ?? null,
    breaks: suite.model.mutants[job.mutant]!.breaks,
    runs: run.value.runs,
    step: v?.step ?? null,
    shrunk: v?.lengths.shrunk ?? null,
    minimized: v?.lengths.minimized ?? null,
    cpuMs: run.cpuMs,
    wallMs: run.wallMs,
  };
}

if (process.send !== undefined) {
  process.on('message', (jobs: (MutantJob | UnseenJob)[]) => {
    const outcomes: (MutantOutcome | Catch)[] = jobs.map((j) => ('exploration' in j ? catchOne(j.model, j.mutant, j.seed, j.exploration) : runJob(j)));
    // Disconnect only once the answer is handed over, or it may be lost.
    process.send!(outcomes, undefined, {}, () => process.disconnect());
  });
}
