/**
 * A bench section for one batch of bugs the suites were not written against (issue 22): every
 * mutant of the batch on seeds 1–5, checked by today's default `check` (the small pass, then the
 * random runs), beside the figures measured before exploration changed for them
 * (bench/unseen-N-before.json, when it exists; PROTOKIT_BUGSN_NO_BEFORE=1 leaves them out).
 * "caught" counts seeds with any violation; time to catch is the CPU time of the check up to its
 * first counterexample (no minimisation; a small-pass catch counts the whole pass), with the
 * random runs it took (0: the small pass found it). Used by sections 7-bugs-3, 7-bugs-4 and 7-bugs-5.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { MutantSpec } from '../src/index.js';
import { median, ms, table } from './measure.js';
import { runJobs, type BatchJob } from './mutant-jobs.js';
import type { BatchCatch } from './unseen-2.js';

export const SEEDS = [1, 2, 3, 4, 5];

export type Found = BatchCatch & { readonly foundBy: 'small' | 'random' | null };

export interface BatchSectionOptions {
  readonly batch: BatchJob['batch'];
  readonly ordinal: string;
  readonly mutants: Readonly<Record<string, Readonly<Record<string, MutantSpec>>>>;
  /** What "before" was (after "the same default at commit C, "). */
  readonly beforeWas: string;
}

export function batchSection(o: BatchSectionOptions) {
  return {
    title: `Bugs the suites were not written against, ${o.ordinal} batch`,
    async run() {
      const beforeFile = new URL(`./unseen-${o.batch}-before.json`, import.meta.url);
      const skipBefore = process.env[`PROTOKIT_BUGS${o.batch}_NO_BEFORE`];
      const before = existsSync(beforeFile) && !skipBefore ? (JSON.parse(readFileSync(beforeFile, 'utf8')) as { commit: string; catches: Found[] }) : null;
      // Every mutant's default seed first, then seed 2, ...: the default seed's figures come first.
      const jobs: BatchJob[] = SEEDS.flatMap((seed) => Object.entries(o.mutants).flatMap(([model, mutants]) => Object.keys(mutants).map((mutant) => ({ batch: o.batch, model, mutant, seed }))));
      const answers = await runJobs<BatchJob, Found>(jobs);
      const rows: (string | number)[][] = [];
      const totals = { before: [0, 0], after: [0, 0] };
      let notRun = 0;
      const caught = (cs: readonly Found[]) => cs.filter((c) => c.caught !== null);
      for (const [model, mutants] of Object.entries(o.mutants)) {
        for (const mutant of Object.keys(mutants)) {
          // Seeds without an answer (a sweep cut short, PROTOKIT_BENCH_RUN_NONE) are left out and counted as not run.
          const now = SEEDS.flatMap((seed) => answers.filter((c) => c.model === model && c.mutant === mutant && c.seed === seed));
          notRun += SEEDS.length - now.length;
          if (now[0]?.seed !== 1) {
            rows.push([model, mutant, mutants[mutant]!.breaks, '—', '—', 'not run', `${caught(now).length}/${now.length}`, '—', '—', '—']);
            continue;
          }
          const was = before === null ? null : SEEDS.flatMap((seed) => before.catches.filter((c) => c.model === model && c.mutant === mutant && c.seed === seed));
          if (was && was[0]?.seed === 1) {
            totals.before[0]! += was[0]!.caught ? 1 : 0;
            totals.before[1]! += caught(was).length;
          }
          totals.after[0]! += now[0]!.caught ? 1 : 0;
          totals.after[1]! += caught(now).length;
          const time = caught(now).length ? `${ms(median(caught(now).map((c) => c.cpuMs)))} (${median(caught(now).map((c) => c.runs))} runs)` : '—';
          const by = [...new Set(caught(now).map((c) => c.foundBy))].join(', ') || '—';
          rows.push([model, mutant, mutants[mutant]!.breaks, was?.[0]?.seed === 1 ? (was[0]!.caught ? '✓' : '✗') : '—', was ? `${caught(was).length}/${was.length}` : '—', now[0]!.caught ? '✓' : '✗', `${caught(now).length}/${now.length}`, now[0]!.caught ?? '—', by, time]);
        }
      }
      const n = rows.length;
      const markdown = [
        `Each mutant of the ${o.ordinal} batch (written before anything measured it) on seeds 1–5, checked by today's default \`check\` (the small pass, then the random runs)${before ? `; "before": the same default at commit ${before.commit}, ${o.beforeWas}` : ''}.`,
        'Caught: any violation (the property it was written to break is in the "written to break" column). Time to catch: median CPU time over the seeds that caught it, up to the first counterexample (a small-pass catch counts the whole pass), and the random runs it took (0: the small pass found it).',
        '',
        table(['model', 'mutant', 'written to break', 'before, seed 1', 'before, seeds 1–5', 'now, seed 1', 'now, seeds 1–5', 'property (seed 1)', 'found by', 'time to catch'], rows),
        '',
        `Default seed: ${before ? `${totals.before[0]} of ${n} before, ` : ''}${totals.after[0]} of ${n} now. Seeds 1–5: ${before ? `${totals.before[1]} of ${before.catches.length} run before, ` : ''}${totals.after[1]} of ${5 * n - notRun} run now${notRun ? ` (${notRun} of ${5 * n} not run)` : ''}.`,
      ].join('\n');
      return { markdown, json: { before: before?.catches ?? null, after: answers, totals } };
    },
  };
}
