/**
 * The checker on hand-built histories whose answers are known: stale reads, the new-old
 * inversion, concurrent writes, operations of unknown outcome, failed compare-and-sets, the
 * evidence of a refutation, budgets, and partitions that must not hide each other.
 */
import { describe, expect, test } from 'vitest';
import { checkLinearizability } from './checker.js';
import { describeFailure, summarize } from './evidence.js';
import { historyOf, type Operation, type Outcome } from './history.js';
import { casRegister, kv, register, type CasRegisterInput, type KvInput, type KvOutput, type RegisterOutput } from './specs.js';

type Row<I, O> = [client: string, input: I, output: O | undefined, call: number, ret: number | null, outcome?: Outcome];

/** Operations from rows; `ret: null` is an operation of unknown outcome. */
function ops<I, O>(rows: Row<I, O>[]): Operation<I, O>[] {
  return rows.map(([client, input, output, call, ret, outcome], id) => ({
    id,
    client,
    input,
    output: ret === null ? undefined : output,
    outcome: outcome ?? (ret === null ? 'unknown' : 'ok'),
    call,
    ret: ret ?? Infinity,
  }));
}

const W = (value: number): CasRegisterInput => ({ f: 'write', value });
const R: CasRegisterInput = { f: 'read' };
const CAS = (from: number, to: number): CasRegisterInput => ({ f: 'cas', from, to });

function verdict(rows: Row<CasRegisterInput, RegisterOutput>[], spec = casRegister) {
  return checkLinearizability(spec, ops(rows)).verdict;
}

describe('registers', () => {
  test('a stale read after a completed write is not linearizable; a fresh one is', () => {
    const base: Row<CasRegisterInput, RegisterOutput>[] = [
      ['a', W(1), null, 0, 1],
      ['a', W(2), null, 2, 3],
    ];
    expect(verdict([...base, ['b', R, 1, 4, 5]], register)).toBe('not-linearizable');
    expect(verdict([...base, ['b', R, 2, 4, 5]], register)).toBe('linearizable');
    // A read that overlaps the second write may see either value.
    expect(verdict([...base.slice(0, 1), ['a', W(2), null, 2, 10], ['b', R, 1, 4, 5]], register)).toBe('linearizable');
  });

  test('the new-old inversion: once a read saw the new value, a later read cannot see the old one', () => {
    const inversion: Row<CasRegisterInput, RegisterOutput>[] = [
      ['a', W(1), null, 0, 1],
      ['a', W(2), null, 2, 20],
      ['b', R, 2, 3, 4],
      ['c', R, 1, 5, 6],
    ];
    expect(verdict(inversion)).toBe('not-linearizable');
    // The same reads overlapping each other are fine (c's read linearised before b's).
    expect(verdict([inversion[0]!, inversion[1]!, ['b', R, 2, 3, 6], ['c', R, 1, 4, 5]])).toBe('linearizable');
  });

  test('concurrent writes may be read in either order, but not both orders after both completed', () => {
    const writes: Row<CasRegisterInput, RegisterOutput>[] = [
      ['a', W(1), null, 0, 5],
      ['b', W(2), null, 0, 5],
    ];
    expect(verdict([...writes, ['c', R, 1, 6, 7]])).toBe('linearizable');
    expect(verdict([...writes, ['c', R, 2, 6, 7]])).toBe('linearizable');
    // During the writes a reader can see 2 then 1 (w2, read, w1, read).
    expect(verdict([...writes, ['c', R, 2, 1, 2], ['c', R, 1, 3, 4]])).toBe('linearizable');
    // After both, the register holds one of them for good.
    expect(verdict([...writes, ['c', R, 1, 6, 7], ['c', R, 2, 8, 9]])).toBe('not-linearizable');
  });

  test('a write of unknown outcome may have happened, or not, but only once and only after its invocation', () => {
    const lost: Row<CasRegisterInput, RegisterOutput> = ['a', W(1), undefined, 0, null];
    expect(verdict([lost, ['b', R, 1, 5, 6]])).toBe('linearizable'); // it happened
    expect(verdict([lost, ['b', R, null, 5, 6]])).toBe('linearizable'); // it did not (yet)
    expect(verdict([lost, ['b', R, null, 5, 6], ['b', R, 1, 7, 8]])).toBe('linearizable'); // it happened late
    expect(verdict([lost, ['b', R, 1, 5, 6], ['b', R, null, 7, 8]])).toBe('not-linearizable'); // it cannot un-happen
    expect(verdict([['b', R, 1, 0, 1], ['a', W(1), undefined, 5, null]])).toBe('not-linearizable'); // not before it was invoked
    // historyOf: an invocation answered by `info`, or by nothing, is of unknown outcome.
    const h = historyOf<CasRegisterInput, RegisterOutput>([
      { type: 'invoke', client: 'a', input: W(1) },
      { type: 'info', client: 'a' },
      { type: 'invoke', client: 'b', input: R },
      { type: 'ok', client: 'b', output: 1 },
      { type: 'invoke', client: 'c', input: W(2) },
    ]);
    expect(h.map((o) => [o.outcome, o.call, o.ret])).toEqual([['unknown', 0, Infinity], ['ok', 2, 3], ['unknown', 4, Infinity]]);
    expect(checkLinearizability(casRegister, h).verdict).toBe('linearizable');
  });

  test('a failed compare-and-set happened and returned false; a failed write did not happen', () => {
    const w1: Row<CasRegisterInput, RegisterOutput> = ['a', W(1), null, 0, 1];
    expect(verdict([w1, ['b', CAS(2, 3), undefined, 2, 3, 'fail'], ['c', R, 1, 4, 5]])).toBe('linearizable');
    expect(verdict([w1, ['b', CAS(1, 3), undefined, 2, 3, 'fail'], ['c', R, 1, 4, 5]])).toBe('not-linearizable'); // it must have swapped
    expect(verdict([w1, ['b', CAS(1, 3), true, 2, 3], ['c', R, 3, 4, 5]])).toBe('linearizable');
    expect(verdict([w1, ['b', CAS(1, 3), true, 2, 3], ['c', R, 1, 4, 5]])).toBe('not-linearizable');
    expect(verdict([w1, ['b', W(2), undefined, 2, 3, 'fail'], ['c', R, 1, 4, 5]])).toBe('linearizable');
    expect(verdict([w1, ['b', W(2), undefined, 2, 3, 'fail'], ['c', R, 2, 4, 5]])).toBe('not-linearizable');
    // A compare-and-set of unknown outcome swaps exactly when the register matches.
    expect(verdict([w1, ['b', CAS(1, 3), undefined, 2, null], ['c', R, 3, 4, 5]])).toBe('linearizable');
    expect(verdict([w1, ['b', CAS(2, 3), undefined, 2, null], ['c', R, 3, 4, 5]])).toBe('not-linearizable');
  });
});

