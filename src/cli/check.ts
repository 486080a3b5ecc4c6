/** `protokit check [MODEL]`: random exploration of one model or of every model. */
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../engine/errors.js';
import pc from 'picocolors';
import { describeFaults } from '../engine/faults.js';
import { checkRandom, DEFAULT_SEED, type CheckResult } from '../explore/random/random.js';
import { checkParallel, parseShard, shardPlan } from '../explore/shard/shard.js';
import type { Suite } from '../properties/suite.js';
import { saveTrace, writeFileAtomic } from '../trace/file.js';
import { traceOfCheck } from '../trace/replay.js';
import { COMMAND, faultsFromOptions, formatMs, parseConfigPairs, shellArg, useColor } from './common.js';
import { findSuite, loadSuites } from './registry.js';
import { renderTrace } from './replay.js';
import { progressFor } from './progress.js';
import { coverageWarnings, describeCoverage } from '../explore/coverage.js';
import { STRATEGIES, type Strategy } from '../explore/random/strategy.js';

export interface CheckCommandOptions {
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
  /** `K/N`: run only shard K of N of the budget (for CI matrices and machines). */
  shard?: string;
  /** Report which machine transitions, messages and events the runs exercised. */
  coverage?: boolean;
  /** A budget in steps instead of runs. */
  steps?: number;
  strategy?: string;
}

interface ModelOutcome {
  readonly result: CheckResult;
  /** How many properties the suite checks (invariants and witnesses). */
  readonly properties: number;
  /** ` --load PATH` when the suite came from outside the repository, so printed commands work. */
  readonly loadArg: string;
  readonly tracePath: string | null;
  /** The trace rendered for a browser, written next to it. */
  readonly htmlPath: string | null;
  readonly rerun: string;
  readonly ok: boolean;
}

export async function checkCommand(modelName: string | undefined, options: CheckCommandOptions): Promise<number> {
  const suites = await loadSuites(options.load);
  const selected = modelName === undefined ? suites : [findSuite(suites, modelName)];
  const stray = options.config.find((pair) => !pair.includes('='));
  if (modelName === undefined && stray !== undefined) {
    throw new UsageError(`--config takes key=value pairs, not '${stray}'; name the model before --config (protokit check ${stray} --config ...)`);
  }
  if (modelName === undefined && (options.mutant !== undefined || options.config.length > 0)) {
    throw new UsageError('--mutant and --config need a MODEL (they differ between models)');
  }
  if (options.coverage && options.workers && options.workers > 1) throw new UsageError('--coverage counts in one thread: leave out --workers');
  if (options.strategy !== undefined && !(STRATEGIES as readonly string[]).includes(options.strategy)) {
    throw new UsageError(`unknown strategy '${options.strategy}' (accepted: ${STRATEGIES.join(', ')})`);
  }
  if (options.steps !== undefined && options.runs !== undefined) throw new UsageError('give a budget in --runs or in --steps, not both');
  if (options.steps !== undefined && ((options.workers && options.workers > 1) || options.shard)) throw new UsageError('--steps budgets run in one thread: leave out --workers and --shard');
  const color = !options.json && useColor();
  const outcomes: ModelOutcome[] = [];
  for (const suite of selected) {
    const outcome = await checkOne(suite, options);
    outcomes.push(outcome);
    if (!options.json && modelName !== undefined) process.stdout.write(describeOutcome(outcome, color));
  }
  if (options.json) {
    const objects = outcomes.map(jsonOf);
    process.stdout.write(JSON.stringify(modelName === undefined ? allModelsJson(outcomes) : objects[0]) + '\n');
  } else if (modelName === undefined) {
    process.stdout.write(summaryTable(outcomes, color));
    for (const o of outcomes) if (!o.ok) process.stdout.write('\n' + describeOutcome(o, color));
  }
  return outcomes.every((o) => o.ok) ? 0 : 1;
}

async function checkOne(suite: Suite, options: CheckCommandOptions): Promise<ModelOutcome> {
  const config = parseConfigPairs(options.config);
  const faults = faultsFromOptions(suite.model, options.faults, options.network);
  const budget = options.runs ?? suite.budget.runs;
  const shard = options.shard === undefined ? undefined : parseShard(options.shard);
  // A shard alone is an ordinary check with its own seed and share of the runs.
  const plan = shard && !(options.workers && options.workers > 1) ? shardPlan(options.seed ?? DEFAULT_SEED, budget, shard) : null;
  const runs = plan?.runs ?? budget;
  const share = shard ? shardPlan(options.seed ?? DEFAULT_SEED, budget, shard).runs : budget;
  const progress = progressFor(suite.model.name, share, !options.json);
  let result: CheckResult;
  try {
    const checkOptions = {
      runs,
      depth: options.depth,
      seed: plan?.seed ?? options.seed,
      config,
      mutant: options.mutant,
      faults,
      coverage: options.coverage,
      steps: options.steps,
      strategy: options.strategy as Strategy | undefined,
      onProgress: (p: { runs: number; total: number }) => progress.update(p.runs, p.total),
    };
    result =
      options.workers && options.workers > 1
        ? await checkParallel(suite, { ...checkOptions, workers: options.workers, shard, suiteModule: suiteModuleOf(options.load) })
        : checkRandom(suite, checkOptions);
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
    ...(options.load ? ['--load', options.load] : []),
    '--seed',
    String(options.workers && options.workers > 1 ? (options.seed ?? DEFAULT_SEED) : result.seed),
    ...(options.steps !== undefined ? ['--steps', String(options.steps)] : ['--runs', String(options.workers && options.workers > 1 ? budget : runs)]),
    ...(options.strategy ? ['--strategy', options.strategy] : []),
    ...(options.workers && options.workers > 1 ? ['--workers', String(options.workers), ...(options.shard ? ['--shard', options.shard] : [])] : []),
    ...(options.depth ? ['--depth', String(options.depth)] : []),
  ]
    .map(shellArg)
    .join(' ');
  const rerunCommand = `${COMMAND} ${rerun}`;
  let tracePath: string | null = null;
  let htmlPath: string | null = null;
  if (result.violation) {
    const trace = traceOfCheck(suite, { config, faults }, result);
    const label = options.mutant ?? suite.model.name;
    tracePath = relative(process.cwd(), join(options.out, suite.model.name, `${label}-${result.violation.property}-seed${result.seed}.json`)) || '.';
    saveTrace(tracePath, trace);
    htmlPath = tracePath.replace(/\.json$/, '') + '.html';
    writeFileAtomic(htmlPath, renderTrace('html', suite, trace, tracePath));
  }
  const witnessesMissed = result.violation === null && result.witnesses.some((w) => !w.reached);
  return { result, properties: suite.properties.length, loadArg: options.load ? ` --load ${shellArg(options.load)}` : '', tracePath, htmlPath, rerun: rerunCommand, ok: result.violation === null && !witnessesMissed };
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
    witnesses: r.witnesses,
    strategy: r.strategy,
    ...(r.sweep ? { sweep: r.sweep } : {}),
    ...(r.coverage ? { coverage: r.coverage } : {}),
    ok: o.ok,
    violation: r.violation && {
      property: r.violation.property,
      message: r.violation.message,
      step: r.violation.step,
      trace: o.tracePath,
      html: o.htmlPath,
      lengths: r.violation.lengths,
      replay: `${COMMAND} replay ${shellArg(o.tracePath!)}${o.loadArg}`,
    },
    rerun: o.rerun,
  };
}

