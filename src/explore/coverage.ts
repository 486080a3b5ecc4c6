/**
 * Coverage of a model by an exploration (`check --coverage`, `explore --coverage`), as TLC's
 * `-coverage`: per role, which transitions of its xstate machine fired and how often, and which
 * never did; per message type and environment event, how often a node received it and how often
 * it changed something.
 *
 * A transition is one entry of the machine's config: a state, an event (or `always` for an
 * eventless one) and its position among that event's guarded candidates, as xstate lists them in
 * `stateNode.on` and `stateNode.always`. Which one fired is asked of xstate itself
 * (`getTransitionData` for the event, then the eventless microsteps `getMicrosteps` reports), once
 * per memoised node step: the engine returns the same result object for the same state and event,
 * so the answer is kept with it and a step costs one map lookup.
 *
 * Coverage reads the world and the action before a step and never changes either, so a run with
 * coverage explores exactly what a run without it does.
 */
import { getMicrosteps, type AnyStateMachine, type EventObject } from 'xstate';
import type { Action } from '../engine/actions.js';
import type { Instance } from '../engine/instance.js';
import type { NodeState, NodeStepResult } from '../engine/node-step.js';
import type { World } from '../engine/world.js';

/** One transition of a machine's config. */
export interface TransitionInfo {
  /** `state --Event[guard]--> target`, unique within the role. */
  readonly id: string;
  readonly state: string;
  /** The event type, or `always` for an eventless transition. */
  readonly event: string;
  readonly guard: string | null;
  readonly target: string | null;
}

export interface TransitionCount extends TransitionInfo {
  readonly count: number;
}

export interface EventCount {
  readonly event: string;
  /** `message` for a delivered message, `environment` for an environment event, `restart` for RECOVER. */
  readonly source: 'message' | 'environment' | 'restart';
  /** How often a node of this role received it. */
  readonly received: number;
  /** How often that changed the node (a transition fired). */
  readonly handled: number;
}

export interface RoleCoverage {
  readonly role: string;
  readonly transitions: readonly TransitionCount[];
  readonly fired: number;
  readonly total: number;
  /** Ids of the transitions that never fired. */
  readonly neverFired: readonly string[];
  readonly events: readonly EventCount[];
  /** Event types the machine's config handles that no node of the role ever received. */
  readonly neverReceived: readonly string[];
}

export interface CoverageReport {
  readonly roles: readonly RoleCoverage[];
  /** Actions taken by kind (deliver, env, drop, duplicate, crash, restart, partition, heal). */
  readonly actions: Readonly<Record<string, number>>;
  readonly fired: number;
  readonly total: number;
}

interface StateNodeLike {
  readonly path: readonly string[];
  readonly on: Readonly<Record<string, readonly TransitionLike[]>>;
  readonly always?: readonly TransitionLike[];
  readonly states: Readonly<Record<string, StateNodeLike>>;
}
interface TransitionLike {
  readonly source: StateNodeLike;
  readonly eventType: string;
  readonly guard?: unknown;
  readonly target?: readonly StateNodeLike[];
}

const pathOf = (n: StateNodeLike) => (n.path.length ? n.path.join('.') : '(any)');

function guardName(guard: unknown): string | null {
  if (guard === undefined || guard === null) return null;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && typeof (guard as { type?: unknown }).type === 'string') return (guard as { type: string }).type;
  return typeof guard === 'function' && guard.name ? guard.name : 'inline';
}

/** The transitions of a machine, read from its config, and the index of each definition object. */
export class MachineTransitions {
  readonly list: TransitionInfo[] = [];
  readonly handledEvents = new Set<string>();
  private readonly index = new Map<TransitionLike, number>();
  /** Eventless candidates per state node, in document order. */
  private readonly alwaysOf = new Map<StateNodeLike, TransitionLike[]>();

  constructor(readonly machine: AnyStateMachine) {
    this.walk((machine as unknown as { root: StateNodeLike }).root);
  }

  private walk(node: StateNodeLike): void {
    for (const [event, candidates] of Object.entries(node.on)) {
      if (event === '' || event.startsWith('xstate.')) continue;
      this.handledEvents.add(event);
      candidates.forEach((t, i) => this.add(t, event, candidates.length > 1 ? i : null));
    }
    const always = node.always ?? [];
    if (always.length) this.alwaysOf.set(node, [...always]);
    always.forEach((t, i) => this.add(t, 'always', always.length > 1 ? i : null));
    for (const child of Object.values(node.states)) this.walk(child);
  }

