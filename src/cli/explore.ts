/** `protokit explore MODEL`: exhaustive breadth-first search of one configuration. */
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pc from 'picocolors';
import { ModelError, UsageError } from '../engine/errors.js';
import { explore, type ExploreProgress, type ExploreResult } from '../explore/bfs/search.js';
import { describeFaults } from '../engine/faults.js';
import { resolveInstance } from '../engine/instance.js';
import { saveTrace, writeFileAtomic } from '../trace/file.js';
import { renderTrace } from './replay.js';
import type { Suite } from '../properties/suite.js';
import { buildTrace } from '../trace/replay.js';
import { COMMAND, faultsFromOptions, formatMs, parseConfigPairs, shellArg, useColor } from './common.js';
import { selectProperties, withProperties } from '../properties/suite.js';
import { findSuite, loadSuites, REGISTRY_MODULE, saveModelErrorTrace, suiteRecordOf } from './registry.js';

export interface ExploreCommandOptions {
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
  /** Check only these properties (repeatable), or all but `skip`. */
  property?: string[];
  skip?: string[];
  /** Exit 5 (inconclusive) when a bound stopped the search. */
  requireComplete?: boolean;
}

export async function exploreCommand(modelName: string, options: ExploreCommandOptions): Promise<number> {
  if (typeof options.symmetry === 'string' && options.symmetry !== 'compare') {
    throw new UsageError(`--symmetry takes no value or 'compare', not '${options.symmetry}'`);
  }
  const fullSuite = findSuite(await loadSuites(options.load), modelName);
  const selected = selectProperties(fullSuite, options.property, options.skip);
  const suite = withProperties(fullSuite, selected);
  const config = parseConfigPairs(options.config);
  const faults = faultsFromOptions(suite.model, options.faults, options.network);
  const instance = resolveInstance(suite.model, { config, mutant: options.mutant, faults });
  const progress = progressLine(suite.model.name, !options.json);
  const search = (symmetry: boolean) =>
    explore(suite, {
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
      suiteModule: options.load ? pathToFileURL(resolve(options.load)).href : REGISTRY_MODULE,
      onProgress: progress.update,
    });
  let result: ExploreResult;
  let unreduced: ExploreResult | null = null;
  try {
    result = await search(options.symmetry !== undefined && options.symmetry !== false);
    if (options.symmetry === 'compare') unreduced = await search(false);
  } catch (error) {
    if (error instanceof ModelError) {
      progress.stop();
      const path = relative(process.cwd(), join(options.out, suite.model.name, `${options.mutant ?? suite.model.name}-model-error-explore.json`)) || '.';
      saveModelErrorTrace(error, suite, { config, mutant: options.mutant, faults }, path, { command: 'explore' }, options.load);
    }
    throw error;
  } finally {
    progress.stop();
  }

  let tracePath: string | null = null;
  let htmlPath: string | null = null;
  if (result.violation) {
    const label = options.mutant ?? suite.model.name;
    tracePath = relative(process.cwd(), join(options.out, suite.model.name, `${label}-${result.violation.property}-explore.json`)) || '.';
    const trace = { ...buildTrace(instance, suite, result.violation.actions, { command: 'explore' }, suiteRecordOf(tracePath, options.load)), ...(selected ? { properties: selected } : {}) };
    saveTrace(tracePath, trace);
    htmlPath = tracePath.replace(/\.json$/, '') + '.html';
    writeFileAtomic(htmlPath, renderTrace('html', suite, trace, tracePath));
  }
  const growing = growingFrontier(result);
  if (growing) process.stderr.write(`${growthWarning(suite, growing)}\n`);
  const loadArg = options.load ? ` --load ${shellArg(options.load)}` : '';
  const ok = result.violation === null;
  if (options.json) {
    process.stdout.write(JSON.stringify({ ...jsonOf(result, unreduced, tracePath, loadArg, htmlPath), frontierGrowing: growing !== null }) + '\n');
  } else {
    process.stdout.write(describe(result, unreduced, tracePath, loadArg, useColor(), htmlPath));
  }
  if (!ok) return 1;
  // A pass that a bound cut short is no verdict on the configuration: inconclusive, when asked.
  if (options.requireComplete && !result.complete) {
    if (!options.json) process.stderr.write(`protokit: inconclusive: ${result.stoppedBy === 'memory' ? 'the memory bound (--max-memory)' : `--${result.stoppedBy ?? 'a bound'}`} stopped the search before it was complete (--require-complete)\n`);
    return 5;
  }
  return 0;
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

function jsonOf(r: ExploreResult, unreduced: ExploreResult | null, tracePath: string | null, loadArg: string, htmlPath: string | null): object {
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
    witnesses: r.witnesses,
    violation: r.violation && {
      property: r.violation.property,
      message: r.violation.message,
      step: r.violation.step,
      trace: tracePath,
      html: htmlPath,
      replay: `${COMMAND} replay ${shellArg(tracePath!)}${loadArg}`,
    },
  };
}

