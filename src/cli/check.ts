/** `protokit check [MODEL]`: random exploration of one model or of every model. */
import { availableParallelism } from 'node:os';
import { relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ModelError, UsageError } from '../engine/errors.js';
import pc from 'picocolors';
import { describeFaults } from '../engine/faults.js';
import { checkRandomInterruptible, DEFAULT_SEED, DISTINCT_LIMIT, type CheckOptions, type CheckResult } from '../explore/random/random.js';
import { interruptible } from './interrupt.js';
import { checkOnWorker, checkParallel, shardPlan, smallPassOnWorker, WORKER_MIN_STEPS } from '../explore/shard/shard.js';
import { SMALL_PASS_STATES, searchSmall, smallConfigsOf, type SmallPassResult } from '../explore/default/small-pass.js';
import { searchMissedWitnesses, WITNESS_SEARCH_STATES, type WitnessSearch } from '../explore/default/witness-search.js';
import { resolveInstance } from '../engine/instance.js';
import { buildTrace } from '../trace/replay.js';
import { resolveShard, type ShardFound } from '../explore/shard/auto.js';
import { selectProperties, withProperties, type Suite } from '../properties/suite.js';
import { fileSafe, pathInside, settingsHash } from '../trace/names.js';
import { formatAction, type Action } from '../engine/actions.js';
import { traceOfCheck } from '../trace/replay.js';
import { COMMAND, faultsFromOptions, formatMs, grouped, parseConfigPairs, refuseModelAfterConfig, shellArg, useColor } from './common.js';
import { CATALOGUE_MODULE, loadSuite, loadSuites, saveModelErrorTrace, suiteRecordOf } from './registry.js';
import { progressFor, stderrIsTerminal } from './progress.js';
import { saveTraceAndView } from './save.js';
import { checkBudget, checkWorkers } from './limits.js';
import { safeLine as s } from '../render/safe-text.js';
import { lassoVerdictLines } from '../render/verdict.js';
import { isLiveness } from '../properties/liveness.js';
import { coverageWarnings, describeCoverage } from '../explore/coverage.js';
import { STRATEGIES, type Strategy } from '../explore/random/strategy.js';
import { CLUSTER_TIMEOUT_S, CLUSTER_WAIT_S, credentialsOf, type ClusterFlags } from './cluster-flags.js';

export interface CheckCommandOptions extends ClusterFlags {
  /** Split the runs into this many units (shards of the budget), run in order up to the first failing one. */
  units?: number;
  /** Put the units in a JetStream work queue on this NATS server, for `protokit worker` processes. */
  queue?: string;
  runs?: number;
  depth?: number;
  seed?: number;
  config: string[];
  mutant?: string;
  faults?: string | boolean;
  network?: string;
  out: string;
  json?: boolean;
  load?: string;
  /** Worker threads, each running a shard of the budget. */
  workers?: number;
  /** `K/N`: run only shard K of N of the budget (for CI matrices and machines); `auto`: read it from the environment. */
  shard?: string;
  /** With `--shard auto`: the number of shards (a Kubernetes Indexed Job's completions). */
  shards?: number;
  /** false with --no-deadlock. */
  deadlock?: boolean;
  /** Check only these properties (repeatable), or all but `skip`. */
  property?: string[];
  skip?: string[];
  /** Report which machine transitions, messages and events the runs exercised. */
  coverage?: boolean;
  /** A budget in steps instead of runs. */
  steps?: number;
  strategy?: string;
  /** false with --no-small: no exhaustive search of the suite's small configurations first. */
  small?: boolean;
  /** false with --no-witness-search: a witness the runs missed is not searched for afterwards (it stays unknown). */
  witnessSearch?: boolean;
}

interface ModelOutcome {
  /** The random runs' result; when the small pass found the violation, one of no runs that carries it. */
  readonly result: CheckResult;
  /** The exhaustive search of each small configuration that came first (none when it did not run). */
  readonly small: readonly SmallPassResult[];
  /** Which part of the check found the violation. */
  readonly foundBy: 'small' | 'random' | null;
  /** The suite checked and the command's options, for the commands the output prints. */
  readonly suite: Suite;
  readonly options: CheckCommandOptions;
  /** The shard this process ran, and where it was read from. */
  readonly shard: ShardFound | null;
  /** How many properties the suite checks (invariants and witnesses). */
  readonly properties: number;
  /** How many of them are liveness properties. */
  readonly liveness: number;
  /** ` --load PATH` when the suite came from outside the repository, so printed commands work. */
  readonly loadArg: string;
  readonly tracePath: string | null;
  /** The trace rendered for a browser, written next to it. */
  readonly htmlPath: string | null;
  readonly rerun: string;
  readonly ok: boolean;
  /** Why the trace (or its HTML view) could not be written, or null. */
  readonly writeError: string | null;
  readonly writeExit: number | null;
  /** What a breadth-first search of the check's configurations said of the witnesses its runs missed (null: none missed, or not searched). */
  readonly witnessSearch: WitnessSearch | null;
}

