/** `protokit explore MODEL`: exhaustive breadth-first search of one configuration. */
import { relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pc from 'picocolors';
import { ModelError, UsageError } from '../engine/errors.js';
import { explore, type ExploreOptions, type ExploreProgress, type ExploreResult } from '../explore/bfs/search.js';
import { CLUSTER_TIMEOUT_S, CLUSTER_WAIT_S, credentialsOf, type ClusterFlags } from './cluster-flags.js';
import type { ClusterExploreResult } from '../cluster/coordinator.js';
import { describeFaults } from '../engine/faults.js';
import { resolveInstance } from '../engine/instance.js';
import type { Suite } from '../properties/suite.js';
import { selectProperties, withProperties } from '../properties/suite.js';
import { fileSafe, pathInside, settingsHash } from '../trace/names.js';
import { actionLines } from './check.js';
import { buildTrace } from '../trace/replay.js';
import { COMMAND, EXIT_INCONCLUSIVE, faultsFromOptions, formatMs, parseConfigPairs, refuseModelAfterConfig, shellArg, useColor } from './common.js';
import { loadSuite, CATALOGUE_MODULE, saveModelErrorTrace, suiteRecordOf } from './registry.js';
import { checkMaxMemory, checkWorkers } from './limits.js';
import { interruptible } from './interrupt.js';
import { saveTraceAndView } from './save.js';
import { safeLine as s } from '../render/safe-text.js';
import { lassoVerdictLines } from '../render/verdict.js';
import { coverageWarnings, describeCoverage } from '../explore/coverage.js';
import { deadlockVerdict, limitOf, witnessVerdict } from './explore-verdicts.js';

export interface ExploreCommandOptions extends ClusterFlags {
  config: string[];
  mutant?: string;
  maxStates?: number;
  maxDepth?: number;
  maxMemory?: number;
  maxInFlight?: number;
  /** true, or 'compare' to search once more without symmetry and report both counts. */
  symmetry?: boolean | string;
  workers?: number;
  faults?: string | boolean;
  network?: string;
  out: string;
  json?: boolean;
  load?: string;
  /** Directory for resumable checkpoints. */
  checkpoint?: string;
  /** Seconds between checkpoints (0: at every level boundary). */
  checkpointInterval?: number;
  /** Directory of a checkpoint to go on from (checkpoints go on being written there). */
  resume?: string;
  /** false with --no-deadlock. */
  deadlock?: boolean;
  /** Check only these properties (repeatable), or all but `skip`. */
  property?: string[];
  skip?: string[];
  /** Exit 5 (inconclusive) when a bound stopped the search. */
  requireComplete?: boolean;
  /** Count which machine transitions, events and actions the search exercised. */
  coverage?: boolean;
  /** `--cluster`: shards of the visited set (this process and S − 1 `protokit shard` processes). */
  shards?: number;
}

/** Default seconds between checkpoints. */
export const CHECKPOINT_INTERVAL_S = 60;
/** Exit code of a search ended by Ctrl-C (the contract's "interrupted"). */
const EXIT_INTERRUPTED = 130;

export async function exploreCommand(named: string | undefined, options: ExploreCommandOptions): Promise<number> {
  refuseModelAfterConfig('explore', named, options.config);
  // The argument is optional to commander only so that the line above can explain `--config x=1 MODEL`.
  if (named === undefined) throw new UsageError("missing required argument 'model'");
  const modelName = named;
  if (typeof options.symmetry === 'string' && options.symmetry !== 'compare') {
    throw new UsageError(`--symmetry takes no value or 'compare', not '${options.symmetry}'`);
  }
  checkWorkers(options.workers);
  checkMaxMemory(options.maxMemory);
  const fullSuite = await loadSuite(modelName, options.load);
  const selected = selectProperties(fullSuite, options.property, options.skip);
  const suite = withProperties(fullSuite, selected);
  const config = parseConfigPairs(options.config);
  const faults = faultsFromOptions(suite.model, options.faults, options.network);
  const instance = resolveInstance(suite.model, { config, mutant: options.mutant, faults });
  const checkpointDir = options.checkpoint ?? options.resume;
  if (checkpointDir !== undefined && options.workers !== undefined && options.workers > 1) {
    throw new UsageError('--checkpoint and --resume need a one-worker search (worker threads keep their share of the frontier to themselves); drop --workers');
  }
  if (checkpointDir !== undefined && options.symmetry === 'compare') throw new UsageError("--checkpoint and --resume take one search, not --symmetry compare's two");
  if (options.cluster !== undefined && options.workers !== undefined && options.workers > 1) throw new UsageError('--workers and --cluster do not go together: each `protokit worker` process is one searcher (start more of them)');
  if (options.cluster !== undefined && options.symmetry === 'compare') throw new UsageError("--cluster takes one search, not --symmetry compare's two");
  if (options.shards !== undefined && options.cluster === undefined) throw new UsageError('--shards splits the visited set of a search on a cluster: add --cluster nats://HOST:PORT');
  if (options.clusterWorkers !== undefined && options.cluster === undefined) throw new UsageError('--cluster-workers waits for workers of a search on a cluster: add --cluster nats://HOST:PORT');
  // On a cluster, the progress line also says how many workers are alive.
  let workersAlive = 0;
  const progress = progressLine(options.cluster === undefined ? suite.model.name : `${suite.model.name} (cluster)`, !options.json, () => (options.cluster === undefined ? '' : `, ${workersAlive} workers alive`));
  // Ctrl-C ends the search (interruptible: the figures so far, exit 130; with --checkpoint, saved at the start of the level it was in).
  const intervalMs = (options.checkpointInterval ?? CHECKPOINT_INTERVAL_S) * 1000;
  let lastCheckpoint = Date.now(); // allow-clock: checkpoint timing is the command line's, the search stays deterministic
  const due = () => {
    const now = Date.now(); // allow-clock
    if (now - lastCheckpoint < intervalMs) return false;
    lastCheckpoint = now;
    return true;
  };
  const search = (symmetry: boolean, signal?: AbortSignal) => {
    const exploreOptions: ExploreOptions = {
      signal,
      config,
      mutant: options.mutant,
      faults,
      maxStates: options.maxStates,
      maxDepth: options.maxDepth,
      maxMemoryMb: options.maxMemory,
      maxInFlight: options.maxInFlight,
      properties: selected,
      symmetry,
      workers: options.workers,
      deadlock: options.deadlock,
      coverage: options.coverage,
      suiteModule: options.load ? pathToFileURL(resolve(options.load)).href : CATALOGUE_MODULE,
      onProgress: progress.update,
      ...(checkpointDir !== undefined ? { checkpoint: { dir: checkpointDir, due } } : {}),
      ...(options.resume !== undefined ? { resume: options.resume } : {}),
    };
    if (options.cluster === undefined) return explore(suite, exploreOptions);
    const cluster = {
      credentials: credentialsOf(options),
      unitTimeoutS: options.clusterTimeout ?? CLUSTER_TIMEOUT_S,
      waitS: options.clusterWait ?? CLUSTER_WAIT_S,
      minWorkers: options.clusterWorkers ?? 1,
      shards: options.shards ?? 1,
      // On stderr even with --json (stdout holds the JSON): who joined, was refused or dropped.
      log: (line: string) => process.stderr.write(`protokit: ${s(line)}\n`),
      onWorkers: (n: number) => (workersAlive = n),
    };
    return import('../cluster/coordinator.js').then(({ exploreOnCluster }) => exploreOnCluster(suite, exploreOptions, cluster));
  };
  let result: ExploreResult;
  let unreduced: ExploreResult | null = null;
  try {
    result = await interruptible((signal) => search(options.symmetry !== undefined && options.symmetry !== false, signal));
    if (options.symmetry === 'compare' && result.stoppedBy !== 'interrupted') unreduced = await interruptible((signal) => search(false, signal));
  } catch (error) {
    if (error instanceof ModelError) {
      progress.stop();
      const file = `${fileSafe(options.mutant ?? suite.model.name)}-model-error-explore.json`;
      const path = relative(process.cwd(), pathInside(options.out, suite.model.name, file)) || '.';
      saveModelErrorTrace(error, suite, { config, mutant: options.mutant, faults }, path, { command: 'explore' }, options.load);
    }
    throw error;
  } finally {
    progress.stop();
  }

  let tracePath: string | null = null;
  let writeError: string | null = null;
  let writeExit: number | null = null;
  let htmlPath: string | null = null;
  if (result.violation) {
    const v = result.violation;
    const label = options.mutant ?? suite.model.name;
    // The hash tells apart searches that differ only in configuration, faults or bounds.
    const hash = settingsHash({ preset: result.preset, config: result.config, faults: result.faults, maxDepth: options.maxDepth ?? null, maxInFlight: options.maxInFlight ?? null });
    const file = `${fileSafe(label)}-${fileSafe(result.violation.property)}-${hash}-explore.json`;
    const path = relative(process.cwd(), pathInside(options.out, suite.model.name, file)) || '.';
    const built = buildTrace(instance, suite, v.actions, { command: 'explore' }, v.loopStart === null ? null : { property: v.property, loopStart: v.loopStart }, suiteRecordOf(path, options.load));
    const trace = { ...built, ...(selected ? { properties: selected } : {}) };
    ({ tracePath, htmlPath, writeError, writeExit } = await saveTraceAndView(suite, path, trace));
  }
  const growing = growingFrontier(result);
  if (growing) process.stderr.write(`${growthWarning(suite, growing)}\n`);
  const loadArg = options.load ? ` --load ${shellArg(options.load)}` : '';
  const ok = result.violation === null;
  const resume = checkpointDir === undefined ? null : resumeCommand(modelName, options, checkpointDir);
  if (options.json) {
    process.stdout.write(JSON.stringify({ ...jsonOf(result, unreduced, tracePath, loadArg, writeError, resume, htmlPath, options.deadlock !== false), frontierGrowing: growing !== null }) + '\n');
  } else {
    const text = describe(result, unreduced, tracePath, loadArg, useColor(), writeError, resume, htmlPath, options.deadlock !== false);
    // A search the cluster stopped is reported as one Ctrl-C stopped (the level in progress dropped), said as what it was.
    const lostCluster = (result as Partial<ClusterExploreResult>).cluster?.lost ?? null;
    process.stdout.write(lostCluster === null ? text : text.replaceAll('Ctrl-C', 'the cluster failing'));
  }
  if (writeError !== null) {
    process.stderr.write(`protokit: ${s(writeError)}\n`);
    return writeExit ?? 2;
  }
  const lost = (result as Partial<ClusterExploreResult>).cluster?.lost ?? null;
  if (lost !== null) {
    // The cluster failed, not the search: the figures of the levels done, and how to go on.
    if (!options.json) process.stdout.write(`  ${s(resume === null ? `rerun:  ${rerunOf(modelName, options)} (add --checkpoint DIR to resume after a failure)` : `resume: ${resume}`)}\n`);
    process.stderr.write(`protokit: the cluster stopped the search after ${count(result.distinctStates)} states (depth ${result.depth}, every level before it complete): ${s(lost)}\n`);
    return 74;
  }
  if (result.stoppedBy === 'interrupted' || unreduced?.stoppedBy === 'interrupted') {
    if (!options.json) process.stdout.write(`  rerun:  ${s(rerunOf(modelName, options))}\n`);
    process.stderr.write(`protokit: interrupted after ${count(result.distinctStates)} states of ${s(suite.model.name)}\n`);
    return EXIT_INTERRUPTED;
  }
  if (!ok) return 1;
  // A pass that a bound cut short is no verdict on the configuration: inconclusive, when asked.
  if (options.requireComplete && !result.complete) {
    if (!options.json) process.stderr.write(`protokit: inconclusive: ${result.stoppedBy === 'memory' ? 'the memory bound (--max-memory)' : `--${result.stoppedBy ?? 'a bound'}`} stopped the search before it was complete (--require-complete)\n`);
    return EXIT_INCONCLUSIVE;
  }
  // Nor is a liveness property left undecided (--symmetry, --workers): --require-complete asks for every verdict.
  const undecided = result.liveness.properties.filter((p) => p.verdict === 'not decided');
  if (options.requireComplete && undecided.length > 0) {
    if (!options.json) process.stderr.write(`protokit: inconclusive: ${undecided.map((p) => s(p.name)).join(', ')} (liveness) not decided: ${s(result.liveness.note ?? '')} (--require-complete)\n`);
    return EXIT_INCONCLUSIVE;
  }
  return result.inconclusive ? EXIT_INCONCLUSIVE : 0;
}

/** How many last levels must each grow before the frontier counts as growing without end. */
const GROWING_LEVELS = 5;

/**
 * The last level sizes when a bound stopped a search whose frontier grew at each of its last
 * levels: the mark of a state space without end (retries or heartbeats adding messages), not of a
 * large one that was about to finish. Null otherwise.
 */
function growingFrontier(r: ExploreResult): number[] | null {
  if (r.complete || r.violation !== null || r.stoppedBy === null) return null;
  // The level a bound cut short is partial: judge the growth on the levels before it.
  const whole = r.stoppedBy === 'max-depth' ? r.frontier : r.frontier.slice(0, -1);
  const last = whole.slice(-(GROWING_LEVELS + 1));
  if (last.length < GROWING_LEVELS + 1) return null;
  return last.every((n, i) => i === 0 || n > last[i - 1]!) ? last : null;
}

function growthWarning(suite: Suite, sizes: readonly number[]): string {
  const bounds = Object.entries(suite.model.params)
    .filter(([, spec]) => typeof spec.default === 'number')
    .map(([key, spec]) => `${key} (${spec.description})`);
  return (
    `protokit: warning: the frontier grew at each of the last ${sizes.length - 1} levels (${sizes.map(count).join(' → ')} new states): ` +
    `the state space is probably unbounded (or far larger than this bound). Bound it with --max-in-flight N (a state constraint on messages in flight)` +
    (bounds.length ? ` or the model's bounds (--config ${bounds.join(', ')})` : '') +
    `, or switch off what adds messages without end (retries, heartbeats)`
  );
}

/** The command that goes on from the checkpoint: the same search, with --resume. */
function resumeCommand(model: string, o: ExploreCommandOptions, dir: string): string {
  const args = [
    'explore',
    model,
    ...o.config.flatMap((c) => ['--config', c]),
    ...(o.mutant ? ['--mutant', o.mutant] : []),
    ...(o.faults === false ? ['--no-faults'] : typeof o.faults === 'string' ? ['--faults', o.faults] : []),
    ...(o.network ? ['--network', o.network] : []),
    ...(o.symmetry ? ['--symmetry'] : []),
    ...(o.maxStates !== undefined ? ['--max-states', String(o.maxStates)] : []),
    ...(o.maxDepth !== undefined ? ['--max-depth', String(o.maxDepth)] : []),
    ...(o.maxInFlight !== undefined ? ['--max-in-flight', String(o.maxInFlight)] : []),
    ...(o.maxMemory !== undefined ? ['--max-memory', String(o.maxMemory)] : []),
    ...(o.load ? ['--load', o.load] : []),
    // What the checkpoint's options print holds, or the resume it suggests would be refused.
    ...(o.deadlock === false ? ['--no-deadlock'] : []),
    ...(o.property ?? []).flatMap((p) => ['--property', p]),
    ...(o.skip ?? []).flatMap((p) => ['--skip', p]),
    '--resume',
    dir,
    ...clusterArgs(o),
  ];
  return `${COMMAND} ${args.map(shellArg).join(' ')}`;
}

function jsonOf(r: ExploreResult, unreduced: ExploreResult | null, tracePath: string | null, loadArg: string, writeError: string | null, resume: string | null, htmlPath: string | null, deadlockChecked: boolean): object {
  return {
    model: r.model,
    preset: r.preset,
    config: r.config,
    mutant: r.mutant,
    faults: r.faults,
    elapsedMs: Math.round(r.elapsedMs),
    distinctStates: r.distinctStates,
    depth: r.depth,
    complete: r.complete,
    stoppedBy: r.stoppedBy,
    maxInFlight: r.maxInFlight,
    generated: r.generated,
    statesPerSecond: Math.round(r.statesPerSecond),
    symmetry: r.symmetry,
    ...(unreduced ? { withoutSymmetry: { distinctStates: unreduced.distinctStates, depth: unreduced.depth, complete: unreduced.complete } } : {}),
    workers: r.workers,
    collisionProbability: r.collisionProbability,
    spilledWorlds: r.spilledWorlds,
    resumed: r.resumed,
    checkpoint: r.checkpoint && { dir: r.checkpoint.dir, depth: r.checkpoint.depth, states: r.checkpoint.states, resume },
    // `verdict` says what `reached: false` means: unreachable only after a complete, unconstrained search.
    witnesses: r.witnesses.map((w) => ({ ...w, verdict: witnessVerdict(r, w.reached) })),
    deadlock: deadlockVerdict(r, deadlockChecked),
    inconclusive: r.inconclusive,
    liveness: { checked: r.liveness.checked, note: r.liveness.note, properties: r.liveness.properties },
    ...(r.coverage ? { coverage: r.coverage } : {}),
    ...('cluster' in r ? { cluster: (r as ClusterExploreResult).cluster } : {}),
    violation: r.violation && {
      property: r.violation.property,
      kind: r.violation.kind,
      message: r.violation.message,
      step: r.violation.step,
      ...(r.violation.loopStart === null ? {} : { loopStart: r.violation.loopStart }),
      trace: tracePath,
      html: htmlPath,
      replay: tracePath === null ? null : `${COMMAND} replay ${shellArg(tracePath)}${loadArg}`,
      ...(tracePath === null ? { actions: r.violation.actions, writeError } : {}),
    },
  };
}

const count = (n: number) => n.toLocaleString('en-US');

const STOPPED_BY: Record<NonNullable<ExploreResult['stoppedBy']>, string> = {
  'max-states': '--max-states',
  'max-depth': '--max-depth',
  memory: 'the memory bound (--max-memory): the visited set (and, with liveness, its graph) alone passed it, or worker threads hold their frontier in memory',
  interrupted: 'Ctrl-C',
};

function describe(r: ExploreResult, unreduced: ExploreResult | null, tracePath: string | null, loadArg: string, color: boolean, writeError: string | null, resume: string | null, htmlPath: string | null, deadlockChecked: boolean): string {
  const c = color ? pc : pc.createColors(false);
  const lines: string[] = [];
  const params = Object.entries(r.config).map(([k, v]) => `${s(k)}=${s(String(v))}`).join(' ');
  lines.push(c.bold(`${s(r.model)}${r.preset ? ` (preset ${s(r.preset)})` : ''}${r.mutant ? `, mutant ${s(r.mutant)}` : ''}: exhaustive search`));
  lines.push(`  config ${params}; ${describeFaults(r.faults)}${r.symmetry ? '; symmetry' : ''}${r.workers > 1 ? `; ${r.workers} workers` : ''}`);
  const classes = r.symmetry ? ' (symmetry classes)' : '';
  lines.push(
    `  ${count(r.distinctStates)} distinct states${classes}, depth ${r.depth}, ${count(r.generated)} transitions in ${formatMs(r.elapsedMs)} (${count(Math.round(r.statesPerSecond))} states/s)`,
  );
  if (unreduced) lines.push(`  without symmetry: ${count(unreduced.distinctStates)} distinct states, depth ${unreduced.depth}${unreduced.complete ? '' : ' (incomplete)'}`);
  lines.push(`  fingerprint collision probability: ${r.collisionProbability.toExponential(1)} (optimistic estimate, as TLC)`);
  if (r.maxInFlight !== null) lines.push(`  state constraint: states with more than ${r.maxInFlight} messages in flight were checked, not expanded (--max-in-flight)`);
  if (r.spilledWorlds > 0) lines.push(`  ${count(r.spilledWorlds)} frontier states spilled to disk (the heap passed the memory bound)`);
  if (!r.complete && r.stoppedBy) lines.push(c.yellow(`  incomplete: stopped by ${STOPPED_BY[r.stoppedBy]}; the figures are those so far`));
  if (r.checkpoint) lines.push(`  checkpoint: ${r.checkpoint.dir} (${count(r.checkpoint.states)} states, ${r.checkpoint.depth} levels searched); go on with: ${resume}`);
  if (r.coverage) {
    lines.push(...describeCoverage(r.coverage).map(s));
    for (const w of coverageWarnings(r.coverage)) lines.push(c.yellow(`  ⚠ never fired in this search: ${s(w)}`));
  }
  if (r.violation) {
    const v = r.violation;
    if (v.loopStart === null) {
      lines.push(c.red(c.bold(`  ✗ ${s(v.property)} violated at step ${v.step}: ${s(v.message)}`)));
      lines.push(`    shortest counterexample: ${v.step} actions`);
    } else {
      const [verdict, ...waysOut] = lassoVerdictLines(v);
      lines.push(c.red(c.bold(`  ✗ ${verdict}`)), ...waysOut.map((line) => `    ${line}`));
      lines.push(`    lasso: a prefix of ${v.loopStart} actions, then ${v.step === v.loopStart ? 'the last world stutters forever' : `a loop of ${v.step - v.loopStart} that repeats forever`}`);
    }
    if (tracePath === null) {
      lines.push(c.yellow(`    trace:  not written: ${s(writeError ?? 'unknown reason')}`));
      lines.push(...actionLines(v.actions));
    } else {
      lines.push(`    trace:  ${s(tracePath)}`);
      if (htmlPath !== null) lines.push(`    view:   ${s(htmlPath)} (open it in a browser)`);
      lines.push(`    read:   ${s(`${COMMAND} show ${shellArg(tracePath)}${loadArg}`)}`);
      lines.push(`    replay: ${s(`${COMMAND} replay ${shellArg(tracePath)}${loadArg}`)}`);
    }
  } else {
    // Absences are facts only after a search that saw everything (explore-verdicts.ts).
    const limit = limitOf(r);
    const deadlock = deadlockVerdict(r, deadlockChecked);
    const noDeadlock = deadlock === 'not checked' ? '' : ' and no deadlock';
    lines.push(c.green(limit === null ? `  ✓ no invariant violated${noDeadlock} in any reachable state` : `  ✓ no invariant violated${noDeadlock} in the states searched`));
    if (limit !== null) lines.push(c.yellow(`    (${limit}: no verdict on the states beyond it)`));
    for (const p of r.liveness.properties) {
      if (p.verdict === 'holds') lines.push(c.green(`  ✓ ${s(p.name)} (liveness) holds on every fair behaviour`));
      else if (p.verdict === 'inconclusive') lines.push(c.yellow(`  ? ${s(p.name)} (liveness) inconclusive: ${s(p.reason ?? '')} (exit 5)`));
      else if (p.verdict === 'not decided') lines.push(c.yellow(`  - ${s(p.name)} (liveness) not decided: ${s(p.reason ?? '')}`));
    }
    const missed = (name: string) => (witnessVerdict(r, false) === 'unreachable' ? c.yellow(`○ ${s(name)} (unreachable in this configuration)`) : c.yellow(`○ ${s(name)} (not reached in the states searched)`));
    lines.push(`  witnesses: ${r.witnesses.map((w) => (w.reached ? c.green(`✓ ${s(w.name)}`) : missed(w.name))).join('  ') || 'none'}`);
  }
  return lines.join('\n') + '\n';
}

/** States, queue, depth and rate on stderr: one line rewritten on a terminal, a plain line every 5 s otherwise. */
function progressLine(label: string, enabled: boolean, extra: () => string = () => ''): { update: (p: ExploreProgress) => void; stop: () => void } {
  if (!enabled) return { update() {}, stop() {} };
  const tty = process.stderr.isTTY;
  let last = 0;
  let shown = false;
  return {
    update(p) {
      if (p.elapsedMs - last < (tty ? 200 : 5000)) return;
      last = p.elapsedMs;
      const rate = Math.round((p.states * 1000) / Math.max(1, p.elapsedMs));
      const line = `${label}: ${count(p.states)} states, ${count(p.queue)} queued, depth ${p.depth}, ${count(rate)} states/s${extra()}`;
      if (tty) {
        process.stderr.write(`\r\x1b[K${line}`);
        shown = true;
      } else {
        process.stderr.write(line + '\n');
      }
    },
    stop() {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}

/** The command that runs this search again. */
function rerunOf(model: string, o: ExploreCommandOptions): string {
  const args = [
    'explore',
    model,
    ...o.config.flatMap((c) => ['--config', c]),
    ...(o.mutant ? ['--mutant', o.mutant] : []),
    ...(o.faults === false ? ['--no-faults'] : typeof o.faults === 'string' ? ['--faults', o.faults] : []),
    ...(o.network ? ['--network', o.network] : []),
    ...(o.maxStates ? ['--max-states', String(o.maxStates)] : []),
    ...(o.maxDepth ? ['--max-depth', String(o.maxDepth)] : []),
    ...(o.maxMemory ? ['--max-memory', String(o.maxMemory)] : []),
    ...(o.maxInFlight !== undefined ? ['--max-in-flight', String(o.maxInFlight)] : []),
    ...(o.symmetry === true ? ['--symmetry'] : typeof o.symmetry === 'string' ? [`--symmetry=${o.symmetry}`] : []),
    ...(o.workers ? ['--workers', String(o.workers)] : []),
    ...(o.load ? ['--load', o.load] : []),
    // The same properties, as check's rerun line has them.
    ...(o.deadlock === false ? ['--no-deadlock'] : []),
    ...(o.property ?? []).flatMap((p) => ['--property', p]),
    ...(o.skip ?? []).flatMap((p) => ['--skip', p]),
    ...clusterArgs(o),
  ];
  return `${COMMAND} ${args.map(shellArg).join(' ')}`;
}

/** The cluster flags of a rerun or resume line: the server and how to authenticate, never the secret itself. */
function clusterArgs(o: ExploreCommandOptions): string[] {
  if (o.cluster === undefined) return [];
  return [
    '--cluster',
    o.cluster,
    ...(o.clusterUser !== undefined ? ['--cluster-user', o.clusterUser] : o.clusterInsecure ? ['--cluster-insecure'] : []),
    ...(o.clusterTimeout !== undefined ? ['--cluster-timeout', String(o.clusterTimeout)] : []),
    ...(o.shards !== undefined ? ['--shards', String(o.shards)] : []),
  ];
}
