/** Small readable descriptions of node states and their changes, shared by the renderers. */
import { formatMessage } from '../actions.js';
import type { NodeState } from '../node-step.js';
import type { Envelope } from '../world.js';

/** `{a:1, b:[x, y]}`-style compact text of any value (strings unquoted). */
export function compact(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(compact).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as object).map(([k, v]) => `${k}:${compact(v)}`).join(', ')}}`;
  }
  return String(value);
}

/** The node's state value, dotted for nested states (`leader.replicating`). */
export function stateName(state: NodeState): string {
  if (!state.up) return 'crashed';
  return flatten(state.value);
}

function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}.${flatten(v)}`).join('+');
  }
  return String(value);
}

/**
 * What changed between two states of one node: the state name, then each context field that
 * differs. A restart is told as what it is: what was restored from disk, then what RECOVER
 * changed from there. `fresh` is the node's initial state (a restart begins from it, with the
 * persisted fields restored); without it a restart is shown as a plain diff.
 */
export function nodeChanges(before: NodeState, after: NodeState, fresh?: NodeState): string[] {
  if (before === after) return [];
  const changes: string[] = [];
  const from = stateName(before);
  const to = stateName(after);
  if (from !== to) changes.push(`${from} → ${to}`);
  if (!after.up) {
    const kept = Object.entries(after.context);
    changes.push(kept.length ? `kept on disk: ${fieldList(after.context)}` : 'nothing kept on disk');
    return changes;
  }
  if (!before.up && fresh !== undefined) {
    changes.push(Object.keys(before.context).length ? `restored from disk: ${fieldList(before.context)}` : 'restored from disk: nothing');
    const restarted = { ...fresh.context, ...before.context };
    const recovered = contextChanges(restarted, after.context);
    changes.push(recovered.length ? `after RECOVER: ${recovered.join('; ')}` : 'after RECOVER: no field changed');
    return changes;
  }
  changes.push(...contextChanges(before.context, after.context));
  return changes;
}

/** The names of the context fields whose values differ between two contexts. */
export function changedFields(before: Readonly<Record<string, unknown>>, after: Readonly<Record<string, unknown>>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => compact(before[key]) !== compact(after[key]));
}

function contextChanges(before: Readonly<Record<string, unknown>>, after: Readonly<Record<string, unknown>>): string[] {
  return changedFields(before, after).flatMap((key) => valueChanges(key, before[key], after[key]));
}

/** Values shorter than this print whole (`prepared: [rm1] → [rm1, rm2]`); longer ones as a diff of their parts. */
const WHOLE = 40;

/**
 * How a value changed, as a reader wants it: whole when it is short; otherwise down to the
 * parts that changed (`mapTasks[0].running: appended {attempt:1}`), so a long log or table does
 * not print twice to show one new entry.
 */
function valueChanges(path: string, a: unknown, b: unknown): string[] {
  const x = compact(a);
  const y = compact(b);
  if (x === y) return [];
  if (a === undefined) return [`${path}: added ${y}`];
  if (b === undefined) return [`${path}: removed (was ${x})`];
  if (x.length + y.length < WHOLE) return [`${path}: ${x} → ${y}`];
  if (Array.isArray(a) && Array.isArray(b)) {
    const common = Math.min(a.length, b.length);
    const prefixKept = a.slice(0, common).every((item, i) => compact(item) === compact(b[i]));
    if (prefixKept && b.length > a.length) return [`${path}: appended ${b.slice(common).map(compact).join(', ')}`];
    if (prefixKept && a.length > b.length) return [`${path}: removed ${a.slice(common).map(compact).join(', ')}`];
    if (a.length === b.length) return a.flatMap((item, i) => valueChanges(`${path}[${i}]`, item, b[i]));
  } else if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((key) => valueChanges(`${path}.${key}`, a[key], b[key]));
  }
  return [`${path}: ${x} → ${y}`];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function fieldList(context: Readonly<Record<string, unknown>>): string {
  return Object.entries(context).map(([k, v]) => `${k}=${compact(v)}`).join(', ');
}

/** `rm1→tm Prepared{rm:rm1}`, with `×2` for identical copies. */
export function describeNetwork(network: readonly Envelope[]): string[] {
  const counts = new Map<string, number>();
  for (const e of network) {
    const text = `${e.from}→${e.to} ${formatMessage(e.message)}`;
    counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  return [...counts].map(([text, n]) => (n > 1 ? `${text} ×${n}` : text));
}
