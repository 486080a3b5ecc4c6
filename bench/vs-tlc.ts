/**
 * protokit `explore` (one worker, a fresh process) against TLC (one worker) on one specification,
 * in the same run, alternated: distinct states per second of the search (wall) and per CPU-second
 * of the whole process, for both, and their ratio against the target (issue 24: ≥ 4×).
 *
 * TLC runs with two JVM settings: `-XX:+UseParallelGC` (its maintainers' recommendation) and
 * `-Xmx256m` (measured fastest here). Round 1 runs both around protokit; the faster (distinct
 * states/s of the search, wall) runs in the other rounds; the baseline of each ratio is whichever
 * setting's median was faster in that measure. Each round: TLC, protokit (, the other TLC).
 */
import { suites } from '../properties/registry.js';
import type { ExploreOptions } from '../src/index.js';
import { expectCount, freshSearch, type FreshSearch } from './fresh-search.js';
import { load1, median, ms, perSecond, si, table, verdict } from './measure.js';
import { runTlc, tlcMissing, TLC_SETTINGS, type TlcRun, type TlcSetting } from './tlc.js';

export const TARGET_VS_TLC = 4;
const ROUNDS = 3;

export interface TlcComparison {
  readonly label: string;
  readonly model: string;
  readonly options: ExploreOptions;
  /** TLC's module and configuration, in ../shared/peers/tlc/specs. */
  readonly spec: string;
  readonly cfg: string;
  /** The count both must find (TLC's, published). */
  readonly states: number;
  readonly depth: number;
  /** What TLC's configuration checks, in words. */
  readonly tlcChecks: string;
}

const rate = (runs: readonly { states: number }[], ms: (r: any) => number) => median(runs.map((r) => perSecond(r.states, ms(r))));

/** What protokit's suite checked in this search: its invariants, witnesses and liveness properties. */
function protokitChecks(model: string, run: FreshSearch): string {
  const suite = suites.find((s) => s.model.name === model)!;
  const names = (kind: string) => suite.properties.filter((p) => p.kind === kind).map((p) => p.name);
  const invariants = names('always');
  const witnesses = names('sometimes');
  const live = suite.properties.filter((p) => p.kind !== 'always' && p.kind !== 'sometimes').map((p) => p.name);
  return [
    `${invariants.length} invariants (${invariants.join(', ')})`,
    `${witnesses.length} witnesses`,
    run.liveness ? `liveness (${live.join(', ')}), building the liveness graph` : 'no liveness',
    'deadlock',
  ].join('; ');
}

export async function compareWithTlc(c: TlcComparison): Promise<{ markdown: string; json: unknown }> {
  const missing = tlcMissing(c.spec, c.cfg);
  if (missing !== null) return { markdown: `${c.label}: not measured: ${missing}.`, json: { measured: false, reason: missing } };
  const loadBefore = load1();
  const tlc = new Map<TlcSetting, TlcRun[]>(TLC_SETTINGS.map((s) => [s, []]));
  const kit: FreshSearch[] = [];
  const tlcOnce = async (s: TlcSetting) => {
    const r = await runTlc(s, c.spec, c.cfg);
    expectCount(`TLC ${s.name} ${c.label}`, r, c.states, c.depth);
    tlc.get(s)!.push(r);
  };
  const kitOnce = async () => {
    const r = await freshSearch(c.model, 1, c.options);
    expectCount(`protokit ${c.label}`, r, c.states, c.depth);
    kit.push(r);
  };
  await tlcOnce(TLC_SETTINGS[0]);
  await kitOnce();
  await tlcOnce(TLC_SETTINGS[1]);
  const searchRate = (s: TlcSetting) => rate(tlc.get(s)!, (r: TlcRun) => r.searchMs);
  const faster = [...TLC_SETTINGS].sort((a, b) => searchRate(b) - searchRate(a))[0]!;
  for (let i = 1; i < ROUNDS; i++) {
    await tlcOnce(faster);
    await kitOnce();
  }
  const loadAfter = load1();

  const settings = TLC_SETTINGS.map((s) => ({ setting: s.name, runs: tlc.get(s)!, wall: searchRate(s), cpu: rate(tlc.get(s)!, (r: TlcRun) => r.cpuMs) }));
  const bestWall = [...settings].sort((a, b) => b.wall - a.wall)[0]!;
  const bestCpu = [...settings].sort((a, b) => b.cpu - a.cpu)[0]!;
  const kitWall = rate(kit, (r: FreshSearch) => r.wallMs);
  const kitCpu = rate(kit, (r: FreshSearch) => r.processCpuMs);
  const kitSearchCpu = rate(kit, (r: FreshSearch) => r.cpuMs);
  const ratioWall = kitWall / bestWall.wall;
  const ratioCpu = kitCpu / bestCpu.cpu;

  const rows = [
    ...settings.map((s) => [`TLC ${s.setting} (${s.runs.length} run${s.runs.length > 1 ? 's' : ''})`, si(s.wall), si(s.cpu), ms(median(s.runs.map((r) => r.searchMs))), ms(median(s.runs.map((r) => r.cpuMs)))]),
    [`protokit explore, 1 worker (${kit.length} runs)`, si(kitWall), si(kitCpu), ms(median(kit.map((r) => r.wallMs))), ms(median(kit.map((r) => r.processCpuMs)))],
  ];
  const markdown = [
    `**${c.label}**: ${c.states.toLocaleString('en')} distinct states, depth ${c.depth} (both tools, checked). Alternated in one run, medians; load (1 min) ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after.`,
    '',
    table(['search', 'distinct states/s (search, wall)', 'per CPU-second (whole process)', 'search time (wall)', 'process CPU'], rows),
    '',
    `- protokit ÷ TLC, per wall-second of the search: **${ratioWall.toFixed(2)}×** against TLC ${bestWall.setting} (the faster here) — target ${TARGET_VS_TLC}×: **${verdict(ratioWall, TARGET_VS_TLC)}**.`,
    `- per CPU-second of the whole process (start-up included: JVM and parsing; Node and tsx compiling the sources): **${ratioCpu.toFixed(2)}×** against TLC ${bestCpu.setting} — target ${TARGET_VS_TLC}×: **${verdict(ratioCpu, TARGET_VS_TLC)}**. protokit per CPU-second of the search alone: ${si(kitSearchCpu)}.`,
    `- Checked: TLC ${c.tlcChecks}; protokit ${protokitChecks(c.model, kit[0]!)}.`,
  ].join('\n');
  return {
    markdown,
    json: {
      measured: true,
      label: c.label,
      states: c.states,
      depth: c.depth,
      load: [loadBefore, loadAfter],
      tlc: settings.map((s) => ({ setting: s.setting, perSecWall: s.wall, perSecCpu: s.cpu, runs: s.runs })),
      protokit: { perSecWall: kitWall, perSecCpu: kitCpu, perSecSearchCpu: kitSearchCpu, runs: kit },
      baselineWall: bestWall.setting,
      baselineCpu: bestCpu.setting,
      ratioWall,
      ratioCpu,
      target: TARGET_VS_TLC,
    },
  };
}
