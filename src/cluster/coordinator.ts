/**
 * The coordinator of an exhaustive search on a cluster (`explore MODEL --cluster nats://…`), as
 * TLC's distributed mode and explore/bfs/workers.ts between threads: it owns the visited set,
 * numbers the states, walks each level in state order (level.ts) and keeps the parent pointers;
 * workers (explore-worker.ts, one `protokit worker` process each) expand units of a level and send
 * back fingerprints and parent indexes. The counts, the depth and the shortest counterexample are
 * therefore those of a search in one process, for any number of workers.
 *
 * A level goes in two rounds. Expand: its states, cut into units of consecutive numbers, go to
 * the workers (as tuples of item numbers, wire.ts); each unit's answer is walked as soon as the
 * units before it are in. Fetch: the worker of each unit sends the worlds of its successors that
 * became states, which make the next level. The coordinator thus holds every level's worlds
 * (compactly), so a unit whose worker dies or stalls is simply sent to another (expansion is
 * pure: the same unit gives the same answer), and a checkpoint at a level boundary is the
 * in-process search's own (checkpoint.ts), resumable with or without a cluster.
 *
 * With shards (`--shards S`), the visited set's dedup is split by fingerprint (shard-store.ts):
 * workers send each successor's fingerprint to the shard that owns it (shard 0 is this process,
 * shards 1 … S − 1 are `protokit shard` processes, shard.ts), and at the level's end each shard
 * says which of its successors are new, in the level's order; merged by that order, they are the
 * successors the walk adds, so this process numbers them, keeps their parents (and the whole
 * set, for checkpoints and counterexamples) as it would alone, touching only its own share of
 * the successors and the new states. A shard that fails stops the search as the server going
 * away does (its part of the set cannot be rebuilt elsewhere); `--resume` seeds new shards.
 *
 * The server going away stops the search at the start of the level it was in, with the figures
 * of the levels before it and (with --checkpoint) a checkpoint to resume from; never with counts
 * that miss a unit. Liveness is not decided on a cluster (the graph it needs is kept by one
 * process); the result says so, as with --workers.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import type { NatsConnection } from '@nats-io/transport-node';
import { ModelError, UsageError } from '../engine/errors.js';
import { resolveInstance } from '../engine/instance.js';
import { initialWorld, type Packed } from '../engine/packed.js';
import { isLiveness } from '../properties/liveness.js';
import { withProperties, type Suite } from '../properties/suite.js';
import {
  ChunkFile,
  claimCheckpointDir,
  encodeWorld,
  Expander,
  explore,
  Frontier,
  heapUsed,
  Level,
  optionsPrint,
  readCheckpoint,
  safetyResult,
  Symmetry,
  terminalOf,
  VisitedSet,
  WorldDecoder,
  writeCheckpoint,
  type CheckpointWritten,
  type ExploreOptions,
  type ExploreResult,
  type Found,
  type PartResult,
  type SearchCounters,
  type StopReason,
} from './engine-adapter.js';
import { answerHellos, pinOf, type ExploreJob } from './handshake.js';
import { ItemsToPeer, ItemTable } from './items.js';
import { checkCredentials, connectCluster, watchConnection, type ClusterCredentials } from './nats.js';
import type { ShardOrder, ShardReply, UnitOrder, UnitReply } from './explore-worker.js';
import { ownerOf, ShardStore, type NewSuccessors } from './shard-store.js';
import { frame, ItemsIn, mapTuples, ProtocolError, pushTuple, TupleList, unframe } from './wire.js';

export interface ClusterOptions {
  readonly credentials: ClusterCredentials;
  /** Seconds a worker may take over one unit before it counts as dead and the unit goes to another. */
  readonly unitTimeoutS: number;
  /** Seconds to wait for a first worker (and for another, when every worker is gone). */
  readonly waitS: number;
  /** Workers that must have joined before the first level is expanded (default 1): a fleet started together then shares the search from its start. */
  readonly minWorkers?: number;
  /** Shards of the visited set (default 1: this process alone); the search starts once S − 1 `protokit shard` processes have joined. */
  readonly shards?: number;
  /** A line for the coordinator's terminal: a worker joined, was refused or was dropped. */
  readonly log: (line: string) => void;
  /** Units of a random fleet done, after each. */
  readonly onUnits?: (done: number, total: number) => void;
  /** Workers alive, after each change. */
  readonly onWorkers?: (alive: number) => void;
}

