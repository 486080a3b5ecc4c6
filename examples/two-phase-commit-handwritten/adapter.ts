/**
 * The conformance adapter of the hand-written services (src/testgen/conformance.ts): model events
 * in, calls of the services out, their sends and the state they show back in the model's terms.
 * `adapterFor(bugs)` drives a variant with planted bugs; the default export the correct services.
 */
import type { EventObject } from 'xstate';
import type { ConformanceAdapter, Params, SentMessage } from '../../src/index.js';
import type { Bugs } from './bugs.js';
import { Coordinator } from './coordinator.js';
import { map } from './mapping.js';
import { Participant } from './participant.js';
import { Storage, type Outgoing, type Wire } from './wire.js';

function wire(event: EventObject): Wire {
  if (event.type === 'Prepared') return { kind: 'PREPARED', rm: (event as unknown as { rm: string }).rm };
  return event.type === 'Commit' ? { kind: 'COMMIT' } : { kind: 'ABORT' };
}

const toModel = (sent: readonly Outgoing[]): SentMessage[] =>
  (map({ node: 'x', what: 'started', sent }).sends as { to: string; message: SentMessage['message'] }[]).map(({ to, message }) => ({ to, message }));

export function adapterFor(bugs: Bugs = {}): ConformanceAdapter {
  let id = '';
  let rms: string[] = [];
  let storage = new Storage();
  let outbox: Outgoing[] = [];
  let service: Coordinator | Participant;
  let n = 0;
  const start = (recovering: boolean) => {
    const env = { log: () => {}, send: (o: Outgoing) => outbox.push(o) };
    service = id === 'tm' ? new Coordinator(id, rms, storage, env, bugs, recovering) : new Participant(id, 'tm', storage, env, bugs, recovering);
  };
  const drain = () => {
    const sent = toModel(outbox);
    outbox = [];
    return sent;
  };
  return {
    init(nodeId: string, config: Params) {
      id = nodeId;
      rms = Array.from({ length: Number(config.rms) }, (_, i) => `rm${i + 1}`);
      storage = new Storage();
      outbox = [];
      start(false);
    },
    deliver(event: EventObject) {
      const from = (event as { from?: string }).from;
      if (from !== undefined) service.receive(from, `${from}:0:${++n}`, wire(event));
      else if (service instanceof Coordinator) {
        if (event.type === 'DecideCommit') service.decide();
        else if (event.type === 'Timeout') service.timeout();
      } else if (event.type === 'Prepare') service.voteYes();
      else if (event.type === 'ChooseToAbort') service.voteNo();
      else if (event.type === 'Timeout') service.timeout();
      return drain();
    },
    state() {
      return service instanceof Coordinator ? { decision: service.current } : { status: service.current };
    },
    restart() {
      outbox = [];
      start(true);
      return drain();
    },
  };
}

export default adapterFor();
