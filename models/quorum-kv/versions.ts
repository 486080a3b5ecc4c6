/**
 * Versions of a stored value, and how replicas merge them. Plain TypeScript, no xstate.
 *
 * - `lww` (last writer wins): a version is a timestamp from the coordinator's clock, with the
 *   coordinator's id breaking ties, so versions are totally ordered and a replica keeps one value.
 * - `vector`: a version is a version vector (node → counter), as in Dynamo (section 4.4).
 *   Versions that neither descends from are concurrent: a replica keeps all of them (siblings),
 *   and a get returns them all; a client resolves them by writing a value whose vector covers
 *   them (the merge of the vectors it read), which supersedes every sibling it saw.
 */

/** A last-writer-wins timestamp: counter `ts` of coordinator `by`. */
export interface Stamp {
  readonly ts: number;
  readonly by: string;
}

/** A version vector: how many writes each coordinator has stamped into this version's history. */
export type Clock = Readonly<Record<string, number>>;

export type Version = Stamp | { readonly vc: Clock };

/** One stored value with its version. */
export interface Sibling {
  readonly value: string;
  readonly version: Version;
}

const isStamp = (v: Version): v is Stamp => 'ts' in v;

/** True when version `a` is `b` or supersedes it (for stamps: is not older; for vectors: descends from it). */
export function covers(a: Version, b: Version): boolean {
  if (isStamp(a) && isStamp(b)) return a.ts > b.ts || (a.ts === b.ts && a.by >= b.by);
  if (!isStamp(a) && !isStamp(b)) return Object.entries(b.vc).every(([node, n]) => (a.vc[node] ?? 0) >= n);
  throw new Error('a timestamp and a version vector cannot be compared');
}

export const sameVersion = (a: Version, b: Version): boolean => covers(a, b) && covers(b, a);

const siblingKey = (s: Sibling): string => `${s.value}\u0000${JSON.stringify(isStamp(s.version) ? [s.version.ts, s.version.by] : Object.entries(s.version.vc).sort())}`;

/**
 * What a replica keeps after `incoming` arrives: the versions nothing else supersedes, each
 * once, in a canonical order. For stamps that is the single newest one.
 */
export function merge(existing: readonly Sibling[], incoming: readonly Sibling[]): Sibling[] {
  const all = [...existing, ...incoming];
  const kept: Sibling[] = [];
  for (const s of all) {
    const superseded = all.some((t) => covers(t.version, s.version) && !sameVersion(t.version, s.version));
    if (!superseded && !kept.some((k) => sameVersion(k.version, s.version))) kept.push(s);
  }
  return kept.sort((x, y) => (siblingKey(x) < siblingKey(y) ? -1 : 1));
}

/** True when `siblings` hold `version` or a version that supersedes it. */
export function holds(siblings: readonly Sibling[] | undefined, version: Version): boolean {
  return (siblings ?? []).some((s) => covers(s.version, version));
}

/** True when the two lists hold the same versions. */
export function sameSiblings(a: readonly Sibling[], b: readonly Sibling[]): boolean {
  return a.length === b.length && a.every((s) => b.some((t) => sameVersion(s.version, t.version)));
}

/** The pointwise maximum of the siblings' vectors: the context a client writes back to resolve them. */
export function contextOf(siblings: readonly Sibling[]): Clock {
  const out: Record<string, number> = {};
  for (const s of siblings) {
    if (isStamp(s.version)) continue;
    for (const [node, n] of Object.entries(s.version.vc)) out[node] = Math.max(out[node] ?? 0, n);
  }
  return sortedClock(out);
}

/** A clock with its entries in node order (so equal clocks print alike). */
export function sortedClock(clock: Clock): Clock {
  return Object.fromEntries(Object.entries(clock).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The newest timestamp among `siblings` (0 when there is none). */
export function newestStamp(siblings: readonly Sibling[]): number {
  return Math.max(0, ...siblings.map((s) => (isStamp(s.version) ? s.version.ts : 0)));
}
