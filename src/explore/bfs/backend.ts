/**
 * Where a breadth-first level is expanded: in this thread (here), or spread over worker
 * threads (workers.ts). Either way the parts go through the same `Level` walk
 * (level.ts), so the counts never depend on the workers.
 */
import { getHeapStatistics } from 'node:v8';
import type { World } from '../../engine/world.js';
import { Frontier } from './frontier.js';
import { WorldDecoder } from './wire.js';
import type { Expander } from './expand.js';
import type { Level } from './level.js';
import { VisitedSet } from './visited.js';

export interface Backend {
  /** Checks and expands the current level into `level`; returns the number of states in the next. */
  searchLevel(level: Level, progress: (queued: number) => void): Promise<number>;
  close(): Promise<void>;
}

export function heapUsed(): number {
  return getHeapStatistics().used_heap_size;
}

export interface LocalBackend extends Backend {
  /** The states of the next level to search: numbers (increasing) and tuples (this thread's ids), all in memory (to hand to worker threads). */
  frontier(): { readonly ids: Uint32Array; readonly tuples: Int32Array };
  /** The level about to be searched (or, after an interruption, the one that was being searched). */
  current(): Frontier;
  /** True when the last `searchLevel` stopped early because `interrupted()` said so; its level must be searched again. */
  readonly interrupted: boolean;
  /** Worlds written to disk so far. */
  readonly spilledWorlds: number;
}

/** How the in-process search keeps within memory. */
export interface MemoryPolicy {
  /** Past this heap size, the next level's worlds go to disk. */
  readonly maxHeapBytes: number;
  /** The directory spilled frontiers go to (made when first needed). */
  readonly spillDir: () => string;
  /** Keep a level whole while it is searched (a checkpoint may write it after an interruption); otherwise its chunks are let go as they are read. */
  readonly keepLevel: boolean;
}

/**
 * One worker: this thread expands every part itself, worlds as tuples of ids (engine/packed.ts). Past the memory bound
 * the next level spills to disk (frontier.ts); the search stops for memory only when what cannot
 * spill (the visited set) passes the bound, or the heap nears its hard limit.
 */
export function inProcessBackend(
  expander: Expander,
  visited: VisitedSet,
  start: Frontier,
  memory: MemoryPolicy,
  interrupted: (() => boolean) | null = null,
): LocalBackend {
  let current = start;
  const decoder = new WorldDecoder();
  const { packed } = expander;
  const width = packed.width;
  const hardLimit = getHeapStatistics().heap_size_limit * 0.9;
  let stopped = false;
  let spilledWorlds = 0;
  // Visited, or met earlier in the same part: a later copy of a successor would lose to the first
  // in the level walk anyway, so it is not even built.
  let inPart = new VisitedSet();
  const known = (hi: number, lo: number) => visited.has(hi, lo) || inPart.add(hi, lo, -1) < 0;
  return {
    async searchLevel(level, progress) {
      stopped = false;
      const next = new Frontier(visited.size, packed);
      let at = current.firstId;
      for (const chunk of current.chunks(decoder, !memory.keepLevel)) {
        if (level.over) break;
        if (interrupted !== null) {
          // Let a signal handler run (the search never waits otherwise): a chunk takes milliseconds, this microseconds.
          await new Promise((resolve) => setImmediate(resolve));
          if (interrupted()) {
            stopped = true;
            break;
          }
        }
        inPart = new VisitedSet();
        const part = expander.expandPacked(chunk.tuples, chunk.count, level.expanding, known);
        const ids = new Uint32Array(chunk.count);
        for (let k = 0; k < ids.length; k++) ids[k] = at + k;
        at += chunk.count;
        const [accepted] = level.resolve([{ ids, result: part }]);
        for (let k = 0; k < accepted!.ids.length; k++) next.push(part.tuples, accepted!.indexes[k]! * width);
        expander.markReached(level.reached);
        const heap = heapUsed();
        level.notePeak(heap);
        if (heap > memory.maxHeapBytes && level.expanding) {
          next.spill(memory.spillDir());
          if (visited.bytes > memory.maxHeapBytes || heap > hardLimit) level.stopForMemory();
        }
        progress(Math.max(0, current.length - (at - current.firstId)) + next.length);
      }
      if (stopped) {
        next.dispose();
        return current.length;
      }
      spilledWorlds += next.onDisk;
      current.dispose();
      current = next;
      return current.length;
    },
    frontier: () => {
      const tuples = current.allTuples(decoder);
      const ids = new Uint32Array(current.length);
      for (let k = 0; k < ids.length; k++) ids[k] = current.firstId + k;
      return { ids, tuples };
    },
    current: () => current,
    get interrupted() {
      return stopped;
    },
    get spilledWorlds() {
      return spilledWorlds;
    },
    close: async () => {
      current.dispose();
    },
  };
}
