/**
 * Evidence for people: a refuted partition in words (the longest linearisation found, then the
 * operations that cannot come next and why), and a short form for a property's message.
 */
import type { LinearizabilityResult, PartitionFailure } from './checker.js';
import type { Operation } from './history.js';
import { resolveSpec, type Specification } from './spec.js';

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
  const rs = resolveSpec(spec);
  const lines: string[] = [];
  lines.push(`longest linearisation found: ${failure.prefix.length} of ${failure.operations.length} operations`);
  failure.prefix.forEach((s, k) => lines.push(`  ${k + 1}. ${describeOp(spec, s.op)}   state ${rs.describeState(s.before)} → ${rs.describeState(s.after)}`));
  const state = failure.prefix.length ? failure.prefix[failure.prefix.length - 1]!.after : spec.init();
  lines.push(`then, in state ${rs.describeState(state)}, none of these can come next:`);
  for (const s of failure.stuck) {
    const why = s.allowed ? 'allowed here, but every linearisation after it gets stuck' : 'the specification does not allow it in this state';
    const deadline = s.op === failure.deadline ? ' — it returned before it could be placed' : '';
    lines.push(`  ✗ ${describeOp(spec, s.op)}: ${why}${deadline}`);
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