  private add(t: TransitionLike, event: string, position: number | null): void {
    const guard = guardName(t.guard);
    const target = t.target?.length ? t.target.map(pathOf).join(',') : null;
    const id = `${pathOf(t.source)} --${event}${position === null ? '' : `#${position + 1}`}${guard ? `[${guard}]` : ''}--> ${target ?? '(stays)'}`;
    this.index.set(t, this.list.length);
    this.list.push({ id, state: pathOf(t.source), event, guard, target });
  }

  /** Indices of the transitions that fire when a node in `state` receives `event`. */
  fired(state: NodeState, event: EventObject): number[] {
    const machine = this.machine as AnyStateMachine & { getTransitionData(s: unknown, e: EventObject): TransitionLike[] };
    const snapshot = machine.resolveState({ value: state.value!, context: state.context });
    const out: number[] = [];
    for (const t of machine.getTransitionData(snapshot, event) ?? []) {
      const i = this.index.get(t);
      if (i !== undefined) out.push(i);
    }
    // Microsteps after the first are eventless transitions; find which by their guards.
    const steps = getMicrosteps(machine, snapshot as never, event as never) as unknown as [{ value: unknown; context: Record<string, unknown>; _nodes?: StateNodeLike[] }, unknown[]][];
    for (let k = 1; k < steps.length; k++) {
      const before = steps[k - 1]![0];
      const i = this.eventlessFired(before, event);
      if (i !== undefined) out.push(i);
    }
    return out;
  }

  private eventlessFired(snapshot: { context: Record<string, unknown>; _nodes?: StateNodeLike[] }, event: EventObject): number | undefined {
    const guards = (this.machine.implementations?.guards ?? {}) as Record<string, (args: unknown, params: unknown) => boolean>;
    for (const node of snapshot._nodes ?? []) {
      for (const t of this.alwaysOf.get(node) ?? []) {
        if (this.guardHolds(t.guard, guards, snapshot.context, event)) return this.index.get(t);
      }
    }
    return undefined;
  }

  private guardHolds(guard: unknown, guards: Record<string, (args: unknown, params: unknown) => boolean>, context: unknown, event: EventObject): boolean {
    const args = { context, event };
    if (guard === undefined || guard === null) return true;
    if (typeof guard === 'string') return guards[guard]?.(args, undefined) ?? true;
    if (typeof guard === 'function') return Boolean((guard as (a: unknown) => unknown)(args));
    const named = guard as { type?: string; params?: unknown };
    if (typeof named.type === 'string' && guards[named.type]) return guards[named.type]!(args, named.params);
    return true; // a higher-order guard we cannot evaluate: credit the first candidate
  }
}

const tables = new WeakMap<AnyStateMachine, MachineTransitions>();
function tableOf(machine: AnyStateMachine): MachineTransitions {
  let t = tables.get(machine);
  if (t === undefined) tables.set(machine, (t = new MachineTransitions(machine)));
  return t;
}

interface RoleCounts {
  readonly table: MachineTransitions;
  readonly counts: number[];
  readonly events: Map<string, { source: EventCount['source']; received: number; handled: number }>;
}

/** Counts what an exploration does; `record` is called before each step with the world it leaves. */
export class Coverage {
  private readonly roles = new Map<string, RoleCounts>();
  private readonly actions: Record<string, number> = {};
  /** Transitions a memoised step result stands for (see the module comment). */
  private readonly firedBy = new WeakMap<NodeStepResult, number[]>();

  constructor(private readonly instance: Instance) {
    for (const role of instance.roleOf) {
      if (this.roles.has(role.name)) continue;
      const table = tableOf(role.machine);
      this.roles.set(role.name, { table, counts: table.list.map(() => 0), events: new Map() });
    }
  }

  /** Counts `action` taken in `world`. */
  record(world: World, action: Action): void {
    this.actions[action.type] = (this.actions[action.type] ?? 0) + 1;
    const { instance } = this;
    if (action.type === 'deliver') {
      const i = instance.indexOf.get(action.to)!;
      const state = world.nodes[i]!;
      const result = instance.roleOf[i]!.stepper.stepMessage(state, action.from, action.message);
      this.count(i, state, { ...action.message, from: action.from } as EventObject, result, 'message');
    } else if (action.type === 'env') {
      const i = instance.indexOf.get(action.node)!;
      const state = world.nodes[i]!;
      const result = instance.roleOf[i]!.stepper.step(state, action.event);
      this.count(i, state, action.event, result, 'environment');
    } else if (action.type === 'restart') {
      const i = instance.indexOf.get(action.node)!;
      const stepper = instance.roleOf[i]!.stepper;
      const fresh = stepper.initial(instance.nodes[i]!.input).state;
      const restored: NodeState = { up: true, value: fresh.value, context: { ...fresh.context, ...world.nodes[i]!.context } };
      const result = stepper.step(restored, { type: 'RECOVER' });
      this.count(i, restored, { type: 'RECOVER' }, result, 'restart');
    }
  }

