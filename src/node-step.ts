/**
 * Stepping one node through its xstate machine, purely.
 *
 * A node's state in the world is plain data: its state value and its context. To step it, the
 * kit rebuilds an xstate snapshot (`machine.resolveState`), calls xstate's pure `transition`,
 * and turns the `emit` actions it returns into effects. xstate stays the source of truth; since
 * `transition` is slow (it creates an actor scope per call), results are memoised by
 * (node state, event): same inputs, same outputs, so the cache cannot change behaviour.
 */
import { initialTransition, transition, type AnyStateMachine, type EventObject, type StateValue } from 'xstate';
import { canonical } from './canonical.js';
import type { Effect } from './model.js';

/** A node's state in the world: immutable plain data. */
export interface NodeState {
  readonly up: boolean;
  /** The xstate state value; null while the node is crashed. */
  readonly value: StateValue | null;
  readonly context: Readonly<Record<string, any>>;
}

export interface NodeStepResult {
  readonly state: NodeState;
  readonly effects: readonly Effect[];
  /** False when the event matched no transition: the node ignored it. */
  readonly changed: boolean;
}

const stateKeys = new WeakMap<NodeState, string>();

/** The canonical key of a node state, computed once per state object. */
export function nodeKey(state: NodeState): string {
  let key = stateKeys.get(state);
  if (key === undefined) {
    key = canonical([state.up, state.value, state.context]);
    stateKeys.set(state, key);
  }
  return key;
}

/** Bound on memoised transitions per role, so long runs keep bounded memory. */
const CACHE_LIMIT = 200_000;

export class NodeStepper {
  private readonly cache = new Map<string, NodeStepResult>();
  hits = 0;
  misses = 0;

  constructor(readonly machine: AnyStateMachine) {}

  /** The node's state after `event`, memoised; `useCache: false` always asks xstate. */
  step(state: NodeState, event: EventObject, useCache = true): NodeStepResult {
    if (!useCache) return this.stepUncached(state, event);
    const key = nodeKey(state) + '\u0000' + canonical(event);
    let result = this.cache.get(key);
    if (result === undefined) {
      this.misses++;
      result = this.stepUncached(state, event);
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(key, result);
    } else {
      this.hits++;
    }
    return result;
  }

  /** xstate's own answer, without the cache: the reference the cache is tested against. */
  stepUncached(state: NodeState, event: EventObject): NodeStepResult {
    if (!state.up || state.value === null) throw new Error('cannot step a crashed node');
    const snapshot = this.machine.resolveState({ value: state.value, context: state.context });
    const [next, actions] = transition(this.machine, snapshot, event);
    if (next === snapshot && actions.length === 0) return { state, effects: [], changed: false };
    const candidate: NodeState = { up: true, value: next.value as StateValue, context: next.context };
    const effects = effectsOf(actions);
    // A transition that lands on an equal state and emits nothing changed nothing.
    const same = next === snapshot || nodeKey(candidate) === nodeKey(state);
    return { state: same ? state : candidate, effects, changed: !same || effects.length > 0 };
  }

  /** The node's first state for its input (running entry actions, so entry sends count). */
  initial(input: unknown): NodeStepResult {
    const [snapshot, actions] = initialTransition(this.machine, input);
    return {
      state: { up: true, value: snapshot.value as StateValue, context: snapshot.context },
      effects: effectsOf(actions),
      changed: true,
    };
  }

  /**
   * The node after a restart: its initial state with the persisted fields of `durable`
   * restored, then the RECOVER event so the machine can resume from its log.
   */
  restart(input: unknown, durable: Readonly<Record<string, unknown>>): NodeStepResult {
    const fresh = this.initial(input);
    const restored: NodeState = { up: true, value: fresh.state.value, context: { ...fresh.state.context, ...durable } };
    const recovered = this.stepUncached(restored, { type: 'RECOVER' });
    return { state: recovered.state, effects: [...fresh.effects, ...recovered.effects], changed: true };
  }
}

function effectsOf(actions: readonly { type: string; params?: unknown }[]): Effect[] {
  const effects: Effect[] = [];
  for (const action of actions) {
    if (action.type !== 'xstate.emit') continue;
    const event = (action.params as { event: { type: string } }).event;
    if (event.type === 'send' || event.type === 'observe') effects.push(event as Effect);
    else throw new Error(`a node emitted '${event.type}'; protokit understands 'send' and 'observe' effects`);
  }
  return effects;
}
