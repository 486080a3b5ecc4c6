/**
 * Measuring for the benchmark sections. The machine may be shared (other processes, two
 * cores), so throughput is computed on this process's CPU time (user + system, all threads),
 * which does not count time spent waiting for a core; wall time is kept beside it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface Timing {
  readonly cpuMs: number;
  readonly wallMs: number;
}

/** Runs `fn` once and times it. */
export function time<T>(fn: () => T): Timing & { readonly value: T } {
  const wall = performance.now(); // allow-clock: benchmark timing
  const cpu = process.cpuUsage();
  const value = fn();
  const used = process.cpuUsage(cpu);
  return { value, cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - wall }; // allow-clock
}

export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Per second, from a count and a CPU time in ms. */
export function perSecond(count: number, ms: number): number {
  return ms > 0 ? (count * 1000) / ms : 0;
}

/** `12345678` → `12.3M`, `45678` → `45.7k`. */
export function si(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 1 : 2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e4 ? 1 : 2)}k`;
  return n.toFixed(n >= 100 ? 0 : 1);
}

export function ms(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(n >= 10 ? 0 : 1)} ms`;
}

/** A markdown table. */
export function table(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

let gcFunction: (() => void) | null = null;
/** A full garbage collection (exposing `gc` at run time when node was started without --expose-gc). */
export function collectGarbage(): void {
  if (gcFunction === null) {
    setFlagsFromString('--expose-gc');
    gcFunction = runInNewContext('gc') as () => void;
  }
  gcFunction();
}

/** Whether the process may be preempted by others: the load average against the cores. */
export function loadNote(load: readonly number[], cores: number): string {
  return `load average ${load.map((l) => l.toFixed(2)).join(', ')} on ${cores} cores${load[0]! > cores ? ' (shared machine: throughput is measured on CPU time)' : ''}`;
}

/** CPU time of this process's waited-for children so far (Linux /proc: cutime + cstime, ticks of 10 ms). */
export function childrenCpuMs(): number {
  const text = readFileSync('/proc/self/stat', 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** A child `node ARGS` run to its end: wall time and its CPU time (every thread; exit 0 or 1 accepted). */
export function timeChild(args: string[], cwd: string): { wallMs: number; cpuMs: number } {
  const cpu = childrenCpuMs();
  const t = performance.now(); // allow-clock: benchmark timing
  const child = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
  const wallMs = performance.now() - t; // allow-clock
  if (child.status !== 0 && child.status !== 1) throw new Error(`${args.join(' ')} failed: ${child.stderr}`);
  return { wallMs, cpuMs: childrenCpuMs() - cpu };
}

/**
 * A target, plainly: "met", or "not met by N×" (how far the figure is from it, as a factor).
 * `higher`: the figure must reach the target (a speed); `lower`: it must stay under it (bytes, seconds).
 */
export function verdict(value: number, target: number, better: 'higher' | 'lower' = 'higher'): string {
  const met = better === 'higher' ? value >= target : value <= target;
  if (met) return 'met';
  const factor = better === 'higher' ? target / value : value / target;
  return `not met by ${Number.isFinite(factor) ? factor.toFixed(2) : '∞'}×`;
}

/** The 1-minute load average, rounded for tables. */
export function load1(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}

export interface ChildRun {
  /** Wall time of the whole process. */
  readonly wallMs: number;
  /** CPU time of the whole process (user + system, every thread; 10 ms resolution). */
  readonly cpuMs: number;
  readonly stdout: string;
  readonly status: number | null;
  /** When each line of stdout arrived, in ms after the start (for tools that print their own phases). */
  readonly lineTimes: readonly { readonly line: string; readonly atMs: number }[];
}

/**
 * Runs `command ARGS` to its end, one process at a time (its CPU time is read from this process's
 * reaped-children counters, so nothing else may run beside it), timing each line of its stdout.
 */
export function runChild(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const cpu = childrenCpuMs();
    const started = performance.now(); // allow-clock: benchmark timing
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lineTimes: { line: string; atMs: number }[] = [];
    let out = '';
    let pending = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const atMs = performance.now() - started; // allow-clock
      out += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) lineTimes.push({ line, atMs });
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (err.length < 1 << 16) err += chunk;
    });
    child.on('error', reject);
    child.on('close', (status) => {
      const wallMs = performance.now() - started; // allow-clock
      if (pending !== '') lineTimes.push({ line: pending, atMs: wallMs });
      if (status !== 0 && status !== 1) {
        reject(new Error(`${command} ${args.join(' ')} exited ${status}: ${err.slice(-800)}${out.slice(-400)}`));
        return;
      }
      resolve({ wallMs, cpuMs: childrenCpuMs() - cpu, stdout: out, status, lineTimes });
    });
  });
}
