/**
 * The messages of the quorum key-value store, each with its direction. A request id (`rid`)
 * names one phase of one client operation at its coordinator: `<client>.<op>.<phase>`, phase
 * `q` (query a read quorum), `w` (write) or `r` (write back what a get read), so a late answer
 * to an earlier phase is never counted in a later one. `for` is null when the receiver is an
 * owner of the key; a stand-in of a sloppy quorum gets the owner it stands in for, and keeps
 * what it is sent as a hint for that owner.
 */
import type { Clock, Sibling, Version } from './versions.js';

/** Client → coordinator: store `value` under `key`; `context` is what the client last read of `key` (vector versioning). */
export type Put = { type: 'Put'; op: number; key: string; value: string; context: Clock | null };
/** Client → coordinator: read `key`. */
export type Get = { type: 'Get'; op: number; key: string };
/** Coordinator → client: the put is stored on a write quorum, as `version`. */
export type PutOk = { type: 'PutOk'; op: number; key: string; version: Version };
/** Coordinator → client: the newest versions of `key` a read quorum held (more than one: siblings). */
export type GetOk = { type: 'GetOk'; op: number; key: string; siblings: readonly Sibling[] };

/** Coordinator → replica or stand-in: "send me what you hold of `key`". */
export type Read = { type: 'Read'; rid: string; key: string; for: string | null };
/** Replica or stand-in → coordinator: what it holds of `key` (a stand-in: its hint for `for`). */
export type ReadAck = { type: 'ReadAck'; rid: string; key: string; for: string | null; siblings: readonly Sibling[] };
/** Coordinator → replica or stand-in: "store these versions of `key`" (`repair`: a read repair or write-back). */
export type Write = { type: 'Write'; rid: string; key: string; for: string | null; siblings: readonly Sibling[]; repair: boolean };
/** Replica or stand-in → coordinator: stored (on disk, before answering). */
export type WriteAck = { type: 'WriteAck'; rid: string; key: string; for: string | null };

/** Stand-in → owner: the hinted versions of `key`, handed over now that the owner answers. */
export type Handoff = { type: 'Handoff'; key: string; siblings: readonly Sibling[] };
/** Owner → stand-in: stored; the stand-in may drop its hint. */
export type HandoffAck = { type: 'HandoffAck'; key: string; siblings: readonly Sibling[] };

export type Received<M> = M & { from: string };

/** The request id of phase `phase` of operation `op` of `client`. */
export const rid = (client: string, op: number, phase: 'q' | 'w' | 'r'): string => `${client}.${op}.${phase}`;
