/**
 * An in-process network for tests and simulations: every node of one process on one hub.
 * Frames travel as JSON text (so a receiver never shares an object with its sender and sees what
 * a socket would give it), delivered asynchronously in send order. Faults are explicit calls:
 * cut a link, heal it, or inject raw text as if a peer had sent it.
 */
import { parseFrame, type Frame, type Transport } from './transport.js';

/** Since 0.2.0. A hub connecting the in-process transports made from it. */
export interface InProcessNetwork {
  /** A transport on this hub (one per node). */
  transport(): Transport;
  /** Frames between `a` and `b` (both ways) are lost until `heal`. */
  cut(a: string, b: string): void;
  /** Every link works again. */
  heal(): void;
  /** Delivers `text` to node `to` as if it came off the wire (malformed input, for tests). */
  inject(to: string, text: string): void;
  /** Frames sent, and frames lost (to a cut link or to a node not listening). */
  readonly stats: { sent: number; lost: number };
}

/** Since 0.2.0. A new, empty in-process network. */
export function inProcessNetwork(): InProcessNetwork {
  const receivers = new Map<string, (frame: unknown) => void>();
  const cuts = new Set<string>();
  const stats = { sent: 0, lost: 0 };
  const link = (a: string, b: string) => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);

  function arrive(to: string, text: string): void {
    setImmediate(() => {
      const receive = receivers.get(to);
      if (receive === undefined) {
        stats.lost++;
        return;
      }
      receive(parseFrame(text));
    });
  }

  return {
    stats,
    transport() {
      let self: string | null = null;
      return {
        async listen(id, receive) {
          if (receivers.has(id)) throw new Error(`node '${id}' is already listening on this network`);
          self = id;
          receivers.set(id, receive);
        },
        send(frame: Frame) {
          stats.sent++;
          if (self === null || cuts.has(link(frame.from, frame.to))) {
            stats.lost++;
            return;
          }
          arrive(frame.to, JSON.stringify(frame));
        },
        async close() {
          if (self !== null) receivers.delete(self);
          self = null;
        },
      };
    },
    cut: (a, b) => void cuts.add(link(a, b)),
    heal: () => cuts.clear(),
    inject: (to, text) => arrive(to, text),
  };
}
