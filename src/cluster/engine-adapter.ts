/**
 * Everything the cluster takes from the exhaustive search (src/explore/bfs/), in one place: the
 * cluster is another backend of the same search, so it reuses the search's level walk, visited
 * set, expander, checkpoints and counterexample rebuilding instead of copying them. When the
 * engine's representation changes (worlds as tuples of interned integers), this file is the one
 * the cluster re-points; wire.ts's `worldItems`/`worldOfItems` are the other seam.
 */
export { Expander, type PartResult, type ExpandedPart } from '../explore/bfs/expand.js';
export { Level, type Found, type LevelPart, type StopReason } from '../explore/bfs/level.js';
export { VisitedSet } from '../explore/bfs/visited.js';
export { encodeWorld, WorldDecoder } from '../explore/bfs/wire.js';
export { optionsPrint, readCheckpoint, writeCheckpoint, claimCheckpointDir, type CheckpointWritten, type SearchCounters, type OptionsPrint } from '../explore/bfs/checkpoint.js';
export { ChunkFile, Frontier } from '../explore/bfs/frontier.js';
export { Symmetry } from '../explore/bfs/symmetry.js';
export { terminalOf } from '../explore/bfs/terminal.js';
export { heapUsed } from '../explore/bfs/backend.js';
export { explore, safetyResult } from '../explore/bfs/search.js';
export type { ExploreOptions, ExploreResult, ExploreProgress } from '../explore/bfs/options.js';

/**
 * The separators of a world's text on the thread wire (src/explore/bfs/wire.ts): items (node
 * states, envelopes, observations) within a part, and the five parts (nodes, network, partition,
 * used faults, observations). Canonical JSON never holds them unescaped. wire.test.ts checks that
 * they still cut `encodeWorld`'s text into the items it was built from.
 */
export const ITEM = '\u0001';
export const PART = '\u0002';
