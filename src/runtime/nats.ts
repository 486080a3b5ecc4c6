/**
 * NATS transport: each node subscribes to its own subject (`<subjectPrefix>.<node id>`) and a send
 * publishes the frame, as JSON, to the receiver's subject. Core NATS, not JetStream: delivery is
 * at most once, as the model's network allows.
 *
 * What it does under faults, on purpose (NATS's behaviour, neither added to nor hidden):
 * - a frame published while the connection is up reaches a subscriber that is connected then, in
 *   publish order per publisher; one published to a node that is not subscribed is gone;
 * - when the server goes away the client reconnects as nats.js does (forever, `reconnectTimeWaitMs`
 *   apart) and re-subscribes; frames published while it is reconnecting are buffered by the
 *   client and sent once it is back; frames in flight in the server when it died are lost;
 * - a payload longer than `maxFrameBytes` is dropped unread; one that is not JSON is passed on as
 *   text, for the node to drop and log (as the TCP transport does).
 * The NATS client is loaded when a transport first connects, so the other transports never load it.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { parseFrame, type Frame, type Transport } from './transport.js';

export interface NatsTransportOptions {
  /** `nats://host:port`, or several (the client picks among them and fails over). */
  readonly servers: string | readonly string[];
  /** Authentication: a token, or a user and password (or neither, for a server without auth). */
  readonly token?: string;
  readonly user?: string;
  readonly password?: string;
  /** Subjects are `<subjectPrefix>.<node id>` (default `protokit.node`): a cluster per prefix. */
  readonly subjectPrefix?: string;
  /** Longest accepted frame, in bytes (default 1 MiB, NATS's default max_payload). */
  readonly maxFrameBytes?: number;
  /** Wait between reconnection attempts, in ms (default 2000, as nats.js). */
  readonly reconnectTimeWaitMs?: number;
}

/** New after 0.3.0 (CHANGELOG, Unreleased). A NATS transport, with its counts and a fault hook. */
export interface NatsTransport extends Transport {
  /** The subject this node receives on (after `listen`). */
  subject(): string;
  /** Drops the connection to the server and reconnects (a network fault: frames in flight may be lost). */
  dropConnections(): void;
  readonly stats: { sent: number; lost: number; received: number; oversized: number; disconnects: number; reconnects: number };
}

/** Subject tokens: no dots, spaces or wildcards inside a node id or a prefix's token. */
const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

/** New after 0.3.0 (CHANGELOG, Unreleased). A NATS transport for one node. */
export function natsTransport(options: NatsTransportOptions): NatsTransport {
  const prefix = options.subjectPrefix ?? 'protokit.node';
  if (!prefix.split('.').every((t) => TOKEN.test(t))) throw new Error(`subjectPrefix '${prefix.slice(0, 80)}': expected dot-separated tokens of letters, digits, _ and -`);
  if ((options.user === undefined) !== (options.password === undefined)) throw new Error('natsTransport: give user and password together');
  if (options.token !== undefined && options.user !== undefined) throw new Error('natsTransport: give a token, or a user and password, not both');
  const maxFrameBytes = options.maxFrameBytes ?? 1 << 20;
  const stats = { sent: 0, lost: 0, received: 0, oversized: 0, disconnects: 0, reconnects: 0 };
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  let connection: NatsConnection | null = null;
  let subscription: Subscription | null = null;
  let self: string | null = null;
  let closed = false;

  async function watch(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') stats.disconnects++;
      else if (status.type === 'reconnect') stats.reconnects++;
    }
  }

  return {
    stats,
    async listen(id, receive) {
      if (connection !== null || self !== null) throw new Error('this NATS transport is already listening');
      if (!TOKEN.test(id)) throw new Error(`node id '${id.slice(0, 80)}' cannot be a NATS subject token`);
      self = id;
      const { connect } = await import('@nats-io/transport-node');
      const servers = typeof options.servers === 'string' ? options.servers : options.servers.join(',');
      const nc = await connect({
        servers: typeof options.servers === 'string' ? options.servers : [...options.servers],
        ...(options.token !== undefined ? { token: options.token } : {}),
        ...(options.user !== undefined ? { user: options.user, pass: options.password } : {}),
        name: `protokit ${id}`,
        // A node is a service: it keeps trying to reach the server for as long as it runs.
        maxReconnectAttempts: -1,
        reconnectTimeWait: options.reconnectTimeWaitMs ?? 2000,
      }).catch((error: Error) => {
        self = null;
        throw new Error(`NATS at ${servers}: ${error.message}`);
      });
      if (closed) {
        await nc.close();
        return;
      }
      connection = nc;
      void watch(nc);
      subscription = nc.subscribe(`${prefix}.${id}`, {
        callback: (error, msg) => {
          if (error !== null) return;
          stats.received++;
          if (msg.data.length > maxFrameBytes) {
            stats.oversized++;
            return;
          }
          const text = decoder.decode(msg.data);
          receive(parseFrame(text));
        },
      });
      // The subscription is on the server before the node's first step sends anything.
      await nc.flush();
    },
    subject() {
      if (self === null) throw new Error('the NATS transport is not listening');
      return `${prefix}.${self}`;
    },
    send(frame: Frame) {
      stats.sent++;
      if (closed || connection === null || !TOKEN.test(frame.to)) {
        stats.lost++;
        return;
      }
      const payload = encoder.encode(JSON.stringify(frame));
      if (payload.length > maxFrameBytes) {
        stats.lost++;
        return;
      }
      try {
        connection.publish(`${prefix}.${frame.to}`, payload);
      } catch {
        // Closed, or larger than the server's max_payload: the network lost it.
        stats.lost++;
      }
    },
    dropConnections() {
      if (connection !== null && !closed) void connection.reconnect().catch(() => {});
    },
    async close() {
      closed = true;
      const nc = connection;
      connection = null;
      subscription?.unsubscribe();
      subscription = null;
      if (nc !== null && !nc.isClosed()) await nc.close();
    },
  };
}
