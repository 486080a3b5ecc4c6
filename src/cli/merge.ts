/**
 * `protokit merge RESULT.json...`: one report from the `check --json` results of shards run
 * apart (CI matrix jobs, a Kubernetes Indexed Job's pods). Runs and steps add up; a witness is
 * reached when any shard reached it; the violation is that of the lowest shard that found one,
 * with its trace and the line that reruns that shard alone; distinct states are combined from
 * each shard's sketch (random/sketch.ts): exact while the shards saw few states, otherwise an
 * estimate, labelled as such, between the largest shard's count and the sum.
 *
 * What a merge may conclude: a violation in any shard is one (exit 1). Without one, "nothing
 * found" and "witness never reached" speak for the whole budget only when every shard ran it
 * whole: a missing shard or one stopped by Ctrl-C leaves runs nobody made, so the merge is then
 * inconclusive (exit 5, saying which shards), never a pass and never a missed witness.
 */
import pc from 'picocolors';
import { z } from 'zod';
import { UsageError } from '../engine/errors.js';
import { readInputJson } from '../engine/input-file.js';
import { decodeSketch, unionOfSketches } from '../explore/random/sketch.js';
import { EXIT_INCONCLUSIVE, formatMs, useColor } from './common.js';

export interface MergeCommandOptions {
  json?: boolean;
}

const violationSchema = z.object({ property: z.string(), message: z.string(), step: z.number() }).passthrough();
const checkSchema = z
  .object({
    model: z.string(),
    config: z.record(z.string(), z.unknown()),
    mutant: z.string().nullable(),
    faults: z.unknown(),
    seed: z.number(),
    elapsedMs: z.number(),
    runs: z.number().int().nonnegative(),
    steps: z.number().int().nonnegative(),
    distinctStates: z.number().int().nonnegative(),
    distinctSketch: z.string().optional(),
    shard: z.object({ index: z.number().int().positive(), count: z.number().int().positive() }).passthrough().nullable().optional(),
    witnesses: z.array(z.object({ name: z.string(), reached: z.boolean() })),
    violation: violationSchema.nullable(),
    rerun: z.string().optional(),
  })
  .passthrough();
type CheckJson = z.infer<typeof checkSchema>;
const fileSchema = z.union([z.object({ model: z.null(), models: z.array(checkSchema) }).passthrough(), checkSchema]);

interface Input {
  readonly file: string;
  readonly result: CheckJson;
}

export async function mergeCommand(files: readonly string[], options: MergeCommandOptions): Promise<number> {
  const inputs = files.flatMap(readResults);
  // One report per check (model, configuration, mutant, faults): results of every model merge model by model.
  const groups = new Map<string, Input[]>();
  for (const input of inputs) {
    const r = input.result;
    const key = JSON.stringify([r.model, r.config, r.mutant, r.faults]);
    groups.set(key, [...(groups.get(key) ?? []), input]);
  }
  const models = new Set(inputs.map((i) => i.result.model));
  if (groups.size > models.size) {
    const model = [...models].find((m) => [...groups.values()].filter((g) => g[0]!.result.model === m).length > 1)!;
    throw new UsageError(`merge: the results of ${model} are of different checks (configuration, mutant or faults differ); merge the shards of one check`);
  }
  const merged = [...groups.values()].map(mergeGroup);
  if (options.json) {
    const out = merged.length === 1 ? merged[0]! : { model: null, runs: sum(merged, (m) => m.runs), steps: sum(merged, (m) => m.steps), ok: merged.every((m) => m.ok), models: merged };
    process.stdout.write(JSON.stringify(out) + '\n');
  } else {
    const color = useColor();
    process.stdout.write(merged.map((m) => describe(m, color)).join('\n'));
  }
  if (merged.some((m) => m.violation !== null)) return 1;
  // Missing or interrupted shards: neither a pass nor a missed witness (exit 5, the contract's inconclusive).
  if (merged.some((m) => m.inconclusive !== null)) return EXIT_INCONCLUSIVE;
  return merged.every((m) => m.ok) ? 0 : 1;
}

function readResults(file: string): Input[] {
  const json = readInputJson(file, { what: 'result', prefix: 'merge: ', hint: `write it with protokit check --json > ${file}` });
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) throw new UsageError(`merge: ${file} is not the --json result of protokit check (${parsed.error.issues[0]?.path.join('.') || 'top level'}: ${parsed.error.issues[0]?.message})`);
  const results = 'models' in parsed.data && parsed.data.model === null ? (parsed.data.models as CheckJson[]) : [parsed.data as CheckJson];
  return results.map((result) => ({ file, result }));
}

