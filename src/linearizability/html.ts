/**
 * A refuted history in HTML (no script, no network), after Porcupine's visualisation: a lane per
 * client, each operation a bar from its invocation to its return (to the end, hatched, when its
 * outcome is unknown), in a window that ends where the search got stuck and starts with the last
 * operations linearised before it; the longest linearisation found drawn as a line through its
 * operations in order, numbered; the operations that cannot come next in red, the one that
 * returned before it could be placed outlined; below, the linearisation with the state before and
 * after each operation, and the stuck operations with the state they met.
 *
 * It draws from `HistoryEvidence` (evidence.ts), so the same section serves two callers: the page
 * of `protokit linearizable --html` (`renderLinearizabilityHtml`) and the trace viewer of a
 * model's linearizability violation (`historySection`, src/render/html.ts). Every string from the
 * evidence is HTML-escaped, with control characters shown as escapes.
 */
import type { LinearizabilityResult } from './checker.js';
import { evidenceOf, whereOf, windowOf, WINDOW, type HistoryEvidence } from './evidence.js';
import type { Specification } from './spec.js';

/** HTML-escaped, with control characters shown as `\uXXXX` (never raw in the page). */
export function esc(s: string): string {
  return String(s)
    .replace(/[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const LANE = 36;
const BAR = 20;
const TOP = 28;
/** Longest lane label shown in full (the whole name is in its tooltip). */
const LABEL_CHARS = 24;


/** A finite number for a position read from a file (a hostile one is not drawn off the page). */
const finite = (n: number) => (Number.isFinite(n) ? n : 0);

/** The drawing, how many operations that returned before its window it leaves out, and whether it draws one neither linearised nor stuck. */
function diagram(e: HistoryEvidence): { svg: string; hidden: number; unreached: boolean } {
  const win = windowOf(e);
  const from = win.from;
  const ops = win.shown.map((i) => ({ i, o: e.operations[i]! }));
  // Lanes in the order clients first invoke something.
  const clients = [...new Set([...ops].sort((a, b) => a.o.call - b.o.call).map(({ o }) => o.client))];
  const lane = new Map(clients.map((c, i) => [c, i]));
  // Positions compressed to ranks, so the bars are evenly spaced whatever the file's numbering;
  // an invocation before the window is drawn at its left edge.
  const positions = [...new Set(ops.flatMap(({ o }) => [o.call, o.ret]).filter((p): p is number => p !== null && p >= from))].sort((a, b) => a - b);
  const rank = new Map(positions.map((p, i) => [p, i]));
  const end = positions.length;
  const at = (p: number | null) => (p === null ? end : p < from ? -0.5 : rank.get(p)!);
  // Wide enough to read a short history's labels; a long one scrolls.
  const STEP = Math.max(22, Math.min(64, Math.floor(900 / Math.max(1, end + 1))));
  const LEFT = 16 + 7 * Math.min(LABEL_CHARS, Math.max(1, ...clients.map((c) => c.length)));
  const x = (p: number | null) => LEFT + at(p) * STEP + STEP / 2;
  const y = (client: string) => TOP + lane.get(client)! * LANE;
  const width = x(null) + STEP * 2;
  const height = TOP + clients.length * LANE + 10;

  const order = new Map(e.prefix.map((s, k) => [s.op, k + 1]));
  const stuck = new Set(e.stuck.map((s) => s.op));
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${finite(width)}" height="${height}" role="img" aria-label="operations per client">`);
  parts.push('<defs><pattern id="lin-unknown" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="3" height="6" fill="#c8c8c8"/></pattern></defs>');
  clients.forEach((c) => {
    const name = c.length > LABEL_CHARS ? `${c.slice(0, LABEL_CHARS - 1)}…` : c;
    parts.push(`<g><title>${esc(c)}</title><text class="lane-label" x="${LEFT - 10}" y="${y(c) + BAR / 2 + 4}" text-anchor="end">${esc(name)}</text></g>`);
    parts.push(`<line class="lane" x1="${LEFT}" x2="${finite(width - STEP)}" y1="${y(c) + BAR / 2}" y2="${y(c) + BAR / 2}"/>`);
  });
  for (const { i, o: op } of ops) {
    const x1 = Math.max(LEFT - 4, x(op.call) - STEP / 2 + 2);
    const x2 = op.ret === null ? x(null) : x(op.ret) + STEP / 2 - 2;
    const k = order.get(i);
    const cls = ['op', k !== undefined ? 'linearized' : '', stuck.has(i) ? 'stuck' : '', i === e.deadline ? 'deadline' : '', op.outcome === 'unknown' ? 'unknown' : '']
      .filter(Boolean)
      .join(' ');
    const label = op.op;
    const tip = `client ${op.client}: ${label} (${whereOf(op)})${op.outcome === 'unknown' ? ', outcome unknown' : ''}`;
    parts.push(`<g class="${cls}" data-op="${i}"><title>${esc(tip)}</title>`);
    parts.push(`<rect x="${finite(x1)}" y="${y(op.client)}" width="${finite(Math.max(4, x2 - x1))}" height="${BAR}" rx="4"/>`);
    const room = Math.floor((x2 - x1 - 6) / 6.5);
    if (room >= 3) parts.push(`<text x="${finite(x1 + 5)}" y="${y(op.client) + 14}">${esc(label.length > room ? `${label.slice(0, room - 1)}…` : label)}</text>`);
    parts.push('</g>');
  }
  // The linearisation as points within each operation's interval, in order (greedy earliest point).
  let last = -Infinity;
  const points: [number, number, number][] = [];
  const eps = 0.5 / Math.max(1, e.prefix.length);
  const drawn = new Set(win.shown);
  for (const s of e.prefix) {
    if (!drawn.has(s.op)) continue;
    const p = Math.max(at(e.operations[s.op]!.call), last) + eps;
    last = p;
    // Just above the bar, so the bar's label stays readable.
    points.push([LEFT + p * STEP + STEP / 2, y(e.operations[s.op]!.client) - 7, order.get(s.op)!]);
  }
  if (points.length > 1) parts.push(`<polyline class="linearization" points="${points.map(([px, py]) => `${finite(px).toFixed(1)},${py}`).join(' ')}"/>`);
  for (const [px, py, k] of points) {
    parts.push(`<circle class="point" cx="${finite(px).toFixed(1)}" cy="${py}" r="6.5"/><text class="point-label" x="${finite(px).toFixed(1)}" y="${py + 3.5}" text-anchor="middle">${k}</text>`);
  }
  parts.push('</svg>');
  return { svg: parts.join('\n'), hidden: win.hidden, unreached: ops.some(({ i }) => !order.has(i) && !stuck.has(i)) };
}

/** The page's own look (body, headings), for the standalone page only. */
const PAGE_CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 20px; color: #1d1d1f; background: #fff; }
h1 { font-size: 19px; margin: 0 0 4px; }
`;

/** The history section's look, scoped to `.lin-history` so it can sit in another page. */
export const HISTORY_CSS = `
.lin-history h2 { font-size: 16px; margin: 22px 0 6px; } .lin-history h2:first-child { margin-top: 0; }
.lin-history .verdict { color: #b00020; font-weight: 600; } .lin-history .meta { color: #555; }
.lin-history .scroll { overflow-x: auto; border: 1px solid #ddd; border-radius: 6px; padding: 6px 0; background: #fff; }
.lin-history svg text { font: 11px ui-monospace, monospace; fill: #222; }
.lin-history .lane { stroke: #eee; } .lin-history .lane-label { font-weight: 600; }
.lin-history .op rect { fill: #e4e4e4; stroke: #aaa; }
.lin-history .op.unknown rect { fill: url(#lin-unknown); }
.lin-history .op.linearized rect { fill: #cfe8d4; stroke: #3a8a4f; }
.lin-history .op.stuck rect { fill: #ffd5d5; stroke: #c62828; stroke-width: 1.5; }
.lin-history .op.deadline rect { stroke: #8e0000; stroke-width: 3; }
.lin-history .linearization { fill: none; stroke: #2e7d32; stroke-width: 2; }
.lin-history .point { fill: #2e7d32; } .lin-history .point-label { fill: #fff; font-weight: 700; font-size: 10px; }
.lin-history table { border-collapse: collapse; } .lin-history td:last-child { white-space: nowrap; }
.lin-history td, .lin-history th { padding: 2px 10px 2px 0; text-align: left; vertical-align: top; }
.lin-history th { color: #555; font-weight: 600; } .lin-history code { font: 13px ui-monospace, monospace; }
.lin-history tr.stuck td { color: #b00020; } .lin-history tr.deadline td { font-weight: 700; }
.lin-history .legend span { display: inline-block; padding: 0 8px; margin-right: 8px; border-radius: 4px; border: 1px solid #aaa; }
.lin-history .legend .l-lin { background: #cfe8d4; } .lin-history .legend .l-stuck { background: #ffd5d5; }
.lin-history .legend .l-deadline { border: 3px solid #8e0000; } .lin-history .legend .l-other { background: #e4e4e4; }
`;

/**
 * Since 0.2.0. The lanes, the longest linearisation and the stuck operations of one refuted
 * partition, as a `<section class="lin-history">` (style it with HISTORY_CSS).
 */
export function historySection(e: HistoryEvidence, heading = ''): string {
  const drawing = diagram(e);
  const state = e.prefix.length ? e.prefix[e.prefix.length - 1]!.after : e.initial;
  const prefixRows = e.prefix
    .map((s, k) => {
      const o = e.operations[s.op]!;
      return `<tr class="linearized" data-op="${s.op}"><td>${k + 1}</td><td>${esc(o.client)}</td><td><code>${esc(o.op)}</code></td><td><code>${esc(s.before)}</code> → <code>${esc(s.after)}</code></td><td>${esc(whereOf(o))}</td></tr>`;
    })
    .join('\n');
  const stuckRows = e.stuck
    .map((s) => {
      const o = e.operations[s.op]!;
      const why = s.allowed ? 'allowed here, but every linearisation after it gets stuck' : 'not allowed in this state';
      const cls = `stuck${s.op === e.deadline ? ' deadline' : ''}`;
      const note = s.op === e.deadline ? ' — returned before it could be placed' : '';
      return `<tr class="${cls}" data-op="${s.op}"><td>✗</td><td>${esc(o.client)}</td><td><code>${esc(o.op)}</code></td><td>state <code>${esc(s.before)}</code>: ${esc(why)}${esc(note)}</td><td>${esc(whereOf(o))}</td></tr>`;
    })
    .join('\n');
  const shown = `partition ${e.partition}${e.key === null ? '' : ` (key <code>${esc(e.key)}</code>)`}, ${e.operations.length} operations`;
  return `<section class="lin-history" id="lin-history">
${heading}<p><span class="verdict">not linearizable</span> <span class="meta">— spec ${esc(e.spec)}; ${e.total} operations in ${e.partitions} partition${e.partitions === 1 ? '' : 's'}; shown: ${shown}. A lane per client, time left to right, each operation a bar from its invocation to its return.</span></p>
<p class="legend"><span class="l-lin">linearised, in order</span><span class="l-stuck">cannot come next</span><span class="l-deadline">returned before it could be placed</span>${drawing.unreached ? '<span class="l-other">not reached</span>' : ''}</p>
${drawing.hidden > 0 ? `<p class="meta" id="window">The drawing starts with the last ${WINDOW} operations of the linearisation: ${drawing.hidden} that returned earlier are left out of it (the table lists them all).</p>\n` : ''}<div class="scroll">
${drawing.svg}
</div>
<h2>Longest linearisation found: ${e.prefix.length} of ${e.operations.length} operations</h2>
<table id="prefix"><tr><th>#</th><th>client</th><th>operation</th><th>state before → after</th><th>where</th></tr>
${prefixRows}
</table>
<h2>Then, in state <code>${esc(state)}</code>, none of these can come next</h2>
<table id="stuck"><tr><th></th><th>client</th><th>operation</th><th>why</th><th>where</th></tr>
${stuckRows}
</table>
</section>`;
}

/**
 * Since 0.2.0. The page for a refuted history (the first failing partition), or for another
 * result a page that says what it was.
 */
export function renderLinearizabilityHtml<S, I, O>(title: string, spec: Specification<S, I, O>, result: LinearizabilityResult<S, I, O>): string {
  const head = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${esc(title)} — protokit linearizability</title>
<style>${PAGE_CSS}${HISTORY_CSS}</style>
</head>
<body>
`;
  if (!result.failing[0]) {
    const what = result.verdict === 'linearizable' ? 'linearizable' : 'undecided (the step budget or the timeout ran out)';
    return `${head}<h1>${esc(title)}</h1>\n<p>${esc(spec.name)}: ${result.operations} operations, ${what}.</p>\n</body>\n</html>\n`;
  }
  return `${head}<h1>${esc(title)}</h1>
${historySection(evidenceOf(spec, result))}
</body>
</html>
`;
}
