/**
 * TLC, the TLA+ model checker, run as a whole process for the sections that compare against it
 * in the same run (../shared/peers/tlc/README.md): one worker, a scratch metadata folder, and its
 * output read for the distinct states, the depth and the time of the search itself (from
 * "Computing initial states" to "Model checking completed", timed as the lines arrive; JVM
 * start-up and parsing excluded, as protokit's `elapsedMs` excludes its own start-up).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild } from './measure.js';

export const TLC_DIR = fileURLToPath(new URL('../../shared/peers/tlc/', import.meta.url));
const JAR = join(TLC_DIR, 'tla2tools.jar');
const SPECS = join(TLC_DIR, 'specs');

/** The two JVM settings measured: the maintainers' recommendation and the one measured fastest here. */
export const TLC_SETTINGS = [
  { name: '-XX:+UseParallelGC', jvm: ['-XX:+UseParallelGC'] },
  { name: '-Xmx256m', jvm: ['-Xmx256m'] },
] as const;
export type TlcSetting = (typeof TLC_SETTINGS)[number];

export interface TlcRun {
  readonly states: number;
  readonly depth: number;
  /** The search, from its first line to its last (ms). */
  readonly searchMs: number;
  /** The whole process: JVM start-up, parsing and the search (ms). */
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** Why TLC cannot run here (no java, no jar, a spec missing), or null. */
export function tlcMissing(spec: string, cfg: string): string | null {
  if (!existsSync(JAR)) return `TLC not found (${JAR})`;
  for (const f of [spec, cfg]) if (!existsSync(join(SPECS, f))) return `${f} is not in ${SPECS}`;
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error !== undefined || java.status !== 0) return 'java is not installed';
  return null;
}

function count(text: string, pattern: RegExp, what: string): number {
  const m = pattern.exec(text);
  if (m === null) throw new Error(`TLC printed no ${what}:\n${text.slice(-1500)}`);
  return Number(m[1]!.replace(/,/g, ''));
}

/** One TLC search with one worker; fails when TLC reports an error or an unfinished search. */
export async function runTlc(setting: TlcSetting, spec: string, cfg: string): Promise<TlcRun> {
  const meta = mkdtempSync(join(tmpdir(), 'protokit-bench-tlc-'));
  try {
    const run = await runChild('java', [...setting.jvm, '-jar', JAR, '-workers', '1', '-metadir', meta, '-config', cfg, spec], { cwd: SPECS });
    if (!/Model checking completed\. No error has been found\./.test(run.stdout)) throw new Error(`TLC did not complete without error on ${spec} ${cfg}:\n${run.stdout.slice(-1500)}`);
    const at = (pattern: RegExp) => run.lineTimes.find((l) => pattern.test(l.line))?.atMs;
    const start = at(/^Computing initial states/);
    const end = at(/^Model checking completed/);
    if (start === undefined || end === undefined) throw new Error(`TLC's output lacks its start or end line:\n${run.stdout.slice(-1500)}`);
    return {
      states: count(run.stdout, /states generated, ([\d,]+) distinct states found, 0 states left on queue/, 'final distinct-state count'),
      depth: count(run.stdout, /The depth of the complete state graph search is (\d+)/, 'depth'),
      searchMs: end - start,
      wallMs: run.wallMs,
      cpuMs: run.cpuMs,
    };
  } finally {
    rmSync(meta, { recursive: true, force: true });
  }
}
