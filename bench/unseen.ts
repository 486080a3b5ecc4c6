/**
 * The mutants written after the suites (issue 12), by model, with the property list each suite
 * had before them: what bench/sections/7-bugs.ts measures the catch rate of.
 */
import { checkRandom, type Suite } from '../src/index.js';
import { suites } from '../properties/registry.js';

export const UNSEEN: Readonly<Record<string, readonly string[]>> = {
  'two-phase-commit': ['rm-recovers-prepared-as-aborted', 'tm-answers-undecided-with-abort', 'rm-aborts-after-voting', 'tm-recovery-broadcasts-abort'],
  paxos: ['learner-mixes-ballots', 'adopts-first-report', 'reports-promised-ballot', 'counts-stale-promises'],
  raft: ['truncates-on-append', 'commits-to-leader-commit', 'forgets-vote'],
  mapreduce: ['partitions-by-maps', 'serves-lost-output', 'completes-on-running'],
};

/** Properties added to the suites for issue 12: left out to measure the suites as they were. */
export const ADDED_PROPERTIES: readonly string[] = ['learned-was-chosen', 'learned'];

export function suiteOf(model: string): Suite {
  return suites.find((s) => s.model.name === model)!;
}

/** The suite with only the properties it had before issue 12. */
export function oldSuite(model: string): Suite {
  const s = suiteOf(model);
  return { ...s, properties: s.properties.filter((p) => !ADDED_PROPERTIES.includes(p.name)) };
}

/** The exploration before issue 12: one fixed bound per run, uniform random, no sweep, the old budgets and properties. */
export const OLD_BUDGETS: Readonly<Record<string, { runs: number; depth: number }>> = {
  'two-phase-commit': { runs: 3000, depth: 40 },
  paxos: { runs: 3000, depth: 30 },
  raft: { runs: 4000, depth: 150 },
  mapreduce: { runs: 1000, depth: 80 },
};

export function beforeSuite(model: string): Suite {
  const { sweep: _sweep, small: _small, ...s } = oldSuite(model);
  return { ...s, budget: OLD_BUDGETS[model]! };
}

export interface Catch {
  readonly model: string;
  readonly mutant: string;
  readonly seed: number;
  readonly exploration: 'before' | 'after';
  /** The property violated, or null. */
  readonly caught: string | null;
  /** Runs and steps until the violation (all of them when not caught). */
  readonly runs: number;
  readonly steps: number;
  readonly cpuMs: number;
}

/** One check of an unseen mutant, with the exploration before issue 12 or the current one. */
export function catchOne(model: string, mutant: string, seed: number, exploration: 'before' | 'after', strategy?: 'random' | 'pct'): Catch {
  const suite = exploration === 'before' ? beforeSuite(model) : suiteOf(model);
  const t0 = process.cpuUsage();
  const r = checkRandom(suite, { mutant, seed, minimize: false, ...(exploration === 'before' ? { fixedDepth: true, strategy: 'random' as const } : strategy ? { strategy } : {}) });
  const used = process.cpuUsage(t0);
  return { model, mutant, seed, exploration, caught: r.violation?.property ?? null, runs: r.runs, steps: r.steps, cpuMs: (used.user + used.system) / 1000 };
}
