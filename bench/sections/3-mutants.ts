/**
 * Time to find each mutant of every registered model: the default check (the small pass, then
 * `checkRandom` with the suite's budget) on seeds 1–5; the time runs from the start of the check
 * to a shrunk and minimised counterexample. Jobs are spread over two child processes (two cores).
 */
import { suites } from '../../properties/registry.js';
import { median, ms, table } from '../measure.js';
import { runJobs, type MutantJob, type MutantOutcome } from '../mutant-jobs.js';

const SEEDS = 5;
/** PROTOKIT_MUTANTS_ONLY (a regular expression on `model/mutant`): only those mutants, e.g. to finish a sweep cut short. */
const ONLY = process.env.PROTOKIT_MUTANTS_ONLY ? new RegExp(process.env.PROTOKIT_MUTANTS_ONLY) : null;

const range = (xs: readonly number[]) => `${median(xs)} (${Math.min(...xs)}–${Math.max(...xs)})`;

export default {
  title: 'Time to find each mutant',
  async run() {
    // Seed 1 of every mutant first, then seed 2, ...
    const jobs: MutantJob[] = Array.from({ length: SEEDS }, (_, k) => suites.flatMap((s) => Object.keys(s.model.mutants).filter((m) => ONLY === null || ONLY.test(`${s.model.name}/${m}`)).map((mutant) => ({ model: s.model.name, mutant, seed: k + 1 })))).flat();
    const outcomes = await runJobs<MutantJob, MutantOutcome>(jobs);
    const rows: (string | number)[][] = [];
    const json: unknown[] = [];
    for (const suite of suites) {
      for (const mutant of Object.keys(suite.model.mutants).filter((m) => ONLY === null || ONLY.test(`${suite.model.name}/${m}`))) {
        const mine = outcomes.filter((o) => o.model === suite.model.name && o.mutant === mutant).sort((a, b) => a.seed - b.seed);
        // A mutant no answer came for (a sweep cut short) has no row.
        if (mine.length === 0) continue;
        const caught = mine.filter((o) => o.caught === o.breaks);
        const any = mine.filter((o) => o.caught !== null);
        const bySmall = mine.filter((o) => o.foundBy === 'small').length;
        const times = mine.map((o) => o.cpuMs);
        rows.push([
          suite.model.name,
          mutant,
          `${caught.length}/${mine.length}`,
          `${any.length}/${mine.length}`,
          bySmall ? `small pass (${bySmall})` : any.length ? 'random' : '—',
          ms(median(times)),
          `${ms(Math.min(...times))} – ${ms(Math.max(...times))}`,
          caught.length ? range(caught.map((o) => o.runs)) : '—',
          caught.length ? range(caught.map((o) => o.shrunk!)) : '—',
          caught.length ? range(caught.map((o) => o.minimized!)) : '—',
        ]);
        json.push({
          model: suite.model.name,
          mutant,
          breaks: suite.model.mutants[mutant]!.breaks,
          budgetRuns: suite.budget.runs,
          medianCpuMs: median(times),
          minCpuMs: Math.min(...times),
          maxCpuMs: Math.max(...times),
          seeds: mine,
        });
      }
    }
    const markdown = [
      `${ONLY ? `Only the mutants matching PROTOKIT_MUTANTS_ONLY=\`${ONLY.source}\`. ` : ''}Each mutant checked by the default check (the small pass, then the suite's random budget) on seeds 1–${SEEDS}. "caught" counts seeds where the declared property was violated, "any" seeds with any violation; "found by" says which part found it (the small pass finds the same counterexample on every seed).`,
      'Time is CPU time from the start of the check to the minimised counterexample (exploration, fast-check shrinking, minimisation); median, then min – max.',
      'Runs needed, shrunk and minimised trace lengths: median (min–max) over the seeds that caught it.',
      '',
      table(['model', 'mutant', 'caught', 'any', 'found by', 'time (median)', 'time (min – max)', 'runs needed', 'shrunk length', 'minimised length'], rows),
    ].join('\n');
    return { markdown, json };
  },
};
