/**
 * Histories recorded from real systems, read from ../shared/histories (never copied here): Jepsen's
 * etcd test (a compare-and-set register) and key-value histories from 1, 10 and 50 clients, as
 * collected by Porcupine's authors. The key-value files say their answer in their names; for etcd
 * nothing says it, so the verdicts are pinned and cross-checked against a second checker written
 * here from scratch: its own parser and register semantics, and a plain depth-first search over
 * linearisation orders without memo (pruned only by real time, and by placing a read that fits
 * at once), on the histories it can decide within a node budget.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { checkLinearizability } from './checker.js';
import { readHistory, SPECS } from './formats.js';
import { renderLinearizabilityHtml } from './html.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const histories = resolve(repoRoot, '../shared/histories');
const present = existsSync(join(histories, 'jepsen-etcd'));
if (!present) console.warn(`skipping the recorded histories: ${histories} is absent`);

/** The etcd histories this checker finds linearizable (the other 79 are not; none is undecided). */
const ETCD_LINEARIZABLE = '002 005 007 018 025 031 038 045 048 049 051 053 056 067 075 076 080 087 092 095 098 100 101 102'.split(' ');

describe.skipIf(!present)('recorded histories (../shared/histories)', () => {
  const etcd = present ? readdirSync(join(histories, 'jepsen-etcd')).filter((f) => f.endsWith('.log')).sort() : [];
  const texts = new Map(etcd.map((f) => [f, readFileSync(join(histories, 'jepsen-etcd', f), 'utf8')]));
  const verdicts = new Map(
    etcd.map((f) => [f, checkLinearizability(SPECS['cas-register'].spec, readHistory(texts.get(f)!, 'jepsen', SPECS['cas-register'])).verdict]),
  );

  test('etcd: 103 files (one empty), 24 linearizable, 79 not, none unknown', () => {
    expect(etcd.length).toBe(103);
    expect(texts.get('etcd_095.log')!.trim()).toBe('');
    const count = (v: string) => [...verdicts.values()].filter((x) => x === v).length;
    expect([count('linearizable'), count('not-linearizable'), count('unknown')]).toEqual([24, 79, 0]);
    expect(etcd.filter((f) => verdicts.get(f) === 'linearizable').map((f) => f.slice(5, 8))).toEqual(ETCD_LINEARIZABLE);
  });

  test('etcd: a naive checker of its own agrees on every history it can decide', () => {
    let decided = 0;
    let linearizable = 0;
    for (const f of etcd) {
      const answer = naiveCheck(naiveParse(texts.get(f)!), 10_000);
      if (answer === null) continue;
      decided++;
      if (answer) linearizable++;
      expect([f, answer ? 'linearizable' : 'not-linearizable']).toEqual([f, verdicts.get(f)]);
    }
    expect([decided, linearizable]).toEqual([51, 12]);
  });

  test('etcd_000: the evidence ends where a read of 2 meets a register holding 0; the page draws that window', () => {
    const result = checkLinearizability(SPECS['cas-register'].spec, readHistory(texts.get('etcd_000.log')!, 'jepsen', SPECS['cas-register']));
    const f = result.failing[0]!;
    expect([f.prefix.length, f.operations.length, f.prefix.at(-1)!.after, f.deadline.client, f.deadline.output, f.deadline.lines]).toEqual([43, 85, 0, '11', 2, [85, 86]]);
    const page = renderLinearizabilityHtml('etcd_000.log', SPECS['cas-register'].spec, result);
    expect(page).toContain('The drawing starts with the last 12 operations of the linearisation: 28 that returned earlier are left out of it');
    expect(page.match(/class="op stuck deadline"/g)).toHaveLength(1);
  });

  test('kv: the ok files are linearizable and the bad ones are not, by key', () => {
    const found: string[] = [];
    for (const name of ['c01-ok', 'c01-bad', 'c10-ok', 'c10-bad', 'c50-ok', 'c50-bad']) {
      const text = readFileSync(join(histories, 'kv', `${name}.txt`), 'utf8');
      const result = checkLinearizability(SPECS.kv.spec, readHistory(text, 'edn', SPECS.kv));
      found.push(`${name} ${result.verdict} ${result.partitions}`);
    }
    expect(found).toEqual([
      'c01-ok linearizable 10',
      'c01-bad not-linearizable 8',
      'c10-ok linearizable 10',
      'c10-bad not-linearizable 10',
      'c50-ok linearizable 10',
      'c50-bad not-linearizable 10',
    ]);
  });
});

