/**
 * A `nats-server` process on 127.0.0.1 for tests and examples: started on a free port with a
 * token, stopped (and restarted on the same port) by its pid, never by name. Not part of
 * `protokit/runtime`'s exports: a service runs against the NATS its operators run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

export interface LocalNatsServer {
  readonly url: string;
  readonly token: string;
  readonly port: number;
  /** The running process's pid (null while stopped). */
  readonly pid: number | null;
  /** SIGKILL: the server dies at once, with whatever it held in flight. */
  kill(): Promise<void>;
  /** Starts it again on the same port, with the same token. */
  restart(): Promise<void>;
  /** Stops it (SIGTERM, then SIGKILL after 3 s). */
  stop(): Promise<void>;
}

/** Where `nats-server` is: $NATS_SERVER, else /usr/sbin/nats-server (Debian), else the PATH. */
export function natsServerPath(): string {
  if (process.env.NATS_SERVER) return process.env.NATS_SERVER;
  return existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server';
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts nats-server on 127.0.0.1 with a random token; resolves once it accepts clients (at most `readyMs`). */
export async function startLocalNatsServer(options: { readyMs?: number } = {}): Promise<LocalNatsServer> {
  const port = await freePort();
  const token = randomBytes(12).toString('hex');
  const readyMs = options.readyMs ?? 30_000;
  let child: ChildProcess | null = null;

  async function launch(): Promise<void> {
    const started = spawn(natsServerPath(), ['-a', '127.0.0.1', '-p', String(port), '--auth', token], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = started;
    await new Promise<void>((resolve, reject) => {
      let said = '';
      const timer = setTimeout(() => fail(new Error(`nats-server did not become ready in ${readyMs} ms: ${said.slice(-300)}`)), readyMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        started.kill('SIGKILL');
        reject(error);
      };
      started.once('error', (error) => fail(new Error(`nats-server could not start (${natsServerPath()}): ${error.message}`)));
      started.once('exit', (code, signal) => fail(new Error(`nats-server exited before it was ready (${signal ?? code}): ${said.slice(-300)}`)));
      started.stderr!.on('data', (chunk: Buffer) => {
        said += chunk.toString('utf8');
        if (said.includes('Server is ready')) {
          clearTimeout(timer);
          started.removeAllListeners('exit');
          started.stderr!.removeAllListeners('data');
          started.stderr!.resume();
          resolve();
        }
      });
    });
  }

  async function end(signal: NodeJS.Signals): Promise<void> {
    const c = child;
    child = null;
    if (c === null || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill(signal);
    const timer = setTimeout(() => c.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }

  await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    token,
    port,
    get pid() {
      return child?.pid ?? null;
    },
    kill: () => end('SIGKILL'),
    restart: launch,
    stop: () => end('SIGTERM'),
  };
}
