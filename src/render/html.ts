/**
 * `protokit show --format html`: one self-contained HTML file (no network, no CDN) to read a
 * trace in a browser: a space-time diagram (a lane per node, time flowing down, an arrow per
 * message from its send to its delivery, crashes and partitions marked), a step slider and
 * keyboard stepping, and for the selected step every node's state and context and the
 * messages in flight, with the violated property highlighted at its step.
 *
 * The page is the viewer (viewer/viewer.js and viewer.css, inlined) plus the trace as JSON
 * data, prepared here so the page only draws.
 */
import { readFileSync } from 'node:fs';
import { formatAction, formatMessage, type Action } from '../engine/actions.js';
import { describeFaults } from '../engine/faults.js';
import type { Instance } from '../engine/instance.js';
import type { Suite } from '../properties/suite.js';
import type { Trace } from '../trace/format.js';
import type { World } from '../engine/world.js';
import { changedFields, compact, constantFields, nodeChanges, stateName } from './describe.js';
import { timelineOf } from './timeline.js';
import { historySection, HISTORY_CSS } from '../linearizability/html.js';

/** What the page draws; the contract between this module and viewer.js. */
export interface ViewerData {
  readonly title: string;
  readonly facts: readonly { readonly label: string; readonly text: string }[];
  readonly nodes: readonly { readonly id: string; readonly role: string }[];
  /** steps[0] is the initial world; steps[k] follows the k-th action. */
  readonly steps: readonly ViewerStep[];
  readonly messages: readonly ViewerMessage[];
  /** Steps where a partition began and where it was healed (null: never in this trace). */
  readonly partitions: readonly { readonly from: number; readonly to: number | null; readonly text: string }[];
  /** Steps where a node went down and came back (null: never in this trace). */
  readonly downtimes: readonly { readonly node: string; readonly from: number; readonly to: number | null }[];
  readonly violation: { readonly property: string; readonly description: string; readonly message: string; readonly step: number; readonly loopStart?: number } | null;
}

export interface ViewerStep {
  readonly step: number;
  /** The action as one line (`deliver rm1→tm Prepared{rm:rm1}`); `initial` for step 0. */
  readonly text: string;
  readonly kind: Action['type'] | 'initial';
  /** The node the action happened at (env, crash, restart), for the diagram's marker. */
  readonly node: string | null;
  readonly label: string;
  readonly nodes: readonly ViewerNode[];
  readonly sent: readonly string[];
  readonly observed: readonly string[];
  readonly inFlight: readonly string[];
}

export interface ViewerNode {
  readonly id: string;
  readonly up: boolean;
  readonly state: string;
  /** `changed`: at this step; `constant`: the field has one value through the whole trace. */
  readonly fields: readonly { readonly key: string; readonly value: string; readonly changed: boolean; readonly constant: boolean }[];
  /** What this step changed, in words (empty when nothing changed). */
  readonly changes: readonly string[];
}

export interface ViewerMessage {
  readonly id: number;
  readonly from: string;
  readonly to: string;
  readonly type: string;
  readonly text: string;
  readonly sentAt: number;
  readonly deliveredAt: readonly number[];
  readonly droppedAt: number | null;
  readonly copyOf: number | null;
}

