/**
 * How running nodes exchange messages. A transport carries frames (a message with its id, its
 * sender and receiver, and the sender's vector clock) and adds no guarantee the network does not
 * give: a frame may be lost when a connection drops, and nothing is retried behind the model's
 * back (the protocol's own retries are the machines' business). Frames arrive as untrusted JSON:
 * the node checks them (see message-check.ts) before its machine sees them.
 */

/** One message on the wire. */
export interface Frame {
  /** `<sender>:<incarnation>:<n>`, unique in a run. */
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly message: unknown;
  /** The sender's vector clock after the step that sent it. */
  readonly vc?: Readonly<Record<string, number>>;
}

/** Since 0.2.0. A node's link to the others. */
export interface Transport {
  /** Starts receiving frames addressed to `self`; `receive` gets each one as it arrived (unchecked). */
  listen(self: string, receive: (frame: unknown) => void): Promise<void>;
  /** Sends a frame, best effort: it returns at once, and the frame may be lost. */
  send(frame: Frame): void;
  /** Stops sending and receiving, and releases sockets. */
  close(): Promise<void>;
}

/**
 * A received frame's text as the node's check (message-check.ts) takes it: the parsed JSON, or the
 * text itself when it is not JSON, so the node drops it with one line naming why.
 */
export function parseFrame(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
