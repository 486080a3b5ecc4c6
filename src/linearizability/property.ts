/**
 * `linearizable(name, description, { history, spec })`: linearizability as a property of a model.
 *
 * It is an invariant (kind `always`), so `check` tests it after every step of every random run and
 * `explore` on every state, and a counterexample is an ordinary trace. A state's history is the
 * client events the model records as observations (by default those of type `invoke`, `ok`,
 * `fail`, `info`, with `client`, `seq`, `input` / `output`): an operation still in progress is
 * pending, so a state is checked as the prefix of a run it is.
 *
 * Verdicts are memoised by the history's content (the observation array itself first: a step that
 * observes nothing keeps the same array, so a state whose history did not grow reuses its
 * parent's verdict at no cost; then a canonical key of the operations). A history that grew by an
 * invocation only builds on its parent's verdict: if that was linearizable, so is this one.
 *
 * Real-time order: an event's position is its `at` when every event has one (a logical clock the
 * model keeps), otherwise its place in the observation list, the order in which the run first
 * made it. `check` follows one run, so that order is the run's. `explore` identifies worlds whose
 * observation sets are equal whatever their order, and keeps the first path's order: a violation
 * that only another order of the same events shows can be missed there (never reported falsely).
 * A model that records `at` makes the order part of the state, and `explore` exact.
 */
import { canonical } from '../engine/canonical.js';
import type { Observation } from '../engine/model.js';
import type { WorldView } from '../engine/view.js';
import type { Invariant } from '../properties/properties.js';
import { checkLinearizability, DEFAULT_MAX_STEPS } from './checker.js';
import { evidenceOf, summarize } from './evidence.js';
import { historyOf, type ClientEvent, type History } from './history.js';
import type { Specification } from './spec.js';

export interface LinearizableOptions<S, I, O> {
  readonly spec: Specification<S, I, O>;
  /**
   * The client events of a state, in real-time order (or with `at` on each), or its operations.
   * Default: the observations whose `type` is `invoke`, `ok`, `fail` or `info` and that name a `client`.
   */
  readonly history?: (view: WorldView) => readonly ClientEvent<I, O>[] | History<I, O>;
  /** Search steps per partition (default 2,000,000). */
  readonly maxSteps?: number;
  /**
   * What a check that runs out of steps reports: `violation` (the default: a message saying the
   * check was undecided, never a claim that the history is wrong) or `pass`.
   */
  readonly onUnknown?: 'violation' | 'pass';
}

const CLIENT_EVENT_TYPES = new Set(['invoke', 'ok', 'fail', 'info']);

/** Since 0.2.0. The client events among a world's observations (see `linearizable`). */
export function clientEventsOf<I = unknown, O = unknown>(observations: readonly Observation[]): ClientEvent<I, O>[] {
  return observations.filter((o) => CLIENT_EVENT_TYPES.has(o.type) && (typeof o.client === 'string' || typeof o.client === 'number')).map((o) => ({ ...o, client: String(o.client) }) as unknown as ClientEvent<I, O>);
}

function isHistory<I, O>(h: readonly ClientEvent<I, O>[] | History<I, O>): h is History<I, O> {
  return h.length > 0 && 'outcome' in h[0]!;
}

/** How many verdicts a property keeps by content before it starts afresh. */
const MEMO_LIMIT = 50_000;

/**
 * Since 0.2.0. An invariant: the clients' operations recorded so far are linearizable with
 * respect to `spec`. Its message on failure names the longest linearisation found and the
 * operations that cannot come next.
 */
export function linearizable<S, I, O>(name: string, description: string, options: LinearizableOptions<S, I, O>): Invariant {
  const byArray = new WeakMap<readonly Observation[], string | undefined>();
  let byContent = new Map<string, string | undefined>();
  const read = options.history ?? ((view: WorldView) => clientEventsOf<I, O>(view.observations));
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;

  const keyOf = (history: History<I, O>) => canonical(history.map((o) => [o.client, o.input, o.output ?? null, o.outcome, o.call, o.ret === Infinity ? null : o.ret]));
  /**
   * Building on the parent's verdict: when the latest event is an invocation, the history is its
   * parent's plus one operation in progress, which may not have taken effect; if the parent was
   * linearizable, so is this one, without a search.
   */
  const extendsLinearizable = (history: History<I, O>): boolean => {
    const last = history[history.length - 1]!;
    if (last.outcome !== 'unknown' || history.length < 2) return false;
    for (let i = 0; i < history.length - 1; i++) {
      const o = history[i]!;
      if (o.call >= last.call || (o.ret !== Infinity && o.ret >= last.call)) return false;
    }
    const parent = keyOf(history.slice(0, -1));
    return byContent.has(parent) && byContent.get(parent) === undefined;
  };

  const verdictOf = (view: WorldView): string | undefined => {
    const events = read(view);
    const history = isHistory(events) ? events : historyOf(events as readonly ClientEvent<I, O>[]);
    if (history.length === 0) return undefined;
    const key = keyOf(history);
    if (byContent.has(key)) return byContent.get(key);
    let verdict: string | undefined;
    if (extendsLinearizable(history)) {
      verdict = undefined;
    } else {
      const result = checkLinearizability(options.spec, history, { maxSteps });
      verdict = result.verdict === 'linearizable' || (result.verdict === 'unknown' && options.onUnknown === 'pass') ? undefined : summarize(options.spec, result);
    }
    if (byContent.size >= MEMO_LIMIT) byContent = new Map();
    byContent.set(key, verdict);
    return verdict;
  };

  return {
    kind: 'always',
    name,
    description,
    // The refuted history as plain data, for the trace (`violation.history`) and `show`.
    evidence(view, trace) {
      // With the default history, each event is an observation: its index, carried through
      // historyOf as a `line`, gives the steps of the trace an operation spans.
      const indexed = options.history === undefined;
      const observed = indexed ? view.observations.map((o, i) => [o, i] as const).filter(([o]) => CLIENT_EVENT_TYPES.has(o.type) && (typeof o.client === 'string' || typeof o.client === 'number')) : [];
      const events = indexed ? clientEventsOf<I, O>(observed.map(([o]) => o)).map((e, j) => ({ ...e, line: observed[j]![1] })) : read(view);
      const history = isHistory(events) ? events : historyOf(events as readonly ClientEvent<I, O>[]);
      if (history.length === 0) return undefined;
      const result = checkLinearizability(options.spec, history, { maxSteps });
      if (result.verdict !== 'not-linearizable') return undefined;
      const evidence = evidenceOf(options.spec, result);
      if (!indexed) return evidence;
      const operations = evidence.operations.map(({ lines, ...o }) => (lines ? { ...o, steps: [trace.stepOf(lines[0]), lines[1] === null ? null : trace.stepOf(lines[1])] as const } : o));
      return { ...evidence, operations };
    },
    check(view) {
      // The default history is a function of the observations alone: reuse by array identity.
      if (options.history === undefined) {
        if (byArray.has(view.observations)) return byArray.get(view.observations);
        const verdict = verdictOf(view);
        byArray.set(view.observations, verdict);
        return verdict;
      }
      return verdictOf(view);
    },
  };
}
