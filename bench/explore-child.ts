/**
 * One exhaustive search in a fresh process, for bench/sections/4-explore.ts: as `protokit
 * explore` runs, with no node-transition memo warmed by an earlier search. Prints the figures
 * and the process's CPU time over the search (every thread) as one JSON line.
 *
 *   tsx bench/explore-child.ts MODEL WORKERS OPTIONS_JSON
 */
import { suites } from '../properties/registry.js';
import { explore } from '../src/explore/bfs/search.js';

const [model, workers, options] = process.argv.slice(2) as [string, string, string];
const suite = suites.find((s) => s.model.name === model);
if (suite === undefined) throw new Error(`no model ${model}`);
const registry = new URL('../properties/registry.ts', import.meta.url).href;
const cpu = process.cpuUsage();
const r = await explore(suite, { ...JSON.parse(options), workers: Number(workers), suiteModule: registry });
const used = process.cpuUsage(cpu);
process.stdout.write(
  JSON.stringify({ states: r.distinctStates, depth: r.depth, generated: r.generated, wallMs: r.elapsedMs, cpuMs: (used.user + used.system) / 1000 }) + '\n',
);