function rate(count: number, ms: number): string {
  return ms > 0 ? `${Math.round((count * 1000) / ms).toLocaleString('en-US')}` : '-';
}

function describeOutcome(o: ModelOutcome, color: boolean): string {
  const c = color ? pc : pc.createColors(false);
  const r = o.result;
  const lines: string[] = [];
  const params = Object.entries(r.config).map(([k, v]) => `${k}=${v}`).join(' ');
  lines.push(c.bold(`${r.model}${r.preset ? ` (preset ${r.preset})` : ''}${r.mutant ? `, mutant ${r.mutant}` : ''}`));
  lines.push(`  config ${params || '(no parameters)'}; ${describeFaults(r.faults)}; seed ${r.seed}${r.strategy !== 'random' ? `; strategy ${r.strategy}` : ''}`);
  if (r.sweep) {
    const swept = (c: Record<string, unknown>) => Object.keys(c).filter((k) => r.sweep!.some((p) => p.config[k] !== r.sweep![0]!.config[k])).map((k) => `${k}=${c[k]}`).join(' ');
    lines.push(`  sweep: ${r.sweep.map((p) => `${swept(p.config) || 'one configuration'} (${p.runs.toLocaleString('en-US')} runs${p.violated ? ', violated' : ''})`).join('; ')}`);
  }
  lines.push(
    `  ${r.runs.toLocaleString('en-US')} runs, ${r.steps.toLocaleString('en-US')} steps, ${r.distinctStates.toLocaleString('en-US')} distinct states in ${formatMs(r.elapsedMs)} ` +
      `(${rate(r.runs, r.elapsedMs)} runs/s, ${rate(r.steps, r.elapsedMs)} steps/s)`,
  );
  if (r.coverage) {
    lines.push(...describeCoverage(r.coverage));
    for (const w of coverageWarnings(r.coverage)) lines.push(c.yellow(`  ⚠ never fired: ${w}`));
  }
  if (r.violation) {
    const v = r.violation;
    lines.push(c.red(c.bold(`  ✗ ${v.property} violated at step ${v.step}: ${v.message}`)));
    lines.push(`    counterexample: ${v.lengths.minimized} actions (${v.lengths.shrunk} after fast-check's shrinking, then minimised)`);
    lines.push(`    trace:  ${o.tracePath}`);
    lines.push(`    view:   ${o.htmlPath} (open it in a browser)`);
    lines.push(`    read:   ${COMMAND} show ${shellArg(o.tracePath!)}${o.loadArg}`);
    lines.push(`    replay: ${COMMAND} replay ${shellArg(o.tracePath!)}${o.loadArg}`);
    lines.push(`    rerun:  ${o.rerun}`);
  } else {
    const missed = r.witnesses.filter((w) => !w.reached);
    lines.push(c.green(`  ✓ no invariant violated`));
    lines.push(`  witnesses: ${r.witnesses.map((w) => (w.reached ? c.green(`✓ ${w.name}`) : c.red(`✗ ${w.name}`))).join('  ') || 'none'}`);
    if (missed.length) {
      lines.push(c.red(`  ✗ ${missed.length} witness${missed.length > 1 ? 'es' : ''} never reached in ${r.runs} runs: the budget is too small or the model cannot get there`));
      lines.push(`    rerun:  ${o.rerun}`);
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
    const missed = r.witnesses.filter((w) => !w.reached).length;
    return [
      r.model,
      `${o.properties} (${invariants} witnesses${missed ? `, ${missed} missed` : ''})`,
      r.runs.toLocaleString('en-US'),
      r.steps.toLocaleString('en-US'),
      r.distinctStates.toLocaleString('en-US'),
      r.violation ? `1 (${r.violation.property})` : '0',
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

/** The module worker threads load the suites from: the registry, or the `--load` file. */
function suiteModuleOf(load: string | undefined): string {
  return load ? pathToFileURL(resolve(load)).href : new URL('../../properties/registry.ts', import.meta.url).href;
}
