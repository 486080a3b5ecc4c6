/**
 * What a protocol model declares. A model is data plus xstate machines: the kit composes the
 * nodes, a network and a fault injector into one pure transition system (defined in semantics.ts).
 *
 * Conventions a node machine follows:
 * - it sends by emitting `{ type: 'send', to, message }` (xstate `emit`), never by doing I/O;
 * - it reports facts for history properties by emitting `{ type: 'observe', observation }`;
 * - messages arrive as events: the message object itself, plus `from` (the sender's id);
 * - after a crash and restart it starts from its initial state with the persisted context fields
 *   restored, and receives `{ type: 'RECOVER' }` so it can resume from what it logged.
 */
import type { AnyStateMachine, ContextFrom, EventObject } from 'xstate';
import type { FaultSettings } from './faults.js';

/** A message on the network: a plain object with a `type`, e.g. `{ type: 'Prepared', rm: 'rm1' }`. */
export type Message = { readonly type: string } & Record<string, unknown>;

/** A message in flight to a node, as an environment function sees it. */
export interface InboxMessage {
  readonly from: string;
  readonly message: Message;
}

/** A fact a node reports for history-dependent properties, e.g. `{ type: 'LeaderElected', term: 2 }`. */
export type Observation = { readonly type: string } & Record<string, unknown>;

/** The effects a node machine emits; anything else it emits is ignored by the kit. */
export type Effect =
  | { type: 'send'; to: string; message: Message }
  | { type: 'observe'; observation: Observation };

/**
 * Since 0.1.0. A message for node `to`, as an effect: `emit(({ context }) => send(context.tm, {...}))`.
 * A node never performs an effect; it emits one and the kit applies it to the world.
 */
export function send(to: string, message: Message): Effect {
  return { type: 'send', to, message };
}

/** Since 0.1.0. A fact for history properties, kept in the world's observation set. */
export function observe(observation: Observation): Effect {
  return { type: 'observe', observation };
}

export type ParamValue = number | string | boolean;
export type Params = Readonly<Record<string, ParamValue>>;

/** A model parameter settable with `--config key=value`. */
export interface ParamSpec {
  readonly default: ParamValue;
  readonly description: string;
  /** For numbers: the accepted range, inclusive. */
  readonly min?: number;
  readonly max?: number;
  /** For strings: the accepted values. */
  readonly choices?: readonly string[];
}

/** One node of a cluster: its id, its role and its xstate input. */
export interface NodeSpec {
  readonly id: string;
  readonly role: string;
  readonly input: Readonly<Record<string, unknown>>;
}

/**
 * What the kit shows a role's environment function and the properties about a node. `C` is the
 * role's context type (`ViewOf<typeof model>` fills it in per role); untyped, any fields.
 */
export interface NodeView<C = Readonly<Record<string, any>>> {
  readonly id: string;
  readonly role: string;
  /** False while the node is crashed; its context then holds only its persisted fields. */
  readonly up: boolean;
  /** The xstate state value (a string for flat machines); null while crashed. */
  readonly state: unknown;
  readonly context: Readonly<C>;
}

export interface RoleSpec {
  readonly machine: AnyStateMachine;
  /** Context fields written to stable storage: the only ones that survive a crash. */
  readonly persist: readonly string[];
  /**
   * Environment events this node may receive now (a timeout, a client request, a local
   * decision). Time is an event: the explorer may pick any of them at any step. Events that
   * would not change the node are filtered out by the kit.
   *
   * `inbox` holds the messages in flight to this node (with `set` network semantics: every
   * message ever sent to it), for actions that, as in TLA+ specifications, read the message
   * set directly instead of receiving one message at a time.
   */
  readonly environment?: (node: NodeView, params: Params, inbox: readonly InboxMessage[]) => readonly EventObject[];
}

