/**
 * Checking what arrives off the wire before a machine sees it. protokit's models declare no
 * message schema, so the default check is structural: a frame is an object with a string id,
 * a sender that is a node of the cluster, this node as receiver, and a message that is a plain
 * JSON object whose `type` is one the receiving role's machine handles and that is not an
 * environment event (a peer cannot make a node time out). A role may add its own check of the
 * fields (`checkMessage` in the node options; the raft-kv example passes zod schemas).
 */
import type { Message } from '../engine/model.js';
import type { Frame } from './transport.js';

/** A received frame that passed the check. */
export interface CheckedFrame extends Frame {
  readonly message: Message;
}

export interface FrameRules {
  readonly self: string;
  readonly nodes: ReadonlySet<string>;
  /** Message types the receiver's machine takes from peers. */
  readonly messageTypes: ReadonlySet<string>;
  /** Longest accepted id and node name, in characters. */
  readonly maxIdLength?: number;
}

/** The frame, checked; or one line saying what is wrong with it. */
export function checkFrame(frame: unknown, rules: FrameRules): CheckedFrame | string {
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) return 'not a JSON object';
  const f = frame as Record<string, unknown>;
  const maxId = rules.maxIdLength ?? 200;
  if (typeof f.id !== 'string' || f.id.length === 0 || f.id.length > maxId) return 'no message id';
  if (typeof f.from !== 'string' || !rules.nodes.has(f.from)) return 'sender is not a node of the cluster';
  if (f.from === rules.self) return 'sender is this node';
  if (f.to !== rules.self) return 'addressed to another node';
  if (f.vc !== undefined && !isVectorClock(f.vc, rules.nodes)) return 'malformed vector clock';
  const m = f.message;
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'message is not an object';
  const type = (m as { type?: unknown }).type;
  if (typeof type !== 'string') return 'message has no type';
  if (!rules.messageTypes.has(type)) return `unknown message type`;
  if (Object.hasOwn(m, 'from')) return "message carries its own 'from'";
  return f as unknown as CheckedFrame;
}

function isVectorClock(vc: unknown, nodes: ReadonlySet<string>): boolean {
  if (typeof vc !== 'object' || vc === null || Array.isArray(vc)) return false;
  return Object.entries(vc).every(([k, v]) => nodes.has(k) && Number.isSafeInteger(v) && (v as number) >= 0);
}

/**
 * The message types a role takes from peers: every event its machine handles, less RECOVER,
 * xstate's own events, and the environment events (given: the model's fairness and exploration
 * declarations and the node's timers name them).
 */
export function messageTypesOf(machineEvents: readonly string[], environmentTypes: ReadonlySet<string>): Set<string> {
  return new Set(machineEvents.filter((t) => t !== 'RECOVER' && !t.startsWith('xstate.') && !t.startsWith('@') && !environmentTypes.has(t)));
}

/** Text from the wire made safe for a log line: no control characters, bounded length. */
export function printable(text: string, max = 120): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
