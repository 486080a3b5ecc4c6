/**
 * Exact symmetry reduction (Ip & Dill; TLC's SYMMETRY). The nodes of a role the model lists in
 * `model.symmetric` are interchangeable: renaming them (a permutation of their ids, applied
 * everywhere an id appears: node positions, contexts, messages, observations, partitions) maps
 * behaviours to behaviours. The search then visits one state per class, identified by a
 * canonical key: the least key among the renamed copies of the state.
 *
 * What counts as an id: a string equal to a node id of a symmetric role, as a value or as an
 * object key. An array of such ids that is sorted is a set (models keep sets of node ids
 * sorted), so it is sorted again after renaming; an unsorted one is a sequence and keeps its
 * order (a sequence of ids that happens to be sorted would be taken for a set: keep sequences of
 * ids wrapped, e.g. `[{ from: 'n2' }, { from: 'n1' }]`). Properties must be symmetric too (as
 * TLC requires): they should not single out a node of a symmetric role by its id.
 *
 * Computing the least key over all n! permutations would be slow, so nodes are first sorted by
 * a signature that renaming cannot change (the state seen from that node, every other id of
 * its role blurred); only nodes with equal signatures can trade places, and a group of them
 * that any swap leaves unchanged needs no enumeration at all. The candidates depend only on the
 * class, never on which member of it was found first, so counts do not depend on search order.
 */
import { canonical } from '../../engine/canonical.js';
import { UsageError } from '../../engine/errors.js';
import type { Instance } from '../../engine/instance.js';
import { nodeKey } from '../../engine/node-step.js';
import { envelopeKey, type World } from '../../engine/world.js';

/** Old id → new id (or a placeholder); ids not in the map stay. */
export type Mapping = ReadonlyMap<string, string>;

export interface SymmetricRole {
  readonly role: string;
  /** Positions of its nodes in the cluster, and their ids, in cluster order. */
  readonly positions: readonly number[];
  readonly ids: readonly string[];
}

const CACHE_LIMIT = 500_000;

export class Symmetry {
  readonly roles: readonly SymmetricRole[];
  private readonly symmetricIds: ReadonlySet<string>;
  private readonly roleOfPosition: readonly (SymmetricRole | null)[];
  private readonly renamed = new Map<string, string>();

  constructor(private readonly instance: Instance) {
    const declared = instance.model.symmetric ?? [];
    if (declared.length === 0) throw new UsageError(`--symmetry: model ${instance.model.name} declares no symmetric roles (model.symmetric)`);
    const roles: SymmetricRole[] = [];
    for (const role of declared) {
      if (instance.model.roles[role] === undefined) {
        throw new UsageError(`--symmetry: model ${instance.model.name} lists symmetric role '${role}', which it does not have (roles: ${Object.keys(instance.model.roles).join(', ')})`);
      }
      const positions = instance.nodes.flatMap((n, i) => (n.role === role ? [i] : []));
      roles.push({ role, positions, ids: positions.map((i) => instance.nodes[i]!.id) });
    }
    this.roles = roles;
    this.symmetricIds = new Set(roles.flatMap((r) => r.ids));
    this.roleOfPosition = instance.nodes.map((_, i) => roles.find((r) => r.positions.includes(i)) ?? null);
    this.checkInputs();
  }

  /** The least key among the renamed copies of `world`: equal for every state of a class. */
  canonicalKey(world: World): string {
    const identity = this.keyUnder(world, null);
    const orders: string[][][] = []; // per role: groups of ids, in signature order
    let free = true;
    for (const r of this.roles) {
      const signed = r.ids.map((id) => ({ id, sig: this.signature(world, id, r) }));
      signed.sort((a, b) => (a.sig < b.sig ? -1 : a.sig > b.sig ? 1 : 0));
      const groups: string[][] = [];
      signed.forEach((s, k) => {
        if (k > 0 && signed[k - 1]!.sig === s.sig) groups[groups.length - 1]!.push(s.id);
        else groups.push([s.id]);
      });
      // A group every adjacent swap leaves unchanged is fixed by all its permutations: one order will do.
      const enumerated = groups.map((g) => (g.length > 1 && !this.swapsFix(world, g, identity) ? permutations(g) : [g]));
      orders.push(enumerated.length ? cartesian(enumerated).map((choice) => choice.flat()) : [[]]);
      if (enumerated.some((e) => e.length > 1)) free = false;
    }
    const candidates = cartesian(orders);
    if (free && candidates.length === 1) return this.keyUnder(world, this.mappingFor(candidates[0]!));
    let best: string | null = null;
    for (const choice of candidates) {
      const key = this.keyUnder(world, this.mappingFor(choice));
      if (best === null || key < best) best = key;
    }
    return best!;
  }

  /** The mapping that sends the k-th id of `order` (per role) to the role's k-th id. */
  private mappingFor(orderPerRole: readonly (readonly string[])[]): Mapping {
    const mapping = new Map<string, string>();
    this.roles.forEach((r, i) => orderPerRole[i]!.forEach((id, k) => mapping.set(id, r.ids[k]!)));
    return mapping;
  }

  /** True when swapping each adjacent pair of `group` leaves the world as it is. */
  private swapsFix(world: World, group: readonly string[], identity: string): boolean {
    for (let k = 0; k + 1 < group.length; k++) {
      const swap = new Map([
        [group[k]!, group[k + 1]!],
        [group[k + 1]!, group[k]!],
      ]);
      if (this.keyUnder(world, swap) !== identity) return false;
    }
    return true;
  }