export async function checkCommand(modelName: string | undefined, options: CheckCommandOptions): Promise<number> {
  checkWorkers(options.workers);
  checkBudget(options.runs, options.depth);
  const selected = modelName === undefined ? await loadSuites(options.load) : [await loadSuite(modelName, options.load)];
  refuseModelAfterConfig('check', modelName, options.config);
  if (modelName === undefined && (options.mutant !== undefined || options.config.length > 0)) {
    throw new UsageError('--mutant and --config need a MODEL (they differ between models)');
  }
  if (modelName === undefined && (options.property?.length || options.skip?.length)) {
    throw new UsageError('--property and --skip need a MODEL (properties differ between models)');
  }
  if (options.coverage && options.workers && options.workers > 1) throw new UsageError('--coverage counts in one thread: leave out --workers');
  if (options.strategy !== undefined && !(STRATEGIES as readonly string[]).includes(options.strategy)) {
    throw new UsageError(`unknown strategy '${options.strategy}' (accepted: ${STRATEGIES.join(', ')})`);
  }
  if (options.steps !== undefined && options.runs !== undefined) throw new UsageError('give a budget in --runs or in --steps, not both');
  if (options.steps !== undefined && ((options.workers && options.workers > 1) || options.shard)) throw new UsageError('--steps budgets run in one thread: leave out --workers and --shard');
  if (options.queue !== undefined || options.units !== undefined) {
    if (modelName === undefined) throw new UsageError('--units and --queue need a MODEL (a worker runs one model)');
    if ((options.workers && options.workers > 1) || options.shard !== undefined || options.steps !== undefined || options.coverage) {
      throw new UsageError('--units and --queue split the runs themselves: leave out --workers, --shard, --steps and --coverage');
    }
  }
  const color = !options.json && useColor();
  const outcomes: ModelOutcome[] = [];
  const lanes = modelName === undefined && !(options.workers && options.workers > 1) && options.shard === undefined ? Math.min(availableParallelism(), selected.length) : 1;
  const done = lanes > 1 ? await checkSideBySide(selected, options, lanes) : null;
  for (const [k, suite] of selected.entries()) {
    // Side by side, a Ctrl-C leaves the models no lane started without an outcome.
    if (done && done[k] === undefined) continue;
    const outcome = done ? done[k]! : await checkOne(suite, options);
    outcomes.push(outcome);
    if (outcome.result.interrupted) {
      // Ctrl-C: the figures so far and how to run it again, exit 130.
      if (options.json) process.stdout.write(JSON.stringify({ ...jsonOf(outcome), interrupted: true }) + '\n');
      else process.stdout.write(describeOutcome(outcome, color));
      process.stderr.write(`protokit: interrupted after ${grouped(outcome.result.runs)} runs of ${suite.model.name}\n`);
      return 130;
    }
    if (!options.json && modelName !== undefined) process.stdout.write(describeOutcome(outcome, color));
  }
  if (options.json) {
    const objects = outcomes.map(jsonOf);
    process.stdout.write(JSON.stringify(modelName === undefined ? allModelsJson(outcomes) : objects[0]) + '\n');
  } else if (modelName === undefined) {
    process.stdout.write(summaryTable(outcomes, color));
    for (const o of outcomes) if (!o.ok) process.stdout.write('\n' + describeOutcome(o, color));
  }
  const failedWrite = outcomes.find((o) => o.writeError !== null);
  if (failedWrite) {
    process.stderr.write(`protokit: ${s(failedWrite.writeError!)}\n`);
    return failedWrite.writeExit ?? 2;
  }
  return outcomes.every((o) => o.ok) ? 0 : 1;
}

/**
 * Every model checked side by side, on `lanes` threads: this one takes the cheapest suites first
 * (budget runs × depth), each worker thread the dearest left (when it is worth a thread:
 * WORKER_MIN_STEPS), so the longest check starts at once.
 * Each model's check is the one it gets alone (same seed and runs, so the same figures); only the
 * wall time changes. Progress shows this thread's model, then the ones still running elsewhere.
 */
