/**
 * Scenarios for conformance tests of one role: for each transition of the role's machine, the
 * shortest run of the model (breadth-first, a budget in states) in which a node of that role
 * takes it, and what that node receives and must do at each of its steps (its sends, its state).
 * Transitions no run within the budget takes are reported, not hidden.
 */
import type { EventObject } from 'xstate';
import type { Action } from '../engine/actions.js';
import { enabledActions, initialWorld, step } from '../engine/packed.js';
import { resolveInstance, type Instance } from '../engine/instance.js';
import { NO_FAULTS, type FaultSettings } from '../engine/faults.js';
import type { Message } from '../engine/model.js';
import { worldKey, type World } from '../engine/world.js';
import { nodeKey } from '../engine/node-step.js';
import { nodeViewOf } from '../engine/view.js';
import { canonical } from '../engine/canonical.js';
import { MachineTransitions } from '../explore/coverage.js';

/** One step of the node under test: what reaches it, and what the model says it does. */
export type ScenarioStep =
  | { readonly kind: 'event'; readonly event: EventObject; readonly sends: readonly { to: string; message: Message }[]; readonly context: Readonly<Record<string, unknown>> }
  | { readonly kind: 'crash' }
  | { readonly kind: 'restart'; readonly sends: readonly { to: string; message: Message }[]; readonly context: Readonly<Record<string, unknown>> };

export interface Scenario {
  /** The transitions its last step takes, as coverage names them (`state --Event[guard]--> target`), or `(ignored)`. */
  readonly transition: string;
  readonly node: string;
  /** The faults of the run (none, unless the transition needs one). */
  readonly faults: FaultSettings;
  /** The whole run of the model (every node), as trace actions. */
  readonly actions: readonly Action[];
  /** The node's own steps along it, from its start. */
  readonly steps: readonly ScenarioStep[];
}

export interface ScenarioSet {
  readonly role: string;
  readonly scenarios: readonly Scenario[];
  /** Transitions of the role no run within the budget took. */
  readonly unreached: readonly string[];
  readonly statesSearched: number;
}

/** How many transitions of the role the scenarios take, and how many the role's machine has. */
export function transitionCoverage(set: ScenarioSet): { covered: number; total: number } {
  const covered = new Set(set.scenarios.flatMap((s) => (s.transition === '(ignored)' ? [] : s.transition.split(' + '))));
  return { covered: covered.size, total: covered.size + set.unreached.length };
}

interface Reached {
  readonly world: World;
  readonly parent: Reached | null;
  readonly action: Action | null;
  /** An environment event the node ignores: a scenario step, not an action of the trace. */
  readonly ignored?: boolean;
}

/** The event node `i` receives from `action`, if any. */
function eventOf(instance: Instance, action: Action, i: number): EventObject | null {
  const id = instance.nodes[i]!.id;
  if (action.type === 'deliver' && action.to === id) return { ...action.message, from: action.from } as EventObject;
  if (action.type === 'env' && action.node === id) return action.event;
  return null;
}

/**
 * Scenarios for `role`: first from runs without faults (shorter, easier to read), then, for the
 * transitions those do not reach, from runs with the instance's faults (a crash for RECOVER).
 */
export function scenariosFor(instance: Instance, role: string, maxStates = 50_000): ScenarioSet {
  const quiet = resolveInstance(instance.model, { config: instance.params, mutant: instance.mutant, faults: { ...NO_FAULTS, network: instance.faults.network } });
  const first = searchScenarios(quiet, role, maxStates, new Set());
  const covered = new Set(first.scenarios.flatMap((s) => s.transition.split(' + ')));
  if (first.unreached.length === 0) return first;
  const second = searchScenarios(instance, role, maxStates, covered);
  return {
    role,
    scenarios: [...first.scenarios, ...second.scenarios],
    unreached: second.unreached.filter((t) => !covered.has(t)),
    statesSearched: first.statesSearched + second.statesSearched,
  };
}

function searchScenarios(instance: Instance, role: string, maxStates: number, covered: ReadonlySet<string>): ScenarioSet {
  const nodes = instance.nodes.flatMap((n, i) => (n.role === role ? [i] : []));
  if (nodes.length === 0) throw new Error(`no node of role '${role}'`);
  const table = new MachineTransitions(instance.roleOf[nodes[0]!]!.machine);
  // One scenario per distinct (node state, event) of the role: every transition, from every
  // state the search meets it in (a bug often hides in one source state: a timeout after one
  // vote, a retry of a vote already counted), the shortest run first.
  const pairs = new Map<string, { reached: Reached; node: number; fired: number[] }>();
  const fired = new Set<number>();
  const seen = new Set<string>();
  let frontier: Reached[] = [{ world: initialWorld(instance), parent: null, action: null }];
  seen.add(worldKey(instance, frontier[0]!.world));
  while (frontier.length > 0 && seen.size < maxStates) {
    const next: Reached[] = [];
    for (const r of frontier) {
      for (const action of enabledActions(instance, r.world)) {
        if (action.type === 'partition' || action.type === 'heal') continue;
        const world = step(instance, r.world, action);
        const child = { world, parent: r, action };
        for (const i of nodes) {
          const event = action.type === 'restart' && action.node === instance.nodes[i]!.id ? { type: 'RECOVER' } : eventOf(instance, action, i);
          if (event === null || (action.type !== 'restart' && !r.world.nodes[i]!.up)) continue;
          const key = `${nodeKey(r.world.nodes[i]!)}|${canonical(event)}`;
          if (pairs.has(key)) continue;
          const ts = firedBy(instance, table, r.world, action, i);
          const fresh = ts.some((t) => !covered.has(table.list[t]!.id));
          // With faults (the second pass), only what the fault-free pass did not cover.
          if (covered.size > 0 && !fresh) continue;
          pairs.set(key, { reached: child, node: i, fired: ts });
          ts.forEach((t) => fired.add(t));
        }
        const key = worldKey(instance, world);
        if (seen.has(key) || seen.size >= maxStates) continue;
        if (covered.size === 0) ignoredEvents(instance, nodes, world, child, pairs);
        seen.add(key);
        next.push(child);
      }
    }
    frontier = next;
  }
  const scenarios = [...pairs.values()].map(({ reached, node, fired: ts }) =>
    scenarioOf(instance, ts.length ? ts.map((t) => table.list[t]!.id).join(' + ') : '(ignored)', reached, node),
  );
  const unreached = table.list.filter((t, k) => !fired.has(k) && !covered.has(t.id)).map((t) => t.id);
  return { role, scenarios, unreached, statesSearched: seen.size };
}

