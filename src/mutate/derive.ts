/**
 * Mechanical mutants (`protokit mutate`): small faults derived from a model's xstate machines
 * alone, without knowing the protocol, as mutation testing tools derive them from code.
 *
 * - `guard-true` / `guard-false`: a named guard forced to hold, or never to (machine.provide);
 * - `action-dropped`: a named action does nothing (an assignment not made, a send not sent);
 * - `target-changed`: a transition goes to a sibling of its target state;
 * - `persist-forgotten`: one persisted context field is not written to stable storage;
 * - `message-dropped`: a role does not send one message type when it handles one event type
 *   (the pairs are those a short random walk of the correct model shows it sending).
 *
 * Each is a MutantSpec over one role, so the engine runs it as it runs a hand-written mutant.
 */
import { createMachine, type AnyStateMachine, type EventObject } from 'xstate';
import type { Instance } from '../engine/instance.js';
import type { MutantSpec, Model } from '../engine/model.js';
import { enabledActions, initialWorld, step } from '../engine/packed.js';
import type { World } from '../engine/world.js';

export type MutantKind = 'guard-true' | 'guard-false' | 'action-dropped' | 'target-changed' | 'persist-forgotten' | 'message-dropped';
export const MUTANT_KINDS: readonly MutantKind[] = ['guard-true', 'guard-false', 'action-dropped', 'target-changed', 'persist-forgotten', 'message-dropped'];

export interface MechanicalMutant {
  /** `role/kind/what`, unique within the model. */
  readonly name: string;
  readonly kind: MutantKind;
  readonly role: string;
  /** What was changed, in words a reader of the machine recognises. */
  readonly target: string;
  readonly spec: MutantSpec;
}

type Config = Record<string, unknown>;
const never = (): boolean => false;
const always = (): boolean => true;
const nothing = (): void => {};

function mutant(role: string, kind: MutantKind, target: string, override: MutantSpec['roles'][string]): MechanicalMutant {
  return { name: `${role}/${kind}/${target}`, kind, role, target, spec: { description: `${kind} ${target} (${role})`, breaks: '', roles: { [role]: override } } };
}

/** Every mechanical mutant of the roles that have nodes in `instance`, in a stable order. */
export function deriveMutants(instance: Instance, sends: readonly SentMessage[]): MechanicalMutant[] {
  const model = instance.model;
  const roles = [...new Set(instance.nodes.map((n) => n.role))];
  const out: MechanicalMutant[] = [];
  for (const role of roles) {
    const spec = model.roles[role]!;
    const machine = spec.machine;
    const impl = machine.implementations as { guards?: Record<string, unknown>; actions?: Record<string, unknown> };
    for (const g of Object.keys(impl.guards ?? {})) {
      out.push(mutant(role, 'guard-true', g, { machine: machine.provide({ guards: { [g]: always } } as never) }));
      out.push(mutant(role, 'guard-false', g, { machine: machine.provide({ guards: { [g]: never } } as never) }));
    }
    for (const a of Object.keys(impl.actions ?? {})) {
      out.push(mutant(role, 'action-dropped', a, { machine: machine.provide({ actions: { [a]: nothing } } as never) }));
    }
    for (const t of retargetings(machine)) {
      out.push(mutant(role, 'target-changed', t.describe, { machine: t.machine }));
    }
    for (const field of spec.persist) {
      out.push(mutant(role, 'persist-forgotten', field, { persist: spec.persist.filter((f) => f !== field) }));
    }
    for (const s of sends.filter((x) => x.role === role)) {
      out.push(mutant(role, 'message-dropped', `${s.message} on ${s.event}`, { machine: droppingSends(machine, s.event, s.message) }));
    }
  }
  return out;
}

// ---- target-changed ---------------------------------------------------------------------------

interface Retargeting {
  readonly describe: string;
  readonly machine: AnyStateMachine;
}

/** Normalised transition configs: a list of objects. */
function candidates(value: unknown): Config[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.map((c) => (typeof c === 'string' ? { target: c } : (c as Config)));
}

/**
 * For each transition with a target, the machine where it goes to another state of the same
 * parent instead (up to two such siblings, in document order).
 */
function retargetings(machine: AnyStateMachine): Retargeting[] {
  const root = (machine as unknown as { root: StateNodeLike }).root;
  const out: Retargeting[] = [];
  const visit = (node: StateNodeLike, configPath: string[]) => {
    const entries: [string, readonly TransitionLike[]][] = [...Object.entries(node.on).filter(([e]) => e !== '' && !e.startsWith('xstate.')), ['always', node.always ?? []]];
    for (const [event, list] of entries) {
      list.forEach((t, i) => {
        const target = t.target?.[0];
        if (target === undefined || t.target!.length !== 1 || target.parent === undefined) return;
        // An eventless transition into its own source would re-fire for ever (xstate loops): not a mutant.
        const siblings = Object.values(target.parent.states).filter((s) => s !== target && !(event === 'always' && s === node)).slice(0, 2);
        for (const s of siblings) {
          const from = node.path.join('.') || '(any)';
          out.push({
            describe: `${from} ${event}${list.length > 1 ? `#${i + 1}` : ''} → ${s.path.join('.')} (not ${target.path.join('.')})`,
            machine: withTarget(machine, configPath, event, i, `#${s.id}`),
          });
        }
      });
    }
    for (const [key, child] of Object.entries(node.states)) visit(child, [...configPath, key]);
  };
  visit(root, []);
  return out;
}

