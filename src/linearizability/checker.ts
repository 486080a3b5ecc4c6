/**
 * Checking a history against a specification: failures resolved, the history split into the
 * specification's partitions, each partition searched (search.ts) in turns of a few thousand
 * steps, round robin, so one hard partition cannot hide an easy refutation in another. The first
 * partition refuted decides the verdict. A partition that exhausts its step budget makes the
 * verdict `unknown`, never a guess.
 *
 * Determinism: the verdict depends only on the history, the specification and the step budget.
 * `timeoutMs` (wall clock, checked between turns) can only turn a verdict into `unknown`.
 */
import type { History, Operation } from './history.js';
import { PartitionSearch } from './search.js';
import { resolveSpec, type Specification } from './spec.js';

export type LinearizabilityVerdict = 'linearizable' | 'not-linearizable' | 'unknown';

export interface LinearizabilityOptions {
  /** Search steps allowed per partition (default 2,000,000). */
  readonly maxSteps?: number;
  /** Wall-clock limit for the whole check, in milliseconds; when it passes, the verdict is `unknown`. */
  readonly timeoutMs?: number;
  /** Steps per partition per turn (default 5,000). */
  readonly slice?: number;
}

export const DEFAULT_MAX_STEPS = 2_000_000;
const DEFAULT_SLICE = 5_000;

/** One operation of the longest linearisation found, with the states around it. */
export interface LinearizedStep<S, I, O> {
  readonly op: Operation<I, O>;
  readonly before: S;
  readonly after: S;
}

/** An operation that could come next after the longest linearisation, and why it cannot. */
export interface StuckOperation<S, I, O> {
  readonly op: Operation<I, O>;
  /** The state after the longest linearisation. */
  readonly before: S;
  /**
   * False when the specification rejects its output in that state; true when it accepts it but
   * every linearisation from there gets stuck later.
   */
  readonly allowed: boolean;
}

/** Evidence for one partition that cannot be linearised. */
export interface PartitionFailure<S, I, O> {
  /** Its index among the specification's partitions. */
  readonly partition: number;
  /** Its operations (failures that did not happen left out). */
  readonly operations: History<I, O>;
  /** The longest linearisable prefix found. */
  readonly prefix: readonly LinearizedStep<S, I, O>[];
  /** The operations that could come next, none of which can be placed after the prefix. */
  readonly stuck: readonly StuckOperation<S, I, O>[];
  /** Of those, the one whose return came before it could be linearised. */
  readonly deadline: Operation<I, O>;
}

export interface LinearizabilityResult<S, I, O> {
  readonly verdict: LinearizabilityVerdict;
  /** true, false, or null for `unknown`. */
  readonly linearizable: boolean | null;
  /** Operations in the history, and those checked (failures that did not happen left out). */
  readonly operations: number;
  readonly checked: number;
  readonly partitions: number;
  /** Search steps, summed over partitions. */
  readonly steps: number;
  /** For `not-linearizable`: the partition refuted (the first found). */
  readonly failing: readonly PartitionFailure<S, I, O>[];
  /** For `unknown`: the partitions left undecided, and what stopped them. */
  readonly undecided: readonly number[];
  readonly stoppedBy: 'budget' | 'timeout' | null;
}

/**
 * The operations the search sees: failures that did not happen removed, failures that are an
 * outcome (the specification's `failedOutput`) turned into completed operations.
 */
export function resolveFailures<S, I, O>(spec: Specification<S, I, O>, history: History<I, O>): Operation<I, O>[] {
  const out: Operation<I, O>[] = [];
  for (const op of history) {
    if (op.outcome !== 'fail') {
      out.push(op);
      continue;
    }
    const output = spec.failedOutput?.(op.input);
    if (output !== undefined) out.push({ ...op, outcome: 'ok', output });
  }
  return out;
}

/**
 * Since 0.2.0. Whether `history` is linearizable with respect to `spec`: `linearizable`,
 * `not-linearizable` with evidence per failing partition, or `unknown` when the step budget or
 * the timeout ran out.
 */
export function checkLinearizability<S, I, O>(
  spec: Specification<S, I, O>,
  history: History<I, O>,
  options: LinearizabilityOptions = {},
): LinearizabilityResult<S, I, O> {
  const rs = resolveSpec(spec);
  const checked = resolveFailures(spec, history);
  const parts = (spec.partition ? spec.partition(checked) : [checked]).filter((p) => p.length > 0);
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  const slice = Math.max(1, options.slice ?? DEFAULT_SLICE);
  const clock = options.timeoutMs !== undefined;
  const deadline = clock ? performance.now() + options.timeoutMs! : Infinity; // allow-clock: timeout may only make the verdict unknown
  const searches = parts.map((p) => new PartitionSearch(p, rs));
  const base = { operations: history.length, checked: checked.length, partitions: parts.length };
  const totalSteps = () => searches.reduce((sum, s) => sum + s.steps, 0);

  let active = searches.map((_, i) => i).filter((i) => searches[i]!.status === 'running');
  const exhausted: number[] = [];
  while (active.length > 0) {
    const still: number[] = [];
    for (const i of active) {
      const s = searches[i]!;
      // The clock is read only before work that is still to do, so it never undoes a verdict.
      if (clock && performance.now() > deadline) { // allow-clock
        for (const other of searches) other.release();
        const undecided = [...exhausted, ...searches.map((_, j) => j).filter((j) => searches[j]!.status === 'running' && !exhausted.includes(j))];
        return { ...base, verdict: 'unknown', linearizable: null, steps: totalSteps(), failing: [], undecided: undecided.sort((a, b) => a - b), stoppedBy: 'timeout' };
      }
      s.run(Math.min(slice, maxSteps - s.steps));
      if (s.status === 'refuted') {
        for (const other of searches) other.release();
        return { ...base, verdict: 'not-linearizable', linearizable: false, steps: totalSteps(), failing: [failureOf(rs, i, s)], undecided: [], stoppedBy: null };
      }
      if (s.status === 'running') {
        if (s.steps >= maxSteps) {
          s.release();
          exhausted.push(i);
        } else still.push(i);
      }
    }
    active = still;
  }
  if (exhausted.length > 0) {
    return { ...base, verdict: 'unknown', linearizable: null, steps: totalSteps(), failing: [], undecided: exhausted.sort((a, b) => a - b), stoppedBy: 'budget' };
  }
  return { ...base, verdict: 'linearizable', linearizable: true, steps: totalSteps(), failing: [], undecided: [], stoppedBy: null };
}

function failureOf<S, I, O>(rs: ReturnType<typeof resolveSpec<S, I, O>>, partition: number, s: PartitionSearch<S, I, O>): PartitionFailure<S, I, O> {
  const d = s.deepest!;
  const ops = s.operations;
  const prefix = d.order.map((k, j) => ({ op: ops[k]!, before: d.before[j]!, after: j + 1 < d.order.length ? d.before[j + 1]! : d.after }));
  const stuck = d.candidates.map((k) => ({ op: ops[k]!, before: d.after, allowed: rs.spec.step(d.after, ops[k]!.input, ops[k]!.output).ok }));
  return { partition, operations: ops, prefix, stuck, deadline: ops[d.deadline]! };
}
