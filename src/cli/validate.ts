/**
 * `protokit validate LOG... --model M [--map mapping.ts]`: is this recorded run of a real system
 * one the model allows? Exit 0 valid (the reconstructed run saved as a trace, the model's
 * properties checked on it), 1 valid but a property is violated on it, 3 invalid (the first line
 * no behaviour explains), 5 unknown (the state budget ran out), 2 bad input.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { statSync } from 'node:fs';
import { UsageError } from '../engine/errors.js';
import { resolveInstance, type Instance } from '../engine/instance.js';
import { MAX_FAULT_BOUND } from '../trace/format.js';
import { buildTrace } from '../trace/replay.js';
import { pathInside, settingsHash } from '../trace/names.js';
import { safeLine as s } from '../render/safe-text.js';
import { readLogs, type LogMapping } from '../validate/read-logs.js';
import { DEFAULT_MAX_STATES, validateLogs, type ValidationResult } from '../validate/validate.js';
import { STRATEGIES, type Strategy } from '../validate/search.js';
import { firstNotOffered } from '../validate/application-events.js';
import { formatAction } from '../engine/actions.js';
import { COMMAND, EXIT_INCONCLUSIVE, faultsFromOptions, parseConfigPairs, shellArg } from './common.js';
import { findSuite, importUserModule, loadSuites } from './registry.js';
import { saveTraceAndView } from './save.js';

export interface ValidateCommandOptions {
  model?: string;
  load?: string;
  map?: string;
  config?: string[];
  mutant?: string;
  faults?: string | boolean;
  network?: string;
  strategy?: string;
  maxStates?: number;
  maxTime?: string;
  unloggedEnv?: boolean;
  appEvents?: string;
  out?: string;
  json?: boolean;
}

/** A `--map` module: its default export, a function or `{ map, logsEnvironment?, config? }`. */
async function loadMapping(path: string): Promise<LogMapping> {
  const file = resolve(path);
  try {
    if (!statSync(file).isFile()) throw new UsageError(`--map ${path}: not a file`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--map: no such file: ${path}`);
  }
  let module: { default?: unknown };
  try {
    module = (await importUserModule(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    throw new UsageError(`--map ${path}: cannot load it: ${String((error as Error)?.message ?? error).split('\n')[0]}`);
  }
  const found = module.default;
  if (typeof found === 'function') return { map: found as LogMapping['map'] };
  if (found !== null && typeof found === 'object') {
    const m = found as LogMapping;
    const types = m.applicationEvents;
    const typesOk = types === undefined || (Array.isArray(types) && types.every((t) => typeof t === 'string'));
    if ((m.map === undefined || typeof m.map === 'function') && typesOk) return m;
  }
  throw new UsageError(`--map ${path}: expected a default export: a function from a log line to { node, event, sends?, state? } (or { map?, logsEnvironment?, config?, applicationEvents? })`);
}

/** A duration in seconds above 0 (`--max-time 2.5`); absent: no limit. */
export function seconds(name: string, text: string | undefined): number {
  if (text === undefined) return Infinity;
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(n > 0) || !Number.isFinite(n)) throw new UsageError(`${name} takes a number of seconds above 0, not ${JSON.stringify(text).slice(0, 40)}`);
  return n;
}

/** `--app-events ClientRequest,Timeout`: a comma-separated list of event types. */
function appEventsOption(text: string | undefined): string[] {
  if (text === undefined) return [];
  const types = text.split(',').map((t) => t.trim());
  if (types.some((t) => !/^[A-Za-z_][\w.-]{0,99}$/.test(t))) throw new UsageError(`--app-events ${JSON.stringify(text).slice(0, 80)}: expected event types separated by commas (e.g. ClientRequest,Timeout)`);
  return types;
}

export async function validateCommand(logPaths: string[], options: ValidateCommandOptions): Promise<number> {
  if (options.model === undefined) throw new UsageError('validate: --model MODEL is required (see `protokit list`)');
  const strategy = (options.strategy ?? 'depth-first') as Strategy;
  if (!STRATEGIES.includes(strategy)) throw new UsageError(`unknown --strategy '${options.strategy}' (accepted: ${STRATEGIES.join(', ')})`);
  const suite = findSuite(await loadSuites(options.load), options.model);
  const mapping = options.map === undefined ? undefined : await loadMapping(options.map);
  const started = performance.now(); // allow-clock: reports elapsed time only
  const logs = readLogs(logPaths, mapping);

  // The configuration the system ran: its logs' headers (which must agree), then --config.
  let config: Record<string, string | number | boolean> = { ...(mapping?.config ?? {}) };
  let mutant: string | null = options.mutant ?? null;
  const first = logs.headers[0];
  for (const h of logs.headers) {
    if (h.model !== suite.model.name) throw new UsageError(`the logs are of model '${h.model}', not '${suite.model.name}'`);
    if (JSON.stringify(h.config) !== JSON.stringify(first!.config) || h.mutant !== first!.mutant) throw new UsageError('the logs disagree on the configuration or mutant they ran (their headers differ)');
  }
  if (first) {
    config = { ...first.config };
    mutant ??= first.mutant;
  }
  Object.assign(config, parseConfigPairs(options.config ?? []));
  const base = resolveInstance(suite.model, { config, mutant });
  // A real system is not bound by a model's small fault bounds (they keep exhaustive search
  // finite): unless --faults says otherwise, any number of crashes, losses and duplicates.
  const faults = faultsFromOptions(suite.model, options.faults, options.network) ?? { ...base.faults, loss: MAX_FAULT_BOUND, duplicate: MAX_FAULT_BOUND, crash: MAX_FAULT_BOUND, partition: 0 };
  const instance = resolveInstance(suite.model, { config, mutant, faults });
  for (const h of logs.headers) {
    const i = h.node === null ? undefined : instance.indexOf.get(h.node);
    if (h.node !== null && i === undefined) throw new UsageError(`a log is of node '${h.node}', which ${suite.model.name} with this config does not have (nodes: ${[...instance.indexOf.keys()].join(', ')})`);
    if (i !== undefined && h.role !== null && instance.nodes[i]!.role !== h.role) throw new UsageError(`the log of ${h.node} says role '${h.role}'; in the model it is '${instance.nodes[i]!.role}'`);
  }

  const maxTimeMs = seconds('--max-time', options.maxTime) * 1000;
  const deadline = performance.now() + maxTimeMs; // allow-clock: the time budget
  const result = validateLogs(instance, logs, {
    strategy,
    maxStates: options.maxStates ?? DEFAULT_MAX_STATES,
    shouldStop: () => performance.now() > deadline, // allow-clock
    logsEnvironment: options.unloggedEnv ? false : (mapping?.logsEnvironment ?? true),
    applicationEvents: [...(mapping?.applicationEvents ?? []), ...appEventsOption(options.appEvents)],
  });

  let tracePath: string | null = null;
  let htmlPath: string | null = null;
  let writeError: string | null = null;
  let violation: { property: string; message: string; step: number } | null = null;
  let notSaved: string | null = null;
  if (result.verdict === 'valid') {
    // Properties are checked along the run with the instance searched (widened by application events, if any).
    const trace = buildTrace(result.instance, suite, result.actions, { command: 'validate' }, null, options.load ? resolve(options.load) : undefined);
    violation = trace.violation;
    const outside = result.instance === instance ? null : firstNotOffered(instance, result.actions);
    if (outside !== null) {
      notSaved = `not saved: action ${outside.step} (${formatAction(outside.action)}) is an application event the model's environment does not offer, so replay would refuse it`;
    } else {
      const path = pathInside(options.out ?? 'traces', instance.model.name, `validated-${settingsHash([instance.params, instance.mutant, logPaths.map((p) => resolve(p))])}.json`);
      ({ tracePath, htmlPath, writeError } = await saveTraceAndView(suite, path, trace));
    }
  }
  const elapsedMs = Math.round(performance.now() - started); // allow-clock
  const loadArg = options.load ? ` --load ${shellArg(options.load)}` : '';
  const rerun = [COMMAND, 'validate', ...logPaths.map(shellArg), '--model', shellArg(suite.model.name), ...(options.map ? ['--map', shellArg(options.map)] : []), ...(options.load ? ['--load', shellArg(options.load)] : []), ...(strategy !== 'depth-first' ? ['--strategy', strategy] : [])].join(' ');

  if (options.json) {
    process.stdout.write(
      JSON.stringify({
        model: instance.model.name,
        preset: instance.preset,
        config: instance.params,
        mutant: instance.mutant,
        faults: instance.faults,
        elapsedMs,
        valid: result.verdict === 'valid' ? true : result.verdict === 'invalid' ? false : null,
        verdict: result.verdict,
        stoppedBy: result.stoppedBy,
        strategy,
        linesMatched: result.linesMatched,
        linesTotal: result.linesTotal,
        statesVisited: result.statesVisited,
        clocks: result.clocks,
        progress: result.progress,
        unexplained: result.unexplained,
        violation: violation && { property: violation.property, kind: 'safety', message: violation.message, step: violation.step, trace: tracePath },
        trace: tracePath,
        ...(notSaved ? { traceNotSaved: notSaved } : {}),
        html: htmlPath,
        ...(writeError ? { writeError } : {}),
        replay: tracePath === null ? null : `${COMMAND} replay ${shellArg(tracePath)}${loadArg}`,
      }) + '\n',
    );
  } else {
    process.stdout.write(report(instance, result, strategy, elapsedMs, violation, tracePath, writeError ?? notSaved, loadArg, rerun, options.maxTime));
  }
  if (writeError) return 2;
  if (result.verdict === 'unknown') return EXIT_INCONCLUSIVE;
  if (result.verdict === 'invalid') return 3;
  return violation ? 1 : 0;
}