  private count(i: number, state: NodeState, event: EventObject, result: NodeStepResult, source: EventCount['source']): void {
    const role = this.roles.get(this.instance.roleOf[i]!.name)!;
    const e = role.events.get(event.type) ?? { source, received: 0, handled: 0 };
    e.received++;
    role.events.set(event.type, e);
    if (!result.changed) return;
    e.handled++;
    let fired = this.firedBy.get(result);
    if (fired === undefined) this.firedBy.set(result, (fired = role.table.fired(state, event)));
    for (const t of fired) role.counts[t]!++;
  }

  report(): CoverageReport {
    const roles: RoleCoverage[] = [];
    for (const [name, { table, counts, events }] of this.roles) {
      const transitions = table.list.map((t, k) => ({ ...t, count: counts[k]! }));
      const fired = transitions.filter((t) => t.count > 0).length;
      roles.push({
        role: name,
        transitions,
        fired,
        total: transitions.length,
        neverFired: transitions.filter((t) => t.count === 0).map((t) => t.id),
        events: [...events].map(([event, c]) => ({ event, ...c })).sort((a, b) => (a.event < b.event ? -1 : a.event > b.event ? 1 : 0)),
        neverReceived: [...table.handledEvents].filter((e) => !events.has(e)).sort(),
      });
    }
    return {
      roles,
      actions: { ...this.actions },
      fired: roles.reduce((s, r) => s + r.fired, 0),
      total: roles.reduce((s, r) => s + r.total, 0),
    };
  }
}

/** Coverage reports of several explorations of the same model (shards, sweep points) added up. */
export function mergeCoverage(reports: readonly CoverageReport[]): CoverageReport {
  const byRole = new Map<string, { transitions: Map<string, TransitionCount>; events: Map<string, EventCount>; handled: Set<string> }>();
  const actions: Record<string, number> = {};
  for (const r of reports) {
    for (const [k, n] of Object.entries(r.actions)) actions[k] = (actions[k] ?? 0) + n;
    for (const role of r.roles) {
      const into = byRole.get(role.role) ?? { transitions: new Map(), events: new Map(), handled: new Set<string>() };
      for (const t of role.transitions) {
        const had = into.transitions.get(t.id);
        into.transitions.set(t.id, { ...t, count: (had?.count ?? 0) + t.count });
      }
      for (const e of role.events) {
        const had = into.events.get(e.event);
        into.events.set(e.event, { ...e, received: (had?.received ?? 0) + e.received, handled: (had?.handled ?? 0) + e.handled });
      }
      for (const e of role.neverReceived) into.handled.add(e);
      byRole.set(role.role, into);
    }
  }
  const roles = [...byRole].map(([role, m]): RoleCoverage => {
    const transitions = [...m.transitions.values()];
    return {
      role,
      transitions,
      fired: transitions.filter((t) => t.count > 0).length,
      total: transitions.length,
      neverFired: transitions.filter((t) => t.count === 0).map((t) => t.id),
      events: [...m.events.values()].sort((a, b) => (a.event < b.event ? -1 : 1)),
      neverReceived: [...m.handled].filter((e) => !m.events.has(e)).sort(),
    };
  });
  return { roles, actions, fired: roles.reduce((s, r) => s + r.fired, 0), total: roles.reduce((s, r) => s + r.total, 0) };
}

/** The report as lines for a terminal: per role, the fired share and what never fired. */
export function describeCoverage(report: CoverageReport, indent = '  '): string[] {
  const lines = [`${indent}coverage: ${report.fired} of ${report.total} transitions fired`];
  for (const r of report.roles) {
    const counts = r.transitions.map((t) => `${t.count.toLocaleString('en-US')}× ${t.id}`);
    lines.push(`${indent}  ${r.role}: ${r.fired}/${r.total} transitions`);
    for (const c of counts) lines.push(`${indent}    ${c}`);
    const events = r.events.map((e) => `${e.event} ${e.handled.toLocaleString('en-US')}/${e.received.toLocaleString('en-US')}`).join(', ');
    if (events) lines.push(`${indent}    events handled/received: ${events}`);
    if (r.neverReceived.length) lines.push(`${indent}    never received: ${r.neverReceived.join(', ')}`);
  }
  return lines;
}

/** One warning per transition that never fired, `role: id`. */
export function coverageWarnings(report: CoverageReport): string[] {
  return report.roles.flatMap((r) => r.neverFired.map((id) => `${r.role}: ${id}`));
}
