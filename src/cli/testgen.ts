/** `protokit testgen MODEL --role R --adapter PATH --out file.test.ts`: generated conformance tests for a hand-written implementation of one role. */
import { dirname, relative, resolve } from 'node:path';
import { UsageError } from '../engine/errors.js';
import { resolveInstance } from '../engine/instance.js';
import { safeLine as s } from '../render/safe-text.js';
import { writeFileAtomic } from '../trace/file.js';
import { generateTestFile } from '../testgen/generate.js';
import { transitionCoverage } from '../testgen/scenarios.js';
import { parseConfigPairs } from './common.js';
import { loadSuite } from './registry.js';

export interface TestgenCommandOptions {
  role?: string;
  adapter?: string;
  out?: string;
  kit?: string;
  config?: string[];
  mutant?: string;
  maxStates?: number;
  load?: string;
  json?: boolean;
}

/** An import specifier for `target` from a file in `fromDir` (`./x.js` style, `.ts` kept for tsx/vitest). */
function importFrom(fromDir: string, target: string): string {
  const rel = relative(fromDir, resolve(target)).replace(/\\/g, '/');
  return (rel.startsWith('.') ? rel : `./${rel}`).replace(/\.ts$/, '.js');
}

export async function testgenCommand(modelName: string, options: TestgenCommandOptions): Promise<number> {
  if (!options.role) throw new UsageError('testgen: --role ROLE is required');
  if (!options.adapter) throw new UsageError('testgen: --adapter PATH is required (a module whose default export is the ConformanceAdapter)');
  if (!options.out || !/\.test\.[cm]?[jt]s$/.test(options.out)) throw new UsageError('testgen: --out FILE.test.ts is required (a vitest test file)');
  const suite = await loadSuite(modelName, options.load);
  if (!Object.hasOwn(suite.model.roles, options.role)) throw new UsageError(`unknown role '${options.role}' for ${suite.model.name} (accepted: ${Object.keys(suite.model.roles).join(', ')})`);
  const instance = resolveInstance(suite.model, { config: parseConfigPairs(options.config ?? []), mutant: options.mutant ?? null });
  const outDir = dirname(resolve(options.out));
  const generated = generateTestFile(suite, instance, options.role, {
    adapterImport: importFrom(outDir, options.adapter),
    kitImport: options.kit ?? 'protokit',
    maxStates: options.maxStates,
  });
  writeFileAtomic(options.out, generated.text);
  const { set } = generated;
  const coverage = transitionCoverage(set);
  if (options.json) {
    process.stdout.write(JSON.stringify({ model: instance.model.name, config: instance.params, mutant: instance.mutant, role: options.role, out: options.out, scenarios: set.scenarios.length, transitionsCovered: coverage.covered, transitions: coverage.total, unreached: set.unreached, statesSearched: set.statesSearched, violation: null }) + '\n');
  } else {
    const lines = [`wrote ${s(options.out)}: ${set.scenarios.length} scenarios (one per node state and event met) covering ${coverage.covered} of ${coverage.total} transitions of role ${s(options.role)} (${set.statesSearched.toLocaleString('en-US')} states searched)`];
    for (const t of set.unreached) lines.push(`  not reached: ${s(t)}`);
    lines.push(`  run it: npx vitest run ${s(options.out)}`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  return 0;
}
