/**
 * Evidence for people: a refuted partition in words (the longest linearisation found, then the
 * operations that cannot come next and why), and a short form for a property's message.
 *
 * `evidenceOf` turns a refuted partition into plain data (`HistoryEvidence`: strings and numbers,
 * what a trace file stores), from which the lanes are drawn as text (lanes.ts) and as SVG
 * (html.ts), for a recorded history and for a model's trace alike.
 */
import type { LinearizabilityResult, PartitionFailure } from './checker.js';
import type { Operation, Outcome } from './history.js';
import { resolveSpec, type Specification } from './spec.js';

/** One operation of a refuted partition, described. */
export interface EvidenceOperation {
  readonly client: string;
  /** The operation for people: `write 3`, `read → 1`, `cas 1→2 → ?`. */
  readonly op: string;
  readonly outcome: Outcome;
  /** Invocation position. */
  readonly call: number;
  /** Return position; null when the outcome is unknown (pending to the end). */
  readonly ret: number | null;
  /** The lines of the file it came from (invocation, return), when it came from a file. */
  readonly lines?: readonly [number, number | null];
  /** The steps of a model's trace at which it was invoked and returned, in a trace's evidence. */
  readonly steps?: readonly [number, number | null];
}

/** Where an operation happened, for people: `steps 1–3`, `lines 4–9`, `0–1` (positions). */
export function whereOf(o: EvidenceOperation): string {
  if (o.steps) return o.steps[1] === null ? `step ${o.steps[0]}, no return` : `steps ${o.steps[0]}–${o.steps[1]}`;
  if (o.lines) return o.lines[1] === null ? `line ${o.lines[0]}, no return` : `lines ${o.lines[0]}–${o.lines[1]}`;
  return `${o.call}–${o.ret ?? 'end'}`;
}

/**
 * Since 0.2.0. The evidence of one refuted partition as plain data: its operations, the longest
 * linearisation found (indices into `operations`, with the state before and after each), and the
 * operations that cannot come next (with the state they met). A trace stores it; nothing in it
 * is trusted when read back (every string is escaped where it is shown).
 */
export interface HistoryEvidence {
  readonly spec: string;
  /** The partition refuted, among how many, and its key when its operations share one. */
  readonly partition: number;
  readonly partitions: number;
  readonly key: string | null;
  /** Operations in the whole history (the partition's are `operations`). */
  readonly total: number;
  /** The specification's initial state, described. */
  readonly initial: string;
  readonly operations: readonly EvidenceOperation[];
  readonly prefix: readonly { readonly op: number; readonly before: string; readonly after: string }[];
  readonly stuck: readonly { readonly op: number; readonly before: string; readonly allowed: boolean }[];
  /** The stuck operation that returned before it could be placed. */
  readonly deadline: number;
}

/** The partition's key, when its operations share one (a key-value store's). */
export function partitionKey(failure: PartitionFailure<unknown, unknown, unknown>): string | null {
  const keys = new Set(failure.operations.map((o) => (o.input as { key?: unknown } | null)?.key));
  const [key] = keys;
  return keys.size === 1 && typeof key === 'string' ? key : null;
}

/**
 * Since 0.2.0. A refuted partition as plain data: the first of `result`, or `failure` (whose
 * history's size and partitions are then its own unless `result` is given too).
 */
export function evidenceOf<S, I, O>(spec: Specification<S, I, O>, result: LinearizabilityResult<S, I, O> | null, failure: PartitionFailure<S, I, O> = result!.failing[0]!): HistoryEvidence {
  const rs = resolveSpec(spec);
  const index = new Map(failure.operations.map((o, i) => [o, i]));
  return {
    spec: spec.name,
    partition: failure.partition,
    partitions: result?.partitions ?? 1,
    key: partitionKey(failure as PartitionFailure<unknown, unknown, unknown>),
    total: result?.operations ?? failure.operations.length,
    initial: rs.describeState(spec.init()),
    operations: failure.operations.map((o) => ({
      client: o.client,
      op: rs.describeOperation(o.input, o.output),
      outcome: o.outcome,
      call: o.call,
      ret: o.ret === Infinity ? null : o.ret,
      ...(o.lines ? { lines: o.lines } : {}),
    })),
    prefix: failure.prefix.map((s) => ({ op: index.get(s.op)!, before: rs.describeState(s.before), after: rs.describeState(s.after) })),
    stuck: failure.stuck.map((s) => ({ op: index.get(s.op)!, before: rs.describeState(s.before), allowed: s.allowed })),
    deadline: index.get(failure.deadline)!,
  };
}

/** How many operations of the linearisation a drawing shows before the point where it got stuck. */
export const WINDOW = 12;

/**
 * What a drawing of the lanes shows: from the invocation of the earliest of the stuck operations
 * and the last WINDOW linearised ones, to the return of the operation that could not be placed
 * (nothing later matters); operations that returned before it are left out (`hidden` of them).
 */
