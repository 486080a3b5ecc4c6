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

/** A `protokit worker` run in this process (for tests where the process itself is not what is tested): what it logged, how it ended. */
export interface InProcessWorker {
  readonly lines: string[];
  /** 0 when the run it served is over, 2 when refused, 74 when the server or coordinator was lost (the exit codes of `protokit worker`). */
  readonly ended: Promise<number>;
  /** Closes its connection, as if its machine were gone. */
  stop(): void;
}

/** A worker of MODEL ARGS (as the command line gives them: `two-phase-commit --config rms=3 --mutant m`) in this process, against `nats`. */
export async function inProcessWorker(args: readonly string[], nats: Pick<Nats, 'url' | 'token'>, name: string, waitS = 120): Promise<InProcessWorker> {
  const [{ runWorker }, { suites }, { resolveInstance }, { parseConfigPairs }, { EnvironmentError, UsageError }] = await Promise.all([
    import('./worker.js'),
    import('../../properties/registry.js'),
    import('../engine/instance.js'),
    import('../cli/common.js'),
    import('../engine/errors.js'),
  ]);
  const flag = (f: string) => args.flatMap((a, k) => (a === f ? [args[k + 1]!] : []));
  const suite = suites.find((x) => x.model.name === args[0])!;
  const instance = resolveInstance(suite.model, { config: parseConfigPairs(flag('--config')), mutant: flag('--mutant')[0] });
  const lines: string[] = [];
  const abort = new AbortController();
  const ended = runWorker(suite, instance, { credentials: { url: nats.url, token: nats.token, insecure: false }, waitS, name, log: (line) => lines.push(line), signal: abort.signal }).then(
    () => 0,
    (error: unknown) => {
      lines.push(error instanceof Error ? error.message : String(error));
      if (error instanceof UsageError) return 2;
      if (error instanceof EnvironmentError) return 74;
      throw error;
    },
  );
  return { lines, ended, stop: () => abort.abort() };
}

/** Stops every process started here, by its id, and removes a server's folder. */
export async function stopAll(nats?: Nats): Promise<void> {
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  if (nats !== undefined) rmSync(nats.dir, { recursive: true, force: true });
}
