/**
 * `protokit show --format mermaid`: a trace as a Mermaid `sequenceDiagram`, which renders
 * wherever Markdown renders Mermaid. A participant per node; an arrow per delivered message,
 * from its sender to its receiver, at the step it was delivered; everything else the
 * environment did (events, drops, duplicates, crashes, restarts, partitions) as a note. Every
 * arrow and note starts with its step number, so the diagram and `--format text` line up.
 * What a node observed (a leader elected, an entry committed) is a note over that node, and
 * long labels break over lines (`<br/>`) so the lanes stay close enough to read.
 */
import { formatMessage, type Action } from '../engine/actions.js';
import type { Instance } from '../engine/instance.js';
import type { Trace } from '../trace/format.js';
import type { World } from '../engine/world.js';
import { stateName } from './describe.js';
import { safeLine } from './safe-text.js';

export function renderMermaid(trace: Trace, instance: Instance, worlds: readonly World[]): string {
  const ids = instance.nodes.map((n) => n.id);
  const alias = new Map(ids.map((id, i) => [id, /^[A-Za-z_]\w*$/.test(id) ? id : `p${i}`]));
  const name = (id: string) => alias.get(id)!;
  const everyone = ids.length > 1 ? `${name(ids[0]!)},${name(ids[ids.length - 1]!)}` : name(ids[0]!);
  const out: string[] = [];
  // A comment line: a line break in a name would end it and start a diagram statement.
  out.push(`%% ${safeLine(`${trace.model}${trace.mutant ? `, mutant ${trace.mutant}` : ''}: ${trace.actions.length} steps${trace.violation ? `, violates ${trace.violation.property} at step ${trace.violation.step}` : ''}`)}`);
  out.push('sequenceDiagram');
  for (const id of ids) out.push(name(id) === id ? `    participant ${id}` : `    participant ${name(id)} as ${text(id)}`);

  const loopStart = trace.violation?.loopStart;
  for (let k = 1; k < worlds.length; k++) {
    // A lasso's loop is a Mermaid loop block: steps loopStart+1.. repeat forever.
    if (loopStart !== undefined && k === loopStart + 1) out.push(`    loop ${k === trace.actions.length ? `step ${k} repeats` : `steps ${k}–${trace.actions.length} repeat`} forever`);
    const action = trace.actions[k - 1] as Action;
    const before = worlds[k - 1]!;
    const after = worlds[k]!;
    /** The node's new state, when this step moved it to another state. */
    const moved = (id: string): string | null => {
      const i = instance.indexOf.get(id)!;
      const from = stateName(before.nodes[i]!);
      const to = stateName(after.nodes[i]!);
      return from === to ? null : to;
    };
    // Observations come from the node that took this step (the receiver of a delivery).
    const observed = after.observations.slice(before.observations.length).map((o) => lines(formatMessage(o)));
    const note = (id: string, parts: readonly string[]) => {
      if (parts.length) out.push(`    Note over ${name(id)}: ${parts.join(BR)}`);
    };
    switch (action.type) {
      case 'deliver': {
        out.push(`    ${name(action.from)}->>${name(action.to)}: ${k}. ${lines(formatMessage(action.message))}`);
        const to = moved(action.to);
        note(action.to, [...(to ? [`→ ${text(to)}`] : []), ...observed]);
        break;
      }
      case 'drop':
      case 'duplicate': {
        const verb = action.type === 'drop' ? 'lost' : 'duplicated';
        const span = action.from === action.to ? name(action.from) : `${name(action.from)},${name(action.to)}`;
        out.push(`    Note over ${span}: ${k}. ${verb}: ${lines(formatMessage(action.message))}`);
        break;
      }
      case 'env': {
        const to = moved(action.node);
        note(action.node, [`${k}. ${lines(formatMessage(action.event))}${to ? ` → ${text(to)}` : ''}`, ...observed]);
        break;
      }
      case 'crash':
        note(action.node, [`${k}. crash`, ...observed]);
        break;
      case 'restart':
        note(action.node, [`${k}. restart → ${text(moved(action.node) ?? 'running')}`, ...observed]);
        break;
      case 'partition':
        out.push(`    Note over ${everyone}: ${k}. partition ${text(action.groups.map((g) => `{${g.join(', ')}}`).join(' | '))}`);
        break;
      case 'heal':
        out.push(`    Note over ${everyone}: ${k}. heal`);
        break;
    }
  }
  if (loopStart !== undefined && loopStart < trace.actions.length) out.push('    end');
  const v = trace.violation;
  if (v && loopStart !== undefined && loopStart >= trace.actions.length) {
    out.push(`    Note over ${everyone}: ${text(`from step ${trace.actions.length} on the world stays as it is forever (nothing fair is enabled)`)}`);
  }
  if (v) {
    out.push(`    Note over ${everyone}: ${wrapWords(`✗ step ${v.step}: ${v.property} violated: ${v.message}`).map(text).join(BR)}`);
  }
  return out.join('\n') + '\n';
}

