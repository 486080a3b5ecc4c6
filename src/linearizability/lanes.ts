/**
 * A refuted partition as text lanes, for a terminal (`protokit show` of a model's trace, and
 * `protokit linearizable` of one recorded history): a lane per client, time left to right, each
 * operation a bracket from its invocation to its return — `[1 write 1]` linearised first,
 * `[✗ read → 1]` one that cannot be placed after the longest linearisation, `[cas 1→3 → ?···>`
 * one whose outcome is unknown (pending to the end). The window is the HTML drawing's
 * (`windowOf`): it ends where the search got stuck. Positions are compressed to ranks, so only
 * their order shows, as in the drawing.
 *
 * Every string from the evidence goes through `esc` before it is measured (default: control and
 * invisible formatting characters escaped), so a hostile client name cannot move the cursor or
 * misalign the lanes.
 */
import { windowOf, type HistoryEvidence } from './evidence.js';

/** Control characters, DEL, C1 controls and invisible formatting characters, shown as `\uXXXX`. */
function printable(s: string): string {
  return String(s).replace(/[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Lane labels longer than this are cut (with `…`). */
const LABEL_CHARS = 16;
/** The lanes aim to fit this many columns; a column is never narrower than MIN_COLUMN. */
const WIDTH = 150;
const MIN_COLUMN = 3;
const MAX_COLUMN = 24;

function cut(s: string, n: number): string {
  if (n <= 0) return '';
  return s.length <= n ? s : `${s.slice(0, Math.max(0, n - 1))}…`;
}

export interface LanesOptions {
  /** How each string from the evidence is shown (default: control characters escaped). */
  readonly esc?: (s: string) => string;
  /** Indentation of every line. */
  readonly indent?: string;
}

/**
 * Since 0.2.0. The lanes of a refuted partition, one string per line (no colour, no line breaks
 * inside), followed by a legend.
 */
export function historyLanes(e: HistoryEvidence, options: LanesOptions = {}): string[] {
  const esc = (s: string) => printable((options.esc ?? ((x: string) => x))(s));
  const indent = options.indent ?? '';
  const win = windowOf(e);
  const order = new Map(e.prefix.map((s, k) => [s.op, k + 1]));
  const stuck = new Set(e.stuck.map((s) => s.op));
  const ops = win.shown.map((i) => {
    const o = e.operations[i]!;
    const mark = order.has(i) ? `${order.get(i)} ` : stuck.has(i) ? '✗ ' : '';
    return { i, o, label: `${mark}${esc(o.op)}` };
  });
  const clients = [...new Set([...ops].sort((a, b) => a.o.call - b.o.call).map(({ o }) => o.client))];
  const names = new Map(clients.map((c) => [c, cut(esc(c), LABEL_CHARS)]));
  const nameWidth = Math.max(...[...names.values()].map((n) => n.length));
  const positions = [...new Set(ops.flatMap(({ o }) => [o.call, o.ret]).filter((p): p is number => p !== null && p >= win.from))].sort((a, b) => a - b);
  const rank = new Map(positions.map((p, i) => [p, i]));
  const end = positions.length;
  const at = (p: number | null) => (p === null ? end : p < win.from ? 0 : rank.get(p)!);
  // Each gap between consecutive positions as wide as the labels over it need (the deficit of
  // an operation's span goes to its last gap, shortest spans first). When that is wider than
  // WIDTH, labels are cut to the longest length that fits, except those of the operations that
  // cannot be placed: they are the point.
  const span = (o: { call: number; ret: number | null }) => [at(o.call), o.ret === null ? end : at(o.ret)] as const;
  const bySpan = [...ops].sort((a, b) => span(a.o)[1] - span(a.o)[0] - (span(b.o)[1] - span(b.o)[0]));
  const layout = (longest: number) => {
    const gaps = Array.from({ length: end }, () => MIN_COLUMN);
    for (const { i, o, label } of bySpan) {
      const [a, b] = span(o);
      if (b <= a) continue;
      const need = (stuck.has(i) ? label.length : Math.min(label.length, longest)) + 1;
      let room = 0;
      for (let r = a; r < b; r++) room += gaps[r]!;
      if (room < need) gaps[b - 1]! += need - room;
    }
    return gaps;
  };
  const fits = (gaps: number[]) => gaps.reduce((x, y) => x + y, 0) <= WIDTH - nameWidth - 4;
  let gaps = layout(Infinity);
  for (let longest = MAX_COLUMN; !fits(gaps) && longest >= MIN_COLUMN; longest--) gaps = layout(longest);
  const xs = [0];
  for (const g of gaps) xs.push(xs[xs.length - 1]! + g);
  const xOf = (rank: number) => xs[rank]!;

  const lines: string[] = [];
  const hidden = win.hidden > 0 ? `; ${win.hidden} operation${win.hidden === 1 ? '' : 's'} that returned earlier left out` : '';
  const key = e.key === null ? '' : ` (key ${esc(e.key)})`;
  lines.push(`${indent}history of partition ${e.partition}${key}, spec ${esc(e.spec)}: ${e.operations.length} of ${e.total} operations${hidden}; a lane per client, time →`);
  for (const c of clients) {
    // The last position's bracket, then room for the arrow of an operation still pending.
    const row: string[] = Array.from({ length: xOf(end) + 3 }, () => ' ');
    const mine = ops.filter((x) => x.o.client === c);
    mine.forEach(({ o, label }, j) => {
      const x1 = xOf(at(o.call));
      // An operation of unknown outcome runs to the end, or up to the client's next one (after `info`).
      const next = mine[j + 1];
      const x2 = o.ret !== null ? xOf(at(o.ret)) : next ? xOf(at(next.o.call)) - 1 : row.length - 1;
      const inner = Math.max(0, x2 - x1 - 1);
      const text = [...cut(label, inner)];
      row[x1] = o.call < win.from ? '‹' : '[';
      for (let k = 0; k < inner; k++) row[x1 + 1 + k] = k < text.length ? text[k]! : o.ret === null ? '·' : ' ';
      row[x2] = o.ret === null ? '>' : ']';
    });
    lines.push(`${indent}  ${names.get(c)!.padEnd(nameWidth)}  ${row.join('').trimEnd()}`);
  }
  lines.push(`${indent}  [ … ] invocation to return; 1 2 …: the longest linearisation found, in order; ✗: cannot be placed after it; ···>: outcome unknown, pending to the end`);
  return lines;
}
