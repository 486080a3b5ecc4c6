/**
 * Memory of a long random check: `checkRandom` on Two-Phase Commit's default configuration
 * for 100,000 runs, with the heap measured after a full collection at every tenth of the runs.
 * A run's worlds are dropped when it ends; what grows is what the check reports (the distinct-
 * state count, kept as 64-bit fingerprints in typed arrays, 16 bytes each at most) and the
 * memo of node transitions (bounded by the node states met, not by runs).
 */
import { suites } from '../../properties/registry.js';
import { checkRandom } from '../../src/explore/random/random.js';
import { collectGarbage, si, table, time } from '../measure.js';

const RUNS = 100_000;
const MiB = 2 ** 20;

function memory() {
  collectGarbage();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers };
}

/** Bytes of a FingerprintSet holding `n` fingerprints (capacity doubles from 4096 while over half full; 9 bytes per slot). */
function fingerprintTableBytes(n: number): number {
  let capacity = 1 << 12;
  while (n * 2 > capacity) capacity *= 2;
  return capacity * 9;
}

export default {
  title: 'Memory of a 100,000-run check',
  async run() {
    const suite = suites.find((s) => s.model.name === 'two-phase-commit')!;
    const before = memory();
    const samples: { runs: number; steps: number; heapMiB: number; arrayBuffersMiB: number }[] = [];
    const run = time(() =>
      checkRandom(suite, {
        runs: RUNS,
        seed: 1,
        onProgress: ({ runs, steps }) => {
          if (runs % (RUNS / 10) !== 0) return;
          const m = memory();
          samples.push({ runs, steps, heapMiB: (m.heapUsed - before.heapUsed) / MiB, arrayBuffersMiB: (m.arrayBuffers - before.arrayBuffers) / MiB });
        },
      }),
    );
    const result = run.value;
    const tableMiB = fingerprintTableBytes(result.distinctStates) / MiB;
    const rows = samples.map((s) => [s.runs.toLocaleString('en'), s.steps.toLocaleString('en'), s.heapMiB.toFixed(1), s.arrayBuffersMiB.toFixed(1)]);
    const markdown = [
      `\`checkRandom\` of two-phase-commit (default configuration and faults, depth ${suite.budget.depth}), ${RUNS.toLocaleString('en')} runs, seed 1: ${result.steps.toLocaleString('en')} steps, ${result.distinctStates.toLocaleString('en')} distinct states, ${si((result.steps * 1000) / run.cpuMs)} steps/s.`,
      `Growth over the heap before the check, after a full collection at every tenth of the runs. The distinct-state fingerprints live in typed arrays`,
      `("array buffers"; ${tableMiB.toFixed(1)} MiB for ${result.distinctStates.toLocaleString('en')} states); the JS heap holds the memo of node transitions and no run's worlds.`,
      '',
      table(['runs done', 'steps', 'JS heap growth (MiB)', 'array buffers growth (MiB)'], rows),
    ].join('\n');
    return { markdown, json: { runs: RUNS, steps: result.steps, distinctStates: result.distinctStates, cpuMs: run.cpuMs, fingerprintTableBytes: fingerprintTableBytes(result.distinctStates), samples } };
  },
};