/** What a search on a cluster adds to a search's result. */
export interface ClusterReport {
  readonly workersJoined: number;
  readonly workersLost: number;
  readonly refused: number;
  /** Units sent again after their worker died or stalled. */
  readonly unitsRedone: number;
  /** Bytes sent to and received from workers (payloads). */
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** Successors the workers sent fingerprints of (after each unit's own filter): what the coordinator and its shards deduplicated. */
  readonly candidates: number;
  /** Of those, the ones this process deduplicated itself: all of them without shards, shard 0's share with. */
  readonly leadCandidates: number;
  /** Shards of the visited set (1: this process alone). */
  readonly shards: number;
  /** Why the search stopped early on the cluster's account (the server went away, no worker left), or null. */
  readonly lost: string | null;
  /** The coordinator's own CPU time over the search (user and system, start-up of the process excluded), in ms: what its dedup rate is measured on. */
  readonly coordinatorCpuMs: number;
}

export type ClusterExploreResult = ExploreResult & { readonly cluster: ClusterReport };

/** Most states in a unit: small enough to spread a level, large enough that a message carries real work. */
const MAX_UNIT = 512;
/** Units a worker is sent before it answers the first: hides the round trip. */
const IN_FLIGHT = 2;

interface ShardLink {
  readonly index: number;
  readonly name: string;
  readonly inbox: string;
}

/** Fingerprints per seed message: two arrays of 4-byte values, 512 KiB, under NATS's default 1 MiB payload. */
const SEED_CHUNK = 65536;

interface WorkerLink {
  readonly id: number;
  readonly name: string;
  readonly inbox: string;
  readonly out: ItemsToPeer;
  readonly in: ItemsIn<number>;
  inFlight: number;
  alive: boolean;
}

/** A level's worlds as tuples of the run's item numbers, in state order. */
interface LevelWorlds {
  readonly firstId: number;
  readonly tuples: TupleList;
}

/** The tuple of one world in the run's item numbers. */
function tupleOf(text: string, table: ItemTable): number[] {
  const tuple: number[] = [];
  pushTuple(text, (item) => table.intern(item), tuple);
  return tuple;
}

class ClusterLost extends Error {}

/** New after 0.3.0 (CHANGELOG, Unreleased). An exhaustive search whose levels are expanded by `protokit worker` processes over NATS. */
export async function exploreOnCluster(fullSuite: Suite, options: ExploreOptions, cluster: ClusterOptions): Promise<ClusterExploreResult> {
  checkCredentials(cluster.credentials, '--cluster');
  if (options.coverage) throw new UsageError('--coverage counts in one process: leave out --cluster');
  if ((options.workers ?? 1) > 1) throw new UsageError('--workers and --cluster do not go together: each worker process is one searcher (start more of them)');
  const suite = withProperties(fullSuite, options.properties);
  const started = performance.now(); // allow-clock: reports elapsed time only
  const cpuAtStart = process.cpuUsage(); // allow-clock: reports the coordinator's own CPU only
  const instance = resolveInstance(suite.model, options);
  const symmetry = options.symmetry ? new Symmetry(instance) : null;
  const expander = new Expander(instance, suite.properties, symmetry, options.maxInFlight, terminalOf(suite, options.deadlock !== false));
  const job: ExploreJob = { kind: 'explore', symmetry: options.symmetry ?? false, maxInFlight: options.maxInFlight ?? null, deadlock: options.deadlock !== false, properties: options.properties ? [...options.properties] : null };
  const pin = pinOf(fullSuite, instance);
  const maxStates = options.maxStates ?? Infinity;
  const maxDepth = options.maxDepth ?? Infinity;
  const maxHeapBytes = (options.maxMemoryMb ?? Math.floor((getHeapStatistics().heap_size_limit * 0.7) / 2 ** 20)) * 2 ** 20;
  const hasLiveness = suite.properties.some(isLiveness);
  const livenessNote = !hasLiveness ? 'the suite has no liveness property' : options.liveness === false ? 'liveness not asked for' : 'not checked on a cluster (the liveness graph is kept by one process); search without --cluster';

  // A fresh search starts from the initial state; a resumed one from its checkpoint.
  const print = optionsPrint(suite, instance, options);
  if (options.checkpoint !== undefined && (options.resume === undefined || resolve(options.checkpoint.dir) !== resolve(options.resume))) claimCheckpointDir(options.checkpoint.dir);
  const resumed = options.resume === undefined ? null : readCheckpoint(options.resume, print, expander.packed);
  const table = new ItemTable();
  let visited: VisitedSet;
  let current: LevelWorlds;
  if (resumed === null) {
    const initial = initialWorld(instance);
    visited = new VisitedSet();
    const [hi0, lo0] = expander.fingerprintOf(initial);
    visited.add(hi0, lo0, -1);
    current = { firstId: 0, tuples: new TupleList() };
    current.tuples.append(tupleOf(encodeWorld(initial), table), 1);
  } else {
    visited = resumed.visited;
    current = { firstId: resumed.frontier.firstId, tuples: new TupleList() };
    const decoder = new WorldDecoder();
    const { packed } = expander;
    for (const chunk of resumed.frontier.chunks(decoder)) {
      for (let k = 0; k < chunk.count; k++) {
        current.tuples.append(tupleOf(encodeWorld(packed.unpack(chunk.tuples, k * packed.width)), table), 1);
      }
    }
  }
  const before = resumed?.counters;
  const reached = new Set<string>(before?.reached ?? []);
  let depth = before?.depth ?? 0;
  let generated = before?.generated ?? 0;
  let stoppedBy: StopReason | null = before?.stoppedBy ?? null;
  let peakHeap = Math.max(before?.peakHeapBytes ?? 0, heapUsed());
  let found: Found | null = null;
  let generation = (resumed?.generation ?? 0) + 1;
  let checkpoint: CheckpointWritten | null = null;
  const elapsedBefore = before?.elapsedMs ?? 0;
  const elapsed = () => elapsedBefore + performance.now() - started; // allow-clock
  const frontierSizes: number[] = [1];
  const signal = options.signal;
  const interrupted = () => (options.interrupted?.() ?? false) || (signal?.aborted ?? false);

  const stats = { workersLost: 0, unitsRedone: 0, bytesSent: 0, bytesReceived: 0, candidates: 0, leadCandidates: 0 };
  const shardCount = cluster.shards ?? 1;
  const ownShard = shardCount > 1 ? new ShardStore(0, shardCount) : null;
  const shardLinks: ShardLink[] = [];
  let lost: string | null = null;
  let finished = false;
  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const changed = (ms: number) =>
    new Promise<void>((resolveWait) => {
      const timer = setTimeout(() => {
        wake = null;
        resolveWait();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        resolveWait();
      };
    });

  const run = randomUUID().slice(0, 8);
  const nc: NatsConnection = await connectCluster(cluster.credentials, `protokit-coordinator-${run}`);
  watchConnection(nc, cluster.unitTimeoutS * 1000, (why) => {
    if (finished) return;
    lost = why;
    poke();
  });
  const workers: WorkerLink[] = [];
  const alive = () => workers.filter((w) => w.alive);
  const done = `protokit.${run}.done`;
  const hello = answerHellos(nc, pin, run, done, job, cluster, (name, inbox) => {
    const id = workers.length;
    const link: WorkerLink = { id, name, inbox, out: new ItemsToPeer(table), in: new ItemsIn<number>((text) => table.intern(text)), inFlight: 0, alive: true };
    workers.push(link);
    cluster.log(`worker ${name} joined (${alive().length} alive)`);
    cluster.onWorkers?.(alive().length);
    poke();
    return link;
  }, (name, inbox) => {
    if (ownShard === null) return { refused: 'this run has no shards (start the coordinator with explore … --cluster … --shards N)' };
    if (shardLinks.length >= shardCount - 1) return { refused: `the run already has its ${shardCount - 1} shard process${shardCount > 2 ? 'es' : ''} (--shards ${shardCount})` };
    const index = shardLinks.length + 1;
    shardLinks.push({ index, name, inbox });
    cluster.log(`shard ${name} joined as shard ${index} of ${shardCount}`);
    poke();
    return { job: { kind: 'shard', index, shards: shardCount } };
  });

  const drop = (w: WorkerLink, why: string) => {
    if (!w.alive) return;
    w.alive = false;
    stats.workersLost++;
    cluster.log(`worker ${w.name} dropped: ${why}; its units go to others (${alive().length} alive)`);
    cluster.onWorkers?.(alive().length);
    // A worker that is alive after all (it stalled) hears it and joins again, afresh.
    if (lost === null) nc.publish(w.inbox, frame({ op: 'drop', depth: -1, unit: -1 } satisfies UnitOrder));
  };

  /** Waits until `least` workers are alive (one, after the start), the cluster is lost, or the search is interrupted. */
  const waitForWorker = async (least = 1) => {
    const deadline = performance.now() + cluster.waitS * 1000; // allow-clock: a bounded wait
    while (alive().length < least) {
      if (lost !== null) throw new ClusterLost(lost);
      if (interrupted()) return;
      if (performance.now() > deadline) {
        const what = least > 1 ? `only ${alive().length} of the ${least} workers --cluster-workers asks for joined` : `no worker ${workers.length === 0 ? 'joined' : 'left alive'}`;
        throw new ClusterLost(`${what} within ${cluster.waitS} s (start some with: protokit worker MODEL --cluster …)`); // allow-clock
      }
      await changed(200);
    }
  };

  /** Waits until every shard process has joined (bounded, as for workers). */
  const waitForShards = async () => {
    const deadline = performance.now() + cluster.waitS * 1000; // allow-clock: a bounded wait
    while (shardLinks.length < shardCount - 1) {
      if (lost !== null) throw new ClusterLost(lost);
      if (interrupted()) return;
      if (performance.now() > deadline) throw new ClusterLost(`only ${shardLinks.length} of the ${shardCount - 1} shard processes --shards ${shardCount} asks for joined within ${cluster.waitS} s (start them with: protokit shard MODEL --cluster …)`); // allow-clock
      await changed(200);
    }
  };

  /** One order to a shard and its answer; a shard that fails or does not answer stops the search (its part of the set lives only there). */
  const askShard = async (link: ShardLink, order: ShardOrder, arrays: Uint32Array[] = []): Promise<{ header: Extract<ShardReply, { ok: true }>; arrays: Uint32Array<ArrayBuffer>[] }> => {
    const data = frame(order, arrays);
    stats.bytesSent += data.byteLength;
    let answer: Uint8Array;
    try {
      answer = (await nc.request(link.inbox, data, { timeout: cluster.unitTimeoutS * 1000 })).data;
    } catch (error) {
      throw new ClusterLost(`shard ${link.index} (${link.name}) did not answer: ${error instanceof Error ? error.message : String(error)}`);
    }
    stats.bytesReceived += answer.byteLength;
    const reply = unframe<ShardReply>(answer);
    if (!reply.header.ok) throw new ClusterLost(`shard ${link.index} (${link.name}) failed: ${reply.header.error}`);
    return { header: reply.header, arrays: reply.arrays as Uint32Array<ArrayBuffer>[] };
  };

  /** Gives every shard the fingerprints it owns among the states visited before (the initial state, or the checkpoint's). */
  const seedShards = async () => {
    const { hi, lo } = visited.prefix(visited.size);
    ownShard!.seed(hi, lo);
    await Promise.all(
      shardLinks.map(async (link) => {
        const mine = [];
        for (let k = 0; k < hi.length; k++) if (ownerOf(hi[k]!, shardCount) === link.index) mine.push(k);
        // One message at least, empty or not: it also says the shard is there.
        for (let from = 0; from === 0 || from < mine.length; from += SEED_CHUNK) {
          const part = mine.slice(from, from + SEED_CHUNK);
          await askShard(link, { op: 'seed' }, [Uint32Array.from(part, (k) => hi[k]!), Uint32Array.from(part, (k) => lo[k]!)]);
        }
      }),
    );
  };

  /** Every shard's new successors among units 0 … units − 1 of level `depth`; shard 0's from this process. */
  const resolveOnShards = async (depth: number, units: number, atDepthLimit: boolean): Promise<NewSuccessors[]> => {
    const remote = shardLinks.map(async (link): Promise<NewSuccessors> => {
      const first = await askShard(link, { op: 'resolve', depth, units, atDepthLimit });
      const pages = [first.arrays];
      for (let page = 1; page < (first.header.pages ?? 1); page++) pages.push((await askShard(link, { op: 'page', page })).arrays);
      const [unit, cand, parent, hi, lo] = [0, 1, 2, 3, 4].map((k) => concat(pages.map((p) => p[k] ?? new Uint32Array(0))));
      if (unit!.length !== first.header.count || [cand, parent, hi, lo].some((x) => x!.length !== unit!.length) || !inLevelOrder(unit!, cand!, units)) {
        throw new ClusterLost(`shard ${link.index} (${link.name}) sent an answer that does not add up`);
      }
      return { unit: unit!, cand: cand!, parent: parent!, hi: hi!, lo: lo! };
    });
    const own = ownShard!.resolve(depth, units, atDepthLimit);
    return [own, ...(await Promise.all(remote))];
  };

  /** Sends one order to `w`; the reply, or null when the worker failed (it is then dropped). */
  const ask = async (w: WorkerLink, order: UnitOrder, arrays: Uint32Array[]): Promise<{ header: UnitReply; arrays: Uint32Array[] } | null> => {
    const data = frame({ ...order, fresh: w.out.takeFresh() }, arrays);
    stats.bytesSent += data.byteLength;
    w.inFlight++;
    try {
      const m = await nc.request(w.inbox, data, { timeout: cluster.unitTimeoutS * 1000 });
      stats.bytesReceived += m.data.byteLength;
      const reply = unframe<UnitReply>(m.data);
      if (!reply.header.ok) {
        if (reply.header.modelError !== undefined) throw new ModelError(`the model failed on worker ${w.name}: ${reply.header.modelError}`, null);
        if (reply.header.missing) return null;
        const lostShard = reply.header.shardLost;
        if (lostShard !== undefined) throw new ClusterLost(`shard ${lostShard.shard} (${shardLinks[lostShard.shard - 1]?.name ?? '?'}), for worker ${w.name}: ${lostShard.why}`);
        throw new ProtocolError(reply.header.error ?? 'an error');
      }
      // Items first used in this reply: numbered now, before any later reply of this worker is read.
      w.in.define(reply.header.fresh);
      return reply as { header: UnitReply; arrays: Uint32Array[] };
    } catch (error) {
      if (error instanceof ModelError || error instanceof ClusterLost) throw error;
      drop(w, error instanceof Error ? error.message : String(error));
      return null;
    } finally {
      w.inFlight--;
      poke();
    }
  };

  /** The tuples of worlds `from`..`to` of a level, in `w`'s item numbers. */
  const tuplesFor = (w: WorkerLink, level: LevelWorlds, from: number, to: number): Uint32Array => mapTuples(level.tuples.slice(from, to), to - from, (id) => w.out.id(id));

  let failure: unknown = null;
  /**
   * Runs `tasks` (unit numbers, lowest first) on the workers, at most IN_FLIGHT each; `send` does
   * one on a worker and says whether it succeeded (a failed one is done again, by another).
   * `canTake` says which units a worker may do (a fetch goes to the worker that holds the
   * worlds). Stops early when `enough()` says so.
   */
  const schedule = async (
    tasks: number[],
    send: (w: WorkerLink, unit: number) => Promise<boolean>,
    enough: () => boolean,
    canTake: (w: WorkerLink, unit: number) => boolean = () => true,
  ): Promise<void> => {
    const pending = tasks.slice();
    let running = 0;
    while ((pending.length > 0 || running > 0) && !enough()) {
      if (lost !== null) throw new ClusterLost(lost);
      if (interrupted()) return;
      if (alive().length === 0) await waitForWorker();
      for (const w of alive()) {
        for (let k = 0; w.alive && w.inFlight < IN_FLIGHT && k < pending.length; ) {
          const unit = pending[k]!;
          if (!canTake(w, unit)) {
            k++;
            continue;
          }
          pending.splice(k, 1);
          running++;
          void send(w, unit).then(
            (ok) => {
              running--;
              if (!ok) {
                stats.unitsRedone++;
                pending.push(unit);
                pending.sort((a, b) => a - b);
              }
              poke();
            },
            (error: unknown) => {
              running--;
              failure ??= error;
              poke();
            },
          );
        }
      }
      if (failure !== null) throw failure;
      if (running > 0 || pending.length > 0) await changed(1000);
      if (failure !== null) throw failure;
    }
  };

  const save = () => {
    const counters: SearchCounters = { depth, generated, reached: [...reached], stoppedBy, peakHeapBytes: peakHeap, elapsedMs: elapsed() };
    checkpoint = writeCheckpointOf(options.checkpoint!.dir, generation++, print, visited, current, table, counters, expander.packed);
  };

  let size = current.tuples.count;
  try {
    await waitForWorker(cluster.minWorkers ?? 1);
    if (ownShard !== null) {
      await waitForShards();
      await seedShards();
    }
    while (size > 0 && found === null) {
      if (options.checkpoint !== undefined && depth > (before?.depth ?? 0) && options.checkpoint.due(depth)) save();
      depth++;
      const level = new Level(visited, { maxStates, maxHeapBytes, atDepthLimit: depth >= maxDepth }, stoppedBy, reached);
      const levelWorlds = current;
      const count = levelWorlds.tuples.count;
      await waitForWorker();
      const unitSize = Math.max(1, Math.min(MAX_UNIT, Math.ceil(count / (Math.max(1, alive().length) * 4))));
      const units = Array.from({ length: Math.ceil(count / unitSize) }, (_, u) => ({ from: u * unitSize, to: Math.min(count, (u + 1) * unitSize) }));
      const results = new Map<number, { worker: WorkerLink; part: PartResult }>();
      const accepted: { indexes: number[]; ids: number[] }[] = [];
      const expandedBy: (WorkerLink | null)[] = [];
      let walked = 0;
      const reachedNow = [...reached];
      const idsOf = (u: number) => {
        const ids = new Uint32Array(units[u]!.to - units[u]!.from);
        for (let k = 0; k < ids.length; k++) ids[k] = levelWorlds.firstId + units[u]!.from + k;
        return ids;
      };
      // Sharded: units whose answers are all in, from the first (the walk waits for the shards); the units after a state violation do not count.
      let arrived = 0;
      let cut: number | null = null;
      const shardsOrder = ownShard === null ? {} : { shards: { inboxes: shardLinks.map((l) => l.inbox), timeoutS: cluster.unitTimeoutS } };
      // Round 1: expand the units; walk each as soon as those before it are walked (with shards: once every shard has said which successors are new).
      await schedule(
        units.map((_, u) => u),
        async (w, u) => {
          const { from, to } = units[u]!;
          const order: UnitOrder = { op: 'expand', depth, unit: u, count: to - from, expand: level.expanding, reached: reachedNow, ...shardsOrder };
          const reply = await ask(w, order, [tuplesFor(w, levelWorlds, from, to)]);
          if (reply === null) return false;
          const [generatedCounts, parents, hi, lo] = reply.arrays as [Uint32Array<ArrayBuffer>, Uint32Array<ArrayBuffer>, Uint32Array<ArrayBuffer>, Uint32Array<ArrayBuffer>];
          const h = reply.header as Extract<UnitReply, { ok: true }>;
          if (ownShard !== null) {
            // Shard 0's share only (the others went to their shards): its indexes among the unit's successors last.
            const cand = reply.arrays[5] as Uint32Array<ArrayBuffer> | undefined;
            if (h.sharded !== true || cand === undefined || generatedCounts.length !== to - from || [parents, hi, lo].some((a) => a.length !== cand.length) || cand.length > h.count) {
              drop(w, `an answer for unit ${u} that does not add up`);
              return false;
            }
            try {
              ownShard.receive(depth, u, { cand, parent: parents, hi, lo });
            } catch (error) {
              drop(w, `unit ${u}: ${error instanceof Error ? error.message : String(error)}`);
              return false;
            }
            stats.candidates += h.count;
            stats.leadCandidates += cand.length;
            // `count`: the unit's successors, all shards' (what a shard's indexes must stay under).
            results.set(u, { worker: w, part: { stateViolation: h.stateViolation, stepViolation: h.stepViolation, witnesses: h.witnesses, generated: generatedCounts, count: h.count, parents, hi, lo } });
            while (cut === null && results.has(arrived)) if (results.get(arrived++)!.part.stateViolation !== null) cut = arrived;
            options.onProgress?.({ states: visited.size, queue: count - (units[arrived - 1]?.to ?? 0), depth, elapsedMs: elapsed() });
            return true;
          }
          if (generatedCounts.length !== to - from || parents.length !== h.count || hi.length !== h.count || lo.length !== h.count) {
            drop(w, `an answer for unit ${u} that does not add up`);
            return false;
          }
          stats.candidates += h.count;
          results.set(u, { worker: w, part: { stateViolation: h.stateViolation, stepViolation: h.stepViolation, witnesses: h.witnesses, generated: generatedCounts, count: h.count, parents, hi, lo } });
          while (results.has(walked) && !level.over) {
            const { part, worker } = results.get(walked)!;
            accepted.push(level.resolve([{ ids: idsOf(walked), result: part }])[0]!);
            expandedBy.push(worker);
            results.delete(walked);
            walked++;
            level.notePeak(heapUsed());
          }
          options.onProgress?.({ states: visited.size, queue: count - (units[walked - 1]?.to ?? 0), depth, elapsedMs: elapsed() });
          return true;
        },
        () => level.over || walked === units.length || cut !== null || (ownShard !== null && arrived === units.length),
      );
      if (interrupted()) throw new Interrupted();
      if (ownShard !== null) {
        // The walk, on what the shards found new: the successors the one-process walk would add, in its order.
        const considered = cut ?? units.length;
        const fresh = mergeByUnit(await resolveOnShards(depth, considered, depth >= maxDepth), considered);
        if (interrupted()) throw new Interrupted();
        for (let u = 0; u < considered && !level.over; u++) {
          const { part, worker } = results.get(u)!;
          const n = fresh[u]!;
          const states = units[u]!.to - units[u]!.from;
          if (n.cand.some((k) => k >= part.count) || n.parent.some((p) => p >= states)) throw new ClusterLost(`a shard named a successor unit ${u} does not have`);
          const a = level.resolve([{ ids: idsOf(u), result: { ...part, count: n.cand.length, parents: n.parent, hi: n.hi, lo: n.lo } }])[0]!;
          // Each successor a shard called new is new to the whole set, unless a bound or a violation stopped the walk.
          if (!level.over && level.expanding && level.stoppedBy === null && depth < maxDepth && a.indexes.length !== n.cand.length) {
            throw new Error(`internal: the shards called ${n.cand.length} successors of unit ${u} new, the visited set ${a.indexes.length}`);
          }
          accepted.push({ indexes: a.indexes.map((k) => n.cand[k]!), ids: a.ids });
          expandedBy.push(worker);
          level.notePeak(heapUsed());
        }
      }
      // Round 2: the successors that became states, from the workers that hold them (or expanded again elsewhere).
      // The new states were numbered right after this level's.
      const next: LevelWorlds = { firstId: levelWorlds.firstId + count, tuples: new TupleList() };
      const fetched: (Uint32Array | null)[] = accepted.map(() => null);
      // A violation ends the search with this level: its successors are not needed.
      const wanted = level.stateFound !== null || level.stepFound !== null ? [] : accepted.map((a, u) => (a.indexes.length > 0 ? u : -1)).filter((u) => u >= 0);
      await schedule(
        wanted,
        async (w, u) => {
          const accept = Uint32Array.from(accepted[u]!.indexes);
          const holder = expandedBy[u]!;
          const order: UnitOrder =
            holder === w
              ? { op: 'fetch', depth, unit: u }
              : { op: 'expand', depth, unit: u, count: units[u]!.to - units[u]!.from, expand: true, reached: reachedNow, withWorlds: true };
          const arrays = holder === w ? [accept] : [tuplesFor(w, levelWorlds, units[u]!.from, units[u]!.to), accept];
          const reply = await ask(w, order, arrays);
          if (reply === null) {
            if (holder === w) expandedBy[u] = null;
            return false;
          }
          // From the worker's item numbers to the run's: number for number, no text.
          fetched[u] = mapTuples(reply.arrays[4]!, accept.length, (id) => w.in.get(id));
          return true;
        },
        () => false,
        (w, u) => expandedBy[u] === null || expandedBy[u] === w || !expandedBy[u]!.alive,
      );
      if (interrupted()) throw new Interrupted();
      for (const u of wanted) next.tuples.append(fetched[u]!, accepted[u]!.indexes.length);
      size = next.tuples.count;
      if (size > 0) frontierSizes.push(size);
      generated += level.generated;
      for (const name of level.reached) reached.add(name);
      stoppedBy = level.stoppedBy;
      if (level.newAtLimit && stoppedBy === null) stoppedBy = 'max-depth';
      if (heapUsed() > maxHeapBytes && stoppedBy === null && size > 0) stoppedBy = 'memory';
      peakHeap = Math.max(peakHeap, level.peakHeapBytes);
      found = level.stateFound ?? level.stepFound;
      current = next;
      if (stoppedBy === 'memory') break;
    }
  } catch (error) {
    if (!(error instanceof ClusterLost || error instanceof Interrupted)) {
      finished = true;
      await close(nc, workers, done);
      if (error instanceof ModelError) throw await locateOnThisMachine(fullSuite, options, error);
      throw error;
    }
    // The level in progress is dropped whole: the figures (and the checkpoint) are those of its start.
    depth--;
    if (error instanceof ClusterLost) lost = error.message;
    // Saved before the stop is noted, as the one-process search does: a checkpoint saying "interrupted" would resume into an immediate stop.
    if (options.checkpoint !== undefined && lost === null) save();
    else if (options.checkpoint !== undefined) {
      try {
        save();
      } catch {
        // A checkpoint that cannot be written leaves the last one, still valid.
      }
    }
    stoppedBy = 'interrupted';
  }
  finished = true;
  hello.close();
  await close(nc, workers, done);

  return {
    ...safetyResult(instance, suite, expander, visited, found, livenessNote, {
      symmetry: symmetry !== null,
      maxInFlight: options.maxInFlight ?? null,
      workers: hello.joined(),
      distinctStates: visited.size,
      generated,
      depth,
      frontier: frontierSizes,
      stoppedBy,
      reached,
      peakHeapBytes: peakHeap,
      spilledWorlds: 0,
      checkpoint,
      resumed: resumed !== null,
      elapsedMs: elapsed(),
    }),
    cluster: { ...stats, leadCandidates: ownShard === null ? stats.candidates : stats.leadCandidates, shards: shardCount, workersJoined: hello.joined(), refused: hello.refused(), lost, coordinatorCpuMs: cpuMsSince(cpuAtStart) },
  };
}

class Interrupted extends Error {}

/** Arrays one after the other, in one. */
function concat(parts: readonly Uint32Array[]): Uint32Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Whether a shard's answer is in the level's order: units increasing (below `units`), indexes increasing within a unit. */
function inLevelOrder(unit: Uint32Array, cand: Uint32Array, units: number): boolean {
  for (let k = 0; k < unit.length; k++) {
    if (unit[k]! >= units) return false;
    if (k > 0 && (unit[k]! < unit[k - 1]! || (unit[k] === unit[k - 1] && cand[k]! <= cand[k - 1]!))) return false;
  }
  return true;
}

/** A unit's new successors, from every shard, in the unit's order: indexes among its successors, parents' indexes in the unit, fingerprints. */
interface UnitNew {
  readonly cand: Uint32Array<ArrayBuffer>;
  readonly parent: Uint32Array<ArrayBuffer>;
  readonly hi: Uint32Array<ArrayBuffer>;
  readonly lo: Uint32Array<ArrayBuffer>;
}

/** The shards' answers (each in the level's order) merged into one list per unit, in the level's order: what the walk adds. */
function mergeByUnit(answers: readonly NewSuccessors[], units: number): UnitNew[] {
  const at = answers.map(() => 0);
  const out: UnitNew[] = [];
  for (let u = 0; u < units; u++) {
    const picked: [NewSuccessors, number][] = [];
    answers.forEach((a, s) => {
      while (at[s]! < a.unit.length && a.unit[at[s]!] === u) picked.push([a, at[s]!++]);
    });
    picked.sort((x, y) => x[0].cand[x[1]]! - y[0].cand[y[1]]!);
    const pick = (field: keyof NewSuccessors) => Uint32Array.from(picked, ([a, k]) => a[field][k]!);
    out.push({ cand: pick('cand'), parent: pick('parent'), hi: pick('hi'), lo: pick('lo') });
  }
  answers.forEach((a, s) => {
    if (at[s] !== a.unit.length) throw new Error(`internal: shard ${s} answered for units past ${units} or out of order`);
  });
  return out;
}

/** This process's CPU (user and system) since `start`, in milliseconds. */
function cpuMsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start); // allow-clock: a measurement, not a verdict
  return Math.round((user + system) / 1000);
}

