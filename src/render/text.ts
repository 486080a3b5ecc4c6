/**
 * `protokit show --format text`: a trace step by step — the action, what changed in each node
 * (a diff, not a dump), what was sent, the messages in flight — and the violation at the end.
 */
import pc from 'picocolors';
import { formatAction, formatMessage, type Action } from '../engine/actions.js';
import { describeFaults } from '../engine/faults.js';
import type { Instance } from '../engine/instance.js';
import type { Suite } from '../properties/suite.js';
import type { Trace } from '../trace/format.js';
import type { Envelope, World } from '../engine/world.js';
import { describeLoop } from '../properties/liveness.js';
import { compact, constantFields, describeNetwork, nodeChanges, stateName } from './describe.js';
import { safeLine as s } from './safe-text.js';
import { lassoVerdictLines, type LassoVerdict } from './verdict.js';
import { timelineOf, type MessageLife } from './timeline.js';
import { describeEvidence, type HistoryEvidence } from '../linearizability/evidence.js';
import { historyLanes } from '../linearizability/lanes.js';

export interface TextOptions {
  readonly color?: boolean;
  /** Where the trace's recorded claims differ from what replay reproduced (shown in the header). */
  readonly notes?: readonly string[];
}

export function renderText(suite: Suite, trace: Trace, instance: Instance, worlds: readonly World[], options: TextOptions = {}): string {
  // Colour when the caller asks (the CLI asks when its terminal supports it).
  const c = pc.createColors(options.color === true);
  const out: string[] = [];
  const mutant = trace.mutant ? suite.model.mutants[trace.mutant] : undefined;
  // Every string below that comes from the trace or the suite goes through s() (safeLine): it
  // may hold control characters or line breaks, and each element of `out` is one line.
  out.push(c.bold(`${s(trace.model)}${trace.preset ? ` (preset ${s(trace.preset)})` : ''}${trace.mutant ? `, mutant ${s(trace.mutant)}` : ''}`));
  if (mutant) out.push(`  bug:      ${s(mutant.description)}`);
  out.push(`  config:   ${Object.entries(trace.config).map(([k, v]) => `${s(k)}=${s(String(v))}`).join(' ')}`);
  out.push(`  faults:   ${describeFaults(trace.faults)}`);
  if (trace.violation) {
    const property = suite.properties.find((p) => p.name === trace.violation!.property);
    out.push(`  violates: ${s(trace.violation.property)}${property ? ` — ${s(property.description)}` : ''} (step ${trace.violation.step}, reproduced by replaying)`);
    if (trace.violation.loopStart !== undefined) out.push(`  lasso:    ${describeLoop(trace.violation.loopStart, trace.actions.length)}${trace.violation.kind === 'deadlock' ? ' (a deadlock)' : ''}`);
  }
  for (const note of options.notes ?? []) out.push(`  ${c.yellow('note:')}     ${s(note)}`);
  const o = trace.origin;
  // A validated run is no bug's trace: it is what a real system did, reconstructed (src/validate).
  if (trace.expect === 'pass') out.push(o.command === 'validate' ? '  expects:  no violation (a recorded run of a real system, reconstructed by protokit validate)' : '  expects:  no violation (the trace of a fixed bug: it must keep passing)');
  if (o.command === 'check') {
    out.push(`  found by: protokit check, seed ${o.seed}${o.lengths ? `; ${o.lengths.shrunk} actions after shrinking, ${o.lengths.minimized} after minimising` : ''}`);
  } else if (o.command === 'explore') {
    out.push('  found by: protokit explore (a shortest counterexample)');
  }
  out.push('');

  const ids = instance.nodes.map((n) => s(n.id));
  const width = Math.max(...ids.map((id) => id.length));
  const pad = (id: string) => id.padEnd(width);
  const timeline = timelineOf(worlds, trace.actions as Action[], instance.faults.network);
  /** `n3→n1 RequestVote{…}  (delivered at step 9)`: a message with what became of it. */
  const withFate = (id: number) => {
    const m = timeline.messages[id]!;
    return `${s(m.envelope.from)}→${s(m.envelope.to)} ${s(formatMessage(m.envelope.message))}  ${c.dim(`(${fateOf(m)})`)}`;
  };

  /** Every node of `world`: its state, then its fields (those `shown` keeps), wrapped; `quiet` dims the fields. */
  const nodeRows = (world: World, shown: (i: number, key: string) => boolean, quiet: boolean) => {
    const rows = world.nodes.map((state, i) => {
      // A crashed node holds only what it persisted: all of it is shown.
      const keys = Object.keys(state.context).filter((key) => !state.up || shown(i, key));
      const fields = keys.map((key) => `${s(key)}=${s(compact(state.context[key]))}`);
      return { head: state.up ? s(stateName(state)) : `crashed, ${fields.length ? 'on disk:' : 'nothing on disk'}`, fields };
    });
    const headWidth = Math.max(...rows.map((r) => r.head.length));
    return rows.flatMap(({ head, fields }, i) => {
      const padded = head.padEnd(headWidth);
      return wrap([padded, ...fields], [c.cyan(padded), ...fields.map((f) => (quiet ? c.dim(f) : f))], `      ${pad(ids[i]!)}  `, '  ');
    });
  };

  out.push(c.bold(' 0  initial'));
  out.push(...nodeRows(worlds[0]!, () => true, true));
  timeline.initialInFlight.forEach((id, j) => out.push(`      ${j === 0 ? 'in flight:' : '          '} ${withFate(id)}`));

  const last = trace.violation ? Math.min(trace.violation.step, worlds.length - 1) : worlds.length - 1;
  const loopStart = trace.violation?.loopStart;
  for (let k = 1; k < worlds.length; k++) {
    const action = trace.actions[k - 1] as Action;
    const before = worlds[k - 1]!;
    const after = worlds[k]!;
    const step = timeline.steps[k - 1]!;
    out.push('');
    const inLoop = loopStart !== undefined && k > loopStart;
    out.push(c.bold(`${String(k).padStart(2)}  ${s(formatAction(action))}`) + (inLoop ? c.yellow(`   ↻ loop (steps ${loopStart! + 1}–${trace.actions.length} repeat)`) : ''));
    after.nodes.forEach((state, i) => {
      const changes = nodeChanges(before.nodes[i]!, state, worlds[0]!.nodes[i]).map(s);
      const shown = changes.map((x, j) => (j === 0 && x.includes('→') && !x.includes(':') ? c.cyan(x) : x));
      if (changes.length) out.push(...wrap(changes, shown, `      ${pad(ids[i]!)}  `));
    });
    for (const id of step.sent) out.push(`      ${c.green('sent')} ${withFate(id)}`);
    if (action.type === 'duplicate' && step.message !== null) {
      const copy = step.inFlight[step.inFlight.length - 1]!;
      out.push(`      ${c.green('copy')} ${withFate(copy)}`);
    }
    const observed = after.observations.slice(before.observations.length);
    for (const ob of observed) out.push(`      ${c.magenta('observed')} ${s(formatMessage(ob))}`);
    out.push(`      ${c.dim(inFlightLine(after.network, instance.nodes.map((n) => n.id)))}`);
    if (k === last) {
      out.push('', c.bold(`the world at step ${k}`) + c.dim(' (fields that never change left out):'));
      const constant = constantFields(instance, worlds);
      out.push(...nodeRows(after, (i, key) => !constant[i]!.has(key), false));
      if (after.partition) out.push(`      partition: ${after.partition.map((g) => `{${g.map(s).join(', ')}}`).join(' | ')}`);
    }
    if (trace.violation && trace.violation.step === k) {
      out.push('');
      if (loopStart === undefined) out.push(c.red(c.bold(`✗ step ${k}: ${s(trace.violation.property)} violated — ${s(trace.violation.message)}`)));
      else out.push(...lassoLines(trace.violation, c));
      if (trace.violation.history) out.push('', ...historyLines(trace.violation.history, c));
    }
  }
  if (trace.violation && trace.violation.step === 0 && loopStart !== undefined) out.push(...lassoLines(trace.violation, c));
  else if (trace.violation && trace.violation.step === 0) out.push(c.red(`✗ the initial world violates ${s(trace.violation.property)} — ${s(trace.violation.message)}`));
  if (!trace.violation) out.push('', c.green(`✓ ${trace.actions.length} steps, no property violated`));
  return out.join('\n') + '\n';
}

