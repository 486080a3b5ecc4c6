/** Small readable descriptions of node states and their changes, shared by the renderers. */
import { formatMessage } from '../engine/actions.js';
import type { NodeState } from '../engine/node-step.js';
import type { Instance } from '../engine/instance.js';
import type { Envelope, World } from '../engine/world.js';

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
/** An item of a list (a log entry) prints whole up to this, so it reads as one entry, not as fields. */
const WHOLE_ITEM = 60;

/**
 * How a value changed, as a reader wants it: whole when it is short; otherwise down to the
 * parts that changed (`mapTasks[0].running: appended {attempt:1}`), so a long log or table does
 * not print twice to show one new entry. A list of records (a log) always changes by entries:
 * `log: appended {term:3, command:c3.2}`, `log[0]: {term:1, command:a} → {term:2, command:b}`,
 * `log[1…]: {term:2, command:x} → {term:3, command:y}` when a suffix was replaced.
 */
function valueChanges(path: string, a: unknown, b: unknown, whole = WHOLE): string[] {
  const x = compact(a);
  const y = compact(b);
  if (x === y) return [];
  if (a === undefined) return [`${path}: added ${y}`];
  if (b === undefined) return [`${path}: removed (was ${x})`];
  const entries = Array.isArray(a) && Array.isArray(b) && [...a, ...b].some(isRecord);
  if (x.length + y.length < whole && !entries) return [`${path}: ${x} → ${y}`];
  if (Array.isArray(a) && Array.isArray(b)) {
    let common = 0;
    while (common < Math.min(a.length, b.length) && compact(a[common]) === compact(b[common])) common++;
    const items = (list: unknown[]) => list.slice(common).map(compact).join(', ');
    if (common === a.length) return [`${path}: appended ${items(b)}`];
    if (common === b.length) return [`${path}: removed ${items(a)}`];
    if (a.length === b.length) return a.flatMap((item, i) => valueChanges(`${path}[${i}]`, item, b[i], WHOLE_ITEM));
    if (entries) return [`${path}[${common}…]: ${items(a)} → ${items(b)}`];
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

/**
 * Per node, the context fields that keep one value through the whole trace on every node of its
 * role (an id, the peers): renderers set them apart so the fields that move stand out. A field
 * that changes on one node of a role is shown on all of them, so their cards line up.
 */
export function constantFields(instance: Instance, worlds: readonly World[]): ReadonlySet<string>[] {
  const moving = new Map<string, Set<string>>();
  instance.nodes.forEach((spec, i) => {
    const first = worlds[0]!.nodes[i]!.context;
    const keys = moving.get(spec.role) ?? new Set<string>();
    moving.set(spec.role, keys);
    for (const w of worlds) {
      const state = w.nodes[i]!;
      if (!state.up) continue;
      for (const key of Object.keys(state.context)) if (compact(state.context[key]) !== compact(first[key])) keys.add(key);
    }
  });
  return instance.nodes.map((spec, i) => new Set(Object.keys(worlds[0]!.nodes[i]!.context).filter((key) => !moving.get(spec.role)!.has(key))));
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
