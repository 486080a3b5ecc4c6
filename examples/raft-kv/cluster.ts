/**
 * Node processes on 127.0.0.1 (raft-kv's servers, two-phase-commit's nodes), started, SIGKILLed,
 * restarted and stopped by pid, never by name. Ports are chosen by the OS (listen on port 0,
 * then hand the number on) and kept across a process's restarts, so its peers find it again.
 * Each process gets `--id --peers --http --dir` and prints a line with `"ready"` once it serves.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

export interface ServerInfo {
  readonly id: string;
  readonly tcpPort: number;
  readonly httpPort: number;
  process: ChildProcess | null;
  /** Starts of this server's process (the first included). */
  starts: number;
}

/** A free TCP port on 127.0.0.1, as the OS picks it. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export class Cluster {
  readonly servers: ServerInfo[] = [];

  private constructor(
    readonly dir: string,
    private readonly script: string,
    private readonly extraArgs: readonly string[],
    private readonly env: Readonly<Record<string, string>>,
  ) {}

  /** Starts one process of `script` per id; `extraArgs` and `env` (added to ours) go to every one. */
  static async start(dir: string, ids: readonly string[], script = join(here, 'server.ts'), extraArgs: readonly string[] = [], env: Readonly<Record<string, string>> = {}): Promise<Cluster> {
    const cluster = new Cluster(dir, script, extraArgs, env);
    for (const id of ids) cluster.servers.push({ id, tcpPort: await freePort(), httpPort: await freePort(), process: null, starts: 0 });
    await Promise.all(cluster.servers.map((s) => cluster.launch(s)));
    return cluster;
  }

  /** Starts `server`'s process and resolves once it serves HTTP. */
  async launch(server: ServerInfo): Promise<void> {
    const peers = this.servers.map((s) => `${s.id}=127.0.0.1:${s.tcpPort}`).join(',');
    const args = ['--import', 'tsx', this.script, '--id', server.id, '--peers', peers, '--http', String(server.httpPort), '--dir', this.dir, ...this.extraArgs];
    mkdirSync(this.dir, { recursive: true });
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...this.env } });
    server.process = child;
    server.starts++;
    // What a server says on standard error (dropped frames, failures) is kept per server.
    child.stderr!.pipe(createWriteStream(join(this.dir, `${server.id}.stderr.log`), { flags: 'a' }));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const onData = (chunk: Buffer) => {
        out += chunk.toString('utf8');
        if (out.includes('"ready"')) {
          child.stdout!.off('data', onData);
          child.stdout!.resume();
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code, signal) => reject(new Error(`server ${server.id} exited before it was ready (${signal ?? code}); see ${join(this.dir, `${server.id}.stderr.log`)}`)));
    });
    // A process that dies on its own (not by kill or stop, which clear `process` first) is reported.
    child.once('exit', () => {
      if (server.process !== child) return;
      server.process = null;
      this.onExit?.(server);
    });
  }

  /** Called when a server's process exits by itself (a crash the script did not inject). */
  onExit: ((server: ServerInfo) => void) | null = null;

  /** SIGKILL: the process dies mid-step; only what it made durable survives. */
  async kill(server: ServerInfo): Promise<void> {
    const child = server.process;
    if (child === null) return;
    server.process = null;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGUSR2: the server drops every connection it holds (TCP), or its connection to NATS. */
  dropConnections(server: ServerInfo): void {
    server.process?.kill('SIGUSR2');
  }

  /** Stops every process this cluster started, by pid: SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    await Promise.all(
      this.servers.map(async (s) => {
        const child = s.process;
        if (child === null) return;
        s.process = null;
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  url(server: ServerInfo): string {
    return `http://127.0.0.1:${server.httpPort}`;
  }
}