  /** The state seen from node `self`: its id marked, every other symmetric id blurred to its role. */
  private signature(world: World, self: string, role: SymmetricRole): string {
    const blur = new Map<string, string>();
    for (const r of this.roles) for (const id of r.ids) blur.set(id, `\u0001${r.role}`);
    blur.set(self, '\u0001self');
    const own = this.rename(nodeKey(world.nodes[role.positions[role.ids.indexOf(self)]!]!), blur, '\u0002' + self);
    const fixed: string[] = [];
    const others: string[] = [];
    world.nodes.forEach((state, i) => {
      const k = this.rename(nodeKey(state), blur, '\u0002' + self);
      if (this.roleOfPosition[i] === null) fixed.push(k);
      else others.push(`${this.roleOfPosition[i]!.role}:${k}`);
    });
    return [own, fixed.join('|'), others.sort().join('|'), this.restKey(world, blur, '\u0002' + self)].join('#');
  }

  /** The world's key after renaming by `mapping` (null: as it is). */
  private keyUnder(world: World, mapping: Mapping | null): string {
    const tag = mapping === null ? '' : mappingTag(mapping);
    const nodes: string[] = new Array(world.nodes.length);
    world.nodes.forEach((state, i) => {
      const r = this.roleOfPosition[i];
      const key = this.rename(nodeKey(state), mapping, tag);
      if (r === null || mapping === null) nodes[i] = key;
      else nodes[r.positions[r.ids.indexOf(mapping.get(this.instance.nodes[i]!.id) ?? this.instance.nodes[i]!.id)]!] = key;
    });
    return nodes.join('|') + '#' + this.restKey(world, mapping, tag);
  }

  /** Network, partition, fault counts and observations, renamed and in canonical order. */
  private restKey(world: World, mapping: Mapping | null, tag: string): string {
    let network: string;
    if (this.instance.faults.network === 'fifo') {
      const byLink = new Map<string, string[]>();
      for (const e of world.network) {
        const link = this.rename(canonical([e.from, e.to]), mapping, tag);
        const list = byLink.get(link) ?? [];
        list.push(this.rename(envelopeKey(e), mapping, tag));
        byLink.set(link, list);
      }
      network = [...byLink.keys()].sort().map((l) => byLink.get(l)!.join(';')).join('|');
    } else {
      network = world.network.map((e) => this.rename(envelopeKey(e), mapping, tag)).sort().join('|');
    }
    const partition =
      world.partition === null
        ? 'null'
        : world.partition.map((g) => g.map((id) => mapping?.get(id) ?? id).sort().join(',')).sort().join('/');
    const observations = world.observations.map((o) => this.rename(canonical(o), mapping, tag)).sort().join('|');
    return `${network}#${partition}#${canonical(world.used)}#${observations}`;
  }

  /** A canonical JSON text with ids renamed, memoised by mapping and text. */
  private rename(text: string, mapping: Mapping | null, tag: string): string {
    if (mapping === null) return text;
    const memo = tag + '\u0000' + text;
    let out = this.renamed.get(memo);
    if (out === undefined) {
      out = canonical(this.renameValue(JSON.parse(text), mapping));
      if (this.renamed.size >= CACHE_LIMIT) this.renamed.clear();
      this.renamed.set(memo, out);
    }
    return out;
  }

  /** `text` (canonical JSON) with ids renamed by `mapping`, in canonical JSON again (not memoised). */
  renameText(text: string, mapping: Mapping): string {
    return canonical(this.renameValue(JSON.parse(text), mapping));
  }

  private renameValue(value: unknown, mapping: Mapping): unknown {
    if (typeof value === 'string') return mapping.get(value) ?? value;
    if (Array.isArray(value)) {
      const renamed = value.map((v) => this.renameValue(v, mapping));
      return this.isIdSet(value) ? (renamed as string[]).sort() : renamed;
    }
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[mapping.get(k) ?? k] = this.renameValue(v, mapping);
      return out;
    }
    return value;
  }

  /** A sorted array of symmetric ids is a set. */
  private isIdSet(value: readonly unknown[]): boolean {
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (typeof v !== 'string' || !this.symmetricIds.has(v)) return false;
      if (i > 0 && !((value[i - 1] as string) < v)) return false;
    }
    return value.length > 0;
  }

  /** Renaming must map each node's input to its image's input, or the role is not symmetric. */
  private checkInputs(): void {
    for (const r of this.roles) {
      for (let k = 0; k + 1 < r.ids.length; k++) {
        const a = r.ids[k]!;
        const b = r.ids[k + 1]!;
        const swap = new Map([
          [a, b],
          [b, a],
        ]);
        this.instance.nodes.forEach((n, i) => {
          const image = swap.get(n.id) ?? n.id;
          const expected = canonical(this.instance.nodes[this.instance.indexOf.get(image)!]!.input);
          if (canonical(this.renameValue(JSON.parse(canonical(n.input)), swap)) !== expected) {
            throw new UsageError(`--symmetry: role '${r.role}' of ${this.instance.model.name} is not symmetric: swapping ${a} and ${b} does not map node ${n.id}'s input onto ${image}'s (node ${i + 1})`);
          }
        });
      }
    }
  }
}

function mappingTag(mapping: Mapping): string {
  let tag = '';
  for (const [from, to] of mapping) if (from !== to) tag += `${from}>${to};`;
  return tag;
}

export function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  const out: T[][] = [];
  items.forEach((item, i) => {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) out.push([item, ...rest]);
  });
  return out;
}

export function cartesian<T>(lists: readonly (readonly T[])[]): T[][] {
  let out: T[][] = [[]];
  for (const list of lists) out = out.flatMap((prefix) => list.map((x) => [...prefix, x]));
  return out;
}
