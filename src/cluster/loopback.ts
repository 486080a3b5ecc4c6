/**
 * A cluster on this machine, for the tests and the bench: a nats-server on 127.0.0.1 (an
 * ephemeral port, a token, JetStream in a temporary folder) and protokit processes started
 * against it. Every process started is remembered by its id and stopped by `stopAll`; every
 * wait is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NATS_SERVER = '/usr/sbin/nats-server';
const MAIN = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Proc {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

const started: ChildProcess[] = [];

function track(child: ChildProcess): Proc {
  started.push(child);
  const proc: Proc = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
  };
  child.stdout?.on('data', (d: Buffer) => (proc.stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (proc.stderr += d.toString()));
  return proc;
}

/** Resolves once `test()` holds, polling; rejects after `ms` (a hang, not a verdict). */
export async function until(test: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms; // allow-clock
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`); // allow-clock
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Nats {
  readonly url: string;
  readonly token: string;
  readonly proc: Proc;
  readonly dir: string;
}

/** A nats-server on 127.0.0.1, its port chosen by the system (-p -1) and read from its log. */
export async function startNats(): Promise<Nats> {
  const dir = mkdtempSync(join(tmpdir(), 'protokit-nats-'));
  const token = randomBytes(12).toString('hex');
  const proc = track(spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', '-1', '--auth', token, '-js', '-sd', dir], { stdio: ['ignore', 'pipe', 'pipe'] }));
  let port = '';
  await until(() => {
    port = /Listening for client connections on 127\.0\.0\.1:(\d+)/.exec(proc.stderr + proc.stdout)?.[1] ?? '';
    return port !== '' || proc.child.exitCode !== null;
  }, 60_000, 'nats-server to listen');
  if (port === '') throw new Error(`nats-server did not start: ${proc.stderr}`);
  return { url: `nats://127.0.0.1:${port}`, token, proc, dir };
}

/** `protokit ARGS` as its own process (node with tsx, one process: a signal reaches protokit itself). */
export function protokit(args: readonly string[], env: Record<string, string> = {}): Proc {
  return track(spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } }));
}

/** Stops every process started here, by its id, and removes a server's folder. */
export async function stopAll(nats?: Nats): Promise<void> {
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  if (nats !== undefined) rmSync(nats.dir, { recursive: true, force: true });
}
