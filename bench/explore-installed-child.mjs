/**
 * bench/explore-child.ts on the installed package: the same search and the same JSON line, but the
 * kit, the suites and the worker threads are the package's built files (dist/) on plain node, as a
 * user's `protokit explore` runs them; the checkout's child runs the TypeScript sources through tsx,
 * whose loader a worker thread must register and run again (seconds of start-up a user never pays).
 *
 *   node bench/explore-installed-child.mjs PACKAGE_DIR MODEL WORKERS OPTIONS_JSON
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [pkg, model, workers, options] = process.argv.slice(2);
const built = (path) => pathToFileURL(join(pkg, 'dist', path)).href;
const { explore } = await import(built('src/index.js'));
// The catalogue, as the CLI gives it: a worker thread loads this model's suite alone.
const suiteModule = built('properties/catalogue.js');
const { catalogue } = await import(suiteModule);
const entry = catalogue.find((e) => e.name === model);
if (entry === undefined) throw new Error(`no model ${model}`);
const suite = await entry.load();
/**
 * CPU time per thread of this process (Linux: /proc/self/task, in 10 ms ticks), by thread id; null
 * elsewhere. Besides the main thread and the search's worker threads, V8 runs its optimising
 * compiler and parts of its garbage collector on threads of its own: on two cores they compete
 * with the searchers, which is what the split below shows.
 */
function threadCpu() {
  try {
    const byThread = new Map();
    for (const id of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${id}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byThread.set(id, (Number(fields[11]) + Number(fields[12])) * 10);
    }
    return byThread;
  } catch {
    return null;
  }
}
const threadsBefore = threadCpu();
const cpu = process.cpuUsage();
const r = await explore(suite, { ...JSON.parse(options), workers: Number(workers), suiteModule });
const used = process.cpuUsage(cpu);
const threadsAfter = threadCpu();
// The worker threads have ended when explore() returns: their time is what no live thread accounts for.
let split = null;
if (threadsBefore !== null && threadsAfter !== null) {
  const delta = (id) => (threadsAfter.get(id) ?? 0) - (threadsBefore.get(id) ?? 0);
  const main = delta(String(process.pid));
  let live = 0;
  for (const id of threadsAfter.keys()) live += delta(id);
  const usedMs = (used.user + used.system) / 1000;
  split = { mainThreadCpuMs: main, backgroundCpuMs: live - main, workerThreadsCpuMs: Math.max(0, usedMs - live) };
}
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
    ...split,
  }) + '\n',
);
