/**
 * The generated conformance suite's mutation score against mechanical mutants of this reference
 * implementation: each mutant changes one operator or literal of coordinator.ts or
 * participant.ts (=== and !==, && and ||, every and some, 'commit' and 'abort', COMMIT and
 * ABORT, > 0 and >= 0, an early `return;` removed, a write to storage removed). A mutant is
 * killed when a scenario fails on it (or it throws). Run: npx tsx examples/two-phase-commit-handwritten/mutation-score.ts
 * (it copies the example beside itself per mutant, in examples/.mutant-N/, and removes the copy).
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
  const dir = join(here, '..', `.mutant-${k}`);
  cpSync(here, dir, { recursive: true, filter: (p) => !p.endsWith('.test.ts') });
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

const mutants = [...mutantsOf('coordinator.ts'), ...mutantsOf('participant.ts')];
let dead = 0;
const survivors: Mutant[] = [];
for (const [k, m] of mutants.entries()) {
  if (await killed(m, k)) dead++;
  else survivors.push(m);
}
process.stdout.write(`mutation score of the generated conformance scenarios: ${dead}/${mutants.length} mechanical mutants killed (${Math.round((100 * dead) / mutants.length)}%)\n`);
for (const m of survivors) process.stdout.write(`  survived: ${m.file}:${m.line}  ${m.from}  →  ${m.to}\n`);
