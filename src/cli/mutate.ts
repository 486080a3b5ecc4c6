/** `protokit mutate MODEL`: mutation testing of a suite with mechanical mutants of its machines. */
import pc from 'picocolors';
import { DEFAULT_MUTATE_BUDGET_MS, mutate, type MutateResult, type MutantOutcome } from '../mutate/mutate.js';
import { formatMs, fraction, useColor } from './common.js';
import { progressFor, type Progress } from './progress.js';
import { loadSuite } from './registry.js';

export interface MutateCommandOptions {
  runs?: number;
  seed?: number;
  /** Seconds after which no further mutant starts. */
  budget?: number;
  maxMutants?: number;
  /** Exit 1 when the score is below this fraction (0..1). */
  minScore?: string;
  json?: boolean;
  load?: string;
}

export async function mutateCommand(modelName: string, options: MutateCommandOptions): Promise<number> {
  const minScore = options.minScore === undefined ? null : fraction('--min-score', options.minScore);
  const suite = await loadSuite(modelName, options.load);
  // Mutants take seconds each: a bar on a terminal, a line every few seconds in a log.
  let progress: Progress | null = null;
  const result = await mutate(suite, {
    runs: options.runs,
    seed: options.seed,
    budgetMs: (options.budget ?? DEFAULT_MUTATE_BUDGET_MS / 1000) * 1000,
    maxMutants: options.maxMutants,
    onMutant: (_outcome, i, n) => {
      progress ??= progressFor(`${suite.model.name}: mutate`, n, !options.json, { unit: 'mutants' });
      progress.update(i + 1, n);
    },
  });
  (progress as Progress | null)?.stop();
  if (options.json) process.stdout.write(JSON.stringify(jsonOf(result)) + '\n');
  else process.stdout.write(describe(result, !options.json && useColor()));
  return minScore !== null && result.score < minScore ? 1 : 0;
}

function jsonOf(r: MutateResult): object {
  return {
    model: r.model,
    total: r.total,
    run: r.run,
    killed: r.killed,
    equivalent: r.equivalent,
    survived: r.survived,
    score: Math.round(r.score * 1000) / 1000,
    elapsedMs: Math.round(r.elapsedMs),
    mutants: r.mutants.map((m) => ({ name: m.name, kind: m.kind, role: m.role, target: m.target, status: m.status, killed: m.killed, property: m.property, step: m.step, by: m.by, elapsedMs: Math.round(m.elapsedMs) })),
  };
}

function describe(r: MutateResult, color: boolean): string {
  const c = color ? pc : pc.createColors(false);
  const lines = [c.bold(`${r.model}: ${r.total} mechanical mutants, ${r.run} run in ${formatMs(r.elapsedMs)}`)];
  lines.push(`  killed ${r.killed}, equivalent ${r.equivalent}, survived ${r.survived}${r.run < r.total ? `, not run ${r.total - r.run} (budget)` : ''}`);
  lines.push(`  mutation score ${(r.score * 100).toFixed(1)}% (killed / non-equivalent run)`);
  const line = (m: MutantOutcome) => {
    const why = m.property === null ? '' : ` by ${m.property}${m.step === null ? '' : ` at step ${m.step}`}${m.by === 'explore' ? ' (small configuration)' : ''}`;
    return `    ${m.name}${why}`;
  };
  const survived = r.mutants.filter((m) => m.status === 'survived');
  if (survived.length) {
    lines.push(c.yellow(`  survivors (bugs no property caught; a missing property, or a budget too small):`));
    for (const m of survived) lines.push(c.yellow(line(m)));
  }
  const equivalent = r.mutants.filter((m) => m.status === 'equivalent');
  if (equivalent.length) {
    lines.push(`  equivalent (no observable difference in the differential runs):`);
    for (const m of equivalent) lines.push(line(m));
  }
  lines.push(`  killed:`);
  for (const m of r.mutants.filter((x) => x.status === 'killed')) lines.push(c.green(line(m)));
  return lines.join('\n') + '\n';
}