/** A known bug: buggy variants of some roles, and the property that must catch it. */
export interface MutantSpec {
  readonly description: string;
  /** Name of the property this bug must violate. */
  readonly breaks: string;
  readonly roles: Readonly<Record<string, Partial<Pick<RoleSpec, 'machine' | 'persist'>>>>;
}

/** A named configuration: parameter values and fault settings chosen together. */
export interface Preset {
  readonly description: string;
  readonly params?: Params;
  readonly faults?: Partial<FaultSettings>;
}

/** Relative weights of action kinds in random exploration (higher is picked more often). */
export type ActionWeights = Readonly<Partial<Record<'deliver' | 'env' | 'drop' | 'duplicate' | 'crash' | 'restart' | 'partition' | 'heal', number>>>;

/**
 * Which actions are weakly fair (src/engine/fairness.ts): an action class that stays enabled is
 * eventually taken. Faults (drop, duplicate, crash, partition) are never fair; they are bounded,
 * so every behaviour is fair after its last fault.
 */
export interface FairnessDeclaration {
  /**
   * Per role, the environment events (by event type) that are fair: a Timeout, a Retry. Events
   * not listed are not (a client request may never come). Default: none is fair.
   */
  readonly events?: Readonly<Record<string, readonly string[]>>;
  /** Delivery of a message that is not lost (to an up node, across no partition). Default true. */
  readonly delivery?: boolean;
  /**
   * Whether a crashed node is restarted (fairly). Default: every node, always; a configuration
   * where crashes are permanent (a coordinator that never comes back) answers false for it.
   */
  readonly restart?: (node: NodeSpec, params: Params) => boolean;
  /** Whether a partition ends. Default true. */
  readonly heal?: boolean;
}

export interface Model<R extends Readonly<Record<string, RoleSpec>> = Readonly<Record<string, RoleSpec>>> {
  /** Command-line name, e.g. `two-phase-commit`. */
  readonly name: string;
  /** One line: what the model is and which paper it follows. */
  readonly title: string;
  readonly params: Readonly<Record<string, ParamSpec>>;
  readonly presets?: Readonly<Record<string, Preset>>;
  readonly roles: R;
  /** The cluster for given parameters, in a fixed order (it is the order of `enabledActions`). */
  readonly nodes: (params: Params) => readonly NodeSpec[];
  /** Fault settings used when the command line does not choose. */
  readonly faults: FaultSettings;
  readonly mutants: Readonly<Record<string, MutantSpec>>;
  /** Roles whose nodes are interchangeable (for symmetry reduction). */
  readonly symmetric?: readonly string[];
  /** Weak fairness per action class, for liveness properties (default: see FairnessDeclaration). */
  readonly fairness?: FairnessDeclaration;
  /** Exploration hints for random runs. */
  readonly exploration?: {
    readonly weights?: ActionWeights;
    /** Weights of environment events by event type, overriding `weights.env`. */
    readonly eventWeights?: Readonly<Record<string, number>>;
    /**
     * Swarm over nodes: each run picks some nodes whose environment events are rare in it, so
     * that a few nodes drive the run (see src/explore/random/strategy.ts). Off by default.
     */
    readonly quietNodes?: boolean;
  };
}

/**
 * Declares a model; an identity function that gives the object its type, keeping each role's
 * machine type so that `ViewOf<typeof model>` knows every role's context.
 */
export function defineModel<const R extends Readonly<Record<string, RoleSpec>>>(model: Model<R>): Model<R> {
  return model;
}

/** The context type of each role of a model: `{ tm: TmContext; rm: RmContext }`. */
export type RoleContexts<M> = M extends Model<infer R> ? { readonly [K in keyof R & string]: ContextFrom<R[K]['machine']> & object } : Record<string, Readonly<Record<string, any>>>;

/**
 * Since 0.1.0. A message as a node machine receives it: the message itself plus its sender, e.g.
 * `events: {} as Received<Prepared> | { type: 'Timeout' }`.
 */
export type Received<M extends { readonly type: string }> = M & { readonly from: string };
