/**
 * `check --shard auto`: which shard this process is, read from the environment of the engine
 * that started it, so one manifest or one CI file starts every shard with the same command.
 * Read in this order (the first one set wins):
 * - `PROTOKIT_SHARD=K/N`: explicit, for any CI (e.g. a GitHub Actions matrix:
 *   `env: { PROTOKIT_SHARD: "${{ matrix.shard }}/4" }`);
 * - a Kubernetes Indexed Job: `JOB_COMPLETION_INDEX` (0-based, set by Kubernetes in every pod),
 *   the count from `--shards N`, else `JOB_COMPLETIONS` (Kubernetes does not expose the job's
 *   completions to the pod: set it beside `completions` in the manifest);
 * - GitLab CI `parallel:` (`CI_NODE_INDEX`, 1-based, and `CI_NODE_TOTAL`);
 * - CircleCI `parallelism` (`CIRCLE_NODE_INDEX`, 0-based, and `CIRCLE_NODE_TOTAL`);
 * - Buildkite `parallelism` (`BUILDKITE_PARALLEL_JOB`, 0-based, and `BUILDKITE_PARALLEL_JOB_COUNT`).
 * `--shards N`, when given, must agree with a count the environment states.
 */
import { UsageError } from '../../engine/errors.js';
import { parseShard, type Shard } from './shard.js';

export interface ShardFound extends Shard {
  /** The variable(s) it was read from, or `--shard` when given explicitly. */
  readonly source: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Index variables (and their base) with their count variables, after PROTOKIT_SHARD. */
const ENGINES: readonly { readonly index: string; readonly base: 0 | 1; readonly count: string }[] = [
  { index: 'JOB_COMPLETION_INDEX', base: 0, count: 'JOB_COMPLETIONS' },
  { index: 'CI_NODE_INDEX', base: 1, count: 'CI_NODE_TOTAL' },
  { index: 'CIRCLE_NODE_INDEX', base: 0, count: 'CIRCLE_NODE_TOTAL' },
  { index: 'BUILDKITE_PARALLEL_JOB', base: 0, count: 'BUILDKITE_PARALLEL_JOB_COUNT' },
];

/** The shard of `--shard VALUE` (K/N, or `auto`) with `--shards N`; null when neither is given. */
export function resolveShard(value: string | undefined, shards: number | undefined, env: Env = process.env): ShardFound | null {
  if (value === undefined) {
    if (shards !== undefined) throw new UsageError('--shards N goes with --shard auto (the count of a Kubernetes Indexed Job)');
    return null;
  }
  if (value.trim() !== 'auto') {
    if (shards !== undefined) throw new UsageError(`--shards N goes with --shard auto, not with --shard ${value}`);
    return { ...parseShard(value), source: '--shard' };
  }
  const explicit = env.PROTOKIT_SHARD;
  if (explicit !== undefined && explicit.trim() !== '') {
    let shard: Shard;
    try {
      shard = parseShard(explicit);
    } catch {
      throw new UsageError(`--shard auto: PROTOKIT_SHARD takes K/N with 1 ≤ K ≤ N (e.g. 2/4), not '${explicit}'`);
    }
    agree(shards, shard.count, 'PROTOKIT_SHARD');
    return { ...shard, source: 'PROTOKIT_SHARD' };
  }
  for (const engine of ENGINES) {
    const raw = env[engine.index];
    if (raw === undefined || raw.trim() === '') continue;
    const index = wholeNumber(raw, engine.index) - engine.base + 1;
    const stated = env[engine.count];
    const count = stated !== undefined && stated.trim() !== '' ? wholeNumber(stated, engine.count) : undefined;
    if (count !== undefined) agree(shards, count, engine.count);
    const n = shards ?? count;
    if (n === undefined) throw new UsageError(`--shard auto: ${engine.index} is set but not the number of shards; give --shards N (or set ${engine.count})`);
    if (index < 1 || index > n) throw new UsageError(`--shard auto: ${engine.index}=${raw} is not a shard of ${n}`);
    return { index, count: n, source: count !== undefined && shards === undefined ? `${engine.index}, ${engine.count}` : `${engine.index}, --shards` };
  }
  throw new UsageError(
    `--shard auto found no shard in the environment (PROTOKIT_SHARD=K/N, or ${ENGINES.map((e) => e.index).join(', ')}); give --shard K/N`,
  );
}

function wholeNumber(text: string, name: string): number {
  if (!/^\s*\d+\s*$/.test(text)) throw new UsageError(`--shard auto: ${name} holds '${text}', not a whole number`);
  return Number(text);
}

function agree(shards: number | undefined, count: number, name: string): void {
  if (shards !== undefined && shards !== count) throw new UsageError(`--shard auto: --shards ${shards} disagrees with ${name} (${count} shards)`);
}