async function checkSideBySide(suites: readonly Suite[], options: CheckCommandOptions, lanes: number): Promise<ModelOutcome[]> {
  const cost = (s: Suite) => (options.runs ?? s.budget.runs) * (options.depth ?? s.budget.depth);
  const queue = suites.map((_, k) => k).sort((a, b) => cost(suites[a]!) - cost(suites[b]!));
  const outcomes = new Array<ModelOutcome>(suites.length);
  // Ctrl-C stops every lane's current check (each listens for it); then no lane starts another.
  let stopped = false;
  const bigEnough = (k: number | undefined) => (k !== undefined && cost(suites[k]!) >= WORKER_MIN_STEPS ? k : undefined);
  /** A check running on a worker thread: its runs so far, and where to show them once this thread is free. */
  interface Elsewhere {
    runs: number;
    readonly total: number;
    show?: (runs: number) => void;
    check?: Promise<ModelOutcome>;
  }
  const running = new Map<number, Elsewhere>();
  const onWorker = async (): Promise<void> => {
    // Only a check long enough to win back a thread's start (about a second of CPU) moves to one.
    for (let k = bigEnough(queue.at(-1)); k !== undefined && !stopped; k = bigEnough(queue.at(-1))) {
      queue.pop();
      const seen: Elsewhere = { runs: 0, total: options.runs ?? suites[k]!.budget.runs };
      running.set(k, seen);
      // Off a terminal, lines do not overwrite each other: this lane reports from its start.
      const lines = stderrIsTerminal() ? null : progressFor(`${suites[k]!.model.name} (worker thread)`, seen.total, !options.json);
      seen.check = checkOne(suites[k]!, options, (runs) => {
        seen.runs = runs;
        lines?.update(runs, seen.total);
        seen.show?.(runs);
      });
      try {
        outcomes[k] = await seen.check;
        if (outcomes[k]!.result.interrupted) stopped = true;
      } finally {
        running.delete(k);
      }
    }
  };
  const workers = Array.from({ length: lanes - 1 }, onWorker);
  for (const w of workers) w.catch(() => {}); // awaited below
  // On a terminal, this thread's bar also shows the checks running on worker threads.
  const elsewhere = () => [...running].map(([k, seen]) => `${suites[k]!.model.name} ${seen.runs}/${seen.total} on a worker`).join(', ');
  const here = async (): Promise<void> => {
    for (let k = queue.shift(); k !== undefined && !stopped; k = queue.shift()) {
      outcomes[k] = await checkOne(suites[k]!, options, undefined, elsewhere);
      if (outcomes[k]!.result.interrupted) stopped = true;
    }
    // The queue is empty: what still runs, runs on workers; show it, one bar at a time.
    for (const [k, seen] of [...running]) {
      if (!stderrIsTerminal()) {
        await seen.check?.catch(() => {}); // its lines are printed by its lane
        continue;
      }
      const bar = progressFor(suites[k]!.model.name, seen.total, !options.json, { already: seen.runs });
      bar.update(seen.runs, seen.total);
      seen.show = (runs) => bar.update(runs, seen.total);
      await seen.check?.catch(() => {}); // its failure is the worker lane's to report
      bar.stop();
    }
  };
  await Promise.all([here(), ...workers]);
  return outcomes;
}

/**
 * One model's check; with `onWorker`, on a worker thread whose runs it is told (no progress bar of its
 * own). `note` adds to the bar what runs elsewhere meanwhile.
 */
