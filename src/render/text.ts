/**
 * `protokit show --format text`: a trace step by step — the action, what changed in each node
 * (a diff, not a dump), what was sent, the messages in flight — and the violation at the end.
 */
import pc from 'picocolors';
import { formatAction, formatMessage, type Action } from '../actions.js';
import { describeFaults } from '../faults.js';
import type { Instance } from '../instance.js';
import type { Suite } from '../suite.js';
import type { Trace } from '../trace/format.js';
import type { World } from '../world.js';
import { compact, describeNetwork, nodeChanges, stateName } from './describe.js';
import { timelineOf } from './timeline.js';

export interface TextOptions {
  readonly color?: boolean;
}

export function renderText(suite: Suite, trace: Trace, instance: Instance, worlds: readonly World[], options: TextOptions = {}): string {
  const c = options.color ? pc : pc.createColors(false);
  const out: string[] = [];
  const mutant = trace.mutant ? suite.model.mutants[trace.mutant] : undefined;
  out.push(c.bold(`${trace.model}${trace.preset ? ` (preset ${trace.preset})` : ''}${trace.mutant ? `, mutant ${trace.mutant}` : ''}`));
  if (mutant) out.push(`  bug:      ${mutant.description}`);
  out.push(`  config:   ${Object.entries(trace.config).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  out.push(`  faults:   ${describeFaults(trace.faults)}`);
  if (trace.violation) {
    const property = suite.properties.find((p) => p.name === trace.violation!.property);
    out.push(`  violates: ${trace.violation.property}${property ? ` — ${property.description}` : ''} (step ${trace.violation.step})`);
  }
  if (trace.expect === 'pass') out.push(`  expects:  no violation (the trace of a fixed bug: it must keep passing)`);
  const o = trace.origin;
  if (o.command === 'check') {
    out.push(`  found by: protokit check, seed ${o.seed}${o.lengths ? `; ${o.lengths.shrunk} actions after shrinking, ${o.lengths.minimized} after minimising` : ''}`);
  } else if (o.command === 'explore') {
    out.push('  found by: protokit explore (a shortest counterexample)');
  }
  out.push('');

  const ids = instance.nodes.map((n) => n.id);
  const width = Math.max(...ids.map((id) => id.length));
  out.push(c.bold(' 0  initial'));
  worlds[0]!.nodes.forEach((state, i) => {
    out.push(`      ${ids[i]!.padEnd(width)}  ${c.cyan(stateName(state))}  ${c.dim(compact(state.context))}`);
  });
  describeNetwork(worlds[0]!.network).forEach((m, j) => out.push(`      ${j === 0 ? 'in flight:' : '          '} ${m}`));

  const timeline = timelineOf(worlds, trace.actions as Action[], instance.faults.network);
  for (let k = 1; k < worlds.length; k++) {
    const action = trace.actions[k - 1] as Action;
    const before = worlds[k - 1]!;
    const after = worlds[k]!;
    out.push('');
    out.push(c.bold(`${String(k).padStart(2)}  ${formatAction(action)}`));
    after.nodes.forEach((state, i) => {
      const changes = nodeChanges(before.nodes[i]!, state, worlds[0]!.nodes[i]);
      if (changes.length) out.push(`      ${ids[i]!.padEnd(width)}  ${changes.map((x, j) => (j === 0 && x.includes('→') && !x.includes(':') ? c.cyan(x) : x)).join('; ')}`);
    });
    const sent = timeline.steps[k - 1]!.sent.map((id) => timeline.messages[id]!.envelope);
    for (const e of sent) out.push(`      ${c.green('sent')} ${e.from}→${e.to} ${formatMessage(e.message)}`);
    const observed = after.observations.slice(before.observations.length);
    for (const ob of observed) out.push(`      ${c.magenta('observed')} ${formatMessage(ob)}`);
    const inFlight = describeNetwork(after.network);
    out.push(`      ${c.dim(`in flight (${after.network.length}): ${inFlight.length ? inFlight.join(', ') : 'none'}`)}`);
    if (trace.violation && trace.violation.step === k) {
      out.push('');
      out.push(c.red(c.bold(`✗ step ${k}: ${trace.violation.property} violated — ${trace.violation.message}`)));
    }
  }
  if (trace.violation && trace.violation.step === 0) out.push(c.red(`✗ the initial world violates ${trace.violation.property} — ${trace.violation.message}`));
  if (!trace.violation) out.push('', c.green(`✓ ${trace.actions.length} steps, no property violated`));
  return out.join('\n') + '\n';
}
