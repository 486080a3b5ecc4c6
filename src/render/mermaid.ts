/**
 * `protokit show --format mermaid`: a trace as a Mermaid `sequenceDiagram`, which renders
 * wherever Markdown renders Mermaid. A participant per node; an arrow per delivered message,
 * from its sender to its receiver, at the step it was delivered; everything else the
 * environment did (events, drops, duplicates, crashes, restarts, partitions) as a note. Every
 * arrow and note starts with its step number, so the diagram and `--format text` line up.
 */
import { formatMessage, type Action } from '../actions.js';
import type { Instance } from '../instance.js';
import type { Trace } from '../trace/format.js';
import type { World } from '../world.js';
import { stateName } from './describe.js';

export function renderMermaid(trace: Trace, instance: Instance, worlds: readonly World[]): string {
  const ids = instance.nodes.map((n) => n.id);
  const alias = new Map(ids.map((id, i) => [id, /^[A-Za-z_]\w*$/.test(id) ? id : `p${i}`]));
  const name = (id: string) => alias.get(id)!;
  const everyone = ids.length > 1 ? `${name(ids[0]!)},${name(ids[ids.length - 1]!)}` : name(ids[0]!);
  const lines: string[] = [];
  lines.push(`%% ${trace.model}${trace.mutant ? `, mutant ${trace.mutant}` : ''}: ${trace.actions.length} steps${trace.violation ? `, violates ${trace.violation.property} at step ${trace.violation.step}` : ''}`);
  lines.push('sequenceDiagram');
  for (const id of ids) lines.push(name(id) === id ? `    participant ${id}` : `    participant ${name(id)} as ${text(id)}`);

  for (let k = 1; k < worlds.length; k++) {
    const action = trace.actions[k - 1] as Action;
    const before = worlds[k - 1]!;
    const after = worlds[k]!;
    /** The receiving node's new state, when this step moved it to another state. */
    const moved = (id: string): string | null => {
      const i = instance.indexOf.get(id)!;
      const from = stateName(before.nodes[i]!);
      const to = stateName(after.nodes[i]!);
      return from === to ? null : to;
    };
    switch (action.type) {
      case 'deliver': {
        lines.push(`    ${name(action.from)}->>${name(action.to)}: ${k}. ${text(formatMessage(action.message))}`);
        const to = moved(action.to);
        if (to) lines.push(`    Note over ${name(action.to)}: → ${text(to)}`);
        break;
      }
      case 'drop':
      case 'duplicate': {
        const verb = action.type === 'drop' ? 'lost' : 'duplicated';
        const span = action.from === action.to ? name(action.from) : `${name(action.from)},${name(action.to)}`;
        lines.push(`    Note over ${span}: ${k}. ${verb}: ${text(formatMessage(action.message))}`);
        break;
      }
      case 'env': {
        const to = moved(action.node);
        lines.push(`    Note over ${name(action.node)}: ${k}. ${text(formatMessage(action.event))}${to ? ` → ${text(to)}` : ''}`);
        break;
      }
      case 'crash':
        lines.push(`    Note over ${name(action.node)}: ${k}. crash`);
        break;
      case 'restart':
        lines.push(`    Note over ${name(action.node)}: ${k}. restart → ${text(moved(action.node) ?? 'running')}`);
        break;
      case 'partition':
        lines.push(`    Note over ${everyone}: ${k}. partition ${text(action.groups.map((g) => `{${g.join(', ')}}`).join(' | '))}`);
        break;
      case 'heal':
        lines.push(`    Note over ${everyone}: ${k}. heal`);
        break;
    }
  }
  const v = trace.violation;
  if (v) {
    lines.push(`    Note over ${everyone}: ✗ step ${v.step}: ${text(v.property)} violated: ${text(v.message)}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Text safe inside a Mermaid message or note: `;` and `#` would end the statement or start an
 * entity, and a line break would end the line.
 */
function text(s: string): string {
  return s.replace(/#/g, '#35;').replace(/;/g, '#59;').replace(/[\r\n]+/g, ' ');
}
