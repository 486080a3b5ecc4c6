/**
 * Histories: the client operations a linearizability check reads.
 *
 * An operation has a client, an input, an invocation position and, when it completed, a return
 * position and an output. Positions are any real-time order (line numbers of a log, logical
 * times of a model); only their order matters. Three outcomes:
 * - `ok`: it happened, between its invocation and its return, and returned `output`;
 * - `fail`: it definitely did not happen (unless the specification says a failure is an outcome,
 *   as a compare-and-set that returned false: see `Specification.failedOutput`);
 * - `unknown` (a timeout, a crashed client, an invocation never answered): it may or may not
 *   have taken effect, at any point after its invocation; it stays pending to the end.
 *
 * Client events (an invocation, then `ok`, `fail` or `info`) are what logs and models record;
 * `historyOf` pairs them into operations.
 */

export type Outcome = 'ok' | 'fail' | 'unknown';

export interface Operation<I = unknown, O = unknown> {
  /** Its index in the history it belongs to. */
  readonly id: number;
  readonly client: string;
  readonly input: I;
  /** What it returned; undefined when the outcome is not `ok` (or when a failure carried none). */
  readonly output: O | undefined;
  readonly outcome: Outcome;
  /** Invocation position. */
  readonly call: number;
  /** Return position; `Infinity` when the outcome is `unknown` (pending to the end). */
  readonly ret: number;
  /** The line of the file it came from (invocation, completion), when it came from a file. */
  readonly lines?: readonly [number, number | null];
}

export type History<I = unknown, O = unknown> = readonly Operation<I, O>[];

/** One client event, in real-time order. `seq` (per client) pairs a completion with its invocation. */
export type ClientEvent<I = unknown, O = unknown> =
  | { readonly type: 'invoke'; readonly client: string; readonly seq?: number; readonly input: I; readonly at?: number; readonly line?: number }
  | { readonly type: 'ok'; readonly client: string; readonly seq?: number; readonly output: O; readonly at?: number; readonly line?: number }
  | { readonly type: 'fail'; readonly client: string; readonly seq?: number; readonly output?: O; readonly at?: number; readonly line?: number }
  | { readonly type: 'info'; readonly client: string; readonly seq?: number; readonly at?: number; readonly line?: number };

/** A history that cannot be built: a completion without an invocation, two invocations at once. */
export class HistoryError extends Error {
  override name = 'HistoryError';
  constructor(
    message: string,
    /** Index of the offending event, and its line when it has one. */
    readonly index: number,
    readonly line: number | undefined,
  ) {
    super(message);
  }
}

/**
 * Since 0.2.0. Pairs client events into operations. An event's position is its `at` when every
 * event has one (a model's logical clock), otherwise its index in `events`. A completion pairs
 * with the invocation of the same client and `seq` (when given), or with the client's one
 * invocation in progress. An invocation with no completion, or completed by `info`, is unknown.
 */
export function historyOf<I, O>(events: readonly ClientEvent<I, O>[]): Operation<I, O>[] {
  const timed = events.length > 0 && events.every((e) => typeof e.at === 'number' && Number.isFinite(e.at));
  const order = events.map((_, i) => i);
  if (timed) order.sort((a, b) => events[a]!.at! - events[b]!.at! || a - b);
  interface Open {
    readonly input: I;
    readonly client: string;
    readonly seq: number | undefined;
    readonly call: number;
    readonly line: number | undefined;
    output: O | undefined;
    outcome: Outcome;
    ret: number;
    retLine: number | undefined;
  }
  const ops: Open[] = [];
  const pending = new Map<string, Open>();
  for (const i of order) {
    const e = events[i]!;
    const at = timed ? e.at! : i;
    const where = e.line !== undefined ? `line ${e.line}` : `event ${i + 1}`;
    const key = e.seq === undefined ? e.client : `${e.client}\u0000${e.seq}`;
    if (e.type === 'invoke') {
      const busy = e.seq === undefined ? pending.get(e.client) : [...pending.values()].find((o) => o.client === e.client && o.seq === undefined);
      if (busy !== undefined || pending.has(key)) {
        throw new HistoryError(`${where}: client ${e.client} invokes an operation while its previous one is still in progress (expected a completion first)`, i, e.line);
      }
      const op: Open = { input: e.input, client: e.client, seq: e.seq, call: at, line: e.line, output: undefined, outcome: 'unknown', ret: Infinity, retLine: undefined };
      pending.set(key, op);
      ops.push(op);
      continue;
    }
    const op = pending.get(key);
    if (op === undefined) {
      throw new HistoryError(`${where}: a completion (${e.type}) for client ${e.client}${e.seq === undefined ? '' : ` seq ${e.seq}`} that has no invocation in progress`, i, e.line);
    }
    pending.delete(key);
    if (e.type === 'info') continue; // unknown outcome: stays pending to the end
    op.outcome = e.type;
    op.output = e.output;
    op.ret = at;
    op.retLine = e.line;
  }
  return ops.map((o, id) => ({
    id,
    client: o.client,
    input: o.input,
    output: o.output,
    outcome: o.outcome,
    call: o.call,
    ret: o.outcome === 'unknown' ? Infinity : o.ret,
    ...(o.line !== undefined ? { lines: [o.line, o.retLine ?? null] as const } : {}),
  }));
}