const count = (n: number) => n.toLocaleString('en-US');

function describe(r: ExploreResult, unreduced: ExploreResult | null, tracePath: string | null, loadArg: string, color: boolean, htmlPath: string | null): string {
  const c = color ? pc : pc.createColors(false);
  const lines: string[] = [];
  const params = Object.entries(r.config).map(([k, v]) => `${k}=${v}`).join(' ');
  lines.push(c.bold(`${r.model}${r.preset ? ` (preset ${r.preset})` : ''}${r.mutant ? `, mutant ${r.mutant}` : ''}: exhaustive search`));
  lines.push(`  config ${params}; ${describeFaults(r.faults)}${r.symmetry ? '; symmetry' : ''}${r.workers > 1 ? `; ${r.workers} workers` : ''}`);
  const classes = r.symmetry ? ' (symmetry classes)' : '';
  lines.push(
    `  ${count(r.distinctStates)} distinct states${classes}, depth ${r.depth}, ${count(r.generated)} transitions in ${formatMs(r.elapsedMs)} (${count(Math.round(r.statesPerSecond))} states/s)`,
  );
  if (unreduced) lines.push(`  without symmetry: ${count(unreduced.distinctStates)} distinct states, depth ${unreduced.depth}${unreduced.complete ? '' : ' (incomplete)'}`);
  lines.push(`  fingerprint collision probability: ${r.collisionProbability.toExponential(1)} (optimistic estimate, as TLC)`);
  if (r.maxInFlight !== null) lines.push(`  state constraint: states with more than ${r.maxInFlight} messages in flight were checked, not expanded (--max-in-flight)`);
  if (!r.complete && r.stoppedBy) lines.push(c.yellow(`  incomplete: stopped by ${r.stoppedBy === 'memory' ? 'the memory bound (--max-memory)' : `--${r.stoppedBy}`}; the figures are those so far`));
  if (r.violation) {
    const v = r.violation;
    lines.push(c.red(c.bold(`  ✗ ${v.property} violated at step ${v.step}: ${v.message}`)));
    lines.push(`    shortest counterexample: ${v.step} actions`);
    lines.push(`    trace:  ${tracePath}`);
    lines.push(`    view:   ${htmlPath} (open it in a browser)`);
    lines.push(`    read:   ${COMMAND} show ${shellArg(tracePath!)}${loadArg}`);
    lines.push(`    replay: ${COMMAND} replay ${shellArg(tracePath!)}${loadArg}`);
  } else {
    lines.push(c.green(r.complete ? '  ✓ no invariant violated in any reachable state' : '  ✓ no invariant violated in the states searched'));
    lines.push(`  witnesses: ${r.witnesses.map((w) => (w.reached ? c.green(`✓ ${w.name}`) : c.yellow(`✗ ${w.name} (not reached)`))).join('  ') || 'none'}`);
  }
  return lines.join('\n') + '\n';
}

/** States, queue, depth and rate on stderr: one line rewritten on a terminal, a plain line every 5 s otherwise. */
function progressLine(label: string, enabled: boolean): { update: (p: ExploreProgress) => void; stop: () => void } {
  if (!enabled) return { update() {}, stop() {} };
  const tty = process.stderr.isTTY;
  let last = 0;
  let shown = false;
  return {
    update(p) {
      if (p.elapsedMs - last < (tty ? 200 : 5000)) return;
      last = p.elapsedMs;
      const rate = Math.round((p.states * 1000) / Math.max(1, p.elapsedMs));
      const line = `${label}: ${count(p.states)} states, ${count(p.queue)} queued, depth ${p.depth}, ${count(rate)} states/s`;
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
