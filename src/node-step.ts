/**
 * Stepping one node through its xstate machine, purely.
 *
 * A node's state in the world is plain data: its state value and its context. To step it, the
 * kit rebuilds an xstate snapshot (`machine.resolveState`), calls xstate's pure `transition`,
 * and turns the `emit` actions it returns into effects. xstate stays the source of truth; since
 * `transition` is slow (it creates an actor scope per call), results are memoised by
 * (node state, event): same inputs, same outputs, so the cache cannot change behaviour
 * (src/node-step.test.ts checks the memoised path against `transition` on random inputs).
 *
 * How the fast path stays fast:
 * - node states are interned: every state the stepper returns is the one object for its
 *   canonical key, so later lookups go by object identity instead of re-serialising;
 * - each interned state has its own small table of transitions, keyed by the event's canonical
 *   text, which is computed once per event or message object (they too recur by identity, since
 *   they come out of memoised results);
 * - initial states and restarts are memoised by input and persisted fields.
 */
import { initialTransition, transition, type AnyStateMachine, type EventObject, type StateValue } from 'xstate';
import { canonical } from './canonical.js';
import type { Effect, Message } from './model.js';

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

const objectKeys = new WeakMap<object, string>();

/** The canonical text of an event, message or observation, computed once per object. */
export function objectKey(value: object): string {
  let key = objectKeys.get(value);
  if (key === undefined) {
    key = canonical(value);
    objectKeys.set(value, key);
  }
  return key;
}

const messageEventKeys = new WeakMap<Message, Map<string, string>>();

/**
 * The transition-table key of "message from sender": the canonical text of the event
 * `{...message, from}` the node receives, kept per (message object, sender) so a delivery costs
 * two lookups instead of a copy and a serialisation.
 */
function messageEventKey(message: Message, from: string): string {
  let bySender = messageEventKeys.get(message);
  if (bySender === undefined) {
    bySender = new Map();
    messageEventKeys.set(message, bySender);
  }
  let key = bySender.get(from);
  if (key === undefined) {
    key = canonical({ ...message, from });
    bySender.set(from, key);
  }
  return key;
}

/** Bound on memoised transitions per role, so long runs keep bounded memory. */
const CACHE_LIMIT = 200_000;

export class NodeStepper {
  /** One object per canonical node state (see the module comment). */
  private interned = new Map<string, NodeState>();
  /** Per interned state: its transitions by event key. */
  private tables = new WeakMap<NodeState, Map<string, NodeStepResult>>();
  private cached = 0;
  private readonly initials = new WeakMap<object, NodeStepResult>();
  private restarts = new WeakMap<object, Map<string, NodeStepResult>>();
  hits = 0;
  misses = 0;

  constructor(readonly machine: AnyStateMachine) {}

  /** The node's state after `event`, memoised; `useCache: false` always asks xstate. */
  step(state: NodeState, event: EventObject, useCache = true): NodeStepResult {
    if (!useCache) return this.stepUncached(state, event);
    return this.lookup(state, objectKey(event), event, null);
  }

  /** The node's state after it receives `message` from `from` (the event `{...message, from}`), memoised. */
  stepMessage(state: NodeState, from: string, message: Message): NodeStepResult {
    return this.lookup(state, messageEventKey(message, from), message, from);
  }

  private lookup(state: NodeState, eventKey: string, event: EventObject, from: string | null): NodeStepResult {
    let table = this.tables.get(state);
    if (table === undefined) {
      // A state seen for the first time by identity: share the table of its canonical twin.
      const twin = this.intern(state);
      table = this.tables.get(twin);
      if (table === undefined) {
        table = new Map();
        this.tables.set(twin, table);
      }
      if (twin !== state) this.tables.set(state, table);
    }
    let result = table.get(eventKey);
    if (result !== undefined) {
      this.hits++;
      return result;
    }
    this.misses++;
    const received = from === null ? event : ({ ...event, from } as EventObject);
    const computed = this.stepUncached(state, received);
    const interned = this.intern(computed.state);
    result = interned === computed.state ? computed : { ...computed, state: interned };
    if (this.cached >= CACHE_LIMIT) this.clear();
    table.set(eventKey, result);
    this.cached++;
    return result;
  }

  /** The one object for `state`'s canonical key. */
  private intern(state: NodeState): NodeState {
    const key = nodeKey(state);
    const known = this.interned.get(key);
    if (known !== undefined) return known;
    this.interned.set(key, state);
    return state;
  }

  /** Drops every memoised transition (results stay correct, only slower until warmed again). */
  private clear(): void {
    this.interned = new Map();
    this.tables = new WeakMap();
    this.restarts = new WeakMap();
    this.cached = 0;
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
    const memo = typeof input === 'object' && input !== null;
    let result = memo ? this.initials.get(input) : undefined;
    if (result === undefined) {
      const [snapshot, actions] = initialTransition(this.machine, input);
      result = {
        state: this.intern({ up: true, value: snapshot.value as StateValue, context: snapshot.context }),
        effects: effectsOf(actions),
        changed: true,
      };
      if (memo) this.initials.set(input, result);
    }
    return result;
  }

  /**
   * The node after a restart: its initial state with the persisted fields of `durable`
   * restored, then the RECOVER event so the machine can resume from its log.
   */
  restart(input: unknown, durable: Readonly<Record<string, unknown>>): NodeStepResult {
    const memo = typeof input === 'object' && input !== null;
    const byDurable = memo ? this.restarts.get(input) : undefined;
    const durableKey = canonical(durable);
    const known = byDurable?.get(durableKey);
    if (known !== undefined) return known;
    const fresh = this.initial(input);
    const restored: NodeState = { up: true, value: fresh.state.value, context: { ...fresh.state.context, ...durable } };
    const recovered = this.stepUncached(restored, { type: 'RECOVER' });
    const result: NodeStepResult = { state: this.intern(recovered.state), effects: [...fresh.effects, ...recovered.effects], changed: true };
    if (memo) {
      if (byDurable === undefined) this.restarts.set(input, new Map([[durableKey, result]]));
      else byDurable.set(durableKey, result);
    }
    return result;
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