export function windowOf(e: HistoryEvidence): { readonly from: number; readonly to: number; readonly shown: readonly number[]; readonly hidden: number } {
  const anchors = [...e.stuck.map((s) => s.op), ...e.prefix.slice(-WINDOW).map((s) => s.op)].map((i) => e.operations[i]!);
  const from = Math.min(...anchors.map((o) => o.call));
  const to = e.operations[e.deadline]!.ret ?? Infinity;
  const shown: number[] = [];
  let hidden = 0;
  e.operations.forEach((o, i) => {
    if (o.ret !== null && o.ret < from) hidden++;
    else if (o.call <= to) shown.push(i);
  });
  return { from, to, shown, hidden };
}

function interval(op: Operation): string {
  if (op.lines) return `lines ${op.lines[0]}–${op.lines[1] ?? 'end'}`;
  return `${op.call}–${op.ret === Infinity ? 'end' : op.ret}`;
}

/** One operation for people: client, what it did, when. */
export function describeOp<S, I, O>(spec: Specification<S, I, O>, op: Operation<I, O>): string {
  const rs = resolveSpec(spec);
  const outcome = op.outcome === 'unknown' ? ' (outcome unknown)' : '';
  return `client ${op.client}: ${rs.describeOperation(op.input, op.output)}${outcome} [${interval(op as Operation)}]`;
}

/** The evidence of one refuted partition, one line per fact. */
export function describeFailure<S, I, O>(spec: Specification<S, I, O>, failure: PartitionFailure<S, I, O>): string[] {
  return describeEvidence(evidenceOf(spec, null, failure));
}

/** An operation of evidence for people: `client a: write 1 [0–1]`. */
function describeEvidenceOp(o: EvidenceOperation, esc: (s: string) => string): string {
  const at = o.steps ? `steps ${o.steps[0]}–${o.steps[1] ?? 'end'}` : o.lines ? `lines ${o.lines[0]}–${o.lines[1] ?? 'end'}` : `${o.call}–${o.ret ?? 'end'}`;
  return `client ${esc(o.client)}: ${esc(o.op)}${o.outcome === 'unknown' ? ' (outcome unknown)' : ''} [${at}]`;
}

/**
 * Since 0.2.0. The evidence in words, one line per fact: the longest linearisation found with the
 * state before and after each operation, then the operations that cannot come next and why.
 * `esc` shows each string from the evidence (default: as it is).
 */
export function describeEvidence(e: HistoryEvidence, esc: (s: string) => string = (s) => s): string[] {
  const lines: string[] = [];
  lines.push(`longest linearisation found: ${e.prefix.length} of ${e.operations.length} operations`);
  e.prefix.forEach((s, k) => lines.push(`  ${k + 1}. ${describeEvidenceOp(e.operations[s.op]!, esc)}   state ${esc(s.before)} → ${esc(s.after)}`));
  const state = e.prefix.length ? e.prefix[e.prefix.length - 1]!.after : e.initial;
  lines.push(`then, in state ${esc(state)}, none of these can come next:`);
  for (const s of e.stuck) {
    const why = s.allowed ? 'allowed here, but every linearisation after it gets stuck' : 'the specification does not allow it in this state';
    const deadline = s.op === e.deadline ? ' — it returned before it could be placed' : '';
    lines.push(`  ✗ ${describeEvidenceOp(e.operations[s.op]!, esc)}: ${why}${deadline}`);
  }
  return lines;
}

/** A one-line summary of a result, for a property's message or a line of output. */
export function summarize<S, I, O>(spec: Specification<S, I, O>, result: LinearizabilityResult<S, I, O>): string {
  if (result.verdict === 'linearizable') return `linearizable (${result.checked} operations, ${result.partitions} partition${result.partitions === 1 ? '' : 's'})`;
  if (result.verdict === 'unknown') {
    return `undecided: the ${result.stoppedBy === 'timeout' ? 'timeout' : 'step budget'} ran out (${result.steps} steps) in partition${result.undecided.length === 1 ? '' : 's'} ${result.undecided.join(', ')}; this is not a verdict`;
  }
  const f = result.failing[0]!;
  const rs = resolveSpec(spec);
  const state = f.prefix.length ? f.prefix[f.prefix.length - 1]!.after : spec.init();
  // The order itself when it is short (a model's histories); its length otherwise (a recorded one).
  const order =
    f.prefix.length <= 8
      ? `the longest linearisation found [${f.prefix.map((s) => `${s.op.client}:${rs.describeOperation(s.op.input, s.op.output)}`).join(', ')}] (state ${rs.describeState(state)})`
      : `the longest linearisation found (${f.prefix.length} of ${f.operations.length} operations, ending in state ${rs.describeState(state)})`;
  const rejected = f.stuck.filter((s) => !s.allowed);
  const shown = (rejected.length ? rejected.map((s) => s.op) : [f.deadline]).map((op) => describeOp(spec, op));
  return `not linearizable: after ${order}, ${shown.join('; ')} cannot come next`;
}
