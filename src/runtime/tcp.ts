/**
 * TCP transport: newline-delimited JSON frames, one outgoing connection per peer.
 *
 * What it does under faults, on purpose:
 * - a frame sent while its connection is being set up waits in a bounded queue; when the
 *   connection fails or drops, queued and unwritten frames are lost (the network lost them)
 *   and the next send connects again, after a short back-off;
 * - an incoming line longer than `maxFrameBytes` closes that connection (a peer that never ends
 *   its line cannot grow our memory); a line that is not JSON is passed on as text, for the node
 *   to drop and log.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { parseFrame, type Frame, type Transport } from './transport.js';

export interface TcpAddress {
  readonly host: string;
  readonly port: number;
}

export interface TcpOptions {
  /** Where this node listens (port 0: any free port, see `address()`). */
  readonly listen: TcpAddress;
  /** Where each peer listens, by node id. */
  readonly peers: Readonly<Record<string, TcpAddress>>;
  /** Longest accepted frame, in bytes (default 1 MiB). */
  readonly maxFrameBytes?: number;
  /** Frames kept while a connection is being set up (default 10,000); more are lost. */
  readonly maxQueued?: number;
  /** Wait before reconnecting to a peer whose connection failed, in ms (default 50). */
  readonly reconnectDelayMs?: number;
}

/** Since 0.2.0. A TCP transport, with fault hooks for tests and fault-injection scripts. */
export interface TcpTransport extends Transport {
  /** The address actually listened on (after `listen`). */
  address(): TcpAddress;
  /** Destroys every open connection, in and out (a network fault: frames in flight are lost). */
  dropConnections(): void;
  readonly stats: { sent: number; lost: number; received: number; oversized: number };
}

/** Since 0.2.0. A TCP transport for one node. */
export function tcpTransport(options: TcpOptions): TcpTransport {
  const maxFrameBytes = options.maxFrameBytes ?? 1 << 20;
  const maxQueued = options.maxQueued ?? 10_000;
  const reconnectDelayMs = options.reconnectDelayMs ?? 50;
  const stats = { sent: 0, lost: 0, received: 0, oversized: 0 };
  const outgoing = new Map<string, Outgoing>();
  const incoming = new Set<Socket>();
  let server: Server | null = null;
  let closed = false;

  interface Outgoing {
    socket: Socket | null;
    connected: boolean;
    queue: string[];
    /** No connection attempt before this time (after a failure). */
    retryAt: number;
  }

  function connect(to: string, out: Outgoing): void {
    const address = options.peers[to]!;
    const socket = createConnection({ host: address.host, port: address.port });
    socket.setNoDelay(true);
    out.socket = socket;
    socket.on('connect', () => {
      out.connected = true;
      const queued = out.queue;
      out.queue = [];
      if (queued.length > 0) socket.write(queued.join(''));
    });
    const lose = () => {
      if (out.socket !== socket) return;
      stats.lost += out.queue.length;
      out.queue = [];
      out.socket = null;
      out.connected = false;
      out.retryAt = performance.now() + reconnectDelayMs;
    };
    socket.on('error', lose);
    socket.on('close', lose);
    // Nothing is read on an outgoing connection; keep the socket flowing so it can close cleanly.
    socket.resume();
  }

  function receiveOn(socket: Socket, receive: (frame: unknown) => void): void {
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.length === 0) continue;
        stats.received++;
        receive(parseFrame(line));
      }
      if (Buffer.byteLength(buffered) > maxFrameBytes) {
        stats.oversized++;
        buffered = '';
        socket.destroy();
      }
    });
    socket.on('error', () => socket.destroy());
  }

  return {
    stats,
    async listen(self, receive) {
      if (server !== null) throw new Error('this TCP transport is already listening');
      server = createServer((socket) => {
        if (closed) return void socket.destroy();
        incoming.add(socket);
        socket.on('close', () => incoming.delete(socket));
        receiveOn(socket, receive);
      });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(options.listen.port, options.listen.host, () => {
          server!.off('error', reject);
          resolve();
        });
      });
      void self;
    },
    address() {
      const a = server?.address();
      if (a === null || a === undefined || typeof a === 'string') throw new Error('the TCP transport is not listening');
      return { host: a.address, port: a.port };
    },
    send(frame: Frame) {
      stats.sent++;
      if (closed || !Object.hasOwn(options.peers, frame.to)) {
        stats.lost++;
        return;
      }
      let out = outgoing.get(frame.to);
      if (out === undefined) outgoing.set(frame.to, (out = { socket: null, connected: false, queue: [], retryAt: 0 }));
      const line = JSON.stringify(frame) + '\n';
      if (out.connected && out.socket !== null) {
        out.socket.write(line);
        return;
      }
      if (out.socket === null) {
        if (performance.now() < out.retryAt) {
          stats.lost++;
          return;
        }
        connect(frame.to, out);
      }
      if (out.queue.length >= maxQueued) stats.lost++;
      else out.queue.push(line);
    },
    dropConnections() {
      for (const out of outgoing.values()) out.socket?.destroy();
      for (const socket of incoming) socket.destroy();
    },
    async close() {
      closed = true;
      this.dropConnections();
      const s = server;
      server = null;
      if (s !== null) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}
