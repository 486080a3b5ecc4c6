/**
 * Where a breadth-first level is expanded: in this thread, or spread over worker threads.
 * A backend yields chunk results in chunk order, so the states are numbered, and the first
 * violation chosen, exactly as one thread would: the counts never depend on the workers.
 */
import type { World } from '../world.js';
import type { ChunkResult, Expander } from './bfs-expand.js';

export interface Backend<W> {
  /** The initial state in the backend's representation. */
  readonly initial: W;
  /**
   * Checks (and with `expand`, expands) the chunks, yielding results in chunk order. `visitedHi`
   * and `visitedLo` hold the fingerprints of the states in the chunks, visited by definition.
   */
  process(
    chunks: readonly (readonly W[])[],
    expand: boolean,
    known: (hi: number, lo: number) => boolean,
    visitedHi: Uint32Array,
    visitedLo: Uint32Array,
  ): AsyncGenerator<ChunkResult<W>>;
  /** Witnesses reached so far, so backends stop evaluating them. */
  markReached(names: readonly string[]): void;
  close(): Promise<void>;
}

/** One worker: the main thread expands every chunk itself, with worlds as objects. */
export function inProcessBackend(expander: Expander, initial: World): Backend<World> {
  return {
    initial,
    async *process(chunks, expand, known) {
      for (const chunk of chunks) yield expander.processChunk(chunk, expand, known);
    },
    markReached: (names) => expander.markReached(names),
    close: async () => {},
  };
}
