/**
 * Symmetry reduction on the packed tuple (symmetry.ts defines it on World objects, through text;
 * this is the same reduction without unpacking a world per successor). A renaming of a role's
 * nodes moves node slots and maps each id inside a slot to the id of its renamed content:
 * memoised per (id, renaming), so a node state, envelope or observation is renamed once.
 *
 * The candidate renamings are symmetry.ts's: nodes sorted by a signature renaming cannot change
 * (the state seen from that node, the other ids of its role blurred), permutations enumerated
 * only among equal signatures, and not at all in a group that every adjacent swap leaves as it
 * is. The least renamed tuple is chosen by comparing contents (canonical keys, cached per id),
 * never ids, which are interned in each thread's own order: the choice, hence the fingerprint,
 * is the same in every thread, and the classes are exactly symmetry.ts's.
 */
import type { Instance } from '../../engine/instance.js';
import { objectKey } from '../../engine/node-step.js';
import type { Packed } from '../../engine/packed.js';
import { partitionKey } from '../../engine/world.js';
import { cartesian, permutations, type Mapping, type Symmetry, type SymmetricRole } from './symmetry.js';

/** Renamed ids and keys kept before the memos start afresh (interned ids stay valid). */
const MEMO_LIMIT = 1_000_000;

const NODE = 0;
const ENVELOPE = 1;
const OBSERVATION = 2;

export class TupleSymmetry {
  private readonly instance: Instance;
  private readonly n: number;
  private readonly roles: readonly SymmetricRole[];
  private readonly roleOfPosition: readonly (SymmetricRole | null)[];
  /** Per renaming (its index), per kind: id → renamed id. */
  private readonly renamings = new Map<string, number>();
  private renamed: Map<number, number>[][] = [];
  private mappings: Mapping[] = [];
  private memoSize = 0;
  /** Per node id (self), per kind: id → key with self marked and the other symmetric ids blurred. */
  private blurred = new Map<string, Map<number, string>[]>();
  private readonly blurs = new Map<string, Mapping>();
  private readonly networkKeys = new Map<number, string>();
  private readonly observationSetKeys = new Map<number, string>();
  private readonly fifo: boolean;
  private readonly identity: Int32Array;
  private readonly candidate: Int32Array;
  private readonly best: Int32Array;
  private readonly swapped: Int32Array;

  constructor(
    private readonly text: Symmetry,
    private readonly packed: Packed,
  ) {
    this.instance = packed.instance;
    this.n = packed.n;
    this.roles = text.roles;
    this.roleOfPosition = this.instance.nodes.map((_, i) => this.roles.find((r) => r.positions.includes(i)) ?? null);
    this.fifo = this.instance.faults.network === 'fifo';
    this.identity = new Int32Array(packed.width);
    this.candidate = new Int32Array(packed.width);
    this.best = new Int32Array(packed.width);
    this.swapped = new Int32Array(packed.width);
    for (const r of this.roles) {
      for (const self of r.ids) {
        const blur = new Map<string, string>();
        for (const q of this.roles) for (const id of q.ids) blur.set(id, `\u0001${q.role}`);
        blur.set(self, '\u0001self');
        this.blurs.set(self, blur);
      }
    }
  }

  /** Writes the class's least tuple of the tuple at `t[at..]` into `out[outAt..]`. */
  canonicalize(t: Int32Array, at: number, out: Int32Array, outAt: number): void {
    const { identity } = this;
    identity.set(t.subarray(at, at + this.packed.width));
    const orders: string[][][] = [];
    for (const r of this.roles) {
      const signed = r.ids.map((id) => ({ id, sig: this.signature(id) }));
      signed.sort((a, b) => (a.sig < b.sig ? -1 : a.sig > b.sig ? 1 : 0));
      const groups: string[][] = [];
      signed.forEach((s, k) => {
        if (k > 0 && signed[k - 1]!.sig === s.sig) groups[groups.length - 1]!.push(s.id);
        else groups.push([s.id]);
      });
      const enumerated = groups.map((g) => (g.length > 1 && !this.swapsFix(g) ? permutations(g) : [g]));
      orders.push(enumerated.length ? cartesian(enumerated).map((choice) => choice.flat()) : [[]]);
    }
    let first = true;
    for (const choice of cartesian(orders)) {
      const mapping = new Map<string, string>();
      this.roles.forEach((r, i) => choice[i]!.forEach((id, k) => mapping.set(id, r.ids[k]!)));
      this.rename(identity, mapping, this.candidate);
      if (first || this.compare(this.candidate, this.best) < 0) this.best.set(this.candidate);
      first = false;
    }
    out.set(this.best, outAt);
  }

