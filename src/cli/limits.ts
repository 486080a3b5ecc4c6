/**
 * Limits the machine cannot meet are refused up front with a message that states the bound,
 * instead of an out-of-memory abort minutes later with no result: a memory bound above the
 * heap this process may grow to, a depth longer than a trace can hold, more workers than a
 * sane multiple of the cores.
 */
import { availableParallelism } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { UsageError } from '../engine/errors.js';
import { MAX_TRACE_ACTIONS } from '../trace/format.js';

/** Worker threads beyond this many per core only add start-up cost and memory. */
export const WORKERS_PER_CORE = 4;

/** The most runs one check takes (at 100,000 runs/s, about 3 hours); split bigger budgets with --shard. */
export const MAX_RUNS = 1_000_000_000;

export function heapLimitMb(): number {
  return Math.floor(getHeapStatistics().heap_size_limit / 2 ** 20);
}

export function checkWorkers(workers: number | undefined): void {
  const cores = availableParallelism();
  const most = WORKERS_PER_CORE * cores;
  if (workers !== undefined && workers > most) {
    throw new UsageError(`--workers ${workers} is more than ${WORKERS_PER_CORE} per core (${cores} cores here: at most ${most})`);
  }
}

/** `--max-memory` must fit in the heap this process may grow to (the whole search's, workers included). */
export function checkMaxMemory(maxMemoryMb: number | undefined): void {
  const limit = heapLimitMb();
  if (maxMemoryMb !== undefined && maxMemoryMb > limit) {
    throw new UsageError(
      `--max-memory ${maxMemoryMb} is above this process's heap limit of ${limit} MB (give at most ${limit}, or raise the limit: NODE_OPTIONS=--max-old-space-size=${maxMemoryMb + 256})`,
    );
  }
}

/** A run's actions become a trace, which holds at most MAX_TRACE_ACTIONS; and runs are bounded. */
export function checkBudget(runs: number | undefined, depth: number | undefined): void {
  if (depth !== undefined && depth > MAX_TRACE_ACTIONS) {
    throw new UsageError(`--depth ${depth} is more than a trace holds (at most ${MAX_TRACE_ACTIONS.toLocaleString('en-US')} actions)`);
  }
  if (runs !== undefined && runs > MAX_RUNS) {
    throw new UsageError(`--runs ${runs} is more than one check takes (at most ${MAX_RUNS.toLocaleString('en-US')}; split it with --shard K/N)`);
  }
}
