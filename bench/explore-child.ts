/**
 * One exhaustive search in a fresh process, for the bench sections: as `protokit explore` runs,
 * with no memo warmed by an earlier search. Prints one JSON line: the search's figures, the CPU
 * time over the search and of the whole process so far (every thread; start-up included), and the
 * process's peak resident set size.
 *
 *   tsx bench/explore-child.ts MODEL WORKERS OPTIONS_JSON
 */
import { suites } from '../properties/registry.js';
import { explore } from '../src/index.js';

const [model, workers, options] = process.argv.slice(2) as [string, string, string];
const suite = suites.find((s) => s.model.name === model);
if (suite === undefined) throw new Error(`no model ${model}`);
// The catalogue, as the CLI gives it: a worker thread loads this model's suite alone.
const suiteModule = new URL('../properties/catalogue.ts', import.meta.url).href;
const cpu = process.cpuUsage();
const r = await explore(suite, { ...JSON.parse(options), workers: Number(workers), suiteModule });
const used = process.cpuUsage(cpu);
const total = process.cpuUsage();
process.stdout.write(
  JSON.stringify({
    states: r.distinctStates,
    depth: r.depth,
    generated: r.generated,
    complete: r.complete,
    violation: r.violation?.property ?? null,
    liveness: r.liveness.checked,
    wallMs: r.elapsedMs,
    cpuMs: (used.user + used.system) / 1000,
    processCpuMs: (total.user + total.system) / 1000,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    visitedBytesPerState: r.visitedBytesPerState,
    peakHeapBytes: r.peakHeapBytes,
    spilledWorlds: r.spilledWorlds,
  }) + '\n',
);
