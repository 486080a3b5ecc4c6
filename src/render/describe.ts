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

/** What changed between two states of one node: the state name, then each context field that differs. */
export function nodeChanges(before: NodeState, after: NodeState): string[] {
  if (before === after) return [];
  const changes: string[] = [];
  const from = stateName(before);
  const to = stateName(after);
  if (from !== to) changes.push(`${from} → ${to}`);
  if (!after.up) {
    const kept = Object.entries(after.context);
    changes.push(kept.length ? `kept on disk: ${kept.map(([k, v]) => `${k}=${compact(v)}`).join(', ')}` : 'nothing kept on disk');
    return changes;
  }
  const keys = new Set([...Object.keys(before.context), ...Object.keys(after.context)]);
  for (const key of keys) {
    const a = compact(before.context[key]);
    const b = compact(after.context[key]);
    if (a !== b) changes.push(`${key}: ${before.up ? a : '(lost)'} → ${b}`);
  }
  return changes;
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
