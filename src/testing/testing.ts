/**
 * Checking a suite from a test runner (vitest, or any other): one call that throws a readable
 * error when a property fails, after saving the counterexample and naming the command that
 * replays it.
 *
 *   test('two-phase commit holds', () => { checkSuite(suite); });
 *   test('the majority bug is caught', () => { expectCaught(suite, 'tm-commits-on-majority'); });
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkRandom, type CheckOptions, type CheckResult } from '../explore/random/random.js';
import { suiteModuleOf, type Suite } from '../properties/suite.js';
import { loadTrace, saveTrace } from '../trace/file.js';
import { traceOfCheck } from '../trace/replay.js';

/** The kit's own folder (the one whose package.json names protokit): its suites need no --load. */
const KIT_ROOT = (() => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dirname(dir) !== dir; dir = dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'protokit') return dir;
    } catch {
      // no package.json here
    }
  }
  return null;
})();

/** The suite module of a user's suite (defined outside the kit), or undefined for the kit's own. */
function userSuiteModule(suite: Suite): string | undefined {
  const file = suiteModuleOf(suite);
  if (file === undefined || (KIT_ROOT !== null && !relative(KIT_ROOT, file).startsWith('..') && !relative(KIT_ROOT, file).split(sep).includes('node_modules'))) return undefined;
  return file;
}

/** A shell word: quoted when it holds anything but safe characters. */
const shellWord = (s: string) => (/^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`);

/** The command that replays the trace at `path`: with --load for a user's suite. */
function replayLine(suite: Suite, path: string, options: SuiteCheckOptions): string {
  if (options.replayCommand !== undefined) return `${options.replayCommand} ${shellWord(path)}`;
  const module = userSuiteModule(suite);
  return `npx protokit replay ${shellWord(path)}${module === undefined ? '' : ` --load ${shellWord(relative(process.cwd(), module) || module)}`}`;
}

/** How a trace saved at `path` records the user's suite module (relative to the trace's folder). */
function suiteRecord(suite: Suite, path: string): string | undefined {
  const module = userSuiteModule(suite);
  return module === undefined ? undefined : relative(dirname(resolve(path)), module);
}

/** An Error whose stack starts at the caller of `helper` (the user's test), not inside the kit. */
function failure(message: string, helper: Function): Error {
  const error = new Error(message);
  Error.captureStackTrace(error, helper);
  return error;
}

/** Where a mutant's regression trace lives: `traces/<model>/<mutant>.json`. */
export function fixturePath(model: string, mutant: string, root = 'traces'): string {
  return join(root, model, `${mutant}.json`);
}

export interface SuiteCheckOptions extends CheckOptions {
  /** Where a counterexample is saved (default `traces`); null saves nothing. */
  readonly traceDir?: string | null;
  /**
   * How the saved trace is replayed (default `npx protokit replay`, with `--load` and the suite's
   * module when the suite is defined outside protokit).
   */
  readonly replayCommand?: string;
}

function saveCounterexample(suite: Suite, result: CheckResult, options: SuiteCheckOptions, name: string): string | null {
  if (!result.violation || options.traceDir === null) return null;
  const path = join(options.traceDir ?? 'traces', suite.model.name, name);
  saveTrace(path, traceOfCheck(suite, options, result, suiteRecord(suite, path)));
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
    throw failure(`${suite.model.name}: ${v.property} violated at step ${v.step}: ${v.message}` + (path ? `\n  replay: ${replayLine(suite, path, options)}` : ''), checkSuite);
  }
  const missed = result.witnesses.filter((w) => !w.reached).map((w) => w.name);
  if (missed.length) {
    throw failure(`${suite.model.name}: witness${missed.length > 1 ? 'es' : ''} never reached in ${result.runs} runs (seed ${result.seed}): ${missed.join(', ')}`, checkSuite);
  }
  return result;
}

/**
 * Since 0.1.0. Explores a mutant and throws unless it is caught by the property it declares it
 * breaks. Returns the result (its violation holds the minimised counterexample). The
 * counterexample is kept as the mutant's regression trace, `traces/<model>/<mutant>.json`
 * (`fixturePath`; `traceDir` moves it, null keeps none): written when there is none yet or with
 * PROTOKIT_UPDATE_TRACES=1, and said on stderr with the file's path and its replay line. A kept
 * trace that is stale (another property or length than this run's: the model or the mutant changed)
 * is named on stderr, not overwritten.
 */
export function expectCaught(suite: Suite, mutant: string, options: SuiteCheckOptions = {}): CheckResult {
  const spec = suite.model.mutants[mutant];
  if (!spec) throw failure(`${suite.model.name} has no mutant '${mutant}'`, expectCaught);
  const result = checkRandom(suite, { ...options, mutant });
  if (!result.violation) throw failure(`mutant ${mutant} of ${suite.model.name} was not caught in ${result.runs} runs (seed ${result.seed}); it should break ${spec.breaks}`, expectCaught);
  if (result.violation.property !== spec.breaks) {
    throw failure(`mutant ${mutant} of ${suite.model.name} broke ${result.violation.property}, not ${spec.breaks} as declared: ${result.violation.message}`, expectCaught);
  }
  if (options.traceDir !== null) keepTrace(suite, mutant, options, result);
  return result;
}

/** Why the kept trace at `path` must be (re)written, or null when it holds this very counterexample. */
function staleness(path: string, result: CheckResult): string | null {
  if (process.env.PROTOKIT_UPDATE_TRACES === '1') return 'PROTOKIT_UPDATE_TRACES=1';
  if (!existsSync(path)) return 'none yet';
  try {
    const kept = loadTrace(path);
    const v = result.violation!;
    if (kept.violation?.property !== v.property || kept.actions.length !== v.actions.length) {
      return `stale: it showed ${kept.violation?.property ?? 'no violation'} in ${kept.actions.length} steps, this run ${v.property} in ${v.actions.length}`;
    }
    return null;
  } catch (error) {
    return `unreadable: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
}

function keepTrace(suite: Suite, mutant: string, options: SuiteCheckOptions, result: CheckResult): void {
  const path = fixturePath(suite.model.name, mutant, options.traceDir ?? 'traces');
  const why = staleness(path, result);
  if (why === null) return;
  if (why.startsWith('stale') || why.startsWith('unreadable')) {
    // Another test may keep this mutant's trace under other options: say so, never overwrite silently.
    process.stderr.write(`protokit: the kept trace ${path} is ${why}; PROTOKIT_UPDATE_TRACES=1 replaces it\n`);
    return;
  }
  saveTrace(path, traceOfCheck(suite, options, result, suiteRecord(suite, path)));
  process.stderr.write(`protokit: kept mutant ${mutant}'s counterexample as ${path} (${why}); replay: ${replayLine(suite, path, options)}\n`);
}