async function checkOne(fullSuite: Suite, options: CheckCommandOptions, onWorker?: (runs: number) => void, note?: () => string): Promise<ModelOutcome> {
  const selected = selectProperties(fullSuite, options.property, options.skip);
  const suite = withProperties(fullSuite, selected);
  const config = parseConfigPairs(options.config);
  const faults = faultsFromOptions(suite.model, options.faults, options.network);
  const budget = options.runs ?? suite.budget.runs;
  const found = resolveShard(options.shard, options.shards);
  const shard = found ?? undefined;
  // A shard alone is an ordinary check with its own seed and share of the runs.
  const plan = shard && !(options.workers && options.workers > 1) ? shardPlan(options.seed ?? DEFAULT_SEED, budget, shard) : null;
  const runs = plan?.runs ?? budget;
  const share = shard ? shardPlan(options.seed ?? DEFAULT_SEED, budget, shard).runs : budget;
  const progress = progressFor(suite.model.name, share, !options.json && onWorker === undefined, { note });
  let result: CheckResult;
  let small: SmallPassResult[] = [];
  // The small configuration being searched, for a model error's trace.
  let searching: { config: Record<string, unknown>; faults: ReturnType<typeof faultsFromOptions> } | null = null;
  const smallOptions = { mutant: options.mutant, properties: selected, deadlock: options.deadlock };
  try {
    const checkOptions = {
      runs,
      depth: options.depth,
      seed: plan?.seed ?? options.seed,
      config,
      mutant: options.mutant,
      faults,
      deadlock: options.deadlock,
      properties: selected,
      coverage: options.coverage,
      steps: options.steps,
      strategy: options.strategy as Strategy | undefined,
      onProgress: (p: { runs: number; total: number }) => (onWorker ? onWorker(p.runs) : progress.update(p.runs, p.total)),
    };
    // Ctrl-C stops the check (in this thread, or in every worker) with the figures so far.
    result = await interruptible(async (signal) => {
      // First the exhaustive part: each small configuration, searched up to a bound.
      if (runsSmallPass(options, suite)) {
        if (onWorker) small = await smallPassOnWorker(suite, { ...smallOptions, suiteModule: suiteModuleOf(options.load), signal });
        else {
          for (const one of smallConfigsOf(suite)) {
            searching = { config: one.config, faults: one.faults };
            const r = await searchSmall(suite, one, { ...smallOptions, signal });
            small.push(r);
            if (r.violation || signal.aborted) break;
          }
          searching = null;
        }
        const found = small.find((p) => p.violation !== null);
        if (found) return resultOfSmallPass(suite, found, small, plan?.seed ?? options.seed ?? DEFAULT_SEED, options);
      }
      if (options.queue !== undefined || options.units !== undefined) return checkUnits(fullSuite, suite, checkOptions, options, signal);
      return options.workers && options.workers > 1
        ? checkParallel(suite, { ...checkOptions, workers: options.workers, shard, suiteModule: suiteModuleOf(options.load), signal })
        : onWorker
          ? checkOnWorker(suite, { ...checkOptions, suiteModule: suiteModuleOf(options.load), signal })
          : checkRandomInterruptible(suite, checkOptions, signal);
    });
  } catch (error) {
    if (error instanceof ModelError) {
      const seed = plan?.seed ?? options.seed ?? DEFAULT_SEED;
      const during = searching as { config: Record<string, unknown>; faults: ReturnType<typeof faultsFromOptions> } | null;
      const file = `${fileSafe(options.mutant ?? suite.model.name)}-model-error-${during ? 'small' : `seed${seed}`}.json`;
      const path = relative(process.cwd(), pathInside(options.out, suite.model.name, file)) || '.';
      progress.stop();
      if (during) saveModelErrorTrace(error, suite, { config: during.config as Record<string, string>, mutant: options.mutant, faults: during.faults }, path, { command: 'explore' }, options.load);
      else saveModelErrorTrace(error, suite, { config, mutant: options.mutant, faults }, path, { command: 'check', seed }, options.load);
    }
    throw error;
  } finally {
    progress.stop();
  }
  const rerun = [
    'check',
    suite.model.name,
    ...options.config.flatMap((c) => ['--config', c]),
    ...(options.mutant ? ['--mutant', options.mutant] : []),
    ...(options.faults === false ? ['--no-faults'] : typeof options.faults === 'string' ? ['--faults', options.faults] : []),
    ...(options.network ? ['--network', options.network] : []),
    ...(options.deadlock === false ? ['--no-deadlock'] : []),
    ...(options.load ? ['--load', options.load] : []),
    ...(options.property ?? []).flatMap((p) => ['--property', p]),
    ...(options.skip ?? []).flatMap((p) => ['--skip', p]),
    '--seed',
    String((options.workers && options.workers > 1) || options.units !== undefined || options.queue !== undefined ? (options.seed ?? DEFAULT_SEED) : result.seed),
    ...(options.steps !== undefined ? ['--steps', String(options.steps)] : ['--runs', String(options.workers && options.workers > 1 ? budget : runs)]),
    // The units of a fleet, run here: the same result without the queue.
    ...(options.units !== undefined || options.queue !== undefined ? ['--units', String(unitsOf(options, runs))] : []),
    ...(options.strategy ? ['--strategy', options.strategy] : []),
    ...(options.workers && options.workers > 1 ? ['--workers', String(options.workers), ...(found ? ['--shard', `${found.index}/${found.count}`] : [])] : []),
    ...(options.depth ? ['--depth', String(options.depth)] : []),
  ]
    .map(shellArg)
    .join(' ');
  const rerunCommand = `${COMMAND} ${rerun}`;
  let tracePath: string | null = null;
  let htmlPath: string | null = null;
  let writeError: string | null = null;
  let writeExit: number | null = null;
  const foundBy = result.violation === null ? null : small.some((p) => p.violation !== null) ? 'small' : 'random';
  if (result.violation && foundBy === 'small') {
    // The small pass's counterexample: the shortest in its configuration, saved as explore saves one.
    const label = options.mutant ?? suite.model.name;
    const v = result.violation;
    const hash = settingsHash({ preset: result.preset, config: result.config, faults: result.faults, maxInFlight: small.at(-1)!.maxInFlight });
    const file = `${fileSafe(label)}-${fileSafe(v.property)}-${hash}-small.json`;
    const path = relative(process.cwd(), pathInside(options.out, suite.model.name, file)) || '.';
    const instance = resolveInstance(suite.model, { config: result.config, preset: result.preset, mutant: result.mutant, faults: result.faults });
    const built = buildTrace(instance, suite, v.actions, { command: 'explore' }, v.loopStart === null ? null : { property: v.property, loopStart: v.loopStart }, suiteRecordOf(path, options.load));
    const trace = { ...built, ...(selected ? { properties: selected } : {}) };
    ({ tracePath, htmlPath, writeError, writeExit } = await saveTraceAndView(suite, path, trace));
  } else if (result.violation) {
    const label = options.mutant ?? suite.model.name;
    // The hash tells apart runs that differ only in configuration, faults or depth.
    const hash = settingsHash({ preset: result.preset, config: result.config, faults: result.faults, depth: options.depth ?? suite.budget.depth });
    const file = `${fileSafe(label)}-${fileSafe(result.violation.property)}-seed${result.seed}-${hash}.json`;
    const path = relative(process.cwd(), pathInside(options.out, suite.model.name, file)) || '.';
    const trace = { ...traceOfCheck(suite, { config, faults }, result, suiteRecordOf(path, options.load)), ...(selected ? { properties: selected } : {}) };
    ({ tracePath, htmlPath, writeError, writeExit } = await saveTraceAndView(suite, path, trace));
  }
  // A witness the runs missed: a bounded search of the same configurations says whether it can be reached at all.
  const missed = result.witnesses.filter((w) => !w.reached).map((w) => w.name);
  const witnessSearch =
    result.violation === null && !result.interrupted && shard === undefined && missed.length > 0 && options.witnessSearch !== false
      ? await interruptible((signal) => searchMissedWitnesses(suite, missed, { config, faults, mutant: options.mutant, signal }))
      : null;
  // Unreachable in this configuration is a fact about it, not a failure (as explore says); reachable or unknown fails.
  const witnessesMissed = missed.some((name) => witnessSearch?.verdicts.find((v) => v.name === name)?.verdict !== 'unreachable');
  return { result, small, foundBy, suite, options, shard: found, properties: suite.properties.length, liveness: suite.properties.filter(isLiveness).length, loadArg: options.load ? ` --load ${shellArg(options.load)}` : '', tracePath, htmlPath, writeError, writeExit, rerun: rerunCommand, ok: result.violation === null && !witnessesMissed, witnessSearch };
}