interface NaiveOp {
  readonly f: string;
  readonly a: number | null;
  readonly b: number | null;
  out: number | null | boolean | undefined;
  readonly call: number;
  ret: number;
}

/** Jepsen log lines by whitespace; `:fail :cas` returned false, other failures did not happen, timeouts and `:info` are unknown. */
function naiveParse(text: string): NaiveOp[] {
  const open = new Map<string, NaiveOp>();
  const ops: NaiveOp[] = [];
  const num = (s: string) => (s === 'nil' ? null : Number(s));
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const [, , , proc, type, f, ...rest] = line.trim().split(/\s+/) as string[];
    const v = rest.join(' ');
    if (type === ':invoke') {
      const pair = /^\[(\S+) (\S+)\]$/.exec(v);
      const op: NaiveOp = { f: f!.slice(1), a: f === ':write' ? num(v) : pair ? num(pair[1]!) : null, b: pair ? num(pair[2]!) : null, out: undefined, call: i, ret: Infinity };
      open.set(proc!, op);
      ops.push(op);
      return;
    }
    const op = open.get(proc!)!;
    open.delete(proc!);
    if (type === ':info' || v === ':timed-out') return;
    if (type === ':fail') {
      if (op.f === 'cas') [op.out, op.ret] = [false, i];
      else ops.splice(ops.indexOf(op), 1);
      return;
    }
    op.ret = i;
    op.out = op.f === 'read' ? num(v) : op.f === 'cas' ? true : null;
  });
  return ops;
}

/** Depth-first search over linearisation orders; null when it visits more than `budget` nodes. */
function naiveCheck(ops: readonly NaiveOp[], budget: number): boolean | null {
  const n = ops.length;
  const done = new Uint8Array(n);
  let nodes = 0;
  const fits = (o: NaiveOp, state: number | null): [boolean, number | null] => {
    if (o.f === 'read') return [o.out === undefined || o.out === state, state];
    if (o.f === 'write') return [true, o.a];
    const swaps = state === o.a;
    return [o.out === undefined || o.out === swaps, swaps ? o.b : state];
  };
  const dfs = (state: number | null, left: number): boolean | null => {
    if (++nodes > budget) return null;
    if (left === 0) return true; // only operations of unknown outcome remain: they need not have happened
    let deadline = Infinity;
    for (let i = 0; i < n; i++) if (!done[i] && ops[i]!.ret < deadline) deadline = ops[i]!.ret;
    // A read that fits now is placed now: it changes nothing, and whatever had to precede it has.
    for (let i = 0; i < n; i++) {
      const o = ops[i]!;
      if (done[i] || o.call > deadline || o.f !== 'read' || !fits(o, state)[0]) continue;
      done[i] = 1;
      const found = dfs(state, left - (o.ret === Infinity ? 0 : 1));
      done[i] = 0;
      return found;
    }
    for (let i = 0; i < n; i++) {
      const o = ops[i]!;
      if (done[i] || o.call > deadline) continue;
      const [ok, next] = fits(o, state);
      if (!ok) continue;
      done[i] = 1;
      const found = dfs(next, left - (o.ret === Infinity ? 0 : 1));
      done[i] = 0;
      if (found !== false) return found;
    }
    return false;
  };
  return dfs(null, ops.filter((o) => o.ret !== Infinity).length);
}