/** Tells the workers the run is over, and closes the connection (a server already gone is no error here). */
async function close(nc: NatsConnection, _workers: readonly WorkerLink[], done: string): Promise<void> {
  try {
    nc.publish(done, frame({ op: 'done' }));
    await Promise.race([nc.flush(), new Promise((r) => setTimeout(r, 2000).unref())]);
  } catch {
    // the server is gone: workers find out by themselves
  }
  try {
    await Promise.race([nc.close(), new Promise((r) => setTimeout(r, 2000).unref())]);
  } catch {
    // already closed
  }
}

/**
 * A model error met on a worker: found again by a plain search in this process, which knows the
 * state and action it failed at (as explore/bfs/search.ts does for its worker threads).
 */
async function locateOnThisMachine(suite: Suite, options: ExploreOptions, error: ModelError): Promise<unknown> {
  try {
    await explore(suite, { ...options, workers: 1, onProgress: undefined, checkpoint: undefined, resume: undefined });
  } catch (again) {
    if (again instanceof ModelError) return again;
  }
  return error;
}

/** A checkpoint of the level about to be searched, in the in-process search's format (its frontier written as the thread wire's lines). */
function writeCheckpointOf(dir: string, generation: number, print: ReturnType<typeof optionsPrint>, visited: VisitedSet, level: LevelWorlds, table: ItemTable, counters: SearchCounters, packed: Packed): CheckpointWritten {
  const temp = mkdtempSync(join(tmpdir(), 'protokit-cluster-'));
  try {
    const file = new ChunkFile(join(temp, 'frontier.chunks'));
    const count = level.tuples.count;
    const lines: string[] = [];
    const flush = () => {
      if (lines.length > 0) file.appendEncoded(lines.splice(0));
    };
    for (let k = 0; k < count; k++) {
      lines.push(level.tuples.text(k, (id) => table.text(id)));
      if (lines.length === 1024) flush();
    }
    flush();
    file.close();
    return writeCheckpoint(dir, generation, print, visited, level.firstId + count, Frontier.fromFile(level.firstId, file, packed), counters);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