/** A line break inside a Mermaid message or note. */
const BR = '<br/>';
/** Labels break after this many characters (at a field, or a word), so lanes stay close. */
const LINE = 48;

/**
 * A message or event, broken between its fields when it is long:
 * `AppendEntries{term:4, leaderId:n2,<br/>entries:[{term:2, command:c2.1}]}`. A field that is
 * itself too long breaks between its own parts, one level down; an entry is never split when
 * it fits.
 */
function lines(formatted: string): string {
  return joinLines(pieces(formatted), ' ').map(text).join(BR);
}

/**
 * `s` cut after each `,` between its own fields (one bracket level in); a piece still longer
 * than a line is cut the same way inside, down to a few levels.
 */
function pieces(s: string, nesting = 0): string[] {
  if (s.length <= LINE || nesting > 3) return [s];
  const out: string[] = [];
  let level = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '{' || ch === '[') level++;
    else if (ch === '}' || ch === ']') level--;
    else if (ch === ',' && level === 1 && s[i + 1] === ' ') {
      out.push(s.slice(start, i + 1));
      start = i + 2;
    } else if (ch === ',' && level === 1 && (s[i + 1] === '[' || s[i + 1] === '{')) {
      // Values printed without spaces (a list of pairs, [["be",6],["do",5]]) break between items too.
      out.push(s.slice(start, i + 1));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  if (out.length === 1) return out;
  return out.flatMap((piece) => pieces(piece, nesting + 1));
}

/** Prose (a violation's message) broken at spaces; a word longer than a line (a value printed whole) between its items. */
function wrapWords(prose: string): string[] {
  const out: string[] = [];
  for (const word of prose.split(' ')) {
    (word.length > LINE ? pieces(word) : [word]).forEach((part, k) => {
      const last = out[out.length - 1];
      const separator = k === 0 ? ' ' : '';
      if (last !== undefined && last.length + separator.length + part.length <= LINE) out[out.length - 1] = last + separator + part;
      else out.push(part);
    });
  }
  return out;
}

function joinLines(parts: readonly string[], separator: string): string[] {
  const out: string[] = [];
  for (const part of parts) {
    const lastLine = out[out.length - 1];
    if (lastLine !== undefined && lastLine.length + separator.length + part.length <= LINE) out[out.length - 1] = lastLine + separator + part;
    else out.push(part);
  }
  return out;
}

/** Characters that mean something inside a Mermaid label, and the entity codes that show them. */
const ENTITY: Readonly<Record<string, string>> = { '#': '#35;', ';': '#59;', '<': '#60;', '>': '#62;' };

/**
 * Text safe inside a Mermaid message or note: `;` would end the statement, `#` start an entity,
 * `<` and `>` an HTML tag, a line break end the line; each becomes its entity code in one pass
 * (so `before#after` renders as written), and control characters are shown escaped.
 */
export function text(s: string): string {
  return safeLine(s).replace(/[#;<>]/g, (ch) => ENTITY[ch]!);
}
