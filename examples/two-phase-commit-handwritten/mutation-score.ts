/**
 * The generated conformance suite's mutation score against mechanical mutants of this reference
 * implementation: each mutant changes one operator or literal of coordinator.ts or
 * participant.ts (=== and !==, && and ||, every and some, 'commit' and 'abort', COMMIT and
 * ABORT, > 0 and >= 0, an early `return;` removed, a write to storage removed). A mutant is
 * killed when a scenario fails on it (or it throws). Run: npx tsx examples/two-phase-commit-handwritten/mutation-score.ts
 * (it copies the example beside itself per mutant, in examples/.mutant-PID-N/, and removes the copy).
 * handwritten.test.ts asserts the score.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runConformance, type ConformanceAdapter } from '../../src/index.js';
import { scenariosOf } from './catch.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Type annotations ('commit' | 'abort') are not behaviour: not mutated. */
const TYPE_UNION = /'commit' \| 'abort'/;
const OPERATORS: readonly [RegExp, string][] = [
  [/===/g, '!=='],
  [/!==/g, '==='],
  [/&&/g, '||'],
  [/\|\|/g, '&&'],
  [/\.every\(/g, '.some('],
  [/'commit'/g, "'abort'"],
  [/'abort'/g, "'commit'"],
  [/'COMMIT'/g, "'ABORT'"],
  [/'ABORT'/g, "'COMMIT'"],
  [/ > 0/g, ' >= 0'],
  [/return;/g, ''],
  [/this\.storage\.put\('(decision|status)', [a-z]+\);/g, ''],
];

interface Mutant {
  readonly file: string;
  readonly line: number;
  readonly from: string;
  readonly to: string;
  readonly text: string;
}

/** Every single-site mutant of `file`, skipping comments, imports and the planted-bug switches. */
function mutantsOf(file: string): Mutant[] {
  const source = readFileSync(join(here, file), 'utf8');
  const lines = source.split('\n');
  const out: Mutant[] = [];
  lines.forEach((line, n) => {
    const code = line.trim();
    if (code.startsWith('//') || code.startsWith('*') || code.startsWith('/*') || code.startsWith('import') || line.includes('this.bugs.') || TYPE_UNION.test(line)) return;
    for (const [pattern, replacement] of OPERATORS) {
      for (const m of line.matchAll(pattern)) {
        const mutated = line.slice(0, m.index) + m[0].replace(new RegExp(pattern.source), replacement) + line.slice(m.index! + m[0].length);
        out.push({ file, line: n + 1, from: code, to: mutated.trim(), text: [...lines.slice(0, n), mutated, ...lines.slice(n + 1)].join('\n') });
      }
    }
  });
  return out;
}

async function killed(mutant: Mutant, k: number): Promise<boolean> {
  // Beside the example (its imports of src/ and models/ stay valid), named per process so two runs never share a copy.
  const dir = join(here, '..', `.mutant-${process.pid}-${k}`);
  cpSync(here, dir, { recursive: true, filter: (p) => !p.endsWith('.test.ts') && !p.includes('/logs') });
  writeFileSync(join(dir, mutant.file), mutant.text);
  try {
    const { adapterFor } = (await import(pathToFileURL(join(dir, 'adapter.ts')).href)) as { adapterFor: () => ConformanceAdapter };
    for (const role of ['tm', 'rm'] as const) {
      for (const scenario of scenariosOf(role).scenarios) runConformance(adapterFor(), scenario, { rms: 2 }, join(dir, 'traces'));
    }
    return false;
  } catch {
    return true;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface MutationScore {
  readonly killed: number;
  readonly total: number;
  /** `file:line  before  →  after`, for each mutant no scenario failed on. */
  readonly survivors: readonly string[];
}

/** Runs the generated scenarios against every mechanical mutant of coordinator.ts and participant.ts. */
export async function mutationScore(): Promise<MutationScore> {
  const mutants = [...mutantsOf('coordinator.ts'), ...mutantsOf('participant.ts')];
  let dead = 0;
  const survivors: string[] = [];
  for (const [k, m] of mutants.entries()) {
    if (await killed(m, k)) dead++;
    else survivors.push(`${m.file}:${m.line}  ${m.from}  →  ${m.to}`);
  }
  return { killed: dead, total: mutants.length, survivors };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const score = await mutationScore();
  process.stdout.write(`mutation score of the generated conformance scenarios: ${score.killed}/${score.total} mechanical mutants killed (${Math.round((100 * score.killed) / score.total)}%)\n`);
  for (const line of score.survivors) process.stdout.write(`  survived: ${line}\n`);
}
