/**
 * Mutation testing of a suite (`protokit mutate MODEL`): derive mechanical mutants from the
 * model's machines (derive.ts), run the suite against each and report which it kills.
 *
 * A mutant is killed when the suite fails on it: the default `check` (the suite's budget, the
 * default seed) finds a violation or misses a witness, or the model throws; else, when the suite
 * declares a small configuration, exhaustive search of it finds a violation. A mutant neither
 * kills is `equivalent` when differential runs show no observable difference from the correct
 * model (equivalence.ts), otherwise it `survived`: a bug the suite cannot see, which points at a
 * missing property (or a budget too small). The score is killed / (run − equivalent).
 *
 * A kill means something only if the unmutated model passes the same checks: before any mutant,
 * the default check runs on the model itself, and when that throws (a property that throws on
 * every state, say) the run fails with that error (a ModelError, exit 4) instead of scoring every
 * mutant as killed. The same holds for the small configuration's search, run once on the model
 * the first time a mutant's search throws.
 *
 * Run time is bounded by a budget in seconds: no mutant starts after it (those left are
 * `not-run`); mutants are tried in round-robin order over kinds, so a cut run still samples each.
 */
import { ModelError } from '../engine/errors.js';
import { resolveInstance } from '../engine/instance.js';
import { forgetTransitions } from '../engine/node-step.js';
import { explore } from '../explore/bfs/search.js';
import { checkRandom, DEFAULT_SEED } from '../explore/random/random.js';
import type { Suite } from '../properties/suite.js';
import { deriveMutants, discoverSends, interleaveKinds, modelWith, type MechanicalMutant, type MutantKind } from './derive.js';
import { firstDifference } from './equivalence.js';

export type MutantStatus = 'killed' | 'survived' | 'equivalent' | 'not-run';

export interface MutantOutcome {
  readonly name: string;
  readonly kind: MutantKind;
  readonly target: string;
  readonly role: string;
  readonly status: MutantStatus;
  readonly killed: boolean;
  /** The violated property, `witness:NAME` for a witness never reached, `model-error` when the model threw. */
  readonly property: string | null;
  /** The step of the violation (fast-check's shrunk run, or the shortest with `by: explore`). */
  readonly step: number | null;
  /** Which part of the suite killed it. */
  readonly by: 'check' | 'explore' | null;
  readonly elapsedMs: number;
}

export interface MutateOptions {
  /** Runs of the default check per mutant (default: the suite's budget). */
  readonly runs?: number;
  readonly seed?: number;
  /** No mutant starts once this many milliseconds have passed (default 180 s). */
  readonly budgetMs?: number;
  /** Try only the first N mutants (in round-robin order over kinds). */
  readonly maxMutants?: number;
  /** Differential runs for the equivalence verdict (default 1,000, of twice the suite's depth). */
  readonly equivalenceRuns?: number;
  /** Distinct states an exhaustive search of the small configuration may visit per mutant. */
  readonly maxStates?: number;
  readonly onMutant?: (outcome: MutantOutcome, index: number, total: number) => void;
}

export interface MutateResult {
  readonly model: string;
  readonly total: number;
  readonly run: number;
  readonly killed: number;
  readonly equivalent: number;
  readonly survived: number;
  /** killed / (run − equivalent); 1 when nothing non-equivalent was run. */
  readonly score: number;
  readonly mutants: readonly MutantOutcome[];
  readonly elapsedMs: number;
}

export const DEFAULT_MUTATE_BUDGET_MS = 180_000;

