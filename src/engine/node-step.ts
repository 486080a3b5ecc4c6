/**
 * Stepping one node through its xstate machine, purely.
 *
 * A node's state in the world is plain data: its state value and its context. To step it, the
 * kit rebuilds an xstate snapshot (`machine.resolveState`), calls xstate's pure transition
 * (with one reused actor scope: `transitionInScope`), and turns the `emit` actions it returns
 * into effects. xstate stays the source of truth; since a transition still costs microseconds,
 * results are memoised by
 * (node state, event): same inputs, same outputs, so the cache cannot change behaviour
 * (src/node-step.test.ts checks the memoised path against `transition` on random inputs).
 *
 * How the fast path stays fast:
 * - node states are interned: every state the stepper returns is the one object for its
 *   canonical key, so later lookups go by object identity instead of re-serialising;
 * - each interned state carries its memo (key, transitions by event key, hash) as a hidden, non-enumerable property: one property load instead of
 *   hash-table lookups. JSON, canonical keys and deep equality never see it;
 * - event keys are the event's canonical text, computed once per event or message object (they
 *   too recur by identity, since they come out of memoised results);
 * - initial states and restarts are memoised by input and persisted fields;
 * - the memo belongs to the machine, not to one stepper: every stepper of the same machine (one
 *   per instance, so one per check) shares it, and a check starts warm when an earlier one ran
 *   the same machine (transitions are a pure function of machine, state and event).
 */
import { createActor, initialTransition, transition, type AnyActorScope, type AnyStateMachine, type EventObject, type StateValue } from 'xstate';
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

/** What is memoised about an interned node state (see the module comment). */
export interface NodeMemo {
  readonly owner: MachineMemo;
  readonly generation: number;
  readonly key: string;
  readonly transitions: Map<string, NodeStepResult>;
  /** The state's fingerprint, for the distinct-state count. */
  hash: { readonly hi: number; readonly lo: number } | null;
}

const MEMO = Symbol('protokit.node-memo');
type Memoised = NodeState & { [MEMO]?: NodeMemo };

function attachMemo(state: NodeState, memo: NodeMemo): void {
  Object.defineProperty(state, MEMO, { value: memo, writable: true, configurable: true, enumerable: false });
}

/** The canonical key of a node state, computed once per state object. */
export function nodeKey(state: NodeState): string {
  const memo = (state as Memoised)[MEMO];
  if (memo !== undefined) return memo.key;
  let key = stateKeys.get(state);
  if (key === undefined) {
    key = canonical([state.up, state.value, state.context]);
    stateKeys.set(state, key);
  }
  return key;
}

const objectKeys = new WeakMap<object, string>();
const OBJECT_KEY = Symbol('protokit.key');

/**
 * The canonical text of an event, message or observation, computed once per object and kept as
 * a hidden, non-enumerable property (in a WeakMap when the object is frozen). These objects are
 * immutable, so the key never goes stale.
 */
export function objectKey(value: object): string {
  let key = (value as { [OBJECT_KEY]?: string })[OBJECT_KEY] ?? objectKeys.get(value);
  if (key === undefined) {
    key = canonical(value);
    if (Object.isExtensible(value)) Object.defineProperty(value, OBJECT_KEY, { value: key, enumerable: false });
    else objectKeys.set(value, key);
  }
  return key;
}

const messageEventKeys = new WeakMap<Message, Map<string, string>>();

/**
 * The transition-table key of "message from sender": the canonical text of the event
 * `{...message, from}` the node receives, kept per (message object, sender) so a delivery costs
 * two lookups instead of a copy and a serialisation.
 */
