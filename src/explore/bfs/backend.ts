/**
 * Where a breadth-first level is expanded: in this thread (here), or spread over worker
 * threads (workers.ts). Either way the parts go through the same `Level` walk
 * (level.ts), so the counts never depend on the workers.
 */
import { getHeapStatistics } from 'node:v8';
import type { World } from '../../engine/world.js';
import type { Expander } from './expand.js';
import type { Level } from './level.js';
import { VisitedSet } from './visited.js';

export interface Backend {
  /** Checks and expands the current level into `level`; returns the number of states in the next. */
  searchLevel(level: Level, progress: (queued: number) => void): Promise<number>;
  close(): Promise<void>;
}

/** States per part in this thread: small enough to stop soon after a violation or a bound. */
const CHUNK = 1024;

export function heapUsed(): number {
  return getHeapStatistics().used_heap_size;
}

export interface LocalBackend extends Backend {
  /** The states of the next level to search: numbers (increasing) and worlds. */
  frontier(): { readonly ids: readonly number[]; readonly worlds: readonly World[] };
}

/** One worker: this thread expands every part itself, worlds as objects. */
export function inProcessBackend(expander: Expander, visited: VisitedSet, initial: World): LocalBackend {
  let ids: number[] = [0];
  let worlds: World[] = [initial];
  // Visited, or met earlier in the same part: a later copy of a successor would lose to the first
  // in the level walk anyway, so it is not even built.
  let inPart = new VisitedSet();
  const known = (hi: number, lo: number) => visited.has(hi, lo) || inPart.add(hi, lo, -1) < 0;
  return {
    async searchLevel(level, progress) {
      const nextIds: number[] = [];
      const nextWorlds: World[] = [];
      for (let at = 0; at < ids.length && !level.over; at += CHUNK) {
        inPart = new VisitedSet();
        const part = expander.expandPart(worlds.slice(at, at + CHUNK), level.expanding, known);
        const [accepted] = level.resolve([{ ids: ids.slice(at, at + CHUNK), result: part }]);
        for (let k = 0; k < accepted!.ids.length; k++) {
          nextIds.push(accepted!.ids[k]!);
          nextWorlds.push(part.worlds[accepted!.indexes[k]!]!);
        }
        expander.markReached(level.reached);
        level.heapSeen(heapUsed());
        progress(Math.max(0, ids.length - at - CHUNK) + nextIds.length);
      }
      ids = nextIds;
      worlds = nextWorlds;
      return ids.length;
    },
    frontier: () => ({ ids, worlds }),
    close: async () => {},
  };
}