export function viewerData(suite: Suite, trace: Trace, instance: Instance, worlds: readonly World[]): ViewerData {
  const actions = trace.actions as Action[];
  const timeline = timelineOf(worlds, actions, instance.faults.network);
  const text = (id: number) => {
    const e = timeline.messages[id]!.envelope;
    return `${e.from}→${e.to} ${formatMessage(e.message)}`;
  };
  const mutant = trace.mutant ? suite.model.mutants[trace.mutant] : undefined;
  const property = trace.violation ? suite.properties.find((p) => p.name === trace.violation!.property) : undefined;

  const constant = constantFields(instance, worlds);
  const steps: ViewerStep[] = worlds.map((world, k) => {
    const before = k === 0 ? null : worlds[k - 1]!;
    const action = k === 0 ? null : actions[k - 1]!;
    const nodes = instance.nodes.map((spec, i): ViewerNode => {
      const state = world.nodes[i]!;
      const previous = before?.nodes[i];
      const changed = new Set(previous ? changedFields(previous.context, state.context) : []);
      return {
        id: spec.id,
        up: state.up,
        state: stateName(state),
        fields: Object.entries(state.context).map(([key, value]) => ({ key, value: compact(value), changed: changed.has(key), constant: constant[i]!.has(key) })),
        changes: previous ? nodeChanges(previous, state, worlds[0]!.nodes[i]) : [],
      };
    });
    const inFlight = k === 0 ? timeline.initialInFlight : timeline.steps[k - 1]!.inFlight;
    return {
      step: k,
      text: action ? formatAction(action) : 'initial',
      kind: action ? action.type : 'initial',
      node: action && 'node' in action ? action.node : null,
      label: action ? labelOf(action) : '',
      nodes,
      sent: k === 0 ? timeline.initialInFlight.map(text) : timeline.steps[k - 1]!.sent.map(text),
      observed: (before ? world.observations.slice(before.observations.length) : world.observations).map((o) => formatMessage(o)),
      inFlight: inFlight.map(text),
    };
  });

  return {
    title: `${trace.model}${trace.preset ? ` (preset ${trace.preset})` : ''}${trace.mutant ? `, mutant ${trace.mutant}` : ''}`,
    facts: [
      ...(mutant ? [{ label: 'bug', text: mutant.description }] : []),
      { label: 'config', text: Object.entries(trace.config).map(([k, v]) => `${k}=${v}`).join(' ') || 'defaults' },
      { label: 'faults', text: describeFaults(trace.faults) },
      ...(trace.origin.lengths ? [{ label: 'found by', text: `protokit ${trace.origin.command}, seed ${trace.origin.seed}; ${trace.origin.lengths.minimized} actions after minimising (${trace.origin.lengths.shrunk} after shrinking)` }] : []),
    ],
    nodes: instance.nodes.map((n) => ({ id: n.id, role: n.role })),
    steps,
    messages: timeline.messages.map((m) => ({
      id: m.id,
      from: m.envelope.from,
      to: m.envelope.to,
      type: m.envelope.message.type,
      text: text(m.id),
      sentAt: m.sentAt,
      deliveredAt: m.deliveredAt,
      droppedAt: m.droppedAt,
      copyOf: m.copyOf,
    })),
    partitions: intervals(actions, (a) => (a.type === 'partition' ? a.groups.map((g) => `{${g.join(', ')}}`).join(' | ') : null), (a) => a.type === 'heal').map(
      ([from, to, label]) => ({ from, to, text: label }),
    ),
    downtimes: instance.nodes.flatMap((n) =>
      intervals(actions, (a) => (a.type === 'crash' && a.node === n.id ? n.id : null), (a) => a.type === 'restart' && a.node === n.id).map(([from, to]) => ({ node: n.id, from, to })),
    ),
    // The history is drawn as markup by the page's builder (historySection), not by viewer.js.
    violation: trace.violation && { ...withoutHistory(trace.violation), description: property?.description ?? '' },
  };
}

function withoutHistory(v: NonNullable<Trace['violation']>): Omit<NonNullable<Trace['violation']>, 'history'> {
  const { history: _, ...rest } = v;
  return rest;
}

/** The short label the diagram writes next to an action's marker. */
function labelOf(action: Action): string {
  switch (action.type) {
    case 'env':
      return action.event.type;
    case 'crash':
    case 'restart':
    case 'heal':
      return action.type;
    case 'partition':
      return 'partition';
    default:
      return action.message.type;
  }
}

/** [start step, end step or null, label] for each stretch between an opening and a closing action. */
function intervals(actions: readonly Action[], opens: (a: Action) => string | null, closes: (a: Action) => boolean): [number, number | null, string][] {
  const found: [number, number | null, string][] = [];
  let open: [number, string] | null = null;
  for (let i = 0; i < actions.length; i++) {
    const label = opens(actions[i]!);
    if (open === null && label !== null) open = [i + 1, label];
    else if (open !== null && closes(actions[i]!)) {
      found.push([open[0], i + 1, open[1]]);
      open = null;
    }
  }
  if (open !== null) found.push([open[0], null, open[1]]);
  return found;
}

const asset = (name: string) => readFileSync(new URL(`./viewer/${name}`, import.meta.url), 'utf8');

/** JSON safe inside a <script> element: no `</script>`, no `<!--`. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function renderHtml(suite: Suite, trace: Trace, instance: Instance, worlds: readonly World[]): string {
  const data = viewerData(suite, trace, instance, worlds);
  // A linearizability violation: the clients' lanes (the page `protokit linearizable --html`
  // draws), built here as escaped markup; viewer.js moves it under the header, above the diagram.
  const history = trace.violation?.history
    ? `<div class="history-box" id="history">\n${historySection(trace.violation.history, `<h2>The clients' history at step ${trace.violation.step}</h2>\n`)}\n</div>\n`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(data.title)} — protokit trace</title>
<style>
${asset('viewer.css')}${history ? HISTORY_CSS : ''}</style>
</head>
<body>
<noscript>This trace viewer needs JavaScript; <code>protokit show --format text</code> prints the same trace as text.</noscript>
${history}<script type="application/json" id="trace-data">${scriptJson(data)}</script>
<script>
${asset('viewer.js')}</script>
</body>
</html>
`;
}
