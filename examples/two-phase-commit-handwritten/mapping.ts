/**
 * The `--map` module for the hand-written services' logs: each line of their own format, in the
 * two-phase-commit model's terms. The services log what an operator wants (the coordinator its
 * decision, a participant its status), not their whole state: validation compares those fields.
 */
import type { LogLine, Outgoing, Wire } from './wire.js';

/** A wire message as the model's message. */
function message(w: Wire): { type: string; rm?: string } {
  switch (w.kind) {
    case 'PREPARED':
      return { type: 'Prepared', rm: w.rm };
    case 'COMMIT':
      return { type: 'Commit' };
    case 'ABORT':
      return { type: 'Abort' };
  }
}

const EVENTS: Readonly<Record<string, object>> = {
  started: { kind: 'start' },
  recovered: { kind: 'recover' },
  timeout: { kind: 'env', event: { type: 'Timeout' } },
  decide: { kind: 'env', event: { type: 'DecideCommit' } },
  'vote-yes': { kind: 'env', event: { type: 'Prepare' } },
  'vote-no': { kind: 'env', event: { type: 'ChooseToAbort' } },
};

export function map(line: unknown) {
  const l = line as LogLine;
  if (l === null || typeof l !== 'object' || typeof l.node !== 'string') throw new Error('not a line of the 2PC services (no "node")');
  const event = l.what === 'received' ? { kind: 'deliver', id: l.id, from: l.from, message: message(l.msg!) } : EVENTS[l.what];
  if (event === undefined) throw new Error(`unknown "what": ${String(l.what).slice(0, 40)}`);
  const context = l.node === 'tm' ? { decision: l.decision ?? null } : { status: l.status };
  return {
    node: l.node,
    event,
    sends: (l.sent ?? []).map((o: Outgoing) => ({ id: o.id, to: o.to, message: message(o.msg) })),
    state: { context },
  };
}

export default { map, config: { rms: 3 } };
