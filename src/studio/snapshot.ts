/**
 * The current world as the page draws it: each node's state and context (the fields the last
 * step changed marked), the messages in flight with what can become of them now, the faults used
 * against their bounds, the partition, every property's verdict, and the enabled actions, each
 * with what it would change. Plain JSON: the page only draws it, as text.
 */
import { formatAction, formatMessage, type Action } from '../engine/actions.js';
import { describeFaults, FAULT_KINDS, type FaultKind } from '../engine/faults.js';
import { step } from '../engine/packed.js';
import type { Instance } from '../engine/instance.js';
import { envelopeKey, linked, type World } from '../engine/world.js';
import type { Suite } from '../properties/suite.js';
import { changedFields, compact, nodeChanges, stateName } from '../render/describe.js';
import { timelineOf } from '../render/timeline.js';
import type { Spec } from './spec.js';
import { verdictsAlong, type PropertyVerdict } from './verdicts.js';
import type { Walk } from './walk.js';

/** A value's text is cut here (a long log is still readable in its first part). */
const MAX_VALUE_CHARS = 4_000;
/** What each action would change is worked out for this many actions; past it the list only names them. */
const MAX_PREVIEWS = 2_000;

export interface Snapshot {
  readonly spec: Spec;
  readonly title: string;
  readonly facts: readonly { readonly label: string; readonly text: string }[];
  /** The number of actions taken (the path's length). */
  readonly step: number;
  /** The actions of the path, as text, with the index each took among those enabled at its step. */
  readonly path: readonly { readonly index: number; readonly text: string; readonly violations: readonly string[] }[];
  /** Property names violated in the initial world. */
  readonly initialViolations: readonly string[];
  readonly nodes: readonly SnapshotNode[];
  readonly network: readonly SnapshotMessage[];
  readonly faults: readonly { readonly kind: FaultKind; readonly used: number; readonly bound: number }[];
  readonly partition: string | null;
  readonly properties: readonly PropertyVerdict[];
  readonly actions: readonly SnapshotAction[];
}

export interface SnapshotNode {
  readonly id: string;
  readonly role: string;
  readonly up: boolean;
  readonly state: string;
  /** What the last step changed at this node, in words. */
  readonly changes: readonly string[];
  readonly fields: readonly { readonly key: string; readonly value: string; readonly changed: boolean }[];
}

export interface SnapshotMessage {
  readonly from: string;
  readonly to: string;
  readonly text: string;
  /** Identical copies in flight (the network may hold a message more than once). */
  readonly copies: number;
  /** The step that sent it (the oldest copy); 0: an initial state's send. */
  readonly sentAt: number;
  /** `deliverable`, or why it cannot be delivered now. */
  readonly fate: string;
}

export interface SnapshotAction {
  /** Its index among the enabled actions: the number the path records. */
  readonly index: number;
  readonly text: string;
  readonly kind: Action['type'];
  /** The node it happens at (the receiver of a message), or `network` for partitions. */
  readonly node: string;
  /** What it would change; empty past the preview limit. */
  readonly effects: readonly string[];
}

export function snapshotOf(suite: Suite, instance: Instance, spec: Spec, walked: Walk): Snapshot {
  const { worlds, actions, enabled } = walked;
  const last = worlds.length - 1;
  const world = worlds[last]!;
  const before = last > 0 ? worlds[last - 1]! : null;
  const properties = verdictsAlong(instance, suite.properties, worlds, actions);
  const violationsAt = (k: number) => properties.filter((p) => p.violatedAt.includes(k)).map((p) => p.name);
  const mutant = instance.mutant === null ? undefined : suite.model.mutants[instance.mutant];
  return {
    spec,
    title: `${suite.model.title}${instance.mutant ? ` — mutant ${instance.mutant}` : ''}`,
    facts: [
      { label: 'model', text: suite.model.name },
      { label: 'config', text: Object.entries(instance.params).map(([k, v]) => `${k}=${v}`).join(' ') || 'none' },
      ...(instance.preset ? [{ label: 'preset', text: instance.preset }] : []),
      ...(mutant ? [{ label: 'mutant', text: instance.mutant! }, { label: 'bug', text: mutant.description }] : []),
      { label: 'faults', text: describeFaults(instance.faults) },
    ],
    step: last,
    path: actions.map((a, k) => ({ index: spec.path[k]!, text: formatAction(a), violations: violationsAt(k + 1) })),
    initialViolations: violationsAt(0),
    nodes: instance.nodes.map((n, i): SnapshotNode => {
      const state = world.nodes[i]!;
      const previous = before?.nodes[i];
      const changed = new Set(previous ? changedFields(previous.context, state.context) : []);
      return {
        id: n.id,
        role: n.role,
        up: state.up,
        state: stateName(state),
        changes: previous ? nodeChanges(previous, state, worlds[0]!.nodes[i]) : [],
        fields: Object.entries(state.context).map(([key, value]) => ({ key, value: cut(compact(value)), changed: changed.has(key) })),
      };
    }),
    network: messagesOf(instance, walked),
    faults: FAULT_KINDS.map((kind) => ({ kind, used: world.used[kind], bound: instance.faults[kind] })),
    partition: world.partition === null ? null : world.partition.map((g) => `{${g.join(', ')}}`).join(' | '),
    properties,
    actions: enabled.map((a, index) => ({
      index,
      text: formatAction(a),
      kind: a.type,
      node: nodeOf(a),
      effects: index < MAX_PREVIEWS ? effectsOf(instance, worlds[0]!, world, a) : [],
    })),
  };
}

