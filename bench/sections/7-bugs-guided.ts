/**
 * Coverage-guided scheduling against the random strategy (issue 22): the unseen batches 2, 3 and
 * 4 (bench/unseen-*.ts), each mutant's random runs with `--strategy random` and with
 * `--strategy guided`, on the same seeds, in the same run (so the two columns share the machine's
 * load). The small pass is left out: its verdict depends on neither the seed nor the strategy, so
 * a mutant it catches (per the sections 7-bugs-2, 7-bugs-3 and 7-bugs-4 in bench/results.json) is
 * listed as caught by it and not run. Seeds: PROTOKIT_GUIDED_SEEDS (default 1,2,3,4,5).
 *
 *   npm run bench -- --update 7-bugs-guided
 */
import { readFileSync } from 'node:fs';
import type { Strategy } from '../../src/explore/random/strategy.js';
import { median, ms, table } from '../measure.js';
import { runJobs, type StrategyJob } from '../mutant-jobs.js';
import { BATCH_2, type BatchCatch } from '../unseen-2.js';
import { BATCH_3 } from '../unseen-3.js';
import { BATCH_4 } from '../unseen-4.js';

const SEEDS = (process.env.PROTOKIT_GUIDED_SEEDS ?? '1,2,3,4,5').split(',').map(Number);
const STRATEGIES: readonly Strategy[] = ['random', 'guided'];
const BATCHES = { 2: BATCH_2, 3: BATCH_3, 4: BATCH_4 } as const;

type Answer = BatchCatch & { readonly strategy: Strategy };

/** Mutants the small pass catches, per the committed batch sections (`batch/model/mutant`). */
function smallCatches(): Set<string> {
  const results = JSON.parse(readFileSync(new URL('../results.json', import.meta.url), 'utf8')) as { sections: { file: string; json?: { after?: { model: string; mutant: string; foundBy?: string | null }[] } }[] };
  const caught = new Set<string>();
  for (const batch of [2, 3, 4]) {
    const section = results.sections.find((s) => s.file === `7-bugs-${batch}.ts`);
    for (const a of section?.json?.after ?? []) if (a.foundBy === 'small') caught.add(`${batch}/${a.model}/${a.mutant}`);
  }
  return caught;
}

export default {
  title: 'Coverage-guided scheduling against random runs, on the unseen batches',
  async run() {
    const small = smallCatches();
    const mutants = Object.entries(BATCHES).flatMap(([batch, models]) => Object.entries(models).flatMap(([model, ms]) => Object.keys(ms).map((mutant) => ({ batch: Number(batch) as 2 | 3 | 4, model, mutant }))));
    const run = mutants.filter((m) => !small.has(`${m.batch}/${m.model}/${m.mutant}`));
    // Both strategies of a mutant and seed go to the same child process (jobs are dealt out in turn): pairs of mutants, random then guided.
    const jobs: StrategyJob[] = SEEDS.flatMap((seed) => {
      const out: StrategyJob[] = [];
      for (let i = 0; i < run.length; i += 2) {
        const pair = run.slice(i, i + 2);
        for (const strategy of STRATEGIES) for (const m of pair) out.push({ ...m, seed, strategy });
      }
      return out;
    });
    const answers = await runJobs<StrategyJob, Answer>(jobs);
    const of = (m: (typeof mutants)[number], strategy: Strategy) => SEEDS.flatMap((seed) => answers.filter((a) => a.model === m.model && a.mutant === m.mutant && a.seed === seed && a.strategy === strategy));
    const totals: Record<Strategy, number[]> = { random: [0, 0, 0], guided: [0, 0, 0], pct: [0, 0, 0] };
    const rows = mutants.map((m) => {
      if (small.has(`${m.batch}/${m.model}/${m.mutant}`)) {
        for (const s of STRATEGIES) {
          totals[s]![0]! += 1;
          totals[s]![1]! += SEEDS.length;
          totals[s]![2]! += SEEDS.length;
        }
        return [m.batch, m.model, m.mutant, 'small pass', 'small pass', '—', '—'];
      }
      const cells = STRATEGIES.map((s) => {
        const got = of(m, s);
        const caught = got.filter((a) => a.caught !== null);
        totals[s]![0]! += got[0]?.seed === SEEDS[0] && got[0]!.caught !== null ? 1 : 0;
        totals[s]![1]! += caught.length;
        totals[s]![2]! += got.length;
        return { text: `${caught.length}/${got.length}`, runs: caught.length ? `${median(caught.map((a) => a.runs))} runs, ${ms(median(caught.map((a) => a.cpuMs)))}` : '—' };
      });
      return [m.batch, m.model, m.mutant, cells[0]!.text, cells[1]!.text, cells[0]!.runs, cells[1]!.runs];
    });
    const n = mutants.length;
    const markdown = [
      `Each mutant of the unseen batches 2–4, random runs alone with each strategy at the suite's budget, seeds ${SEEDS.join(', ')}, in one run. "small pass": the default check's exhaustive part catches it before any random run (bench/results.json, sections 7-bugs-2/3/4), whatever the strategy. Time to catch: median random runs and CPU time over the seeds that caught it.`,
      '',
      table(['batch', 'model', 'mutant', 'random: seeds caught', 'guided: seeds caught', 'random: time to catch', 'guided: time to catch'], rows),
      '',
      ...STRATEGIES.map((s) => `${s}: ${totals[s]![0]} of ${n} at seed ${SEEDS[0]} (with the small pass); ${totals[s]![1]} of ${totals[s]![2]} (mutant, seed) pairs run.`),
    ].join('\n');
    return { markdown, json: { seeds: SEEDS, small: [...small], answers, totals } };
  },
};