/**
 * A linearizability violation's evidence: the clients' lanes (the renderer `protokit
 * linearizable` uses), then the longest linearisation and the operations that cannot follow it.
 * Every string from the trace is escaped (safeLine) before it is measured or shown.
 */
function historyLines(history: HistoryEvidence, c: ReturnType<typeof pc.createColors>): string[] {
  // The operations that cannot be placed in red (a bracket from `[✗` to its end).
  const lanes = historyLanes(history, { esc: s, indent: '  ' }).map((line, i) => (i === 0 ? line : line.replace(/[[‹]✗ [^\]>]*[\]>]/g, (m) => c.red(m))));
  return [...lanes, '', ...describeEvidence(history, s).map((line) => `  ${line.startsWith('  ✗') ? c.red(line) : line}`)];
}

/** Lines are wrapped to this many columns (a change or a message is never split). */
const WIDTH = 120;

/**
 * `parts` joined by `separator` after `prefix`, wrapped to WIDTH with continuation lines indented
 * under the first part. `shown` is what prints (the parts with colour); widths come from `parts`.
 */
function wrap(parts: readonly string[], shown: readonly string[], prefix: string, separator = '; '): string[] {
  const indent = ' '.repeat(prefix.length);
  const lines: string[] = [];
  let line = prefix;
  let plain = prefix.length;
  parts.forEach((part, i) => {
    const start = plain === prefix.length && (lines.length > 0 || line === prefix);
    if (!start && plain + separator.length + part.length > WIDTH) {
      lines.push(line + separator.trimEnd());
      line = indent;
      plain = indent.length;
    } else if (!start) {
      line += separator;
      plain += separator.length;
    }
    line += shown[i];
    plain += part.length;
  });
  lines.push(line);
  return lines;
}