export function messageEventKey(message: Message, from: string): string {
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
/**
 * Bound on the characters of the canonical keys (states interned, events memoised) per role: a stand-in for
 * their size, since a Raft node's state (its log, its votes) is some twenty times a Two-Phase
 * Commit node's. Counting entries alone let `check raft --runs 100000` saw-tooth to 1.5 GB;
 * with this bound its heap stays under about 100 MB, while Two-Phase Commit's searches (short
 * keys) still reach the entry bound first. Deterministic: no clock, no heap measurement.
 */
const KEY_CHARS_LIMIT = 4_000_000;

/** Everything memoised for one machine, shared by its steppers. */
class MachineMemo {
  /** One object per canonical node state (see the module comment). */
  interned = new Map<string, NodeState>();
  /** Bumped when the memo is dropped; memos of older generations are ignored. */
  generation = 0;
  cached = 0;
  /** Characters of the state keys in `interned` and of the event keys of their transitions (see KEY_CHARS_LIMIT). */
  keyChars = 0;
  readonly initials = new WeakMap<object, NodeStepResult>();
  restarts = new WeakMap<object, Map<string, NodeStepResult>>();
}

const machineMemos = new WeakMap<AnyStateMachine, MachineMemo>();

/**
 * Drops `machine`'s memo of transitions (every stepper of it starts cold after this). For a
 * caller that keeps machines it will not step again, e.g. `protokit mutate`, whose mutant
 * machines all live until it ends: a hundred memos of a long check each outgrow the heap.
 */
export function forgetTransitions(machine: AnyStateMachine): void {
  machineMemos.delete(machine);
}

export class NodeStepper {
  private readonly shared: MachineMemo;
  hits = 0;
  misses = 0;

  constructor(readonly machine: AnyStateMachine) {
    let shared = machineMemos.get(machine);
    if (shared === undefined) machineMemos.set(machine, (shared = new MachineMemo()));
    this.shared = shared;
  }

  /** The node's state after `event`, memoised; `useCache: false` always asks xstate. */
  step(state: NodeState, event: EventObject, useCache = true): NodeStepResult {
    if (!useCache) return this.stepUncached(state, event);
    return this.lookup(state, objectKey(event), event, null);
  }

  /** The node's state after it receives `message` from `from` (the event `{...message, from}`), memoised. */
  stepMessage(state: NodeState, from: string, message: Message): NodeStepResult {
    return this.lookup(state, messageEventKey(message, from), message, from);
  }

  /**
   * As `stepMessage`, with the transition-table key already known (`messageEventKey(message,
   * from)`, which packed.ts keeps per envelope).
   */
  stepMessageKeyed(state: NodeState, eventKey: string, from: string, message: Message): NodeStepResult {
    return this.lookup(state, eventKey, message, from);
  }

  /** The memo of `state`'s canonical twin, interning the state when it is new. */
  memoOf(state: NodeState): NodeMemo {
    const memo = (state as Memoised)[MEMO];
    if (memo !== undefined && memo.owner === this.shared && memo.generation === this.shared.generation) return memo;
    const twin = this.intern(state);
    const own = (twin as Memoised)[MEMO]!;
    // Remember the twin's memo on this object too, so the next lookup is one property load; never
    // over another machine's memo (a state object may be met by two machines, e.g. a mutant's).
    if (twin !== state && (memo === undefined || memo.owner === this.shared) && Object.isExtensible(state)) attachMemo(state, own);
    return own;
  }

  /** The one state object for `state`'s canonical key (so equal states are identical objects). */
  canonicalState(state: NodeState): NodeState {
    return this.intern(state);
  }

  private lookup(state: NodeState, eventKey: string, event: EventObject, from: string | null): NodeStepResult {
    const table = this.memoOf(state).transitions;
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
    if (this.shared.cached >= CACHE_LIMIT || this.shared.keyChars >= KEY_CHARS_LIMIT) this.clear();
    table.set(eventKey, result);
    this.shared.cached++;
    this.shared.keyChars += eventKey.length;
    return result;
  }

  /** The one object for `state`'s canonical key; it carries the memo. */
  private intern(state: NodeState): NodeState {
    const key = nodeKey(state);
    const { interned } = this.shared;
    const known = interned.get(key);
    if (known !== undefined) return known;
    // A frozen state, or one carrying another machine's memo, cannot carry ours: its twin is a copy.
    const memo = (state as Memoised)[MEMO];
    const ownable = Object.isExtensible(state) && (memo === undefined || memo.owner === this.shared);
    const twin = ownable ? state : { up: state.up, value: state.value, context: state.context };
    attachMemo(twin, { owner: this.shared, generation: this.shared.generation, key, transitions: new Map(), hash: null });
    interned.set(key, twin);
    this.shared.keyChars += key.length;
    return twin;
  }

  /** Drops every memoised transition (results stay correct, only slower until warmed again). */
  private clear(): void {
    this.shared.interned = new Map();
    this.shared.generation++;
    this.shared.restarts = new WeakMap();
    this.shared.cached = 0;
    this.shared.keyChars = 0;
  }

  /** xstate's own answer, without the cache (node-step.test.ts checks it against `transition()`). */
  stepUncached(state: NodeState, event: EventObject): NodeStepResult {
    if (!state.up || state.value === null) throw new Error('cannot step a crashed node');
    const snapshot = this.machine.resolveState({ value: state.value, context: state.context });
    const [next, actions] = transitionInScope(this.machine, snapshot, event);
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
    let result = memo ? this.shared.initials.get(input) : undefined;
    if (result === undefined) {
      const [snapshot, actions] = initialTransition(this.machine, input);
      result = {
        state: this.intern({ up: true, value: snapshot.value as StateValue, context: snapshot.context }),
        effects: effectsOf(actions),
        changed: true,
      };
      if (memo) this.shared.initials.set(input, result);
    }
    return result;
  }

  /**
   * The node after a restart: its initial state with the persisted fields of `durable`
   * restored, then the RECOVER event so the machine can resume from its log.
   */
  restart(input: unknown, durable: Readonly<Record<string, unknown>>): NodeStepResult {
    const memo = typeof input === 'object' && input !== null;
    const byDurable = memo ? this.shared.restarts.get(input) : undefined;
    const durableKey = canonical(durable);
    const known = byDurable?.get(durableKey);
    if (known !== undefined) return known;
    const fresh = this.initial(input);
    const restored: NodeState = { up: true, value: fresh.state.value, context: { ...fresh.state.context, ...durable } };
    const recovered = this.stepUncached(restored, { type: 'RECOVER' });
    const result: NodeStepResult = { state: this.intern(recovered.state), effects: [...fresh.effects, ...recovered.effects], changed: true };
    if (memo) {
      if (byDurable === undefined) this.shared.restarts.set(input, new Map([[durableKey, result]]));
      else byDurable.set(durableKey, result);
    }
    return result;
  }
}

/**
 * xstate's `transition(machine, snapshot, event)` with one actor scope per machine, reused.
 * `transition()` builds an inert actor scope on every call, and building it creates an actor,
 * which computes the machine's initial state with no input: a model whose context reads its input
 * throws there (xstate catches it), so each call paid for a thrown error and its stack — 16% of a
 * Raft check's CPU time. The scope has the fields `transition()` gives its own (xstate's public
 * `ActorScope`; `machine.transition(snapshot, event, scope)` is the public `ActorLogic` method), and
 * its action executor collects the actions instead of running them, as there.
 * A machine whose transitions spawn children registers them in the scope's system, which a reused
 * scope would keep between calls: such a machine (or any call that throws) falls back to
 * `transition()`, whose answer or error is then the one given.
 */
interface ReusedScope {
  readonly scope: AnyActorScope;
  collected: { type: string; params?: unknown }[];
  /** Microsteps of the transition in progress (xstate reports each to the scope's system). */
  microsteps: number;
}

/**
 * The most microsteps one event may take. A machine that raises an event for itself under a
 * guard that stays true (a mutant's forced guard, or a user's slip) never settles: xstate would
 * loop, holding every microstep, until the heap is gone. Past this bound the step fails as the
 * model's error, with its trace, like any other throw from a machine.
 */
export const MAX_MICROSTEPS = 10_000;

class EndlessTransition extends Error {}
const scopes = new WeakMap<AnyStateMachine, ReusedScope | null>();

function transitionInScope(machine: AnyStateMachine, snapshot: ReturnType<AnyStateMachine['resolveState']>, event: EventObject): [ReturnType<AnyStateMachine['resolveState']>, { type: string; params?: unknown }[]] {
  let reused = scopes.get(machine);
  if (reused === undefined) scopes.set(machine, (reused = makeScope(machine)));
  if (reused === null) return transition(machine, snapshot, event);
  const collected: { type: string; params?: unknown }[] = [];
  reused.collected = collected;
  reused.microsteps = 0;
  try {
    const next = machine.transition(snapshot, event, reused.scope);
    if (hasAny(next.children)) {
      scopes.set(machine, null);
      return transition(machine, snapshot, event);
    }
    return [next, collected];
  } catch (error) {
    if (error instanceof EndlessTransition) throw error;
    return transition(machine, snapshot, event);
  }
}

function makeScope(machine: AnyStateMachine): ReusedScope | null {
  try {
    const self = createActor(machine);
    // The actor's system, but counting the microsteps xstate reports, so an endless loop stops.
    const system = Object.create(self.system) as typeof self.system & { _sendInspectionEvent: (e: { type: string }) => void };
    system._sendInspectionEvent = (e) => {
      if (e.type === '@xstate.microstep' && ++reused.microsteps > MAX_MICROSTEPS) {
        throw new EndlessTransition(`the machine did not settle: more than ${MAX_MICROSTEPS.toLocaleString('en-US')} microsteps for one event (a raised event or an eventless transition whose guard stays true?)`);
      }
    };
    const reused: ReusedScope = {
      collected: [],
      microsteps: 0,
      scope: {
        self,
        defer: () => {},
        id: '',
        logger: () => {},
        sessionId: '',
        stopChild: () => {},
        system,
        emit: () => {},
        actionExecutor: (action: { type: string; params?: unknown }) => {
          reused.collected.push(action);
        },
      } as unknown as AnyActorScope,
    };
    return reused;
  } catch {
    return null;
  }
}

/** Whether an object has an own enumerable key (without building the list of keys: this is per step). */
function hasAny(o: object | undefined): boolean {
  for (const _ in o) return true;
  return false;
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
