/**
 * `protokit show --format itf`: a trace in the Informal Trace Format (Apalache ADR-015), so
 * tools of the Quint and Apalache family can load its states.
 *
 * Each state has the same variables:
 * - `nodes`: a record per node id: `{ role, up, state, context }` (state is `crashed` while down);
 * - `network`: the messages in flight, each `{ from, to, message }`: a `#set` under set
 *   semantics, a multiset (`#map` from message to count) when unordered, a list under fifo;
 * - `partition`: a `#set` of groups (each a `#set` of node ids), empty when the network is whole;
 * - `faults_used`: how many faults of each kind were injected so far;
 * - `observations`: the `#set` of facts nodes reported (the ghost state history properties read);
 * - `action`: the action that led to this state (`{ type: 'init' }` for the first).
 * Integers are `{"#bigint": "…"}`; values ITF cannot express (null, fractions) are
 * `{"#unserializable": "…"}`.
 */
import type { Action } from '../engine/actions.js';
import { canonical } from '../engine/canonical.js';
import type { Instance } from '../engine/instance.js';
import type { Trace } from '../trace/format.js';
import type { Envelope, World } from '../engine/world.js';
import { stateName } from './describe.js';

export type ItfValue =
  | boolean
  | string
  | { readonly '#bigint': string }
  | { readonly '#tup': readonly ItfValue[] }
  | { readonly '#set': readonly ItfValue[] }
  | { readonly '#map': readonly (readonly [ItfValue, ItfValue])[] }
  | { readonly '#unserializable': string }
  | readonly ItfValue[]
  | { readonly [field: string]: ItfValue };

export interface ItfTrace {
  readonly '#meta': Readonly<Record<string, unknown>>;
  readonly vars: readonly string[];
  readonly states: readonly Readonly<Record<string, ItfValue | Readonly<Record<string, unknown>>>>[];
  /** A lasso: the index of the state the last one loops back to (ITF's `loop`). */
  readonly loop?: number;
}

export const ITF_VARS = ['nodes', 'network', 'partition', 'faults_used', 'observations', 'action'] as const;

export function renderItf(trace: Trace, instance: Instance, allWorlds: readonly World[], source: string): string {
  const v = trace.violation;
  // ITF's lasso: the last state is followed by state `loop` again, so a loop's closing world
  // (equal to the world where it began) is not listed twice; a stutter loops on the last state.
  const loopStart = v?.loopStart;
  const worlds = loopStart !== undefined && loopStart < trace.actions.length ? allWorlds.slice(0, -1) : allWorlds;
  const itf: ItfTrace = {
    '#meta': {
      format: 'ITF',
      'format-description': 'https://apalache-mc.org/docs/adr/015adr-trace.html',
      source,
      description: `${trace.model}${trace.mutant ? `, mutant ${trace.mutant}` : ''}${v ? `: ${v.property} violated at state ${v.step}: ${v.message}` : ': no property violated'}`,
      model: trace.model,
      mutant: trace.mutant,
      config: trace.config,
      faults: trace.faults,
      violation: v,
    },
    vars: ITF_VARS,
    states: worlds.map((world, k) => ({
      '#meta': { index: k },
      nodes: record(Object.fromEntries(instance.nodes.map((spec, i) => {
        const node = world.nodes[i]!;
        return [spec.id, record({ role: spec.role, up: node.up, state: stateName(node), context: itfValue(node.context) })];
      }))),
      network: networkValue(instance, world.network),
      partition: set((world.partition ?? []).map((group) => set(group.map((id) => id)))),
      faults_used: itfValue(world.used),
      observations: set(world.observations.map(itfValue)),
      action: k === 0 ? record({ type: 'init' }) : itfValue(trace.actions[k - 1] as Action),
    })),
    ...(loopStart !== undefined ? { loop: Math.min(loopStart, worlds.length - 1) } : {}),
  };
  return JSON.stringify(itf, null, 2) + '\n';
}

/** Plain data as an ITF value. */
export function itfValue(value: unknown): ItfValue {
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'bigint') return { '#bigint': value.toString() };
  if (typeof value === 'number') return Number.isSafeInteger(value) ? { '#bigint': value.toString() } : { '#unserializable': String(value) };
  if (value === null || value === undefined) return { '#unserializable': String(value) };
  if (Array.isArray(value)) return value.map(itfValue);
  if (value instanceof Set) return set([...value].map(itfValue));
  if (value instanceof Map) return { '#map': [...value].map(([k, v]) => [itfValue(k), itfValue(v)] as const).sort(byCanonical) };
  if (typeof value === 'object') return record(Object.fromEntries(Object.entries(value).map(([k, v]) => [k, itfValue(v)])));
  return { '#unserializable': String(value) };
}

function record(fields: Record<string, ItfValue>): ItfValue {
  return fields;
}

/** An ITF set, its elements in canonical order so equal sets print equal. */
function set(items: readonly ItfValue[]): ItfValue {
  const unique = new Map(items.map((item) => [canonical(item), item]));
  return { '#set': [...unique.keys()].sort().map((key) => unique.get(key)!) };
}

function byCanonical(a: readonly [ItfValue, ItfValue], b: readonly [ItfValue, ItfValue]): number {
  const x = canonical(a[0]);
  const y = canonical(b[0]);
  return x < y ? -1 : x > y ? 1 : 0;
}

function networkValue(instance: Instance, network: readonly Envelope[]): ItfValue {
  const envelopes = network.map((e) => itfValue({ from: e.from, to: e.to, message: e.message }));
  switch (instance.faults.network) {
    case 'set':
      return set(envelopes);
    case 'fifo':
      return envelopes;
    case 'unordered': {
      const counts = new Map<string, { value: ItfValue; count: number }>();
      for (const value of envelopes) {
        const key = canonical(value);
        const seen = counts.get(key);
        counts.set(key, { value, count: (seen?.count ?? 0) + 1 });
      }
      return { '#map': [...counts.keys()].sort().map((key) => [counts.get(key)!.value, { '#bigint': String(counts.get(key)!.count) }] as const) };
    }
  }
}
