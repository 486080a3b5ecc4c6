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
import type { LogHeader, LogStep } from '../validate/log.js';
import type { Suite } from '../properties/suite.js';
import { LogTail, OnlineValidator, type OnlineStatus } from '../validate/follow.js';
import type { Unexplained } from '../validate/validate.js';
import { DEFAULT_MAX_STATES, validateLogs, type ValidationResult } from '../validate/validate.js';
import { STRATEGIES, type Strategy } from '../validate/search.js';
import { checkApplicationEvents, firstNotOffered } from '../validate/application-events.js';
import { formatAction } from '../engine/actions.js';
import { COMMAND, EXIT_INCONCLUSIVE, faultsFromOptions, parseConfigPairs, shellArg } from './common.js';
import { importUserModule, loadSuite } from './registry.js';
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
  follow?: boolean;
  idleTimeout?: string;
  unloggedEnv?: boolean;
  appEvents?: string;
  out?: string;
  json?: boolean;
}

/**
 * The command that validates these logs again with every setting that changes the verdict (the
 * model, suite, mapping, configuration, mutant, faults, network and application events given).
 */
function validateCommandLine(logPaths: readonly string[], suite: Suite, options: ValidateCommandOptions): string {
  const args = [COMMAND, 'validate', ...logPaths.map(shellArg), '--model', shellArg(suite.model.name)];
  if (options.load) args.push('--load', shellArg(options.load));
  if (options.map) args.push('--map', shellArg(options.map));
  for (const c of options.config ?? []) args.push('--config', shellArg(c));
  if (options.mutant) args.push('--mutant', shellArg(options.mutant));
  if (options.faults === false) args.push('--no-faults');
  else if (typeof options.faults === 'string') args.push('--faults', shellArg(options.faults));
  if (options.network) args.push('--network', shellArg(options.network));
  if (options.unloggedEnv) args.push('--unlogged-env');
  if (options.appEvents) args.push('--app-events', shellArg(options.appEvents));
  return args.join(' ');
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

/** The instance the logged system ran: the logs' headers (which must agree), the mapping's config, then --config, --mutant and --faults. */
function instanceFor(suite: Suite, headers: readonly LogHeader[], mapping: LogMapping | undefined, options: ValidateCommandOptions): Instance {

  // The configuration the system ran: its logs' headers (which must agree), then --config.
  let config: Record<string, string | number | boolean> = { ...(mapping?.config ?? {}) };
  let mutant: string | null = options.mutant ?? null;
  const first = headers[0];
  for (const h of headers) {
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
  for (const h of headers) {
    const i = h.node === null ? undefined : instance.indexOf.get(h.node);
    if (h.node !== null && i === undefined) throw new UsageError(`a log is of node '${h.node}', which ${suite.model.name} with this config does not have (nodes: ${[...instance.indexOf.keys()].join(', ')})`);
    if (i !== undefined && h.role !== null && instance.nodes[i]!.role !== h.role) throw new UsageError(`the log of ${h.node} says role '${h.role}'; in the model it is '${instance.nodes[i]!.role}'`);
  }
  return instance;
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
  const suite = await loadSuite(options.model, options.load);
  const mapping = options.map === undefined ? undefined : await loadMapping(options.map);
  const started = performance.now(); // allow-clock: reports elapsed time only
  if (options.follow) return followLogs(logPaths, options, suite, mapping, started);
  const logs = readLogs(logPaths, mapping);
  const instance = instanceFor(suite, logs.headers, mapping, options);

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
      // Named by the run it holds, not by where the logs lie, so the same logs give the same name in any checkout.
      const path = pathInside(options.out ?? 'traces', instance.model.name, `validated-${settingsHash([instance.params, instance.mutant, result.actions])}.json`);
      ({ tracePath, htmlPath, writeError } = await saveTraceAndView(suite, path, trace));
    }
  }
  const elapsedMs = Math.round(performance.now() - started); // allow-clock
  const loadArg = options.load ? ` --load ${shellArg(options.load)}` : '';
  const rerun = [validateCommandLine(logPaths, suite, options), ...(strategy !== 'depth-first' ? ['--strategy', strategy] : [])].join(' ');

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
  lines.push(`validate ${s(instance.model.name)} (${s(params)}${instance.mutant ? `, mutant ${s(instance.mutant)}` : ''}): ${r.linesTotal} log line${r.linesTotal === 1 ? '' : 's'} of ${r.progress.length} node${r.progress.length === 1 ? '' : 's'}, ${strategy}`);
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

/** How often a followed log is read again. */
const FOLLOW_POLL_MS = 100;
/** Default --idle-timeout: the logs have ended after this long without a new line. */
const DEFAULT_IDLE_SECONDS = 10;

/**
 * `validate --follow`: reads the logs as they grow and keeps the set of possible states
 * (follow.ts); the first line no state explains is reported when it is read (exit 3). Ends when
 * no log has grown for --idle-timeout seconds (the verdict on every line read), or on Ctrl-C
 * (the verdict so far, exit 130).
 */
async function followLogs(logPaths: string[], options: ValidateCommandOptions, suite: Suite, mapping: LogMapping | undefined, started: number): Promise<number> {
  if (options.strategy !== undefined && options.strategy !== 'breadth-first') throw new UsageError('--follow keeps the set of possible states: it searches breadth-first only');
  const idleMs = (options.idleTimeout === undefined ? DEFAULT_IDLE_SECONDS : seconds('--idle-timeout', options.idleTimeout)) * 1000;
  const maxStates = options.maxStates ?? DEFAULT_MAX_STATES;
  const deadline = performance.now() + seconds('--max-time', options.maxTime) * 1000; // allow-clock
  const tails = logPaths.map((p) => new LogTail(p, mapping));
  const controller = new AbortController();
  const onSignal = () => (controller.signal.aborted ? process.exit(130) : controller.abort());
  process.on('SIGINT', onSignal);
  const sleep = () => new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS)); // allow-clock
  try {
    let lastGrowth = performance.now(); // allow-clock
    const pending: LogStep[] = [];
    // The headers name the configuration: wait until every protokit-log/1 file has one.
    while (!(mapping?.map !== undefined || tails.every((t) => t.header !== null))) {
      for (const t of tails) {
        const steps = t.poll();
        if (steps.length > 0 || t.header !== null) lastGrowth = performance.now(); // allow-clock
        pending.push(...steps);
      }
      if (tails.every((t) => t.header !== null)) break;
      if (controller.signal.aborted) return 130;
      if (performance.now() - lastGrowth > idleMs) throw new UsageError(`--follow: no header line in ${tails.filter((t) => t.header === null).map((t) => t.path).join(', ')} after ${idleMs / 1000} s`); // allow-clock
      await sleep();
    }
    const instance = instanceFor(suite, tails.flatMap((t) => (t.header ? [t.header] : [])), mapping, options);
    const applicationEvents = checkApplicationEvents(instance, [...(mapping?.applicationEvents ?? []), ...appEventsOption(options.appEvents)]);
    const online = new OnlineValidator(instance, { maxStates, applicationEvents, logsEnvironment: options.unloggedEnv ? false : (mapping?.logsEnvironment ?? true), shouldStop: () => performance.now() > deadline }); // allow-clock
    const params = Object.entries(instance.params).map(([k, v]) => `${k}=${v}`).join(' ');
    if (!options.json) process.stdout.write(`following ${logPaths.length} log${logPaths.length === 1 ? '' : 's'} of ${s(instance.model.name)} (${s(params)}): at most ${maxStates.toLocaleString('en-US')} possible states (--max-states); ends ${idleMs / 1000} s after the last new line (--idle-timeout), or on Ctrl-C\n`);
    online.expect(tails.flatMap((t) => (t.header?.node ? [t.header.node] : [])));
    let status: OnlineStatus = online.add(pending);
    let ended: 'idle' | 'interrupted' | null = null;
    while (status.kind === 'explained' || status.kind === 'waiting') {
      if (controller.signal.aborted) {
        ended = 'interrupted';
        break;
      }
      const steps = tails.flatMap((t) => t.poll());
      if (steps.length > 0) {
        lastGrowth = performance.now(); // allow-clock
        status = online.add(steps);
        continue;
      }
      if (performance.now() - lastGrowth > idleMs) { // allow-clock
        ended = 'idle';
        status = online.end();
        break;
      }
      await sleep();
    }
    const elapsedMs = Math.round(performance.now() - started); // allow-clock
    const verdict = status.kind === 'invalid' ? 'invalid' : status.kind === 'unknown' ? 'unknown' : ended === 'interrupted' ? 'interrupted' : 'valid';
    const unexplained: Unexplained | null = status.kind === 'invalid' ? status.unexplained : null;
    if (options.json) {
      process.stdout.write(JSON.stringify({
        model: instance.model.name, preset: instance.preset, config: instance.params, mutant: instance.mutant, faults: instance.faults, elapsedMs,
        valid: verdict === 'valid' ? true : verdict === 'invalid' ? false : null,
        verdict, follow: true, strategy: 'breadth-first',
        stoppedBy: status.kind === 'unknown' ? status.stoppedBy : null,
        linesMatched: status.kind === 'invalid' ? online.explained : status.kind === 'explained' ? online.linesRead : online.explained,
        linesTotal: online.linesRead, statesVisited: online.statesVisited, possibleStates: online.possibleStates,
        unexplained, violation: null, trace: null,
      }) + '\n');
    } else {
      const lines: string[] = [];
      if (verdict === 'invalid') {
        lines.push(`✗ invalid: no state of the model explains line ${s(unexplained?.where ?? '?')} (read after ${online.explained} explained lines; ${online.statesVisited.toLocaleString('en-US')} states searched, ${elapsedMs} ms)`);
        if (unexplained) {
          lines.push(`  first unexplained line: ${s(unexplained.where)} (node ${s(unexplained.node)}, its step ${unexplained.step}): ${s(unexplained.event)}`);
          lines.push(`  ${s(unexplained.field)}: logged ${s(unexplained.logged)}; the model allows ${unexplained.allowed.length ? unexplained.allowed.map(s).join(' or ') : 'nothing here'} (${s(unexplained.reason)})`);
        }
      } else if (verdict === 'unknown') {
        const budget = status.kind === 'unknown' && status.stoppedBy === 'time' ? `the time budget (--max-time ${s(options.maxTime ?? '')} s)` : `the set of possible states passed its cap of ${maxStates.toLocaleString('en-US')} (--max-states)`;
        lines.push(`? unknown: ${budget} after explaining ${online.explained} of ${online.linesRead} lines read`);
      } else {
        const head = verdict === 'valid' ? `✓ valid: every one of the ${online.linesRead} lines read is explained (the logs were quiet for ${idleMs / 1000} s)` : `interrupted: ${online.linesRead} lines read, ${online.explained} explained, none contradicts the model so far`;
        lines.push(`${head}; ${online.possibleStates.toLocaleString('en-US')} possible state${online.possibleStates === 1 ? '' : 's'}, ${online.statesVisited.toLocaleString('en-US')} states searched, ${elapsedMs} ms`);
        lines.push(`  for the reconstructed run as a trace, and the model's properties on it: ${s(validateCommandLine(logPaths, suite, options))}`);
      }
      process.stdout.write(lines.join('\n') + '\n');
    }
    return verdict === 'invalid' ? 3 : verdict === 'unknown' ? EXIT_INCONCLUSIVE : verdict === 'interrupted' ? 130 : 0;
  } finally {
    process.off('SIGINT', onSignal);
  }
}
