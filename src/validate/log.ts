/**
 * The recorded-log format `protokit-log/1` (docs/log-format.md): one NDJSON file per node, or
 * several nodes merged in one file. Line 1 is a header naming the model, its configuration and
 * the node; every other line is one step of one node. This module turns one parsed line into a
 * `LogStep`, checking every field it reads: logs come from other systems and are never trusted.
 */
import type { EventObject } from 'xstate';
import { UsageError } from '../engine/errors.js';
import type { Message } from '../engine/model.js';

export const LOG_FORMAT = 'protokit-log/1';

/** What happened to a node in one step, in the model's terms. */
export type LogEvent =
  /** The node began from its initial state, with no storage. */
  | { readonly kind: 'start' }
  /** The node restarted from its persisted fields (the model's restart, then RECOVER). */
  | { readonly kind: 'recover' }
  /** The node died (written by a harness that knows). */
  | { readonly kind: 'crash' }
  /** A message arrived; `id` is the sender's message id (null: a mapped log that has none). */
  | { readonly kind: 'deliver'; readonly id: string | null; readonly from: string; readonly message: Message }
  /** An environment event the model declares (a timeout, a client request). */
  | { readonly kind: 'env'; readonly event: EventObject };

/** A message a step sent; `id` names it for the receiver's deliver line (null: not logged). */
export interface LoggedSend {
  readonly id: string | null;
  readonly to: string;
  readonly message: Message;
}

/** What a step of a node logged. Every field but `node` and `event` may be absent (not logged). */
export interface LogStep {
  readonly node: string;
  readonly event: LogEvent;
  /** Null: the log does not say what the step sent (not compared). */
  readonly sends: readonly LoggedSend[] | null;
  /** The node's state after the step, possibly partial: only the fields the implementation logs. */
  readonly state: { readonly value?: unknown; readonly context?: Readonly<Record<string, unknown>> } | null;
  readonly fingerprint: string | null;
  readonly persisted: Readonly<Record<string, unknown>> | null;
  /** The step's number in its node's log (1-based, over restarts), or null when not logged. */
  readonly stepNo: number | null;
  /** The vector clock after the step: for each node, the last of its steps this one happened after (own entry = stepNo); null when not logged. */
  readonly vc: Readonly<Record<string, number>> | null;
  /** `file:line`, for messages. */
  readonly where: string;
}

/** The header line of a recorded log. */
export interface LogHeader {
  readonly model: string;
  readonly config: Readonly<Record<string, string | number | boolean>>;
  readonly mutant: string | null;
  /** The node of a per-node file; null in a merged file. */
  readonly node: string | null;
  readonly role: string | null;
  readonly kit: string | null;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function bad(where: string, what: string): never {
  throw new UsageError(`${where}: ${what}`);
}

/** A short identifier (node id, message id, type): a non-empty string of at most 200 characters. */
function identifier(v: unknown, where: string, field: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 200) bad(where, `${field} must be a non-empty string of at most 200 characters`);
  return v;
}

function message(v: unknown, where: string, field: string): Message {
  if (!isObject(v)) bad(where, `${field} must be an object with a "type"`);
  identifier(v.type, where, `${field}.type`);
  return v as Message;
}

export function parseHeader(json: unknown, where: string): LogHeader {
  if (!isObject(json) || json.format !== LOG_FORMAT) {
    const format = isObject(json) ? JSON.stringify(json.format ?? null).slice(0, 60) : 'none';
    bad(where, `not a ${LOG_FORMAT} header (format ${format}); give --map for logs in another format`);
  }
  const model = identifier(json.model, where, 'model');
  const config = json.config ?? {};
  if (!isObject(config) || !Object.values(config).every((v) => ['string', 'number', 'boolean'].includes(typeof v))) bad(where, 'config must be an object of strings, numbers and booleans');
  const optional = (v: unknown, field: string) => (v === undefined || v === null ? null : identifier(v, where, field));
  return {
    model,
    config: config as LogHeader['config'],
    mutant: optional(json.mutant, 'mutant'),
    node: optional(json.node, 'node'),
    role: optional(json.role, 'role'),
    kit: optional(json.kit, 'kit'),
  };
}