/**
 * The JSON of a check of every model: the contract's fields (the first violation, totals) at the
 * top, so scripts read it like a single-model check, and each model's own object in `models`.
 */
function allModelsJson(outcomes: readonly ModelOutcome[]): object {
  const first = outcomes.find((o) => o.result.violation);
  const firstJson = first ? (jsonOf(first) as { violation: object }).violation : null;
  return {
    model: null,
    config: {},
    mutant: null,
    elapsedMs: Math.round(outcomes.reduce((sum, o) => sum + o.result.elapsedMs, 0)),
    runs: outcomes.reduce((sum, o) => sum + o.result.runs, 0),
    steps: outcomes.reduce((sum, o) => sum + o.result.steps, 0),
    violation: first ? { model: first.result.model, ...firstJson } : null,
    ok: outcomes.every((o) => o.ok),
    models: outcomes.map(jsonOf),
  };
}

function jsonOf(o: ModelOutcome): object {
  const r = o.result;
  return {
    model: r.model,
    preset: r.preset,
    config: r.config,
    mutant: r.mutant,
    faults: r.faults,
    seed: r.seed,
    elapsedMs: Math.round(r.elapsedMs),
    runs: r.runs,
    steps: r.steps,
    distinctStates: r.distinctStates,
    distinctStatesCapped: r.distinctStates >= DISTINCT_LIMIT,
    distinctSketch: r.distinctSketch,
    shard: o.shard,
    lassos: r.lassos,
    // `verdict` (extends `reached`): reached by the runs, or for a missed one what the search of its configurations said.
    witnesses: r.witnesses.map((w) => ({ ...w, verdict: w.reached ? 'reached' : (o.witnessSearch?.verdicts.find((v) => v.name === w.name)?.verdict ?? 'unknown') })),
    ...(o.witnessSearch ? { witnessSearch: { distinctStates: o.witnessSearch.distinctStates, complete: o.witnessSearch.complete, elapsedMs: Math.round(o.witnessSearch.elapsedMs) } } : {}),
    strategy: r.strategy,
    ...(r.sweep ? { sweep: r.sweep } : {}),
    ...(r.coverage ? { coverage: r.coverage } : {}),
    ...(r.guided ? { guided: r.guided } : {}),
    // The exhaustive part: each small configuration searched before the random runs.
    small: o.small.map((p) => ({ description: p.description, preset: p.preset, config: p.config, faults: p.faults, maxInFlight: p.maxInFlight, distinctStates: p.distinctStates, depth: p.depth, complete: p.complete, violated: p.violation?.property ?? null, elapsedMs: Math.round(p.elapsedMs) })),
    ok: o.ok,
    violation: r.violation && {
      foundBy: o.foundBy,
      property: r.violation.property,
      kind: r.violation.kind,
      ...(r.violation.loopStart === null ? {} : { loopStart: r.violation.loopStart }),
      message: r.violation.message,
      step: r.violation.step,
      trace: o.tracePath,
      html: o.htmlPath,
      lengths: r.violation.lengths,
      replay: o.tracePath === null ? null : `${COMMAND} replay ${shellArg(o.tracePath)}${o.loadArg}`,
      // Without a trace file, the counterexample itself, so nothing is lost.
      ...(o.tracePath === null ? { actions: r.violation.actions, writeError: o.writeError } : {}),
    },
    rerun: o.rerun,
  };
}

/** The counterexample's actions, one a line, for when its trace could not be written. */
export function actionLines(actions: readonly Action[]): string[] {
  return ['    actions:', ...actions.map((a, k) => `    ${String(k + 1).padStart(4)}  ${s(formatAction(a))}`)];
}

function rate(count: number, ms: number): string {
  return ms > 0 ? `${grouped(Math.round((count * 1000) / ms))}` : '-';
}

