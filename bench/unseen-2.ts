/**
 * The second batch of bugs written without reading the suites (issue 22): the mutants in
 * models/<m>/unseen-mutants-2.ts, five models, four or five each. They are not in the models'
 * mutants (no suite test names them); a check of one runs the registered suite with the batch
 * added to its model's mutants. bench/sections/7-bugs-2.ts measures the default `check`'s catch
 * rate on them; bench/unseen-2-before.json holds the figures measured before exploration changed.
 */
import { checkRandom, type Suite } from '../src/index.js';
import type { Strategy } from '../src/explore/random/strategy.js';
import { defaultCheck } from './default-check.js';
import { ModelError } from '../src/engine/errors.js';
import { suites } from '../properties/registry.js';
import { unseenMutants2 as twoPhaseCommit } from '../models/two-phase-commit/unseen-mutants-2.js';
import { unseenMutants2 as raft } from '../models/raft/unseen-mutants-2.js';
import { unseenMutants2 as paxos } from '../models/paxos/unseen-mutants-2.js';
import { unseenMutants2For } from '../models/mapreduce/unseen-mutants-2.js';
import { wordCount } from '../models/mapreduce/word-count.js';
import { unseenMutants2 as quorumKv } from '../models/quorum-kv/unseen-mutants-2.js';
import type { MutantSpec } from '../src/index.js';
import { BATCH_3 } from './unseen-3.js';
import { BATCH_4 } from './unseen-4.js';
import { BATCH_5 } from './unseen-5.js';

export const BATCH_2: Readonly<Record<string, Readonly<Record<string, MutantSpec>>>> = {
  'two-phase-commit': twoPhaseCommit,
  raft,
  paxos,
  mapreduce: unseenMutants2For(wordCount),
  'quorum-kv': quorumKv,
};

/** The batches by number (the third: bench/unseen-3.ts, the fourth: bench/unseen-4.ts, the fifth: bench/unseen-5.ts). */
const BATCHES: Readonly<Record<number, Readonly<Record<string, Readonly<Record<string, MutantSpec>>>>>> = { 2: BATCH_2, 3: BATCH_3, 4: BATCH_4, 5: BATCH_5 };

/** The registered suite of `model`, its model's mutants joined by the batch (the second unless told). */
export function batchSuite(model: string, batch = 2): Suite {
  const suite = suites.find((s) => s.model.name === model)!;
  return { ...suite, model: { ...suite.model, mutants: { ...suite.model.mutants, ...BATCHES[batch]![model] } } };
}

export interface BatchCatch {
  readonly model: string;
  readonly mutant: string;
  readonly seed: number;
  /** The property violated, or null. */
  readonly caught: string | null;
  /** Random runs and steps until the violation (all of them when not caught). */
  readonly runs: number;
  readonly steps: number;
  /** CPU time of the check up to the violation (no minimisation). */
  readonly cpuMs: number;
}

/** One default check of a batch mutant at `seed`, as `protokit check MODEL --mutant M --seed N` runs it (random runs only; with `strategy`, `--strategy`). */
export function catchBatch(model: string, mutant: string, seed: number, suite: Suite = batchSuite(model), strategy?: Strategy): BatchCatch {
  const t0 = process.cpuUsage();
  try {
    const r = checkRandom(suite, { mutant, seed, minimize: false, strategy });
    const used = process.cpuUsage(t0);
    return { model, mutant, seed, caught: r.violation?.property ?? null, runs: r.runs, steps: r.steps, cpuMs: (used.user + used.system) / 1000 };
  } catch (error) {
    // A machine that throws is a failure `check` reports too (exit 4, the model failed).
    if (!(error instanceof ModelError)) throw error;
    const used = process.cpuUsage(t0);
    return { model, mutant, seed, caught: 'model error', runs: 0, steps: error.step ?? 0, cpuMs: (used.user + used.system) / 1000 };
  }
}

/** The same check with today's default: the small pass first, then the random runs (`protokit check MODEL --mutant M --seed N`; the pass searched once per mutant, see default-check.ts). */
export async function catchBatchDefault(model: string, mutant: string, seed: number, batch = 2): Promise<BatchCatch & { readonly foundBy: 'small' | 'random' | null }> {
  const t0 = process.cpuUsage();
  try {
    const r = await defaultCheck(batchSuite(model, batch), mutant, seed, false);
    const violation = r.small.find((p) => p.violation)?.violation ?? r.random?.violation ?? null;
    return { model, mutant, seed, caught: violation?.property ?? null, foundBy: r.foundBy, runs: r.random?.runs ?? 0, steps: r.random?.steps ?? 0, cpuMs: r.cpuMs };
  } catch (error) {
    if (!(error instanceof ModelError)) throw error;
    const used = process.cpuUsage(t0);
    return { model, mutant, seed, caught: 'model error', foundBy: null, runs: 0, steps: error.step ?? 0, cpuMs: (used.user + used.system) / 1000 };
  }
}