/** Since 0.2.0. Mutation testing of `suite`'s model against its own properties. */
export async function mutate(suite: Suite, options: MutateOptions = {}): Promise<MutateResult> {
  const started = performance.now(); // allow-clock: the run-time budget and reports only
  const budgetMs = options.budgetMs ?? DEFAULT_MUTATE_BUDGET_MS;
  const seed = options.seed ?? DEFAULT_SEED;
  const correct = resolveInstance(suite.model);
  const sends = discoverSends(correct, 200, suite.budget.depth, seed);
  const all = interleaveKinds(deriveMutants(correct, sends));
  const chosen = options.maxMutants === undefined ? all : all.slice(0, options.maxMutants);
  try {
    checkRandom(suite, { runs: options.runs, seed, minimize: false });
  } catch (error) {
    throw unmutatedFailure(suite, error, 'check');
  }
  const baseline = new Baseline(suite, options);
  const outcomes: MutantOutcome[] = [];
  for (const [index, m] of chosen.entries()) {
    const outOfTime = performance.now() - started > budgetMs; // allow-clock
    const outcome = outOfTime ? notRun(m) : await runMutant(suite, m, seed, options, baseline);
    // The mutant's machines live on in `chosen` but are not stepped again: free their memos.
    for (const role of Object.values(m.spec.roles)) if (role?.machine) forgetTransitions(role.machine);
    outcomes.push(outcome);
    options.onMutant?.(outcome, index, chosen.length);
  }
  const run = outcomes.filter((o) => o.status !== 'not-run').length;
  const killed = outcomes.filter((o) => o.status === 'killed').length;
  const equivalent = outcomes.filter((o) => o.status === 'equivalent').length;
  return {
    model: suite.model.name,
    total: chosen.length,
    run,
    killed,
    equivalent,
    survived: outcomes.filter((o) => o.status === 'survived').length,
    score: run - equivalent > 0 ? killed / (run - equivalent) : 1,
    mutants: outcomes,
    elapsedMs: performance.now() - started, // allow-clock
  };
}

function notRun(m: MechanicalMutant): MutantOutcome {
  return { name: m.name, kind: m.kind, target: m.target, role: m.role, status: 'not-run', killed: false, property: null, step: null, by: null, elapsedMs: 0 };
}

/** The error of the unmutated model failing a check of its own: it ends the mutate run (a ModelError, exit 4); other errors pass as they are. */
function unmutatedFailure(suite: Suite, error: unknown, what: string): unknown {
  if (!(error instanceof ModelError)) return error;
  return new ModelError(`the unmutated model ${suite.model.name} fails its own ${what}, so no mutant's failure can count as a kill: ${error.message}`, error.node, { cause: error });
}

/** The small configuration's search of the unmutated model, run once, when a mutant's search first throws. */
class Baseline {
  private searched = false;
  constructor(
    private readonly suite: Suite,
    private readonly options: MutateOptions,
  ) {}

  async confirmSmallSearchPasses(): Promise<void> {
    const small = this.suite.small;
    if (this.searched || !small) return;
    try {
      await explore(this.suite, { config: small.config, faults: small.faults, maxInFlight: small.maxInFlight, maxStates: this.options.maxStates ?? 300_000 });
    } catch (error) {
      throw unmutatedFailure(this.suite, error, 'search of the small configuration');
    }
    this.searched = true;
  }
}

async function runMutant(suite: Suite, m: MechanicalMutant, seed: number, options: MutateOptions, baseline: Baseline): Promise<MutantOutcome> {
  const t0 = performance.now(); // allow-clock
  const mutated: Suite = { ...suite, model: modelWith(suite.model, m) };
  const done = (status: MutantStatus, property: string | null, step: number | null, by: MutantOutcome['by']): MutantOutcome => ({
    name: m.name,
    kind: m.kind,
    target: m.target,
    role: m.role,
    status,
    killed: status === 'killed',
    property,
    step,
    by,
    elapsedMs: performance.now() - t0, // allow-clock
  });
  try {
    const r = checkRandom(mutated, { mutant: m.name, runs: options.runs, seed, minimize: false });
    if (r.violation) return done('killed', r.violation.property, r.violation.step, 'check');
    const missed = r.witnesses.find((w) => !w.reached);
    if (missed) return done('killed', `witness:${missed.name}`, null, 'check');
  } catch (error) {
    // Only the model's own failure kills; protokit's errors stay errors. (The unmutated model passed this check.)
    if (!(error instanceof ModelError)) throw error;
    return done('killed', 'model-error', null, 'check');
  }
  if (suite.small) {
    try {
      const small = suite.small;
      const r = await explore(mutated, { mutant: m.name, config: small.config, faults: small.faults, maxInFlight: small.maxInFlight, maxStates: options.maxStates ?? 300_000 });
      if (r.violation) return done('killed', r.violation.property, r.violation.step, 'explore');
    } catch (error) {
      if (!(error instanceof ModelError)) throw error;
      await baseline.confirmSmallSearchPasses();
      return done('killed', 'model-error', null, 'explore');
    }
  }
  const difference = firstDifference(resolveInstance(suite.model), resolveInstance(mutated.model, { mutant: m.name }), options.equivalenceRuns ?? 1000, 2 * suite.budget.depth, seed);
  return done(difference === null ? 'equivalent' : 'survived', null, null, null);
}