function describeOutcome(o: ModelOutcome, color: boolean): string {
  const c = color ? pc : pc.createColors(false);
  const r = o.result;
  const lines: string[] = [];
  const params = Object.entries(r.config).map(([k, v]) => `${s(k)}=${s(String(v))}`).join(' ');
  lines.push(c.bold(`${s(r.model)}${r.preset ? ` (preset ${s(r.preset)})` : ''}${r.mutant ? `, mutant ${s(r.mutant)}` : ''}`));
  lines.push(`  config ${params || '(no parameters)'}; ${describeFaults(r.faults)}; seed ${r.seed}${r.strategy !== 'random' ? `; strategy ${r.strategy}` : ''}`);
  if (o.small.length) lines.push(...describeSmallPass(o.small));
  if (r.sweep) {
    const swept = (c: Record<string, unknown>) => Object.keys(c).filter((k) => r.sweep!.some((p) => p.config[k] !== r.sweep![0]!.config[k])).map((k) => `${s(k)}=${s(String(c[k]))}`).join(' ');
    lines.push(`  sweep: ${r.sweep.map((p) => `${swept(p.config) || 'one configuration'} (${grouped(p.runs)} runs${p.violated ? ', violated' : ''})`).join('; ')}`);
  }
  if (o.foundBy !== 'small') lines.push(
    `  ${grouped(r.runs)} runs, ${grouped(r.steps)} steps, ${grouped(r.distinctStates)} distinct states in ${formatMs(r.elapsedMs)} ` +
      `(${rate(r.runs, r.elapsedMs)} runs/s, ${rate(r.steps, r.elapsedMs)} steps/s)`,
  );
  if (r.guided && o.foundBy !== 'small') {
    const g = r.guided;
    const n = grouped;
    lines.push(`  guided: ${n(g.mutated)} runs from a corpus of ${n(g.corpus)} that gained coverage; reached ${n(g.nodeStates)} node states, ${n(g.transitions)} (role, state, event) transitions, ${n(g.abstractStates)} world and history shapes`);
  }
  if (r.distinctStates >= DISTINCT_LIMIT) lines.push(c.yellow(`  the distinct-state counter stopped at its cap of ${grouped(DISTINCT_LIMIT)}: there are at least that many`));
  if (r.coverage) {
    lines.push(...describeCoverage(r.coverage).map(s));
    for (const w of coverageWarnings(r.coverage)) lines.push(c.yellow(`  ⚠ never fired: ${s(w)}`));
  }
  if (r.violation) {
    const v = r.violation;
    if (o.foundBy === 'small') {
      const pass = o.small.find((p) => p.violation !== null)!;
      const head = v.loopStart === null ? `${s(v.property)} violated at step ${v.step}` : v.kind === 'deadlock' ? 'deadlock' : `${s(v.property)} (liveness) violated`;
      lines.push(c.red(c.bold(`  ✗ ${head}: ${s(v.message)}`)));
      lines.push(`    found by the exhaustive search of a small configuration (${s(pass.description)}), before any random run`);
      lines.push(v.loopStart === null ? `    counterexample: ${v.actions.length} actions, the shortest in that configuration` : `    lasso: a prefix of ${v.loopStart} actions, then ${v.step === v.loopStart ? 'the last world stutters forever' : `a loop of ${v.step - v.loopStart} that repeats forever`}`);
    } else if (v.loopStart === null) {
      lines.push(c.red(c.bold(`  ✗ ${s(v.property)} violated at step ${v.step}: ${s(v.message)}`)));
      lines.push(`    counterexample: ${v.lengths.minimized} actions (${v.lengths.shrunk} after fast-check's shrinking, then minimised)`);
    } else {
      const [verdict, ...waysOut] = lassoVerdictLines(v);
      lines.push(c.red(c.bold(`  ✗ ${verdict}`)), ...waysOut.map((line) => `    ${line}`));
      lines.push(`    lasso: a prefix of ${v.loopStart} actions, then ${v.step === v.loopStart ? 'the last world stutters forever' : `a loop of ${v.step - v.loopStart} that repeats forever`} (${v.lengths.shrunk} actions before minimising)`);
    }
    if (o.tracePath === null) {
      lines.push(c.yellow(`    trace:  not written: ${s(o.writeError ?? 'unknown reason')}`));
      lines.push(...actionLines(v.actions));
    } else {
      lines.push(`    trace:  ${s(o.tracePath)}`);
      lines.push(o.htmlPath === null ? c.yellow(`    view:   not written: ${s(o.writeError ?? 'unknown reason')}`) : `    view:   ${s(o.htmlPath)} (open it in a browser)`);
      lines.push(`    read:   ${s(`${COMMAND} show ${shellArg(o.tracePath)}${o.loadArg}`)}`);
      lines.push(`    replay: ${s(`${COMMAND} replay ${shellArg(o.tracePath)}${o.loadArg}`)}`);
    }
    lines.push(`    rerun:  ${s(o.rerun)}`);
    if (o.foundBy === 'small') lines.push(`    search: ${s(exploreCommandOf(o.suite, o.small.find((p) => p.violation !== null)!, o.options))}`);
  } else if (r.interrupted) {
    lines.push(c.yellow(`  interrupted (Ctrl-C) after ${grouped(r.runs)} runs: no invariant violated in those; the figures are those so far`));
    lines.push(`  witnesses so far: ${r.witnesses.map((w) => `${w.reached ? '✓' : '○'} ${s(w.name)}`).join('  ') || 'none'}`);
    lines.push(`    rerun:  ${s(o.rerun)}`);
  } else {
    const verdictOf = (name: string) => o.witnessSearch?.verdicts.find((v) => v.name === name)?.verdict ?? 'unknown';
    const missed = r.witnesses.filter((w) => !w.reached);
    const failed = missed.filter((w) => verdictOf(w.name) !== 'unreachable');
    // A random budget samples behaviours: it finds violations, it never shows their absence (explore does).
    lines.push(c.green(`  ✓ no invariant violated in ${grouped(r.runs)} runs (random runs sample behaviours; explore searches every state of a configuration)`));
    if (o.liveness > 0) lines.push(`  liveness: no violation found in ${grouped(r.lassos)} lassos examined (random runs never show that liveness holds; explore decides it)`);
    const mark = (name: string) => (verdictOf(name) === 'unreachable' ? ' (unreachable in this configuration)' : verdictOf(name) === 'reached' ? ' (reachable: the search reached it)' : '');
    // ○ as explore marks a witness that cannot be reached in the configuration; ✗ one the runs should have reached.
    const shown = (name: string) => (verdictOf(name) === 'unreachable' ? `○ ${s(name)}${mark(name)}` : c.red(`✗ ${s(name)}${mark(name)}`));
    lines.push(`  witnesses: ${r.witnesses.map((w) => (w.reached ? c.green(`✓ ${s(w.name)}`) : shown(w.name))).join('  ') || 'none'}`);
    const search = o.witnessSearch;
    if (search) {
      const searched = `${grouped(search.distinctStates)} states`;
      lines.push(
        search.complete
          ? `  the runs missed ${missed.length === 1 ? 'a witness' : `${missed.length} witnesses`}: a breadth-first search of this configuration (${searched}, every reachable state) decided ${missed.length === 1 ? 'it' : 'them'}`
          : `  the runs missed ${missed.length === 1 ? 'a witness' : `${missed.length} witnesses`}: a breadth-first search of this configuration stopped at its bound of ${grouped(WITNESS_SEARCH_STATES)} states per configuration (${searched})`,
      );
    }
    if (failed.length) {
      const reachable = failed.filter((w) => verdictOf(w.name) === 'reached').length;
      lines.push(
        c.red(
          reachable === failed.length
            ? `  ✗ ${failed.length} witness${failed.length > 1 ? 'es' : ''} not reached in ${grouped(r.runs)} runs, though reachable here: the budget is too small`
            : `  ✗ ${failed.length} witness${failed.length > 1 ? 'es' : ''} not reached in ${grouped(r.runs)} runs: the budget is too small or the model cannot get there (explore decides which)`,
        ),
      );
      lines.push(`    rerun:  ${s(o.rerun)}`);
    }
  }
  return lines.join('\n') + '\n';
}

