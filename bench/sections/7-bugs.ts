/**
 * Bugs the suites were not written against (issue 12): the mutants in models/<m>/unseen-mutants.ts
 * (and two-phase-commit's), checked on seeds 1–5 with the exploration before issue 12 (one fixed
 * run bound, uniform random choice, no sweeps, the properties the suites had) and with today's
 * default `check`. "caught" counts seeds with a violation; time to catch is the CPU time of the
 * check up to fast-check's shrunk counterexample (minimisation left out), with the runs it took.
 *
 *   npm run bench -- bugs
 */
import { median, ms, table } from '../measure.js';
import { runJobs, type UnseenJob } from '../mutant-jobs.js';
import { UNSEEN, type Catch } from '../unseen.js';

const SEEDS = [1, 2, 3, 4, 5];

export default {
  title: 'Bugs the suites were not written against',
  async run() {
    const rows: (string | number)[][] = [];
    const json: unknown[] = [];
    const totals = { before: [0, 0], after: [0, 0] };
    const jobs: UnseenJob[] = Object.entries(UNSEEN).flatMap(([model, mutants]) =>
      mutants.flatMap((mutant) => (['before', 'after'] as const).flatMap((exploration) => SEEDS.map((seed) => ({ model, mutant, seed, exploration })))),
    );
    const answers = await runJobs<UnseenJob, Catch>(jobs);
    for (const [model, mutants] of Object.entries(UNSEEN)) {
      for (const mutant of mutants) {
        const of = (exploration: 'before' | 'after'): Catch[] =>
          SEEDS.map((seed) => answers.find((c) => c.model === model && c.mutant === mutant && c.seed === seed && c.exploration === exploration)!);
        const before = of('before');
        const after = of('after');
        const caughtAt = (cs: Catch[]) => cs.filter((c) => c.caught !== null);
        totals.before[0]! += before[0]!.caught ? 1 : 0;
        totals.before[1]! += caughtAt(before).length;
        totals.after[0]! += after[0]!.caught ? 1 : 0;
        totals.after[1]! += caughtAt(after).length;
        const time = (cs: Catch[]) => (caughtAt(cs).length ? `${ms(median(caughtAt(cs).map((c) => c.cpuMs)))} (${median(caughtAt(cs).map((c) => c.runs))} runs)` : '—');
        rows.push([model, mutant, before[0]!.caught ? '✓' : '✗', `${caughtAt(before).length}/5`, after[0]!.caught ? '✓' : '✗', `${caughtAt(after).length}/5`, after[0]!.caught ?? '—', time(after)]);
        json.push({ model, mutant, before, after });
      }
    }
    const n = rows.length;
    const markdown = [
      'Each new mutant on seeds 1–5, before (fixed run bound, uniform random, no sweep, old properties) and after (today\'s default `check`).',
      'Time to catch: median CPU time over the seeds that caught it, up to the shrunk counterexample, and the runs it took.',
      '',
      table(['model', 'mutant', 'before, seed 1', 'before, seeds 1–5', 'after, seed 1', 'after, seeds 1–5', 'property (seed 1)', 'time to catch'], rows),
      '',
      `Default seed: ${totals.before[0]} of ${n} before, ${totals.after[0]} of ${n} after. Seeds 1–5: ${totals.before[1]} of ${5 * n} before, ${totals.after[1]} of ${5 * n} after.`,
    ].join('\n');
    return { markdown, json: { mutants: json, totals } };
  },
};
