/** `protokit explore MODEL`: exhaustive breadth-first search of one configuration. */
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pc from 'picocolors';
import { UsageError } from '../engine/errors.js';
import { explore, type ExploreProgress, type ExploreResult } from '../explore/bfs/search.js';
import { describeFaults } from '../engine/faults.js';
import { resolveInstance } from '../engine/instance.js';
import { saveTrace } from '../trace/file.js';
import { buildTrace } from '../trace/replay.js';
import { COMMAND, faultsFromOptions, formatMs, parseConfigPairs, shellArg, useColor } from './common.js';
import { findSuite, loadSuites } from './registry.js';
import { coverageWarnings, describeCoverage } from '../explore/coverage.js';

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
  coverage?: boolean;
}

const REGISTRY = new URL('../../properties/registry.ts', import.meta.url).href;

export async function exploreCommand(modelName: string, options: ExploreCommandOptions): Promise<number> {
  if (typeof options.symmetry === 'string' && options.symmetry !== 'compare') {
    throw new UsageError(`--symmetry takes no value or 'compare', not '${options.symmetry}'`);
  }
  const suite = findSuite(await loadSuites(options.load), modelName);
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
      symmetry,
      workers: options.workers,
      coverage: options.coverage,
      suiteModule: options.load ? pathToFileURL(resolve(options.load)).href : REGISTRY,
      onProgress: progress.update,
    });
  let result: ExploreResult;
  let unreduced: ExploreResult | null = null;
  try {
    result = await search(options.symmetry !== undefined && options.symmetry !== false);
    if (options.symmetry === 'compare') unreduced = await search(false);
  } finally {
    progress.stop();
  }

  let tracePath: string | null = null;
  if (result.violation) {
    const trace = buildTrace(instance, suite, result.violation.actions, { command: 'explore' });
    const label = options.mutant ?? suite.model.name;
    tracePath = relative(process.cwd(), join(options.out, suite.model.name, `${label}-${result.violation.property}-explore.json`)) || '.';
    saveTrace(tracePath, trace);
  }
  const loadArg = options.load ? ` --load ${shellArg(options.load)}` : '';
  const ok = result.violation === null;
  if (options.json) {
    process.stdout.write(JSON.stringify(jsonOf(result, unreduced, tracePath, loadArg)) + '\n');
  } else {
    process.stdout.write(describe(result, unreduced, tracePath, loadArg, useColor()));
  }
  return ok ? 0 : 1;
}

function jsonOf(r: ExploreResult, unreduced: ExploreResult | null, tracePath: string | null, loadArg: string): object {
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
    ...(r.coverage ? { coverage: r.coverage } : {}),
    violation: r.violation && {
      property: r.violation.property,
      message: r.violation.message,
      step: r.violation.step,
      trace: tracePath,
      replay: `${COMMAND} replay ${shellArg(tracePath!)}${loadArg}`,
    },
  };
}

const count = (n: number) => n.toLocaleString('en-US');

function describe(r: ExploreResult, unreduced: ExploreResult | null, tracePath: string | null, loadArg: string, color: boolean): string {
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
  if (r.coverage) {
    lines.push(...describeCoverage(r.coverage));
    for (const w of coverageWarnings(r.coverage)) lines.push(c.yellow(`  ⚠ never fired in this search: ${w}`));
  }
  if (r.violation) {
    const v = r.violation;
    lines.push(c.red(c.bold(`  ✗ ${v.property} violated at step ${v.step}: ${v.message}`)));
    lines.push(`    shortest counterexample: ${v.step} actions`);
    lines.push(`    trace:  ${tracePath}`);
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