function cut(text: string): string {
  return text.length <= MAX_VALUE_CHARS ? text : `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length - MAX_VALUE_CHARS} more characters)`;
}

function nodeOf(a: Action): string {
  switch (a.type) {
    case 'deliver':
    case 'drop':
    case 'duplicate':
      return a.to;
    case 'env':
    case 'crash':
    case 'restart':
      return a.node;
    default:
      return 'network';
  }
}

/** The distinct messages in flight, in network order, with their copies, sending step and fate now. */
function messagesOf(instance: Instance, walked: Walk): SnapshotMessage[] {
  const { worlds, actions, enabled } = walked;
  const world = worlds[worlds.length - 1]!;
  const timeline = timelineOf(worlds, actions, instance.faults.network);
  const inFlight = actions.length === 0 ? timeline.initialInFlight : timeline.steps[actions.length - 1]!.inFlight;
  const deliverable = new Set(enabled.filter((a) => a.type === 'deliver').map((a) => envelopeKey(a)));
  const byKey = new Map<string, { from: string; to: string; text: string; copies: number; sentAt: number; fate: string }>();
  inFlight.forEach((id, at) => {
    const e = timeline.messages[id]!.envelope;
    const key = envelopeKey(e);
    const known = byKey.get(key);
    if (known !== undefined) {
      known.copies++;
      return;
    }
    const receiver = world.nodes[instance.indexOf.get(e.to)!]!;
    const fate = deliverable.has(key)
      ? 'deliverable'
      : !receiver.up
        ? 'waits: the receiver is down'
        : !linked(world, e.from, e.to)
          ? 'waits: the partition cuts its link'
          : instance.faults.network === 'fifo' && world.network.slice(0, at).some((x) => x.from === e.from && x.to === e.to)
            ? 'waits behind an older message on its link'
            : 'delivering it would change nothing';
    byKey.set(key, { from: e.from, to: e.to, text: `${e.from}→${e.to} ${formatMessage(e.message)}`, copies: 1, sentAt: timeline.messages[id]!.sentAt, fate });
  });
  return [...byKey.values()];
}

/** What taking `action` in `world` would change: each node's changes, the messages sent, observations, faults used. */
function effectsOf(instance: Instance, initial: World, world: World, action: Action): string[] {
  let next: World;
  try {
    next = step(instance, world, action);
  } catch (error) {
    return [`the model fails: ${error instanceof Error ? error.message : String(error)}`];
  }
  const effects: string[] = [];
  instance.nodes.forEach((n, i) => {
    const changes = nodeChanges(world.nodes[i]!, next.nodes[i]!, initial.nodes[i]);
    if (changes.length) effects.push(`${n.id}: ${changes.join('; ')}`);
  });
  const had = new Map<string, number>();
  for (const e of world.network) had.set(envelopeKey(e), (had.get(envelopeKey(e)) ?? 0) + 1);
  if (action.type === 'deliver' && instance.faults.network !== 'set') had.set(envelopeKey(action), had.get(envelopeKey(action))! - 1);
  const sent: string[] = [];
  for (const e of next.network) {
    const key = envelopeKey(e);
    const left = had.get(key) ?? 0;
    if (left > 0) had.set(key, left - 1);
    else sent.push(`${e.from}→${e.to} ${formatMessage(e.message)}`);
  }
  if (action.type !== 'duplicate' && sent.length) effects.push(`sends ${sent.join(', ')}`);
  const observed = next.observations.slice(world.observations.length);
  if (observed.length) effects.push(`observes ${observed.map((o) => formatMessage(o)).join(', ')}`);
  for (const kind of FAULT_KINDS) {
    if (next.used[kind] !== world.used[kind]) effects.push(`${kind} ${next.used[kind]} of ${instance.faults[kind]}`);
  }
  if (effects.length === 0) {
    effects.push(action.type === 'heal' ? 'the partition ends' : action.type === 'deliver' && instance.faults.network !== 'set' ? `${action.to} ignores it; the message is used up` : 'nothing changes');
  }
  return effects;
}