function report(instance: Instance, r: ValidationResult, strategy: Strategy, elapsedMs: number, violation: { property: string; message: string; step: number } | null, tracePath: string | null, writeError: string | null, loadArg: string, rerun: string, maxTime: string | undefined): string {
  const lines: string[] = [];
  const params = Object.entries(instance.params).map(([k, v]) => `${k}=${v}`).join(' ');
  lines.push(`validate ${s(instance.model.name)} (${s(params)}${instance.mutant ? `, mutant ${s(instance.mutant)}` : ''}): ${r.linesTotal} log lines of ${r.progress.length} node${r.progress.length === 1 ? '' : 's'}, ${strategy}`);
  const per = r.progress.map((p) => `${s(p.node)} ${p.matched}/${p.total}`).join(', ');
  if (r.verdict === 'valid') {
    lines.push(`✓ valid: a behaviour of the model explains every line (${r.statesVisited.toLocaleString('en-US')} states, ${elapsedMs} ms)`);
    lines.push(`  run:    ${r.actions.length} actions`);
    if (violation) lines.push(`✗ but the run violates ${s(violation.property)} at step ${violation.step}: ${s(violation.message)}`);
    else lines.push('  every property holds on it');
    if (tracePath) {
      lines.push(`  trace:  ${s(tracePath)}`);
      lines.push(`  read:   ${s(`${COMMAND} show ${shellArg(tracePath)}${loadArg}`)}`);
      lines.push(`  replay: ${s(`${COMMAND} replay ${shellArg(tracePath)}${loadArg}`)}`);
    }
    if (writeError) lines.push(`  trace:  ${s(writeError)}`);
  } else if (r.verdict === 'invalid') {
    const u = r.unexplained!;
    lines.push(`✗ invalid: no behaviour of the model explains the logs (${r.statesVisited.toLocaleString('en-US')} states searched, ${elapsedMs} ms)`);
    lines.push(`  longest explained prefix: ${r.linesMatched} of ${r.linesTotal} lines (${per})`);
    lines.push(`  first unexplained line: ${s(u.where)} (node ${s(u.node)}, its step ${u.step}): ${s(u.event)}`);
    lines.push(`  ${s(u.field)}: logged ${s(u.logged)}; the model allows ${u.allowed.length ? u.allowed.map(s).join(' or ') : 'nothing here'} (${s(u.reason)})`);
  } else {
    const budget = r.stoppedBy === 'time' ? `time budget (--max-time ${s(maxTime ?? '')} s, ${r.statesVisited.toLocaleString('en-US')} states searched)` : `search budget (${r.statesVisited.toLocaleString('en-US')} states)`;
    lines.push(`? unknown: the ${budget} ran out after explaining ${r.linesMatched} of ${r.linesTotal} lines (${per})`);
    lines.push(`  raise ${r.stoppedBy === 'time' ? '--max-time' : '--max-states'}, or try: ${s(rerun)} --strategy ${strategy === 'depth-first' ? 'breadth-first' : 'depth-first'}`);
  }
  return lines.join('\n') + '\n';
}