function summaryTable(outcomes: readonly ModelOutcome[], color: boolean): string {
  const c = color ? pc : pc.createColors(false);
  const header = ['model', 'properties', 'runs', 'steps', 'distinct states', 'violations', 'time'];
  const rows = outcomes.map((o) => {
    const r = o.result;
    const invariants = r.witnesses.length;
    const missed = r.witnesses.filter((w) => !w.reached && o.witnessSearch?.verdicts.find((v) => v.name === w.name)?.verdict !== 'unreachable').length;
    return [
      s(r.model),
      `${o.properties} (${invariants} witnesses${missed ? `, ${missed} missed` : ''})`,
      grouped(r.runs),
      grouped(r.steps),
      grouped(r.distinctStates),
      r.violation ? `1 (${s(r.violation.property)})` : '0',
      formatMs(r.elapsedMs),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 || i === 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const out = [c.bold(line(header)), ...rows.map((row, i) => (outcomes[i]!.ok ? line(row) : c.red(line(row))))];
  const failed = outcomes.filter((o) => !o.ok).length;
  for (const o of outcomes) {
    const cov = o.result.coverage;
    if (!cov) continue;
    out.push(`${o.result.model}: coverage ${cov.fired} of ${cov.total} transitions fired`);
    for (const w of coverageWarnings(cov)) out.push(c.yellow(`  ⚠ never fired in this budget: ${w}`));
  }
  out.push('', failed === 0 ? c.green(`✓ all ${outcomes.length} models passed`) : c.red(`✗ ${failed} of ${outcomes.length} models failed`));
  return out.join('\n') + '\n';
}

/**
 * Whether this check begins with the small pass: the suite has small configurations, and the
 * caller did not choose a configuration or faults of their own (the small configurations are
 * other ones), ask for one shard only (each shard would repeat it), or switch it off (--no-small).
 */
function runsSmallPass(options: CheckCommandOptions, suite: Suite): boolean {
  const chosen = options.config.length > 0 || options.faults !== undefined || options.network !== undefined;
  return options.small !== false && !chosen && options.shard === undefined && smallConfigsOf(suite).length > 0;
}

/** The check's result when the small pass found the violation: no random run was made. */
function resultOfSmallPass(suite: Suite, pass: SmallPassResult, small: readonly SmallPassResult[], seed: number, options: CheckCommandOptions): CheckResult {
  const v = pass.violation!;
  return {
    model: suite.model.name,
    preset: pass.preset,
    config: pass.config,
    mutant: options.mutant ?? null,
    faults: pass.faults,
    seed,
    runs: 0,
    steps: 0,
    distinctStates: pass.distinctStates,
    distinctSketch: '',
    lassos: 0,
    witnesses: [],
    violation: { property: v.property, message: v.message, step: v.step, actions: v.actions, seed, path: '', lengths: { shrunk: v.actions.length, minimized: v.actions.length }, kind: v.kind, loopStart: v.loopStart },
    strategy: (options.strategy as Strategy | undefined) ?? suite.budget.strategy ?? 'random',
    elapsedMs: small.reduce((sum, p) => sum + p.elapsedMs, 0),
  };
}

/** One line per small configuration the pass searched: how far, and whether it found something. */
function describeSmallPass(small: readonly SmallPassResult[]): string[] {
  return small.map((p) => {
    const reach = p.violation ? 'stopped at the violation' : p.complete ? 'every reachable state' : `stopped at its bound of ${grouped(SMALL_PASS_STATES)}`;
    const found = p.violation ? `: ✗ ${s(p.violation.property)}` : ', nothing violated';
    return `  small configuration (${s(p.description)}): ${grouped(p.distinctStates)} states to depth ${p.depth} (${reach})${found}`;
  });
}

/** `protokit explore` of the small configuration that found a violation: the same search, alone. */
function exploreCommandOf(suite: Suite, pass: SmallPassResult, options: CheckCommandOptions): string {
  const small = smallConfigsOf(suite).find((c) => c.description === pass.description)!;
  const faults = Object.entries(small.faults).filter(([k, v]) => k !== 'network' && v !== 0).map(([k, v]) => `${k}=${v}`);
  return [
    COMMAND,
    'explore',
    suite.model.name,
    ...Object.entries(small.config).flatMap(([k, v]) => ['--config', `${k}=${v}`]),
    ...(faults.length ? ['--faults', faults.join(',')] : ['--no-faults']),
    ...(small.faults.network !== 'unordered' ? ['--network', small.faults.network] : []),
    ...(small.maxInFlight !== undefined ? ['--max-in-flight', String(small.maxInFlight)] : []),
    ...(options.mutant ? ['--mutant', options.mutant] : []),
    ...(options.load ? ['--load', options.load] : []),
    ...(options.property ?? []).flatMap((p) => ['--property', p]),
    ...(options.skip ?? []).flatMap((p) => ['--skip', p]),
    ...(options.deadlock === false ? ['--no-deadlock'] : []),
    '--max-states',
    String(SMALL_PASS_STATES),
  ]
    .map((a, k) => (k < 1 ? a : shellArg(a)))
    .join(' ');
}

/** The module worker threads load the suite from: the catalogue (one model's suite alone), or the `--load` file. */
function suiteModuleOf(load: string | undefined): string {
  return load ? pathToFileURL(resolve(load)).href : CATALOGUE_MODULE;
}

/** Units a fleet splits the runs into when --units is not given. */
const DEFAULT_UNITS = 16;

function unitsOf(options: CheckCommandOptions, runs: number): number {
  return options.units ?? Math.min(runs, DEFAULT_UNITS);
}

/** `--units N` (here, in order) or `--queue URL` (on `protokit worker` processes): the same units, the same result (src/cluster/fleet.ts). */
async function checkUnits(fullSuite: Suite, suite: Suite, checkOptions: CheckOptions, options: CheckCommandOptions, signal: AbortSignal): Promise<CheckResult> {
  const units = unitsOf(options, checkOptions.runs ?? suite.budget.runs);
  if (options.queue === undefined) return (await import('../cluster/fleet.js')).checkUnitsLocally(suite, checkOptions, units, signal);
  const { checkOnFleet } = await import('../cluster/fleet-queue.js');
  const instance = resolveInstance(suite.model, { config: checkOptions.config, mutant: checkOptions.mutant, faults: checkOptions.faults });
  // On stderr even with --json (stdout holds the JSON): who joined, was refused, which unit failed.
  const log = (line: string) => process.stderr.write(`protokit: ${s(line)}\n`);
  const cluster = { credentials: credentialsOf(options, options.queue), unitTimeoutS: options.clusterTimeout ?? CLUSTER_TIMEOUT_S, waitS: options.clusterWait ?? CLUSTER_WAIT_S, log };
  const { fleet: _fleet, ...result } = await checkOnFleet(fullSuite, suite, instance, checkOptions, units, cluster, signal);
  return result;
}
