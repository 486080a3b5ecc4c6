/**
 * The second batch of bugs the suites were not written against (issue 22): the mutants in
 * models/<m>/unseen-mutants-2.ts, checked on seeds 1–5 by today's default `check` (the small
 * pass, then the random runs), beside the figures measured before exploration changed for issue
 * 22 (bench/unseen-2-before.json: the random runs alone, with the suites as they were). "caught"
 * counts seeds with any violation (the declared property is in the JSON); time to catch is the
 * CPU time of the check up to its first counterexample (no minimisation), with the random runs
 * it took (0: the small pass found it).
 *
 *   npm run bench -- --update bugs-2
 */
import { readFileSync } from 'node:fs';
import { median, ms, table } from '../measure.js';
import { runJobs, type BatchJob } from '../mutant-jobs.js';
import { BATCH_2, type BatchCatch } from '../unseen-2.js';

const SEEDS = [1, 2, 3, 4, 5];

type After = BatchCatch & { readonly foundBy: 'small' | 'random' | null };

export default {
  title: 'Bugs the suites were not written against, second batch',
  async run() {
    const before = JSON.parse(readFileSync(new URL('../unseen-2-before.json', import.meta.url), 'utf8')) as { commit: string; catches: BatchCatch[] };
    const jobs: BatchJob[] = Object.entries(BATCH_2).flatMap(([model, mutants]) => Object.keys(mutants).flatMap((mutant) => SEEDS.map((seed) => ({ batch: 2 as const, model, mutant, seed }))));
    const answers = await runJobs<BatchJob, After>(jobs);
    const rows: (string | number)[][] = [];
    const totals = { before: [0, 0], after: [0, 0] };
    let notRun = 0;
    for (const [model, mutants] of Object.entries(BATCH_2)) {
      for (const mutant of Object.keys(mutants)) {
        const was = SEEDS.map((seed) => before.catches.find((c) => c.model === model && c.mutant === mutant && c.seed === seed)!);
        // Seeds without an answer (PROTOKIT_BENCH_RUN_NONE after a sweep cut short) are left out.
        const now = SEEDS.flatMap((seed) => answers.filter((c) => c.model === model && c.mutant === mutant && c.seed === seed));
        notRun += SEEDS.length - now.length;
        const caught = <C extends BatchCatch>(cs: C[]) => cs.filter((c) => c.caught !== null);
        totals.before[0]! += was[0]!.caught ? 1 : 0;
        totals.before[1]! += caught(was).length;
        totals.after[0]! += now[0]!.caught ? 1 : 0;
        totals.after[1]! += caught(now).length;
        const time = caught(now).length ? `${ms(median(caught(now).map((c) => c.cpuMs)))} (${median(caught(now).map((c) => c.runs))} runs)` : '—';
        const by = [...new Set(caught(now).map((c) => c.foundBy))].join(', ') || '—';
        rows.push([model, mutant, mutants[mutant]!.breaks, was[0]!.caught ? '✓' : '✗', `${caught(was).length}/5`, now[0]!.caught ? '✓' : '✗', `${caught(now).length}/${now.length}`, now[0]!.caught ?? '—', by, time]);
      }
    }
    const n = rows.length;
    const markdown = [
      `Each mutant of the second batch on seeds 1–5: before (the random runs alone, the suites as they were, measured at commit ${before.commit}) and after (today's default \`check\`: the small pass, then the random runs).`,
      'Caught: any violation (the property it was written to break is in the "written to break" column). Time to catch: median CPU time over the seeds that caught it, up to the first counterexample, and the random runs it took (0: the small pass found it).',
      '',
      table(['model', 'mutant', 'written to break', 'before, seed 1', 'before, seeds 1–5', 'after, seed 1', 'after, seeds 1–5', 'property (seed 1)', 'found by', 'time to catch'], rows),
      '',
      `Default seed: ${totals.before[0]} of ${n} before, ${totals.after[0]} of ${n} after. Seeds 1–5: ${totals.before[1]} of ${5 * n} before, ${totals.after[1]} of ${5 * n - notRun} run after${notRun ? ` (${notRun} not run)` : ''}.`,
    ].join('\n');
    return { markdown, json: { before: before.catches, after: answers, totals } };
  },
};