interface StateNodeLike {
  readonly id: string;
  readonly path: readonly string[];
  readonly parent?: StateNodeLike;
  readonly on: Readonly<Record<string, readonly TransitionLike[]>>;
  readonly always?: readonly TransitionLike[];
  readonly states: Readonly<Record<string, StateNodeLike>>;
}
interface TransitionLike {
  readonly target?: readonly StateNodeLike[];
}

/** A copy of `machine` whose transition (state at `path`, `event`, candidate `index`) targets `target`. */
function withTarget(machine: AnyStateMachine, path: readonly string[], event: string, index: number, target: string): AnyStateMachine {
  const config = { ...(machine.config as Config) };
  let node: Config = config;
  for (const key of path) {
    const states = { ...(node.states as Config) };
    node.states = states;
    const child = { ...(states[key] as Config) };
    states[key] = child;
    node = child;
  }
  const change = (value: unknown) => candidates(value).map((c, k) => (k === index ? { ...c, target } : c));
  if (event === 'always') node.always = change(node.always);
  else node.on = { ...(node.on as Config), [event]: change((node.on as Config)[event]) };
  return createMachine(config as never, machine.implementations as never) as unknown as AnyStateMachine;
}

// ---- message-dropped --------------------------------------------------------------------------

/** A message type a role was seen sending while handling an event type. */
export interface SentMessage {
  readonly role: string;
  readonly event: string;
  readonly message: string;
}

/**
 * The machine that behaves as `machine` except that, handling an `event` event, it does not send
 * `message` messages: xstate's pure `transition` hands each action to the scope's executor, and
 * this machine's executor leaves those emits out.
 */
function droppingSends(machine: AnyStateMachine, event: string, message: string): AnyStateMachine {
  type Scope = { actionExecutor: (a: unknown) => void };
  const wrapper = Object.create(machine) as { transition: (s: unknown, e: EventObject, scope: Scope) => unknown };
  const original = machine.transition.bind(machine) as unknown as (s: unknown, e: EventObject, scope: Scope) => unknown;
  wrapper.transition = (snapshot: unknown, e: EventObject, scope: Scope) => {
    if (e.type !== event) return original(snapshot, e, scope);
    const execute = scope.actionExecutor;
    scope.actionExecutor = (action: unknown) => {
      const a = action as { type?: string; params?: { event?: { type?: string; message?: { type?: string } } } };
      if (a.type === 'xstate.emit' && a.params?.event?.type === 'send' && a.params.event.message?.type === message) return;
      execute(action);
    };
    try {
      return original(snapshot, e, scope);
    } finally {
      scope.actionExecutor = execute;
    }
  };
  return wrapper as unknown as AnyStateMachine;
}

/** A small deterministic generator (xorshift32): exploration code uses no Math.random. */
export function xorshift(seed: number): () => number {
  let x = seed | 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** What each role sends in reaction to what: a short uniform random walk of the correct model. */
export function discoverSends(instance: Instance, runs: number, depth: number, seed = 1): SentMessage[] {
  const found = new Map<string, SentMessage>();
  const random = xorshift(seed);
  for (let r = 0; r < runs; r++) {
    let world: World = initialWorld(instance);
    for (let k = 0; k < depth; k++) {
      const actions = enabledActions(instance, world);
      if (actions.length === 0) break;
      const action = actions[Math.floor(random() * actions.length)]!;
      if (action.type === 'deliver' || action.type === 'env') {
        const i = instance.indexOf.get(action.type === 'deliver' ? action.to : action.node)!;
        const stepper = instance.roleOf[i]!.stepper;
        const result = action.type === 'deliver' ? stepper.stepMessage(world.nodes[i]!, action.from, action.message) : stepper.step(world.nodes[i]!, action.event);
        const event = action.type === 'deliver' ? action.message.type : action.event.type;
        for (const effect of result.effects) {
          if (effect.type !== 'send') continue;
          const s = { role: instance.roleOf[i]!.name, event, message: effect.message.type };
          found.set(`${s.role}\u0000${s.event}\u0000${s.message}`, s);
        }
      }
      world = step(instance, world, action);
    }
  }
  return [...found.values()].sort((a, b) => (a.role + a.event + a.message < b.role + b.event + b.message ? -1 : 1));
}

/** The model with one mechanical mutant added to its catalogue, so `mutant: name` selects it. */
export function modelWith(model: Model, m: MechanicalMutant): Model {
  return { ...model, mutants: { [m.name]: m.spec } };
}

/**
 * Mutants in round-robin order over kinds (each kind's list in its own order), so that a budget
 * that stops early has still tried every kind.
 */
export function interleaveKinds(mutants: readonly MechanicalMutant[]): MechanicalMutant[] {
  const byKind = MUTANT_KINDS.map((k) => mutants.filter((m) => m.kind === k));
  const out: MechanicalMutant[] = [];
  for (let i = 0; out.length < mutants.length; i++) for (const list of byKind) if (i < list.length) out.push(list[i]!);
  return out;
}
