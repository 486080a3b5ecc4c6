/**
 * The built-in suites by model name, each imported only when it is asked for: `protokit check raft`
 * loads Raft's model and suite alone (defining a suite starts each of its machines and mutants once
 * to check what they persist, and the five together were most of a `check`'s start-up). Adding a
 * model means adding one line here; registry.ts loads them all.
 */
import type { Suite } from '../src/index.js';

export interface CatalogueEntry {
  /** The suite's model name (its `model.name`). */
  readonly name: string;
  readonly load: () => Promise<Suite>;
}

export const catalogue: readonly CatalogueEntry[] = [
  { name: 'two-phase-commit', load: async () => (await import('./two-phase-commit/index.js')).default },
  { name: 'raft', load: async () => (await import('./raft/index.js')).default },
  { name: 'paxos', load: async () => (await import('./paxos/index.js')).default },
  { name: 'mapreduce', load: async () => (await import('./mapreduce/index.js')).default },
  { name: 'quorum-kv', load: async () => (await import('./quorum-kv/index.js')).default },
];
