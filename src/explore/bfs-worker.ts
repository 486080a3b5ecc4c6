/**
 * The body of a search worker: it loads the suite, resolves the same instance as the main
 * thread, and expands the chunks it is sent (bfs-expand.ts), worlds travelling as strings
 * (bfs-wire.ts). It remembers the fingerprints it has already sent, and those of every level
 * the main thread hands out: all visited, so it sends each new state at most once.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { resolveInstance, type InstanceOptions } from '../instance.js';
import type { Suite } from '../suite.js';
import { Expander } from './bfs-expand.js';
import { VisitedSet } from './bfs-visited.js';
import { encodeWorld, WorldDecoder } from './bfs-wire.js';
import { Symmetry } from './symmetry.js';

export interface WorkerSetup {
  readonly suiteModule: string;
  readonly model: string;
  readonly instance: InstanceOptions;
  readonly symmetry: boolean;
  /** Int32 cell holding the lowest batch still wanted; older chunks are skipped. */
  readonly wanted: SharedArrayBuffer;
}

export type ToWorker =
  | { readonly kind: 'chunk'; readonly batch: number; readonly seq: number; readonly worlds: readonly string[]; readonly expand: boolean }
  | { readonly kind: 'reached'; readonly names: readonly string[] }
  | { readonly kind: 'known'; readonly hi: Uint32Array; readonly lo: Uint32Array };

const SENT_LIMIT = 4_000_000;

async function loadSuite(setup: WorkerSetup): Promise<Suite> {
  const module = (await import(setup.suiteModule)) as { suites?: unknown; default?: unknown };
  const found = module.suites ?? module.default;
  const suites = (Array.isArray(found) ? found : [found]) as Suite[];
  const suite = suites.find((s) => s?.model?.name === setup.model);
  if (suite === undefined) throw new Error(`search worker: ${setup.suiteModule} has no suite for model ${setup.model}`);
  return suite;
}

const setup = workerData as WorkerSetup;
const wanted = new Int32Array(setup.wanted);
const suite = await loadSuite(setup);
const instance = resolveInstance(suite.model, setup.instance);
const expander = new Expander(instance, suite.properties, setup.symmetry ? new Symmetry(instance) : null);
const decoder = new WorldDecoder();
let sent = new VisitedSet();

parentPort!.on('message', (message: ToWorker) => {
  if (message.kind === 'known') {
    for (let i = 0; i < message.hi.length; i++) sent.add(message.hi[i]!, message.lo[i]!, -1);
    return;
  }
  if (message.kind === 'reached') {
    expander.markReached(message.names);
    return;
  }
  if (message.batch < Atomics.load(wanted, 0)) {
    parentPort!.postMessage({ batch: message.batch, seq: message.seq, skipped: true });
    return;
  }
  const r = expander.processChunk(
    message.worlds.map((w) => decoder.decode(w)),
    message.expand,
    (hi, lo) => sent.has(hi, lo),
  );
  if (sent.size > SENT_LIMIT) sent = new VisitedSet();
  const worlds: string[] = [];
  const parents: number[] = [];
  const his: number[] = [];
  const los: number[] = [];
  for (let k = 0; k < r.worlds.length; k++) {
    // Two successors of one chunk may be the same state: send it once.
    if (sent.add(r.hi[k]!, r.lo[k]!, -1) < 0) continue;
    worlds.push(encodeWorld(r.worlds[k]!));
    parents.push(r.parents[k]!);
    his.push(r.hi[k]!);
    los.push(r.lo[k]!);
  }
  const result = { ...r, parents: Int32Array.from(parents), hi: Uint32Array.from(his), lo: Uint32Array.from(los), worlds };
  parentPort!.postMessage({ batch: message.batch, seq: message.seq, result }, [result.parents.buffer, result.hi.buffer, result.lo.buffer]);
});
parentPort!.postMessage({ ready: true });