/**
 * The environment events a role declares that its node ignores in this world (the kit leaves
 * them out of the enabled actions): an implementation must ignore them too, so each (state,
 * event) pair is a scenario whose last step expects nothing (a decision asked for too early).
 */
function ignoredEvents(instance: Instance, nodes: readonly number[], world: World, reached: Reached, pairs: Map<string, { reached: Reached; node: number; fired: number[] }>): void {
  for (const i of nodes) {
    const state = world.nodes[i]!;
    if (!state.up) continue;
    const role = instance.roleOf[i]!;
    const inbox = world.network.filter((e) => e.to === instance.nodes[i]!.id);
    for (const event of role.environment(nodeViewOf(instance, i, state), instance.params, inbox)) {
      const key = `${nodeKey(state)}|${canonical(event)}`;
      if (pairs.has(key) || role.stepper.step(state, event).changed) continue;
      const action: Action = { type: 'env', node: instance.nodes[i]!.id, event };
      // Not an action of the trace (it changes nothing): the scenario's last step only.
      pairs.set(key, { reached: { world, parent: reached, action, ignored: true }, node: i, fired: [] });
    }
  }
}

/** The transitions of `table` node `i` takes when `action` happens in `world`. */
function firedBy(instance: Instance, table: MachineTransitions, world: World, action: Action, i: number): number[] {
  const state = world.nodes[i]!;
  if (action.type === 'restart' && action.node === instance.nodes[i]!.id) {
    const stepper = instance.roleOf[i]!.stepper;
    const fresh = stepper.initial(instance.nodes[i]!.input).state;
    return table.fired({ up: true, value: fresh.value, context: { ...fresh.context, ...state.context } }, { type: 'RECOVER' });
  }
  const event = eventOf(instance, action, i);
  if (event === null || !state.up) return [];
  const result = action.type === 'deliver' ? instance.roleOf[i]!.stepper.stepMessage(state, action.from, action.message) : instance.roleOf[i]!.stepper.step(state, event);
  return result.changed ? table.fired(state, event) : [];
}

function scenarioOf(instance: Instance, transition: string, reached: Reached, i: number): Scenario {
  const chain: Reached[] = [];
  for (let r: Reached | null = reached; r !== null; r = r.parent) chain.push(r);
  chain.reverse();
  const actions = chain.slice(1).filter((r) => !r.ignored).map((r) => r.action!);
  const id = instance.nodes[i]!.id;
  const steps: ScenarioStep[] = [];
  for (let k = 1; k < chain.length; k++) {
    const before = chain[k - 1]!.world;
    const action = chain[k]!.action!;
    const after = chain[k]!.world.nodes[i]!;
    const stepper = instance.roleOf[i]!.stepper;
    if (action.type === 'crash' && action.node === id) steps.push({ kind: 'crash' });
    else if (action.type === 'restart' && action.node === id) {
      const sends = stepper.restart(instance.nodes[i]!.input, before.nodes[i]!.context).effects.flatMap((e) => (e.type === 'send' ? [{ to: e.to, message: e.message }] : []));
      steps.push({ kind: 'restart', sends: sortSends(sends), context: after.context });
    } else {
      const event = eventOf(instance, action, i);
      if (event === null) continue;
      const result = action.type === 'deliver' ? stepper.stepMessage(before.nodes[i]!, action.from, action.message) : stepper.step(before.nodes[i]!, event);
      const sends = result.changed ? result.effects.flatMap((e) => (e.type === 'send' ? [{ to: e.to, message: e.message }] : [])) : [];
      steps.push({ kind: 'event', event, sends: sortSends(sends), context: after.context });
    }
  }
  return { transition, node: id, faults: instance.faults, actions, steps };
}

export function sortSends<T extends { to: string; message: unknown }>(sends: readonly T[]): T[] {
  return [...sends].sort((a, b) => {
    const x = `${a.to} ${canonical(a.message)}`;
    const y = `${b.to} ${canonical(b.message)}`;
    return x < y ? -1 : x > y ? 1 : 0;
  });
}
