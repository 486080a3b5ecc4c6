/**
 * Property-based tests of the checker (fast-check):
 * - run operations one at a time against the specification, then stretch each into an interval
 *   around its moment, overlapping the others arbitrarily (some of unknown outcome, some failed
 *   writes that did not happen): always linearizable;
 * - add a read of a value nobody wrote: never linearizable;
 * - the verdict does not depend on the order of operations in the history, nor on the order of
 *   adjacent invocations (or completions) of different clients in a file.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { checkLinearizability } from './checker.js';
import { readHistory, SPECS } from './formats.js';
import type { Operation } from './history.js';
import { casRegister, type CasRegisterInput, type RegisterOutput, type RegisterValue } from './specs.js';

type Op = Operation<CasRegisterInput, RegisterOutput>;

const input: fc.Arbitrary<CasRegisterInput> = fc.oneof(
  fc.constant({ f: 'read' as const }),
  fc.integer({ min: 0, max: 3 }).map((value) => ({ f: 'write' as const, value })),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })).map(([from, to]) => ({ f: 'cas' as const, from, to })),
);

type Step = { input: CasRegisterInput; before: number; after: number; fate: string; client: number };

/** One sequential step: the input, how far its interval reaches back and forward, its fate. */
const stepArb = fc.record({
  input,
  before: fc.integer({ min: 0, max: 35 }),
  after: fc.integer({ min: 0, max: 35 }),
  fate: fc.constantFrom('ok', 'ok', 'ok', 'ok', 'unknown', 'failed-write'),
  client: fc.integer({ min: 0, max: 5 }),
});

/**
 * A history that is linearizable by construction: operation k takes effect at moment 10k (and is
 * computed by the specification at that point); its interval is [10k - before, 10k + after].
 * Unknown outcomes drop the output (and stay pending); a failed write that did not happen is a
 * write at no moment (it changes nothing). Positions are then made distinct, in a fixed order.
 */
function sequential(steps: Step[]): Op[] {
  let state: RegisterValue = null;
  const ops: Op[] = [];
  steps.forEach((s, k) => {
    const at = 10 * k;
    // The moment is 100·at + 50, strictly inside the interval.
    const call = (at - s.before) * 100 + (k % 50);
    const ret = (at + s.after) * 100 + 51 + (k % 49);
    if (s.fate === 'failed-write') {
      ops.push({ id: ops.length, client: `f${k}`, input: { f: 'write', value: 99 }, output: undefined, outcome: 'fail', call, ret });
      return;
    }
    const out = casRegister.step(state, s.input, undefined);
    const output: RegisterOutput = s.input.f === 'read' ? state : s.input.f === 'cas' ? state === s.input.from : null;
    state = out.next;
    // A failed cas (it returned false) is recorded as a failure, as Jepsen does.
    const failedCas = s.input.f === 'cas' && output === false && s.fate === 'ok';
    ops.push({
      id: ops.length,
      client: `c${k}`, // one client per operation: clients never overlap themselves
      input: s.input,
      output: s.fate === 'unknown' || failedCas ? undefined : output,
      outcome: s.fate === 'unknown' ? 'unknown' : failedCas ? 'fail' : 'ok',
      call,
      ret: s.fate === 'unknown' ? Infinity : ret,
    });
  });
  return ops;
}

const renumber = (ops: readonly Op[]): Op[] => ops.map((o, id) => ({ ...o, id }));

describe('checker properties', () => {
  test('a history run one operation at a time, then stretched into overlapping intervals, is linearizable', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 14 }), (steps) => {
        expect(checkLinearizability(casRegister, sequential(steps)).verdict).toBe('linearizable');
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  test('a read of a value never written is never linearizable', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 14 }), fc.nat(), fc.integer({ min: 1, max: 30 }), (steps, where, width) => {
        const ops = sequential(steps);
        const at = (where % (10 * steps.length + 10)) * 100;
        const ghost: Op = { id: ops.length, client: 'ghost', input: { f: 'read' }, output: 7, outcome: 'ok', call: at + 1, ret: at + width * 100 + 2 };
        expect(checkLinearizability(casRegister, [...ops, ghost]).verdict).toBe('not-linearizable');
      }),
      { numRuns: 300, seed: 12 },
    );
  });

  /** Arbitrary histories (mostly not linearizable): random intervals and outputs. */
  const randomHistory = fc
    .array(
      fc.record({ input, output: fc.integer({ min: 0, max: 3 }), a: fc.integer({ min: 0, max: 40 }), len: fc.integer({ min: 1, max: 12 }), unknown: fc.boolean() }),
      { minLength: 1, maxLength: 10 },
    )
    .map((rows) =>
      rows.map((r, id): Op => ({
        id,
        client: `c${id}`,
        input: r.input,
        output: r.unknown ? undefined : r.input.f === 'read' ? r.output : r.input.f === 'cas' ? r.output % 2 === 0 : null,
        outcome: r.unknown ? 'unknown' : 'ok',
        call: r.a * 100 + id,
        ret: r.unknown ? Infinity : (r.a + r.len) * 100 + 50 + id,
      })),
    );

  test('the verdict does not depend on the order of operations in the history', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(randomHistory, fc.array(fc.nat()), (ops, keys) => {
        const shuffled = renumber([...ops].map((o, i) => [keys[i] ?? i, o] as const).sort((x, y) => x[0] - y[0]).map(([, o]) => o));
        const verdict = checkLinearizability(casRegister, ops).verdict;
        seen.add(verdict);
        expect(checkLinearizability(casRegister, shuffled).verdict).toBe(verdict);
      }),
      { numRuns: 300, seed: 13 },
    );
    expect([...seen].sort()).toEqual(['linearizable', 'not-linearizable']); // both kinds were tried
  });

  test('the verdict does not depend on the order of adjacent invocations, or completions, of different clients in a file', () => {
    const line = (client: number, type: string, f: string, value: unknown) => JSON.stringify({ client, type, f, value });
    fc.assert(
      fc.property(randomHistory, fc.array(fc.nat(), { maxLength: 40 }), (ops, swaps) => {
        // The history as JSON lines, events in time order.
        const events = ops
          .flatMap((o) => {
            const value = o.input.f === 'write' ? o.input.value : o.input.f === 'cas' ? [o.input.from, o.input.to] : null;
            const inv = { t: o.call, kind: 'invoke', text: line(o.id, 'invoke', o.input.f, value) };
            if (o.outcome === 'unknown') return [inv];
            const outValue = o.input.f === 'read' ? o.output : value;
            const done = o.output === false ? line(o.id, 'fail', o.input.f, value) : line(o.id, 'ok', o.input.f, outValue);
            return [inv, { t: o.ret, kind: 'complete', text: done }];
          })
          .sort((a, b) => a.t - b.t);
        const original = events.map((e) => e.text);
        const swapped = [...events];
        for (const s of swaps) {
          const i = s % Math.max(1, swapped.length - 1);
          if (i + 1 < swapped.length && swapped[i]!.kind === swapped[i + 1]!.kind) [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
        }
        const verdictOf = (lines: string[]) => checkLinearizability(casRegister, readHistory(lines.join('\n'), 'jsonl', SPECS['cas-register'])).verdict;
        expect(verdictOf(swapped.map((e) => e.text))).toBe(verdictOf(original));
      }),
      { numRuns: 300, seed: 14 },
    );
  });
});
