/**
 * `explore` in a fresh process (bench/explore-child.ts), as the sections compare it: the search's
 * own figures and, from outside, the whole process's wall and CPU time.
 */
import { fileURLToPath } from 'node:url';
import type { ExploreOptions } from '../src/index.js';
import { load1, runChild } from './measure.js';

const CHILD = fileURLToPath(new URL('./explore-child.ts', import.meta.url));
const INSTALLED_CHILD = fileURLToPath(new URL('./explore-installed-child.mjs', import.meta.url));

export interface FreshSearch {
  readonly states: number;
  readonly depth: number;
  readonly generated: number;
  readonly complete: boolean;
  readonly violation: string | null;
  /** Whether the search also decided liveness (built the liveness graph). */
  readonly liveness: boolean;
  /** The search's own elapsed time (wall). */
  readonly wallMs: number;
  /** CPU time over the search, every thread of the process. */
  readonly cpuMs: number;
  /** The whole process, from outside: start-up (Node, tsx compiling the sources) included. */
  readonly processWallMs: number;
  readonly processCpuMs: number;
  readonly maxRssBytes: number;
  readonly visitedBytesPerState: number;
  readonly peakHeapBytes: number;
  readonly spilledWorlds: number;
  /** The search's CPU split (Linux; the installed child only): the main thread, the worker threads, V8's own threads (compiler, GC helpers). */
  readonly mainThreadCpuMs?: number;
  readonly workerThreadsCpuMs?: number;
  readonly backgroundCpuMs?: number;
  /** The 1-minute load average when it ended. */
  readonly load: number;
}

export async function freshSearch(model: string, workers: number, options: ExploreOptions, nodeArgs: readonly string[] = []): Promise<FreshSearch> {
  const run = await runChild(process.execPath, [...nodeArgs, '--import', 'tsx', CHILD, model, String(workers), JSON.stringify(options)]);
  if (run.status !== 0) throw new Error(`bench explore child failed on ${model}`);
  const figures = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
  return { ...figures, processWallMs: run.wallMs, processCpuMs: run.cpuMs, load: load1() };
}

/** The same search on the installed package (bench/installed.ts; `packageDir` is node_modules/protokit), its built files on plain node. */
export async function freshInstalledSearch(packageDir: string, model: string, workers: number, options: ExploreOptions): Promise<FreshSearch> {
  const run = await runChild(process.execPath, [INSTALLED_CHILD, packageDir, model, String(workers), JSON.stringify(options)]);
  if (run.status !== 0) throw new Error(`bench installed explore child failed on ${model}`);
  const figures = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
  return { ...figures, processWallMs: run.wallMs, processCpuMs: run.cpuMs, load: load1() };
}

/** Fails the section when a search did not find the count it must (a wrong count is a wrong benchmark). */
export function expectCount(label: string, got: { states: number; depth: number; complete?: boolean; violation?: string | null }, states: number, depth: number): void {
  if (got.states !== states || got.depth !== depth || got.complete === false || (got.violation ?? null) !== null) {
    throw new Error(`${label}: expected ${states} distinct states at depth ${depth}, complete and no violation; got ${got.states} at depth ${got.depth}${got.complete === false ? ', incomplete' : ''}${got.violation ? `, violation ${got.violation}` : ''}`);
  }
}