/** What became of a message by the end of the trace. */
function fateOf(m: MessageLife): string {
  if (m.deliveredAt.length > 1) return `delivered at steps ${m.deliveredAt.join(', ')}`;
  if (m.deliveredAt.length === 1) return `delivered at step ${m.deliveredAt[0]}`;
  if (m.droppedAt !== null) return `lost at step ${m.droppedAt}`;
  return 'never delivered';
}

/**
 * The messages in flight on one line when they fit; otherwise how many wait for each receiver
 * (each message is listed once, where it was sent, with what became of it).
 */
function inFlightLine(network: readonly Envelope[], ids: readonly string[]): string {
  const listed = `in flight (${network.length}): ${network.length ? describeNetwork(network).map(s).join(', ') : 'none'}`;
  if (6 + listed.length <= WIDTH) return listed;
  const waiting = ids.map((id) => [id, network.filter((e) => e.to === id).length] as const).filter(([, n]) => n > 0);
  return `in flight (${network.length}): ${waiting.map(([id, n]) => `${n} to ${s(id)}`).join(', ')}`;
}

/** A lasso's verdict in red, then (for a deadlock) the ways out, as check and replay print them. */
function lassoLines(v: LassoVerdict, c: ReturnType<typeof pc.createColors>): string[] {
  const [verdict, ...waysOut] = lassoVerdictLines(v);
  return [c.red(c.bold(`✗ ${verdict}`)), ...waysOut.map((line) => `  ${line}`)];
}