  /** True when swapping each adjacent pair of `group` leaves the tuple's content as it is. */
  private swapsFix(group: readonly string[]): boolean {
    for (let k = 0; k + 1 < group.length; k++) {
      const swap = new Map([
        [group[k]!, group[k + 1]!],
        [group[k + 1]!, group[k]!],
      ]);
      this.rename(this.identity, swap, this.swapped);
      if (this.compare(this.swapped, this.identity) !== 0) return false;
    }
    return true;
  }

  /** Writes `t` renamed by `mapping` into `out`: node slots moved, every id renamed. */
  private rename(t: Int32Array, mapping: Mapping, out: Int32Array): void {
    const { n, packed } = this;
    const r = this.renamingIndex(mapping);
    const memo = this.renamed[r]!;
    for (let i = 0; i < n; i++) {
      const role = this.roleOfPosition[i];
      const id = this.instance.nodes[i]!.id;
      const j = role === null ? i : this.instance.indexOf.get(mapping.get(id) ?? id)!;
      out[j] = this.renamedId(memo, NODE, t[i]!, mapping, j);
    }
    const items = packed.networkItems(t[n]!);
    const envs = new Int32Array(items.length);
    for (let k = 0; k < items.length; k++) envs[k] = this.renamedId(memo, ENVELOPE, items[k]!, mapping, -1);
    out[n] = packed.networkIdOf(envs, envs.length);
    const obsItems = packed.observationSetItems(t[n + 1]!);
    const obs = new Int32Array(obsItems.length);
    for (let k = 0; k < obsItems.length; k++) obs[k] = this.renamedId(memo, OBSERVATION, obsItems[k]!, mapping, -1);
    out[n + 1] = packed.observationSetIdOf(obs, obs.length);
    const [loss, duplicate, crash, partitions, split] = packed.faultFields(t[n + 2]!);
    let renamedSplit = split;
    if (split >= 0) {
      const groups = packed.faultsOf(t[n + 2]!).partition!;
      renamedSplit = packed.splitOf(groups.map((g) => g.map((id) => mapping.get(id) ?? id)));
    }
    out[n + 2] = packed.faultIdOf(loss, duplicate, crash, partitions, renamedSplit);
  }

  private renamingIndex(mapping: Mapping): number {
    let tag = '';
    for (const [from, to] of mapping) if (from !== to) tag += `${from}>${to};`;
    let r = this.renamings.get(tag);
    if (r === undefined) {
      r = this.mappings.length;
      this.renamings.set(tag, r);
      this.mappings.push(mapping);
      this.renamed.push([new Map(), new Map(), new Map()]);
    }
    return r;
  }

  /** The id of `id`'s content renamed (a node state, for node slot `slot`). */
  private renamedId(memo: Map<number, number>[], kind: number, id: number, mapping: Mapping, slot: number): number {
    // A node state's renamed id is per target slot (node ids are interned per node).
    const memoKey = kind === NODE ? id * this.n + slot : id;
    let out = memo[kind]!.get(memoKey);
    if (out !== undefined) return out;
    const { packed, text } = this;
    if (kind === NODE) out = packed.nodeIdOfKey(slot, text.renameText(packed.nodeKeyOf(id), mapping));
    else if (kind === ENVELOPE) out = packed.envelopeIdOfKey(text.renameText(packed.envelopeKeyOf(id), mapping));
    else out = packed.observationIdOfKey(text.renameText(packed.observationKeyOf(id), mapping));
    if (++this.memoSize > MEMO_LIMIT) this.forget();
    memo[kind]!.set(memoKey, out);
    return out;
  }

  private forget(): void {
    for (const memo of this.renamed) for (const m of memo) m.clear();
    this.blurred.clear();
    this.networkKeys.clear();
    this.observationSetKeys.clear();
    this.memoSize = 0;
  }

