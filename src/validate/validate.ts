/**
 * Trace validation: does some behaviour of the model (with the configuration's faults) produce
 * exactly what the logs recorded? The library entry point behind `protokit validate`; it reads no
 * file and prints nothing (read-logs.ts reads, src/cli/validate.ts reports).
 */
import type { Action } from '../engine/actions.js';
import { formatMessage } from '../engine/actions.js';
import type { Instance } from '../engine/instance.js';
import type { LogEvent, LogStep } from './log.js';
import { checkApplicationEvents, withApplicationEvents } from './application-events.js';
import { makePlan, type Plan } from './match.js';
import type { RecordedLogs } from './read-logs.js';
import { actionsOf, search, type LineFailure, type SearchState, type Strategy } from './search.js';

export interface ValidateOptions {
  /** Default depth-first. */
  readonly strategy?: Strategy;
  /** Search states before giving up ("unknown"); default 1,000,000. */
  readonly maxStates?: number;
  /** Whether the logs record the nodes' environment events; default true (false: they are searched for). */
  readonly logsEnvironment?: boolean;
  /** Use the logs' vector clocks when every line carries them (default true; false: ignore them, e.g. to measure what they save). */
  readonly clocks?: boolean;
  /** Asked every few hundred states: true stops the search (unknown, stoppedBy 'time'): a time budget, kept out of this clock-free module. */
  readonly shouldStop?: () => boolean;
  /** Environment event types whose payload and timing are the application's (application-events.ts). */
  readonly applicationEvents?: readonly string[];
}

export const DEFAULT_MAX_STATES = 1_000_000;

/** The first log line no behaviour explains, and why. */
export interface Unexplained {
  readonly node: string;
  /** `file:line`. */
  readonly where: string;
  /** The line's place in its node's log, 1-based. */
  readonly step: number;
  /** The logged event, readably. */
  readonly event: string;
  /** What differs: `event`, `sends`, `state.value`, `state.context.<field>`, `fingerprint`, `persisted.<field>`, `event.message`. */
  readonly field: string;
  readonly logged: string;
  /** Every value the model had there, over the behaviours that reached this line (empty: none to compare). */
  readonly allowed: readonly string[];
  readonly reason: string;
}

export interface ValidationResult {
  readonly verdict: 'valid' | 'invalid' | 'unknown';
  /** Unknown: the budget that ran out, `states` (maxStates) or `time` (shouldStop). */
  readonly stoppedBy: 'states' | 'time' | null;
  /** Lines explained by the behaviour found (valid), or by the longest prefix any behaviour explained. */
  readonly linesMatched: number;
  readonly linesTotal: number;
  readonly statesVisited: number;
  /** Whether the search used the logs' vector clocks. */
  readonly clocks: boolean;
  /** Per logged node: how many of its lines the longest explained prefix covers. */
  readonly progress: readonly { readonly node: string; readonly matched: number; readonly total: number }[];
  /** The reconstructed run (valid), replayable as a protokit trace; else the longest explained prefix. */
  readonly actions: readonly Action[];
  /** Invalid: the first line no behaviour explains. */
  readonly unexplained: Unexplained | null;
  /** The instance searched: the one given, or its widening by application events (check properties on the run with it). */
  readonly instance: Instance;
}

export function describeEvent(e: LogEvent): string {
  switch (e.kind) {
    case 'deliver':
      return `deliver ${formatMessage(e.message)} from ${e.from}${e.id === null ? '' : ` (id ${e.id})`}`;
    case 'env':
      return `env ${formatMessage(e.event)}`;
    default:
      return e.kind;
  }
}

/** Validates recorded logs against `instance` (its parameters, mutant and faults). */
export function validateLogs(instance: Instance, logs: RecordedLogs, options: ValidateOptions = {}): ValidationResult {
  const applicationEvents = checkApplicationEvents(instance, options.applicationEvents ?? []);
  const plan = makePlan(instance, logs.steps, options.logsEnvironment ?? true, options.clocks ?? true, applicationEvents);
  const outcome = search(plan, options.strategy ?? 'depth-first', options.maxStates ?? DEFAULT_MAX_STATES, { shouldStop: options.shouldStop });
  const reached = outcome.final ?? outcome.best;
  const actions = actionsOf(reached);
  const progress = plan.logs.flatMap((log, i) => (log === null ? [] : [{ node: instance.nodes[i]!.id, matched: reached.cursors[i]!, total: log.length }]));
  const unexplained = outcome.verdict === 'invalid' ? firstUnexplained(plan, reached, outcome.failures) : null;
  return {
    verdict: outcome.verdict,
    stoppedBy: outcome.stoppedBy,
    linesMatched: reached.matched,
    linesTotal: plan.total,
    statesVisited: outcome.statesVisited,
    clocks: plan.clocks,
    progress,
    actions,
    unexplained,
    // The properties are checked along the run by the model offering what it took (a trace's replay checks that each action is offered).
    instance: outcome.verdict === 'valid' ? (withApplicationEvents(instance, actions, applicationEvents) ?? instance) : instance,
  };
}

/** Among the next lines of `reached` (the longest explained prefix), the first no behaviour explains: one whose field contradicts the model, else one that waits. */
export function firstUnexplained(plan: Plan, reached: SearchState, failures: ReadonlyMap<string, LineFailure>): Unexplained | null {
  const { instance } = plan;
  const candidates = plan.logs
    .map((log, i) => ({ log, i, line: reached.cursors[i]! }))
    .filter((c) => c.log !== null && c.line < c.log.length)
    .map((c) => ({ ...c, failure: failures.get(`${c.i}:${c.line}`) }));
  const chosen = candidates.find((c) => c.failure && !c.failure.waiting) ?? candidates.find((c) => c.failure) ?? candidates[0];
  if (!chosen) return null;
  const logStep: LogStep = chosen.log![chosen.line]!;
  const f = chosen.failure;
  return {
    node: instance.nodes[chosen.i]!.id,
    where: logStep.where,
    step: chosen.line + 1,
    event: describeEvent(logStep.event),
    field: f?.field ?? 'event',
    logged: f?.logged ?? describeEvent(logStep.event),
    allowed: f ? [...f.allowed].sort() : [],
    reason: f?.reason ?? 'no behaviour reaches this line',
  };
}