describe('histories from events', () => {
  test('with an `at` on every event, positions are those times, whatever the order of the list', () => {
    const h = historyOf<CasRegisterInput, RegisterOutput>([
      { type: 'ok', client: 'b', seq: 1, output: 1, at: 40 },
      { type: 'invoke', client: 'a', seq: 1, input: W(1), at: 10 },
      { type: 'invoke', client: 'b', seq: 1, input: R, at: 30 },
      { type: 'ok', client: 'a', seq: 1, output: null, at: 20 },
    ]);
    expect(h.map((o) => [o.client, o.call, o.ret])).toEqual([['a', 10, 20], ['b', 30, 40]]);
    expect(checkLinearizability(register, h).verdict).toBe('linearizable');
    // Without `at`, the list order is real time: here b's read returns before a's write is invoked.
    const untimed = historyOf<CasRegisterInput, RegisterOutput>([
      { type: 'invoke', client: 'b', input: R },
      { type: 'ok', client: 'b', output: 1 },
      { type: 'invoke', client: 'a', input: W(1) },
      { type: 'ok', client: 'a', output: null },
    ]);
    expect(checkLinearizability(register, untimed).verdict).toBe('not-linearizable');
  });
});

describe('evidence', () => {
  test('a refutation names the longest linearisation, the state after it and the operation that cannot follow', () => {
    const result = checkLinearizability(
      register,
      ops<CasRegisterInput, RegisterOutput>([
        ['a', W(1), null, 0, 1],
        ['a', W(2), null, 2, 3],
        ['b', R, 1, 4, 5],
      ]),
    );
    expect(result.linearizable).toBe(false);
    const f = result.failing[0]!;
    expect(f.prefix.map((s) => [s.op.id, s.before, s.after])).toEqual([[0, null, 1], [1, 1, 2]]);
    expect(f.stuck.map((s) => [s.op.id, s.before, s.allowed])).toEqual([[2, 2, false]]);
    expect(f.deadline.id).toBe(2);
    expect(describeFailure(register, f)).toEqual([
      'longest linearisation found: 2 of 3 operations',
      '  1. client a: write 1 [0–1]   state nil → 1',
      '  2. client a: write 2 [2–3]   state 1 → 2',
      'then, in state 2, none of these can come next:',
      '  ✗ client b: read → 1 [4–5]: the specification does not allow it in this state — it returned before it could be placed',
    ]);
    expect(summarize(register, result)).toBe('not linearizable: after the longest linearisation found [a:write 1, a:write 2] (state 2), client b: read → 1 [4–5] cannot come next');
  });
});