export interface Merged {
  readonly model: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly mutant: string | null;
  readonly faults: unknown;
  /** `missing` lists the first MISSING_LISTED shards not given; `missingCount` counts them all. */
  readonly shards: { readonly count: number | null; readonly given: readonly number[]; readonly missing: readonly number[]; readonly missingCount: number };
  readonly runs: number;
  readonly steps: number;
  /** The longest shard's time (they ran side by side) and the sum over shards. */
  readonly elapsedMs: number;
  readonly totalElapsedMs: number;
  readonly distinctStates: number;
  /** Whether distinctStates is exact, or an estimate from the shards' sketches. */
  readonly distinctStatesExact: boolean;
  /** What bounds the union for sure: the largest shard's count and the sum of all. */
  readonly distinctStatesBounds: readonly [number, number];
  readonly witnesses: readonly { readonly name: string; readonly reached: boolean; readonly shards: readonly number[] }[];
  readonly violation: (Record<string, unknown> & { readonly shard: number | null; readonly file: string; readonly rerun: string | null }) | null;
  /** Shards whose check was interrupted (Ctrl-C): their runs are not all there. */
  readonly interruptedShards: readonly number[];
  /** Why the merge is no verdict on the whole budget (missing or interrupted shards), or null. */
  readonly inconclusive: string | null;
  readonly ok: boolean;
}

/** Missing shards listed by name, at most. */
export const MISSING_LISTED = 100;

function mergeGroup(group: readonly Input[]): Merged {
  // Shards in order; results without a shard (a plain check) after them, in the order given.
  const ordered = [...group].sort((a, b) => (a.result.shard?.index ?? Infinity) - (b.result.shard?.index ?? Infinity));
  const counts = new Set(ordered.map((i) => i.result.shard?.count).filter((c): c is number => c !== undefined));
  const first = ordered[0]!.result;
  if (counts.size > 1) throw new UsageError(`merge: the results of ${first.model} come from different splits (${[...counts].map((c) => `${c} shards`).join(', ')})`);
  const count = counts.size === 1 ? [...counts][0]! : null;
  const given = ordered.map((i) => i.result.shard?.index).filter((k): k is number => k !== undefined);
  const seen = new Set<number>();
  for (const k of given) {
    if (seen.has(k)) throw new UsageError(`merge: shard ${k}/${count} of ${first.model} is given twice`);
    if (count !== null && k > count) throw new UsageError(`merge: shard ${k}/${count} of ${first.model} is past the shard count`);
    seen.add(k);
  }
  // The count is what a file claims: the missing shards are counted, and only the first few listed,
  // so a claim of 10^8 shards costs no memory.
  const missingCount = count === null ? 0 : count - seen.size;
  const missing: number[] = [];
  for (let k = 1; count !== null && k <= count && missing.length < MISSING_LISTED; k++) if (!seen.has(k)) missing.push(k);

  const sketches = ordered.map((i) => ({ values: i.result.distinctSketch === undefined ? null : decodeSketch(i.result.distinctSketch), count: i.result.distinctStates }));
  const lower = Math.max(0, ...sketches.map((s) => s.count));
  const upper = sum(sketches, (s) => s.count);
  const union = sketches.every((s) => s.values !== null)
    ? unionOfSketches(sketches.map((s) => ({ values: s.values!, count: s.count })))
    : { value: upper, exact: ordered.length === 1 };
  const failed = ordered.find((i) => i.result.violation !== null) ?? null;
  const witnessNames = first.witnesses.map((w) => w.name);
  const witnesses = witnessNames.map((name) => {
    const shards = ordered.filter((i) => i.result.witnesses.some((w) => w.name === name && w.reached)).map((i) => i.result.shard?.index ?? 0);
    return { name, reached: shards.length > 0, shards };
  });
  const violation = failed && {
    ...failed.result.violation!,
    shard: failed.result.shard?.index ?? null,
    file: failed.file,
    rerun: failed.result.rerun ?? null,
  };
  const interruptedShards = ordered.filter((i) => (i.result as { interrupted?: unknown }).interrupted === true).map((i) => i.result.shard?.index ?? 0);
  const gaps = [
    ...(missing.length > 0 ? [`shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${count} missing`] : []),
    ...(interruptedShards.length > 0 ? [`shard${interruptedShards.length > 1 ? 's' : ''} ${interruptedShards.join(', ')} interrupted (Ctrl-C)`] : []),
  ];
  const their = missing.length + interruptedShards.length > 1 ? 'their' : 'its';
  const inconclusive = violation === null && gaps.length > 0 ? `${gaps.join('; ')}: what ${their} runs would have found is unknown` : null;
  return {
    model: first.model,
    config: first.config,
    mutant: first.mutant,
    faults: first.faults,
    shards: { count, given, missing, missingCount },
    runs: sum(ordered, (i) => i.result.runs),
    steps: sum(ordered, (i) => i.result.steps),
    elapsedMs: Math.max(...ordered.map((i) => i.result.elapsedMs)),
    totalElapsedMs: sum(ordered, (i) => i.result.elapsedMs),
    distinctStates: union.value,
    distinctStatesExact: union.exact,
    distinctStatesBounds: [lower, upper],
    witnesses,
    violation,
    interruptedShards,
    inconclusive,
    ok: violation === null && inconclusive === null && witnesses.every((w) => w.reached),
  };
}

