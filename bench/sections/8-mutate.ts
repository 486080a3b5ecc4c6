/**
 * `protokit mutate` per model (issue 12): the mechanical mutants derived from each model's
 * machines, run against its suite as the command runs them (the default check at the default
 * seed, then exhaustive search of the suite's small configuration, then the equivalence runs),
 * with the command's default time budget per model, each model in a process of its own. The score is killed / (run − equivalent);
 * survivors point at a missing property or a budget too small.
 *
 *   npm run bench -- mutate
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { suites } from '../../properties/registry.js';
import type { MutateResult } from '../../src/mutate/mutate.js';
import { ms, table } from '../measure.js';

const BIN = fileURLToPath(new URL('../../src/cli/bin.mjs', import.meta.url));

/** `protokit mutate MODEL --json` in a process of its own, as a user runs it (exit 0 or 1: a result). */
function mutateInProcess(model: string): MutateResult {
  const child = spawnSync(process.execPath, [BIN, 'mutate', model, '--json'], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (child.status !== 0 && child.status !== 1) throw new Error(`protokit mutate ${model} exited with ${child.status}: ${child.stderr}`);
  return JSON.parse(child.stdout) as MutateResult;
}

export default {
  title: 'Mutation score per model (`protokit mutate`)',
  async run() {
    const results: MutateResult[] = [];
    for (const suite of suites) results.push(mutateInProcess(suite.model.name));
    const rows = results.map((r) => [
      r.model,
      r.total,
      r.run,
      r.killed,
      r.equivalent,
      r.survived,
      `${(100 * r.score).toFixed(0)}%`,
      ms(r.elapsedMs),
      r.mutants.filter((m) => m.status === 'survived').map((m) => `${m.kind} ${m.role}.${m.target}`).join('; ') || '—',
    ]);
    const byWhom = (by: 'check' | 'explore') => results.reduce((n, r) => n + r.mutants.filter((m) => m.killed && m.by === by).length, 0);
    const markdown = [
      'Each model\'s mechanical mutants (a guard forced true or false, an action dropped, a target changed, a persisted field forgotten, a sent message dropped), run as `protokit mutate MODEL` runs them: the default check, then exhaustive search of the small configuration, then 1,000 differential runs for the equivalence verdict. The command\'s default budget (no mutant starts after 180 s) applies per model: "run" counts the mutants tried within it, in round-robin order over kinds.',
      '',
      table(['model', 'mutants', 'run', 'killed', 'equivalent', 'survived', 'score', 'wall', 'survivors'], rows),
      '',
      `Killed by the default check: ${byWhom('check')}; by exhaustive search of the small configuration: ${byWhom('explore')}.`,
    ].join('\n');
    return {
      markdown,
      json: results.map((r) => ({ ...r, mutants: r.mutants.map(({ name, kind, role, target, status, property, step, by }) => ({ name, kind, role, target, status, property, step, by })) })),
    };
  },
};
