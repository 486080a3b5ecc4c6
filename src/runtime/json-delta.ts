/**
 * What changed between two versions of a node's persisted fields, small enough to append: a
 * field set anew, a field removed, or a list that kept a prefix and gained new items (Raft's log
 * after an append: the kept entries are the same objects, so the prefix is found by identity).
 * Comparing costs pointer checks over what was kept; only what changed is serialised.
 */

/** The change to one list field: keep its first `keep` items, then add `add`. */
export interface ListChange {
  readonly keep: number;
  readonly add: readonly unknown[];
}

export interface PersistedDelta {
  readonly set?: Readonly<Record<string, unknown>>;
  readonly unset?: readonly string[];
  readonly lists?: Readonly<Record<string, ListChange>>;
}

/** JSON equality, by identity first: shared sub-values (xstate keeps what it did not assign) cost one check. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!Object.hasOwn(b, k) || !sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

/** The delta from `before` to `after`, or null when they are the same. */
export function diffPersisted(before: Readonly<Record<string, unknown>>, after: Readonly<Record<string, unknown>>): PersistedDelta | null {
  const set: Record<string, unknown> = {};
  const lists: Record<string, ListChange> = {};
  const unset = Object.keys(before).filter((f) => !Object.hasOwn(after, f));
  for (const [field, value] of Object.entries(after)) {
    const old = Object.hasOwn(before, field) ? before[field] : undefined;
    if (old !== undefined && sameJson(old, value)) continue;
    if (Array.isArray(old) && Array.isArray(value)) {
      let keep = 0;
      while (keep < old.length && keep < value.length && sameJson(old[keep], value[keep])) keep++;
      lists[field] = { keep, add: value.slice(keep) };
    } else {
      set[field] = value;
    }
  }
  if (unset.length === 0 && Object.keys(set).length === 0 && Object.keys(lists).length === 0) return null;
  return { ...(Object.keys(set).length > 0 ? { set } : {}), ...(unset.length > 0 ? { unset } : {}), ...(Object.keys(lists).length > 0 ? { lists } : {}) };
}

/** `before` with `delta` applied (a new object; `before` is not changed), or what is wrong with the delta. */
export function applyDelta(before: Readonly<Record<string, unknown>>, delta: unknown): Record<string, unknown> | string {
  if (typeof delta !== 'object' || delta === null || Array.isArray(delta)) return 'not an object';
  const d = delta as { set?: unknown; unset?: unknown; lists?: unknown };
  const after: Record<string, unknown> = { ...before };
  if (d.set !== undefined) {
    if (typeof d.set !== 'object' || d.set === null || Array.isArray(d.set)) return 'set is not an object';
    Object.assign(after, d.set);
  }
  if (d.unset !== undefined) {
    if (!Array.isArray(d.unset) || !d.unset.every((f) => typeof f === 'string')) return 'unset is not a list of field names';
    for (const f of d.unset as string[]) delete after[f];
  }
  if (d.lists !== undefined) {
    if (typeof d.lists !== 'object' || d.lists === null || Array.isArray(d.lists)) return 'lists is not an object';
    for (const [field, change] of Object.entries(d.lists as Record<string, unknown>)) {
      const c = change as { keep?: unknown; add?: unknown } | null;
      const old = after[field];
      if (!Array.isArray(old)) return `lists.${field}: the field is not a list`;
      if (typeof c !== 'object' || c === null || !Number.isSafeInteger(c.keep) || (c.keep as number) < 0 || (c.keep as number) > old.length || !Array.isArray(c.add)) {
        return `lists.${field}: expected { keep: 0..${old.length}, add: [...] }`;
      }
      after[field] = [...old.slice(0, c.keep as number), ...c.add];
    }
  }
  return after;
}
