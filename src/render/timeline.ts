/**
 * A replayed trace as a timeline: which message each send, delivery, drop and duplicate is
 * about. Worlds only hold the messages in flight; the renderers that draw an arrow from a send
 * to its delivery (mermaid, html) need each message's identity across steps, which this module
 * follows by matching envelopes the same way the network does (the first identical one).
 */
import type { Action } from '../engine/actions.js';
import type { NetworkSemantics } from '../engine/faults.js';
import { envelopeKey, type Envelope, type World } from '../engine/world.js';

/** One message from the moment it was sent (or copied) until it was delivered, dropped or the trace ended. */
export interface MessageLife {
  /** 0, 1, 2, … in order of sending. */
  readonly id: number;
  readonly envelope: Envelope;
  /** The step whose action sent it (0: sent by a node's initial state). */
  readonly sentAt: number;
  /** Set for the copy a `duplicate` action made: the id of the message it copies. */
  readonly copyOf: number | null;
  /** Steps that delivered it (more than one only with `set` semantics, where delivery does not consume). */
  readonly deliveredAt: number[];
  /** The step that lost it, or null. */
  droppedAt: number | null;
}

export interface TimelineStep {
  /** 1 for the first action. */
  readonly step: number;
  readonly action: Action;
  /** The message this action delivers, drops or duplicates (null for other actions). */
  readonly message: number | null;
  /** Messages this step sent, in send order (a duplicate's copy is not a send). */
  readonly sent: readonly number[];
  /** Messages in flight after this step, in network order. */
  readonly inFlight: readonly number[];
}

export interface Timeline {
  readonly messages: readonly MessageLife[];
  /** Messages in flight in the initial world. */
  readonly initialInFlight: readonly number[];
  readonly steps: readonly TimelineStep[];
}

/** Follows every message through `worlds` (worlds[k] after actions[k-1]). */
export function timelineOf(worlds: readonly World[], actions: readonly Action[], network: NetworkSemantics): Timeline {
  const messages: MessageLife[] = [];
  const born = (envelope: Envelope, sentAt: number, copyOf: number | null): number => {
    messages.push({ id: messages.length, envelope, sentAt, copyOf, deliveredAt: [], droppedAt: null });
    return messages.length - 1;
  };
  let inFlight = worlds[0]!.network.map((e) => born(e, 0, null));
  const initialInFlight = inFlight;
  const steps: TimelineStep[] = [];
  for (let k = 1; k < worlds.length; k++) {
    const action = actions[k - 1]!;
    const after = worlds[k]!;
    let message: number | null = null;
    let kept = inFlight;
    if (action.type === 'deliver' || action.type === 'drop' || action.type === 'duplicate') {
      const key = envelopeKey(action);
      const at = inFlight.findIndex((id) => envelopeKey(messages[id]!.envelope) === key);
      if (at >= 0) {
        message = inFlight[at]!;
        // A delivery consumes the message unless the network is a set (then the world keeps it).
        const consumed = action.type === 'drop' || (action.type === 'deliver' && network !== 'set');
        if (consumed) kept = [...inFlight.slice(0, at), ...inFlight.slice(at + 1)];
        if (action.type === 'deliver') messages[message]!.deliveredAt.push(k);
        if (action.type === 'drop') messages[message]!.droppedAt = k;
      }
    }
    // What the world holds beyond the messages we kept is new: sends of this step, or the copy.
    const fresh = after.network.slice(kept.length);
    const added = fresh.map((e) => born(e, k, action.type === 'duplicate' ? message : null));
    inFlight = [...kept, ...added];
    steps.push({ step: k, action, message, sent: action.type === 'duplicate' ? [] : added, inFlight });
  }
  return { messages, initialInFlight, steps };
}