  /** The state seen from node `self` (its id marked, other symmetric ids blurred): renaming cannot change it. */
  private signature(self: string): string {
    const { n, packed, identity } = this;
    const own = this.blurredKey(self, NODE, identity[this.instance.indexOf.get(self)!]!);
    const fixed: string[] = [];
    const others: string[] = [];
    for (let i = 0; i < n; i++) {
      const k = this.blurredKey(self, NODE, identity[i]!);
      const role = this.roleOfPosition[i];
      if (role === null) fixed.push(k);
      else others.push(`${role.role}:${k}`);
    }
    const network = Array.from(packed.networkItems(identity[n]!), (e) => this.blurredKey(self, ENVELOPE, e)).sort();
    const observations = Array.from(packed.observationSetItems(identity[n + 1]!), (o) => this.blurredKey(self, OBSERVATION, o)).sort();
    const faults = packed.faultsOf(identity[n + 2]!);
    const blur = this.blurs.get(self)!;
    const partition = faults.partition === null ? 'null' : faults.partition.map((g) => g.map((id) => blur.get(id) ?? id).sort().join(',')).sort().join('/');
    return [own, fixed.join('|'), others.sort().join('|'), network.join('|'), partition, objectKey(faults.used), observations.join('|')].join('#');
  }

  private blurredKey(self: string, kind: number, id: number): string {
    let perKind = this.blurred.get(self);
    if (perKind === undefined) this.blurred.set(self, (perKind = [new Map(), new Map(), new Map()]));
    let key = perKind[kind]!.get(id);
    if (key === undefined) {
      const { packed } = this;
      const text = kind === NODE ? packed.nodeKeyOf(id) : kind === ENVELOPE ? packed.envelopeKeyOf(id) : packed.observationKeyOf(id);
      key = this.text.renameText(text, this.blurs.get(self)!);
      if (++this.memoSize > MEMO_LIMIT) this.forget();
      perKind = this.blurred.get(self) ?? [new Map(), new Map(), new Map()];
      this.blurred.set(self, perKind);
      perKind[kind]!.set(id, key);
    }
    return key;
  }

  /** Orders tuples by content (canonical keys), never by ids: the same order in every thread. */
  private compare(a: Int32Array, b: Int32Array): number {
    const { n, packed } = this;
    for (let i = 0; i < n; i++) {
      if (a[i] === b[i]) continue;
      const c = order(packed.nodeKeyOf(a[i]!), packed.nodeKeyOf(b[i]!));
      if (c !== 0) return c;
    }
    if (a[n] !== b[n]) {
      const c = order(this.networkKey(a[n]!), this.networkKey(b[n]!));
      if (c !== 0) return c;
    }
    if (a[n + 1] !== b[n + 1]) {
      const c = order(this.observationSetKey(a[n + 1]!), this.observationSetKey(b[n + 1]!));
      if (c !== 0) return c;
    }
    if (a[n + 2] !== b[n + 2]) {
      const fa = packed.faultsOf(a[n + 2]!);
      const fb = packed.faultsOf(b[n + 2]!);
      return order(`${partitionKey(fa.partition)}#${objectKey(fa.used)}`, `${partitionKey(fb.partition)}#${objectKey(fb.used)}`);
    }
    return 0;
  }

  /** A network's content: its messages sorted (under fifo, per link in order, links sorted). */
  private networkKey(id: number): string {
    let key = this.networkKeys.get(id);
    if (key === undefined) {
      const { packed } = this;
      const items = packed.networkItems(id);
      if (this.fifo) {
        const byLink = new Map<string, string[]>();
        for (const e of items) {
          const k = packed.envelopeKeyOf(e);
          const [from, to] = JSON.parse(k) as [string, string];
          const link = `${from}\u0000${to}`;
          const list = byLink.get(link) ?? [];
          list.push(k);
          byLink.set(link, list);
        }
        key = [...byLink.keys()].sort().map((l) => byLink.get(l)!.join(';')).join('|');
      } else {
        key = Array.from(items, (e) => packed.envelopeKeyOf(e)).sort().join('|');
      }
      if (++this.memoSize > MEMO_LIMIT) this.forget();
      this.networkKeys.set(id, key);
    }
    return key;
  }

  private observationSetKey(id: number): string {
    let key = this.observationSetKeys.get(id);
    if (key === undefined) {
      key = Array.from(this.packed.observationSetItems(id), (o) => this.packed.observationKeyOf(o)).sort().join('|');
      if (++this.memoSize > MEMO_LIMIT) this.forget();
      this.observationSetKeys.set(id, key);
    }
    return key;
  }
}

function order(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