function sum<T>(items: readonly T[], of: (t: T) => number): number {
  return items.reduce((n, t) => n + of(t), 0);
}

const count = (n: number) => n.toLocaleString('en-US');

/** Result files come from other machines: their strings reach the terminal without control characters. */
function printable(value: unknown): string {
  return String(value).replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function describe(m: Merged, color: boolean): string {
  const c = color ? pc : pc.createColors(false);
  const p = printable;
  const lines: string[] = [];
  const params = p(Object.entries(m.config).map(([k, v]) => `${k}=${v}`).join(' '));
  const split = m.shards.count === null ? `${m.shards.given.length || 'unsharded'} results` : `${m.shards.given.length} of ${m.shards.count} shards`;
  lines.push(c.bold(`${p(m.model)}${m.mutant ? `, mutant ${p(m.mutant)}` : ''}: ${split} merged`));
  if (params) lines.push(`  config ${params}`);
  const { missing, missingCount } = m.shards;
  const listed = missingCount > missing.length ? `${missing.join(', ')}, … (${count(missingCount)} in all)` : missing.join(', ');
  if (missingCount > 0) lines.push(c.yellow(`  missing: shard${missingCount > 1 ? 's' : ''} ${listed} of ${count(m.shards.count ?? 0)}`));
  const distinct = m.distinctStatesExact
    ? `${count(m.distinctStates)} distinct states`
    : `about ${count(m.distinctStates)} distinct states (estimate from the shards' sketches; between ${count(m.distinctStatesBounds[0])} and ${count(m.distinctStatesBounds[1])})`;
  lines.push(`  ${count(m.runs)} runs, ${count(m.steps)} steps, ${distinct}; longest shard ${formatMs(m.elapsedMs)}, all shards ${formatMs(m.totalElapsedMs)}`);
  if (m.violation) {
    const v = m.violation;
    lines.push(c.red(c.bold(`  ✗ ${p(v.property)} violated at step ${v.step}${v.shard !== null ? ` in shard ${v.shard}` : ''}: ${p(v.message)}`)));
    if (typeof v.trace === 'string') lines.push(`    trace:  ${p(v.trace)}`);
    if (typeof v.replay === 'string') lines.push(`    replay: ${p(v.replay)}`);
    if (v.rerun) lines.push(`    rerun:  ${p(v.rerun)}`);
  } else if (m.inconclusive !== null) {
    lines.push(c.yellow(`  ? inconclusive: no violation in the runs merged, but ${p(m.inconclusive)} (exit 5)`));
  } else {
    lines.push(c.green('  ✓ no violation found in any shard\'s runs'));
  }
  const missed = (name: string) => (m.inconclusive === null ? c.red(`✗ ${p(name)}`) : c.yellow(`✗ ${p(name)} (not reached in the runs merged)`));
  lines.push(`  witnesses: ${m.witnesses.map((w) => (w.reached ? c.green(`✓ ${p(w.name)}`) : missed(w.name))).join('  ') || 'none'}`);
  return lines.join('\n') + '\n';
}
