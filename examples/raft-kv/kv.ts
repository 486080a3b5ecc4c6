/**
 * The replicated state machine: a key-value store whose commands travel as the Raft log's
 * command strings. A get is a command too, so it is answered at its place in the log (a read
 * that went through the log is linearizable). Every command carries the client's operation id,
 * so a leader can tell its own entry from another that replaced it at the same index.
 */
export type KvCommand =
  | { readonly op: 'put'; readonly key: string; readonly value: string; readonly id: string }
  | { readonly op: 'get'; readonly key: string; readonly id: string };

export const encodeCommand = (c: KvCommand): string => JSON.stringify(c);

export function decodeCommand(text: string): KvCommand | null {
  try {
    const c = JSON.parse(text) as Partial<KvCommand>;
    if (typeof c.key !== 'string' || typeof c.id !== 'string') return null;
    if (c.op === 'get') return { op: 'get', key: c.key, id: c.id };
    if (c.op === 'put' && typeof c.value === 'string') return { op: 'put', key: c.key, value: c.value, id: c.id };
    return null;
  } catch {
    return null;
  }
}

/** The store, fed with committed entries in log order (each index once). */
export class KvStore {
  private readonly values = new Map<string, string>();
  applied = 0;

  /** Applies the entry at `index` (the next one) and returns what the command answers. */
  apply(index: number, text: string): string | null {
    if (index !== this.applied + 1) throw new Error(`entry ${index} applied after ${this.applied}`);
    this.applied = index;
    const c = decodeCommand(text);
    if (c === null) return null;
    if (c.op === 'put') {
      this.values.set(c.key, c.value);
      return null;
    }
    return this.values.get(c.key) ?? '';
  }
}
