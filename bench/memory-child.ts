/**
 * Memory of one exhaustive search, measured from outside the search's own arithmetic, for
 * bench/sections/4-memory-explore.ts. Run with `--expose-gc`: every SAMPLE_EVERY progress reports
 * it collects garbage fully and records the live JS heap plus array buffers (typed arrays live
 * there) against the search's counts: distinct states so far (the visited set) and states queued
 * (the frontier). Prints one JSON line: the samples, the search's own counters and the peak RSS.
 *
 *   node --expose-gc --import tsx bench/memory-child.ts MODEL OPTIONS_JSON
 */
import { suites } from '../properties/registry.js';
import { explore } from '../src/index.js';

const SAMPLE_EVERY = 4;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const [model, options] = process.argv.slice(2) as [string, string];
const suite = suites.find((s) => s.model.name === model);
if (suite === undefined) throw new Error(`no model ${model}`);

const live = () => {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const base = live();
const samples: { states: number; queue: number; depth: number; bytes: number }[] = [];
let calls = 0;
const r = await explore(suite, {
  ...JSON.parse(options),
  workers: 1,
  onProgress: ({ states, queue, depth }) => {
    if (++calls % SAMPLE_EVERY === 0) samples.push({ states, queue, depth, bytes: live() - base });
  },
});
// Every numeric counter the search reports about its own memory (names ending in Bytes or BytesPerState).
const counters = Object.fromEntries(Object.entries(r).filter(([k, v]) => /Bytes(PerState)?$/.test(k) && typeof v === 'number'));
process.stdout.write(
  JSON.stringify({
    states: r.distinctStates,
    depth: r.depth,
    complete: r.complete,
    violation: r.violation?.property ?? null,
    liveness: r.liveness.checked,
    livenessBytesPerState: r.liveness.bytesPerState,
    counters,
    samples,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  }) + '\n',
);
