/**
 * A child process of the mutant benchmark: runs the (model, mutant, seed) jobs it is sent and
 * answers with what each found and the CPU time it took. Two of these run side by side so the
 * ten seeds per mutant fit in the bench's time budget on two cores.
 */
import { suites } from '../properties/registry.js';
import { checkRandom } from '../src/explore/random/random.js';
import { time } from './measure.js';

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
  process.on('message', (jobs: MutantJob[]) => {
    const outcomes = jobs.map(runJob);
    // Disconnect only once the answer is handed over, or it may be lost.
    process.send!(outcomes, undefined, {}, () => process.disconnect());
  });
}
