/**
 * Checking a suite from a test runner (vitest, or any other): one call that throws a readable
 * error when a property fails, after saving the counterexample and naming the command that
 * replays it.
 *
 *   test('two-phase commit holds', () => { checkSuite(suite); });
 *   test('the majority bug is caught', () => { expectCaught(suite, 'tm-commits-on-majority'); });
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkRandom, type CheckOptions, type CheckResult } from '../explore/random/random.js';
import type { Suite } from '../properties/suite.js';
import { saveTrace } from '../trace/file.js';
import { traceOfCheck } from '../trace/replay.js';

/** Where a mutant's regression trace lives: `traces/<model>/<mutant>.json`. */
export function fixturePath(model: string, mutant: string, root = 'traces'): string {
  return join(root, model, `${mutant}.json`);
}

export interface SuiteCheckOptions extends CheckOptions {
  /** Where a counterexample is saved (default `traces`); null saves nothing. */
  readonly traceDir?: string | null;
  /** How the saved trace is replayed, e.g. `npx protokit replay` (with `--load` for user suites). */
  readonly replayCommand?: string;
}

function saveCounterexample(suite: Suite, result: CheckResult, options: SuiteCheckOptions, name: string): string | null {
  if (!result.violation || options.traceDir === null) return null;
  const path = join(options.traceDir ?? 'traces', suite.model.name, name);
  saveTrace(path, traceOfCheck(suite, options, result));
  return path;
}

/**
 * Since 0.1.0. Explores `suite` with its budget (or the options'); throws when an invariant is
 * violated or a witness is never reached. Returns the result for further assertions.
 */
export function checkSuite(suite: Suite, options: SuiteCheckOptions = {}): CheckResult {
  const result = checkRandom(suite, options);
  const v = result.violation;
  if (v) {
    const label = `${result.mutant ?? suite.model.name}-${v.property}-seed${result.seed}.json`;
    const path = saveCounterexample(suite, result, options, label);
    throw new Error(
      `${suite.model.name}: ${v.property} violated at step ${v.step}: ${v.message}` +
        (path ? `\n  replay: ${options.replayCommand ?? 'npx protokit replay'} ${path}` : ''),
    );
  }
  const missed = result.witnesses.filter((w) => !w.reached).map((w) => w.name);
  if (missed.length) {
    throw new Error(`${suite.model.name}: witness${missed.length > 1 ? 'es' : ''} never reached in ${result.runs} runs (seed ${result.seed}): ${missed.join(', ')}`);
  }
  return result;
}

/**
 * Since 0.1.0. Explores a mutant and throws unless it is caught by the property it declares it
 * breaks. Returns the result (its violation holds the minimised counterexample). The
 * counterexample is kept as the mutant's regression trace (`fixturePath`) when there is none
 * yet, or always with PROTOKIT_UPDATE_TRACES=1; `npm test` replays every kept trace.
 */
export function expectCaught(suite: Suite, mutant: string, options: SuiteCheckOptions = {}): CheckResult {
  const spec = suite.model.mutants[mutant];
  if (!spec) throw new Error(`${suite.model.name} has no mutant '${mutant}'`);
  const result = checkRandom(suite, { ...options, mutant });
  if (!result.violation) throw new Error(`mutant ${mutant} of ${suite.model.name} was not caught in ${result.runs} runs (seed ${result.seed}); it should break ${spec.breaks}`);
  if (result.violation.property !== spec.breaks) {
    throw new Error(`mutant ${mutant} of ${suite.model.name} broke ${result.violation.property}, not ${spec.breaks} as declared: ${result.violation.message}`);
  }
  const fixture = fixturePath(suite.model.name, mutant, options.traceDir ?? 'traces');
  if (options.traceDir !== null && (process.env.PROTOKIT_UPDATE_TRACES === '1' || !existsSync(fixture))) {
    saveTrace(fixture, traceOfCheck(suite, options, result));
  }
  return result;
}
