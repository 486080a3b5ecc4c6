/**
 * A refuted history as one self-contained HTML page (no script, no network), after Porcupine's
 * visualisation: a lane per client, each operation a bar from its invocation to its return (to
 * the end, hatched, when its outcome is unknown), in a window that ends where the search got stuck
 * and starts with the last operations linearised before it; the longest linearisation found drawn as a line
 * through its operations in order, numbered; the operations that cannot come next in red, the
 * one that returned before it could be placed outlined; below, the linearisation with the state
 * before and after each operation, and the stuck operations with the state they met.
 * Every string from the history is HTML-escaped.
 */
import type { LinearizabilityResult, PartitionFailure } from './checker.js';
import type { Operation } from './history.js';
import { resolveSpec, type Specification } from './spec.js';

/** HTML-escaped, with control characters shown as `\uXXXX` (never raw in the page). */
function esc(s: string): string {
  return s
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const LANE = 36;
const BAR = 20;
const TOP = 24;
/** Longest lane label shown in full (the whole name is in its tooltip). */
const LABEL_CHARS = 24;

function where(op: Operation): string {
  if (op.lines) return op.lines[1] === null ? `line ${op.lines[0]}, no return` : `lines ${op.lines[0]}–${op.lines[1]}`;
  return `${op.call}–${op.ret === Infinity ? 'end' : op.ret}`;
}

/** The partition's key, when its operations share one (a key-value store's). */
export function partitionKey(failure: PartitionFailure<unknown, unknown, unknown>): string | null {
  const keys = new Set(failure.operations.map((o) => (o.input as { key?: unknown } | null)?.key));
  const [key] = keys;
  return keys.size === 1 && typeof key === 'string' ? key : null;
}

/** How many operations of the linearisation the drawing shows before the point where it got stuck. */
const WINDOW = 12;

/** The drawing, and how many operations that returned before its window it leaves out. */
function diagram<S, I, O>(spec: Specification<S, I, O>, failure: PartitionFailure<S, I, O>): { svg: string; hidden: number } {
  const rs = resolveSpec(spec);
  // A window: from the invocation of the earliest of the stuck operations and the last WINDOW
  // linearised ones; operations that returned before it are left out (the tables list them all).
  const anchors = [...failure.stuck.map((s) => s.op), ...failure.prefix.slice(-WINDOW).map((s) => s.op)];
  const from = Math.min(...anchors.map((o) => o.call));
  // It ends with the return of the operation that could not be placed: nothing later matters.
  const to = failure.deadline.ret;
  const ops = failure.operations.filter((o) => (o.ret === Infinity || o.ret >= from) && o.call <= to);
  // Lanes in the order clients first invoke something.
  const clients = [...new Set([...ops].sort((a, b) => a.call - b.call).map((o) => o.client))];
  const lane = new Map(clients.map((c, i) => [c, i]));
  // Positions compressed to ranks, so the bars are evenly spaced whatever the file's numbering;
  // an invocation before the window is drawn at its left edge.
  const positions = [...new Set(ops.flatMap((o) => [o.call, o.ret]).filter((p) => p >= from && p !== Infinity))].sort((a, b) => a - b);
  const rank = new Map(positions.map((p, i) => [p, i]));
  const end = positions.length;
  const at = (p: number) => (p === Infinity ? end : p < from ? -0.5 : rank.get(p)!);
  // Wide enough to read a short history's labels; a long one scrolls.
  const STEP = Math.max(22, Math.min(64, Math.floor(900 / Math.max(1, end + 1))));
  const LEFT = 16 + 7 * Math.min(LABEL_CHARS, Math.max(...clients.map((c) => c.length)));
  const x = (p: number) => LEFT + at(p) * STEP + STEP / 2;
  const y = (client: string) => TOP + lane.get(client)! * LANE;
  const width = x(Infinity) + STEP * 2;
  const height = TOP + clients.length * LANE + 10;

  const order = new Map(failure.prefix.map((s, k) => [s.op, k + 1]));
  const stuck = new Set(failure.stuck.map((s) => s.op));
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="operations per client">`);
  parts.push('<defs><pattern id="unknown" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="3" height="6" fill="#c8c8c8"/></pattern></defs>');
  clients.forEach((c) => {
    const name = c.length > LABEL_CHARS ? `${c.slice(0, LABEL_CHARS - 1)}…` : c;
    parts.push(`<g><title>${esc(c)}</title><text class="lane-label" x="${LEFT - 10}" y="${y(c) + BAR / 2 + 4}" text-anchor="end">${esc(name)}</text></g>`);
    parts.push(`<line class="lane" x1="${LEFT}" x2="${width - STEP}" y1="${y(c) + BAR / 2}" y2="${y(c) + BAR / 2}"/>`);
  });
  for (const op of ops) {
    const x1 = Math.max(LEFT - 4, x(op.call) - STEP / 2 + 2);
    const x2 = op.ret === Infinity ? x(Infinity) : x(op.ret) + STEP / 2 - 2;
    const k = order.get(op);
    const cls = ['op', k !== undefined ? 'linearized' : '', stuck.has(op) ? 'stuck' : '', op === failure.deadline ? 'deadline' : '', op.outcome === 'unknown' ? 'unknown' : '']
      .filter(Boolean)
      .join(' ');
    const label = rs.describeOperation(op.input, op.output);
    const tip = `client ${op.client}: ${label} (${where(op)})${op.outcome === 'unknown' ? ', outcome unknown' : ''}`;
    parts.push(`<g class="${cls}" data-op="${op.id}"><title>${esc(tip)}</title>`);
    parts.push(`<rect x="${x1}" y="${y(op.client)}" width="${Math.max(4, x2 - x1)}" height="${BAR}" rx="4"/>`);
    const room = Math.floor((x2 - x1 - 6) / 6.5);
    if (room >= 3) parts.push(`<text x="${x1 + 5}" y="${y(op.client) + 14}">${esc(label.length > room ? `${label.slice(0, room - 1)}…` : label)}</text>`);
    parts.push('</g>');
  }
  // The linearisation as points within each operation's interval, in order (greedy earliest point).
  let last = -Infinity;
  const points: [number, number, number][] = [];
  const eps = 0.5 / Math.max(1, failure.prefix.length);
  const drawn = new Set(ops);
  for (const s of failure.prefix) {
    if (!drawn.has(s.op)) continue;
    const p = Math.max(at(s.op.call), last) + eps;
    last = p;
    // On the bar's top edge, so the bar's label stays readable.
    points.push([LEFT + p * STEP + STEP / 2, y(s.op.client) - 1, order.get(s.op)!]);
  }
  if (points.length > 1) parts.push(`<polyline class="linearization" points="${points.map(([px, py]) => `${px.toFixed(1)},${py}`).join(' ')}"/>`);
  for (const [px, py, k] of points) {
    parts.push(`<circle class="point" cx="${px.toFixed(1)}" cy="${py}" r="6.5"/><text class="point-label" x="${px.toFixed(1)}" y="${py + 3.5}" text-anchor="middle">${k}</text>`);
  }
  parts.push('</svg>');
  return { svg: parts.join('\n'), hidden: failure.operations.filter((o) => o.ret !== Infinity && o.ret < from).length };
}

const CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 20px; color: #1d1d1f; background: #fff; }
h1 { font-size: 19px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 22px 0 6px; }
.verdict { color: #b00020; font-weight: 600; } .meta { color: #555; }
.scroll { overflow-x: auto; border: 1px solid #ddd; border-radius: 6px; padding: 6px 0; }
svg text { font: 11px ui-monospace, monospace; fill: #222; }
.lane { stroke: #eee; } .lane-label { font-weight: 600; }
.op rect { fill: #e4e4e4; stroke: #aaa; }
.op.unknown rect { fill: url(#unknown); }
.op.linearized rect { fill: #cfe8d4; stroke: #3a8a4f; }
.op.stuck rect { fill: #ffd5d5; stroke: #c62828; stroke-width: 1.5; }
.op.deadline rect { stroke: #8e0000; stroke-width: 3; }
.linearization { fill: none; stroke: #2e7d32; stroke-width: 2; }
.point { fill: #2e7d32; } .point-label { fill: #fff; font-weight: 700; font-size: 10px; }
table { border-collapse: collapse; } td:last-child { white-space: nowrap; } td, th { padding: 2px 10px 2px 0; text-align: left; vertical-align: top; }
th { color: #555; font-weight: 600; } code { font: 13px ui-monospace, monospace; }
tr.stuck td { color: #b00020; } tr.deadline td { font-weight: 700; }
.legend span { display: inline-block; padding: 0 8px; margin-right: 8px; border-radius: 4px; border: 1px solid #aaa; }
`;

/**
 * Since 0.2.0. The page for a refuted history (the first failing partition), or for another
 * result a page that says what it was.
 */
export function renderLinearizabilityHtml<S, I, O>(title: string, spec: Specification<S, I, O>, result: LinearizabilityResult<S, I, O>): string {
  const rs = resolveSpec(spec);
  const head = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${esc(title)} — protokit linearizability</title>
<style>${CSS}</style>
</head>
<body>
`;
  const failure = result.failing[0];
  if (!failure) {
    const what = result.verdict === 'linearizable' ? 'linearizable' : 'undecided (the step budget or the timeout ran out)';
    return `${head}<h1>${esc(title)}</h1>\n<p>${esc(spec.name)}: ${result.operations} operations, ${what}.</p>\n</body>\n</html>\n`;
  }
  const key = partitionKey(failure as PartitionFailure<unknown, unknown, unknown>);
  const drawing = diagram(spec, failure);
  const state = failure.prefix.length ? failure.prefix[failure.prefix.length - 1]!.after : spec.init();
  const prefixRows = failure.prefix
    .map((s, k) => `<tr class="linearized"><td>${k + 1}</td><td>${esc(s.op.client)}</td><td><code>${esc(rs.describeOperation(s.op.input, s.op.output))}</code></td><td><code>${esc(rs.describeState(s.before))}</code> → <code>${esc(rs.describeState(s.after))}</code></td><td>${esc(where(s.op))}</td></tr>`)
    .join('\n');
  const stuckRows = failure.stuck
    .map((s) => {
      const why = s.allowed ? 'allowed here, but every linearisation after it gets stuck' : 'not allowed in this state';
      const cls = `stuck${s.op === failure.deadline ? ' deadline' : ''}`;
      const note = s.op === failure.deadline ? ' — returned before it could be placed' : '';
      return `<tr class="${cls}" data-op="${s.op.id}"><td>✗</td><td>${esc(s.op.client)}</td><td><code>${esc(rs.describeOperation(s.op.input, s.op.output))}</code></td><td>state <code>${esc(rs.describeState(s.before))}</code>: ${esc(why)}${esc(note)}</td><td>${esc(where(s.op))}</td></tr>`;
    })
    .join('\n');
  return `${head}<h1>${esc(title)}</h1>
<p><span class="verdict">not linearizable</span> <span class="meta">— spec ${esc(spec.name)}; ${result.operations} operations in ${result.partitions} partition${result.partitions === 1 ? '' : 's'}; shown: partition ${failure.partition}${key === null ? '' : ` (key <code>${esc(key)}</code>)`}, ${failure.operations.length} operations</span></p>
<p class="legend"><span style="background:#cfe8d4">linearised, in order</span><span style="background:#ffd5d5">cannot come next</span><span style="border:3px solid #8e0000">returned before it could be placed</span><span style="background:#e4e4e4">not reached</span></p>
${drawing.hidden > 0 ? `<p class="meta" id="window">The drawing starts with the last ${WINDOW} operations of the linearisation: ${drawing.hidden} that returned earlier are left out of it (the table lists them all).</p>\n` : ''}<div class="scroll">
${drawing.svg}
</div>
<h2>Longest linearisation found: ${failure.prefix.length} of ${failure.operations.length} operations</h2>
<table id="prefix"><tr><th>#</th><th>client</th><th>operation</th><th>state before → after</th><th>where</th></tr>
${prefixRows}
</table>
<h2>Then, in state <code>${esc(rs.describeState(state))}</code>, none of these can come next</h2>
<table id="stuck"><tr><th></th><th>client</th><th>operation</th><th>why</th><th>where</th></tr>
${stuckRows}
</table>
</body>
</html>
`;
}