describe('budgets and partitions', () => {
  /** n appends to one key, all concurrent, then a get of a value no order of them gives: hard to refute. */
  function hard(key: string, n: number): Operation<KvInput, KvOutput>[] {
    const rows: Row<KvInput, KvOutput>[] = Array.from({ length: n }, (_, i) => [`c${i}`, { f: 'append', key, value: `<${i}>` }, null, 0, 100]);
    rows.push(['r', { f: 'get', key }, 'impossible', 101, 102]);
    return ops(rows);
  }
  const easyRefutation = (key: string): Operation<KvInput, KvOutput>[] =>
    ops<KvInput, KvOutput>([
      ['x', { f: 'put', key, value: 'new' }, null, 0, 1],
      ['y', { f: 'get', key }, 'old', 2, 3],
    ]);
  const renumber = <I, O>(list: Operation<I, O>[]) => list.map((o, id) => ({ ...o, id }));

  test('a partition out of steps makes the verdict unknown, never linearizable', () => {
    const result = checkLinearizability(kv, hard('a', 9), { maxSteps: 2_000 });
    expect(result.verdict).toBe('unknown');
    expect(result.linearizable).toBeNull();
    expect(result.stoppedBy).toBe('budget');
    expect(result.undecided).toEqual([0]);
    expect(result.steps).toBe(2_000);
    expect(checkLinearizability(kv, hard('a', 4)).verdict).toBe('not-linearizable'); // small enough to refute
  });

  test('one hard partition cannot hide an easy refutation in another', () => {
    const history = renumber([...hard('a', 12), ...easyRefutation('b')]);
    const result = checkLinearizability(kv, history, { maxSteps: 1_000_000, slice: 1_000 });
    expect(result.verdict).toBe('not-linearizable');
    expect(result.partitions).toBe(2);
    expect(result.failing[0]!.partition).toBe(1);
    // Key a had one turn of 1,000 steps before key b was refuted.
    expect(result.steps).toBeLessThan(1_010);
    expect(result.steps).toBeGreaterThan(1_000);
  });

  test('a timeout can only make the verdict unknown', () => {
    const history = renumber([...hard('a', 12)]);
    const result = checkLinearizability(kv, history, { timeoutMs: 0 });
    expect(result.verdict).toBe('unknown');
    expect(result.stoppedBy).toBe('timeout');
    expect(checkLinearizability(kv, easyRefutation('b'), { timeoutMs: 600_000 }).verdict).toBe('not-linearizable');
  });

  test('partitions by key are checked from the initial state each', () => {
    const history = renumber(
      ops<KvInput, KvOutput>([
        ['x', { f: 'append', key: 'a', value: '1' }, null, 0, 1],
        ['x', { f: 'append', key: 'b', value: '2' }, null, 2, 3],
        ['y', { f: 'get', key: 'a' }, '1', 4, 5],
        ['y', { f: 'get', key: 'b' }, '2', 6, 7],
        ['y', { f: 'get', key: 'c' }, null, 8, 9],
      ]),
    );
    const result = checkLinearizability(kv, history);
    expect([result.verdict, result.partitions, result.operations]).toEqual(['linearizable', 3, 5]);
    expect(checkLinearizability(kv, []).verdict).toBe('linearizable');
  });
});
