/**
 * Typed ways to write a mutant (a known-buggy variant of a machine) without copying the machine's
 * config through casts. For a different guard or action, xstate's own `machine.provide({ guards,
 * actions })` is the way. For a different shape — a transition added, removed or redirected —
 * `replaceTransitions` replaces what one state does on every event and `replaceHandler` what it
 * does on one event; `replaceContext` changes how the initial context is made from the input (a
 * wrong quorum size, say). All keep the machine's implementations and return a machine of its type.
 *
 *   const flipsOnTimeout = replaceHandler(transactionManager, 'committed', 'Timeout', {
 *     target: 'aborted', actions: ['logAbort', 'observeDecision', 'broadcastDecision'],
 *   });
 *
 * Names are checked by the compiler: the state path against the machine's states, the event
 * against its events, guards and actions against the names its `setup` declares.
 */
import { createMachine, type AnyStateMachine, type ContextFrom, type EventFromLogic, type GuardPredicate, type InputFrom, type StateMachine, type StateValueFrom } from 'xstate';

/** The names of a machine's named actions (from its `setup`), or any string when it has none. */
export type ActionName<M extends AnyStateMachine> =
  M extends StateMachine<any, any, any, any, infer A, any, any, any, any, any, any, any, any, any> ? (string extends A['type'] ? string : A['type']) : string;
/** The names of a machine's named guards (from its `setup`), or any string when it has none. */
export type GuardName<M extends AnyStateMachine> =
  M extends StateMachine<any, any, any, any, any, infer G, any, any, any, any, any, any, any, any> ? (string extends G['type'] ? string : G['type']) : string;
/** The types of the events a machine takes. */
export type EventType<M extends AnyStateMachine> = EventFromLogic<M>['type'];

/** Dotted paths of the states in a state value: `'leader'`, `'working.voting'`. */
type PathsOf<V> = V extends string ? V : V extends object ? { [K in keyof V & string]: K | `${K}.${PathsOf<V[K]>}` }[keyof V & string] : never;
/** A state of `M` by its dotted path from the root; `''` is the root itself (its `on` applies in every state). */
export type StatePath<M extends AnyStateMachine> = '' | PathsOf<StateValueFrom<M>>;

/** Every state name of a state value, at any depth: `'leader'`, `'voting'`. */
type NamesOf<V> = V extends string ? V : V extends object ? { [K in keyof V & string]: K | NamesOf<V[K]> }[keyof V & string] : never;
/**
 * Since 0.3.0. A transition target of `M`: a state's name (a sibling, `'aborted'`), a path below one
 * (`'working.voting'`), a child (`'.committed'`) or a state by id (`'#rm.aborted'`). A name no state of
 * `M` has (`'leder'`) does not compile; any string when the machine's states are not typed.
 */
export type TargetOf<M extends AnyStateMachine> =
  string extends StateValueFrom<M>
    ? string
    : NamesOf<StateValueFrom<M>> | `${NamesOf<StateValueFrom<M>>}.${string}` | `.${PathsOf<StateValueFrom<M>>}` | `#${string}`;

/** One transition, as in a machine config, with names the machine declares. */
export interface Handler<M extends AnyStateMachine> {
  /** A sibling state (`'aborted'`), a child (`'.committed'`) or a state by id (`'#rm.aborted'`); none: stay. */
  readonly target?: TargetOf<M> | readonly TargetOf<M>[];
  /** A named guard, or a combination of them made with xstate's `and`, `or`, `not`. */
  readonly guard?: GuardName<M> | GuardPredicate<any, any, any, any>;
  readonly actions?: ActionName<M> | readonly ActionName<M>[];
  readonly reenter?: boolean;
  readonly description?: string;
}
/** What an event does: one transition, or guarded alternatives tried in order. */
export type Handlers<M extends AnyStateMachine> = Handler<M> | readonly Handler<M>[];
/** A state's `on`: the handler of each event. */
export type Transitions<M extends AnyStateMachine> = { readonly [E in EventType<M>]?: Handlers<M> };

type Config = { readonly on?: Record<string, unknown>; readonly states?: Record<string, Config> } & Record<string, unknown>;

function rebuild<M extends AnyStateMachine>(machine: M, state: string, change: (node: Config) => Config): M {
  const segments = state === '' ? [] : state.split('.');
  const at = (node: Config, rest: readonly string[], walked: string): Config => {
    if (rest.length === 0) return change(node);
    const [head, ...tail] = rest as [string, ...string[]];
    const child = node.states?.[head];
    if (child === undefined) throw new Error(`machine ${machine.id} has no state '${walked ? `${walked}.` : ''}${head}'`);
    return { ...node, states: { ...node.states, [head]: at(child, tail, walked ? `${walked}.${head}` : head) } };
  };
  const config = at(machine.config as unknown as Config, segments, '');
  // The same implementations (named guards, actions, actors, delays) on the changed config.
  return createMachine(config as never, machine.implementations as never) as unknown as M;
}

/** Since 0.1.0. `machine` with what state `state` does on every event replaced by `on`. */
export function replaceTransitions<M extends AnyStateMachine>(machine: M, state: StatePath<M>, on: Transitions<M>): M {
  return rebuild(machine, state, (node) => ({ ...node, on: on as Record<string, unknown> }));
}

/**
 * Since 0.1.0. `machine` with what state `state` does on `event` replaced by `handler` (added when
 * it did nothing on it; `null` removes the handler, so the state ignores the event).
 */
export function replaceHandler<M extends AnyStateMachine>(machine: M, state: StatePath<M>, event: EventType<M>, handler: Handlers<M> | null): M {
  return rebuild(machine, state, (node) => {
    const on: Record<string, unknown> = { ...(node.on ?? {}) };
    if (handler === null) delete on[event];
    else on[event] = handler;
    return { ...node, on };
  });
}

/**
 * Since 0.1.0. `machine` with its initial context made by `context` from the node's input (the
 * rest of the machine unchanged), e.g. a quorum one short of a majority.
 */
export function replaceContext<M extends AnyStateMachine>(machine: M, context: (args: { readonly input: InputFrom<M> }) => ContextFrom<M>): M {
  return rebuild(machine, '', (node) => ({ ...node, context }));
}