function parseEvent(v: unknown, where: string): LogEvent {
  if (!isObject(v)) bad(where, 'event must be an object with a "kind"');
  switch (v.kind) {
    case 'start':
    case 'recover':
    case 'crash':
      return { kind: v.kind };
    case 'deliver':
      return {
        kind: 'deliver',
        id: v.id === undefined || v.id === null ? null : identifier(v.id, where, 'event.id'),
        from: identifier(v.from, where, 'event.from'),
        message: message(v.message, where, 'event.message'),
      };
    case 'env':
      return { kind: 'env', event: message(v.event, where, 'event.event') };
    default:
      return bad(where, `event.kind must be start, recover, crash, deliver or env (got ${JSON.stringify(v.kind ?? null).slice(0, 40)})`);
  }
}

/** The most entries a vector clock may have (one per node of a cluster). */
const MAX_VC_ENTRIES = 10_000;

function parseVc(v: unknown, where: string): Record<string, number> | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) bad(where, 'vc must be an object from node ids to step numbers');
  const entries = Object.entries(v);
  if (entries.length > MAX_VC_ENTRIES) bad(where, `vc has more than ${MAX_VC_ENTRIES} entries`);
  for (const [node, n] of entries) {
    identifier(node, where, 'a vc key');
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) bad(where, `vc.${node.slice(0, 40)} must be a whole number ≥ 0`);
  }
  return v as Record<string, number>;
}

function parseStepNo(v: unknown, where: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) bad(where, 'step must be a whole number ≥ 1');
  return v;
}

function parseSends(v: unknown, where: string): LoggedSend[] | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) bad(where, 'sends must be a list');
  return v.map((s, k) => {
    if (!isObject(s)) bad(where, `sends[${k}] must be an object`);
    return {
      id: s.id === undefined || s.id === null ? null : identifier(s.id, where, `sends[${k}].id`),
      to: identifier(s.to, where, `sends[${k}].to`),
      message: message(s.message, where, `sends[${k}].message`),
    };
  });
}

function parseState(v: unknown, where: string): LogStep['state'] {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) bad(where, 'state must be an object {value?, context?}');
  if (v.context !== undefined && !isObject(v.context)) bad(where, 'state.context must be an object');
  return { ...(v.value !== undefined ? { value: v.value } : {}), ...(v.context !== undefined ? { context: v.context as Json } : {}) };
}

/**
 * A step line (or what a `--map` function returned for a line), checked field by field. `node`
 * is the header's in a per-node file; a line naming another node is refused.
 */
export function parseStep(json: unknown, where: string, headerNode: string | null): LogStep {
  if (!isObject(json)) bad(where, 'a step must be a JSON object');
  const node = json.node === undefined && headerNode !== null ? headerNode : identifier(json.node, where, 'node');
  if (headerNode !== null && node !== headerNode) bad(where, `the step is of node '${node}' in the log of '${headerNode}'`);
  const fingerprint = json.fingerprint;
  if (fingerprint !== undefined && fingerprint !== null && (typeof fingerprint !== 'string' || !/^[0-9a-f]{16}$/.test(fingerprint))) bad(where, 'fingerprint must be 16 hex digits');
  if (json.persisted !== undefined && json.persisted !== null && !isObject(json.persisted)) bad(where, 'persisted must be an object');
  return {
    node,
    event: parseEvent(json.event, where),
    sends: parseSends(json.sends, where),
    state: parseState(json.state, where),
    fingerprint: typeof fingerprint === 'string' ? fingerprint : null,
    persisted: isObject(json.persisted) ? json.persisted : null,
    stepNo: parseStepNo(json.step, where),
    vc: parseVc(json.vc, where),
    where,
  };
}
