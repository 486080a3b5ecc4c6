/**
 * The environment is data: every way the world can move is one of these actions.
 * They are stored as they are in traces, so their shape is part of the trace format.
 */
import type { EventObject } from 'xstate';
import type { Message } from './model.js';

export type Action =
  /** The network hands a message to its receiver. */
  | { readonly type: 'deliver'; readonly from: string; readonly to: string; readonly message: Message }
  /** The network loses a message. */
  | { readonly type: 'drop'; readonly from: string; readonly to: string; readonly message: Message }
  /** The network delivers a message twice: a copy joins the in-flight messages. */
  | { readonly type: 'duplicate'; readonly from: string; readonly to: string; readonly message: Message }
  /** An environment event reaches a node: a timeout, a client request, a local decision. */
  | { readonly type: 'env'; readonly node: string; readonly event: EventObject }
  /** A node stops; only its persisted context survives. */
  | { readonly type: 'crash'; readonly node: string }
  /** A crashed node starts again from its persisted context. */
  | { readonly type: 'restart'; readonly node: string }
  /** The network splits into groups that cannot reach each other. */
  | { readonly type: 'partition'; readonly groups: readonly (readonly string[])[] }
  /** The partition ends. */
  | { readonly type: 'heal' };

export type ActionType = Action['type'];

/** The order in which `enabledActions` lists action types. */
export const ACTION_ORDER: readonly ActionType[] = ['deliver', 'env', 'drop', 'duplicate', 'crash', 'restart', 'partition', 'heal'];

/** `{type:'Prepared', rm:'rm1'}` → `Prepared{rm:rm1}` */
export function formatMessage(message: Readonly<Record<string, unknown>>): string {
  const { type, ...fields } = message;
  const body = Object.entries(fields)
    .map(([k, v]) => `${k}:${formatValue(v)}`)
    .join(', ');
  return body ? `${String(type)}{${body}}` : String(type);
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${v.map(formatValue).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v).map(([k, x]) => `${k}:${formatValue(x)}`).join(', ')}}`;
  }
  return String(v);
}

/** One readable line: `deliver rm1→tm Prepared{rm:rm1}`, `crash rm2`, `env tm Timeout`. */
export function formatAction(action: Action): string {
  switch (action.type) {
    case 'deliver':
    case 'drop':
    case 'duplicate':
      return `${action.type} ${action.from}→${action.to} ${formatMessage(action.message)}`;
    case 'env':
      return `${action.node}: ${formatMessage(action.event)}`;
    case 'crash':
    case 'restart':
      return `${action.type} ${action.node}`;
    case 'partition':
      return `partition ${action.groups.map((g) => `{${g.join(',')}}`).join(' | ')}`;
    case 'heal':
      return 'heal';
  }
}
