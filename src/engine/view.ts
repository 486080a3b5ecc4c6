/**
 * What properties see of a world: node views (id, role, up, state, context) shared between
 * worlds with the same node state, the network, the observations and the parameters.
 */
import type { EventFromLogic } from 'xstate';
import type { Instance } from './instance.js';
import type { Message, Model, NodeView, Observation, RoleContexts } from './model.js';
import type { NodeState } from './node-step.js';
import type { Envelope, FaultsUsed, World } from './world.js';

/** Role name → context type; any role, any fields, when untyped. */
export type RoleContextMap = Readonly<Record<string, object>>;

/**
 * The context type of node `I`: its role's when the id is the role's name (`'tm'`) or the role's
 * name and a number (`'rm2'`, `'acceptor1'`), the union of every role's otherwise.
 */
export type ContextOfNode<R extends RoleContextMap, I extends string> = I extends keyof R
  ? R[I]
  : { [K in keyof R & string]: I extends `${K}${number}` ? R[K] : never }[keyof R & string] extends infer C
    ? [C] extends [never]
      ? R[keyof R]
      : C
    : never;

/** A received event without its sender: the message as it travels (`Received<M>` is `M & { from }`). */
type Sent<E> = E extends { readonly type: string; readonly from: string } ? Omit<E, 'from'> : never;

/**
 * Since 0.3.0. The union of a model's messages: every event of a role's machine that carries a
 * sender (`Received<M>`), without the sender. Untyped machines (or none that receives a message)
 * give any message.
 */
export type MessagesOf<M> = M extends Model<infer R>
  ? { [K in keyof R & string]: Sent<EventFromLogic<R[K]['machine']>> }[keyof R & string] extends infer N extends { readonly type: string }
    ? [N] extends [never]
      ? Message
      : N
    : Message
  : Message;

/** Since 0.3.0. A message in flight, typed by the model's message union `N`. */
export interface EnvelopeOf<N extends { readonly type: string } = Message> {
  readonly from: string;
  readonly to: string;
  readonly message: N;
}

/**
 * What properties see of a world (read-only). `R` maps each role to its context type and `O` is
 * the union of the model's observations and `N` the union of its messages; `ViewOf<typeof model, O>`
 * fills them in, so `w.role('rm')`, `w.node('tm')` and `w.network[i].message` are typed. Untyped (the
 * default), contexts have any fields.
 */
export interface WorldView<
  R extends RoleContextMap = Readonly<Record<string, Readonly<Record<string, any>>>>,
  O extends Observation = Observation,
  N extends { readonly type: string } = Message,
> {
  readonly nodes: readonly NodeView<R[keyof R]>[];
  readonly network: readonly EnvelopeOf<N>[];
  readonly observations: readonly O[];
  readonly params: Instance['params'];
  /**
   * Since 0.3.0. The faults injected so far in this run (part of the world's state): a property
   * may excuse what only a fault explains, e.g. replicas that a lost message left apart.
   */
  readonly faultsUsed: FaultsUsed;
  /** The node with this id. */
  node<I extends string>(id: I): NodeView<ContextOfNode<R, I>>;
  /** The nodes of one role, in cluster order. */
  role<K extends keyof R & string>(role: K): readonly NodeView<R[K]>[];
}

/**
 * Since 0.1.0. The view of a model's worlds, typed by its roles' contexts, its messages (since 0.3.0)
 * and (optionally) its observations.
 */
export type ViewOf<M, O extends Observation = Observation> = WorldView<RoleContexts<M>, O, MessagesOf<M>>;


/** Per instance and node index: the views of the node states met, by state object (node states are interned). */
const nodeViews = new WeakMap<Instance, WeakMap<NodeState, NodeView>[]>();

/** The view of node `i` in `state`, built once per node state object. */
export function nodeViewOf(instance: Instance, i: number, state: NodeState): NodeView {
  let byNode = nodeViews.get(instance);
  if (byNode === undefined) nodeViews.set(instance, (byNode = []));
  const byState = (byNode[i] ??= new WeakMap());
  let view = byState.get(state);
  if (view === undefined) {
    const spec = instance.nodes[i]!;
    byState.set(state, (view = { id: spec.id, role: spec.role, up: state.up, state: state.value, context: state.context }));
  }
  return view;
}

/** Per instance: the node indexes of each role, in cluster order (what `role()` picks). */
const roleIndexes = new WeakMap<Instance, ReadonlyMap<string, readonly number[]>>();
export function rolesOf(instance: Instance): ReadonlyMap<string, readonly number[]> {
  let roles = roleIndexes.get(instance);
  if (roles === undefined) {
    const built = new Map<string, number[]>();
    instance.nodes.forEach((spec, i) => {
      const list = built.get(spec.role);
      if (list === undefined) built.set(spec.role, [i]);
      else list.push(i);
    });
    roleIndexes.set(instance, (roles = built));
  }
  return roles;
}

/** A world as properties see it; node views are shared between worlds with the same node state. */
class View implements WorldView {
  readonly network: readonly Envelope[];
  readonly observations: readonly Observation[];
  readonly params: Instance['params'];
  readonly faultsUsed: FaultsUsed;
  private readonly roles: ReadonlyMap<string, readonly number[]>;

  constructor(
    private readonly instance: Instance,
    readonly nodes: readonly NodeView[],
    world: World,
  ) {
    this.network = world.network;
    this.observations = world.observations;
    this.params = instance.params;
    this.faultsUsed = world.used;
    this.roles = rolesOf(instance);
  }

  // Untyped here: the interface's signatures give callers the model's types.
  node(id: string): NodeView<any> {
    const i = this.instance.indexOf.get(id);
    if (i === undefined) throw new Error(`no node '${id}'`);
    return this.nodes[i]!;
  }

  role(role: string): readonly NodeView<any>[] {
    const indexes = this.roles.get(role);
    if (indexes === undefined) return [];
    // A fresh array at every call, as before: callers may sort it.
    const members: NodeView[] = new Array(indexes.length);
    for (let k = 0; k < indexes.length; k++) members[k] = this.nodes[indexes[k]!]!;
    return members;
  }
}

/** The view of `world`, built afresh (callers that hold on to it, like random runs, skip `viewOf`'s memo). */
export function buildView(instance: Instance, world: World): WorldView {
  const nodes: NodeView[] = new Array(world.nodes.length);
  for (let i = 0; i < nodes.length; i++) nodes[i] = nodeViewOf(instance, i, world.nodes[i]!);
  return new View(instance, nodes, world);
}

const views = new WeakMap<World, WorldView>();
export function viewOf(instance: Instance, world: World): WorldView {
  let view = views.get(world);
  if (view === undefined) {
    view = buildView(instance, world);
    views.set(world, view);
  }
  return view;
}


/** What a tuple view reads its parts from, by id (packed.ts's `Packed`). */
export interface TupleSource {
  readonly n: number;
  nodeView(i: number, id: number): NodeView;
  networkOf(bag: number): readonly Envelope[];
  observationsOf(set: number): readonly Observation[];
  faultsOf(id: number): { readonly used: FaultsUsed };
}

/**
 * A world as properties see it, over a tuple of ids (packed.ts): each part is looked up when
 * read, node views per node-state id, so an invariant that reads only contexts costs a look-up
 * per node it reads and builds nothing.
 */
export class TupleView implements WorldView {
  private nodeList: readonly NodeView[] | null = null;
  private readonly roles: ReadonlyMap<string, readonly number[]>;
  /**
   * The slots read since `reads` was last set to 0, one bit per slot (bit j: slot j; node
   * slots, then network, observations, faults), for tuples of at most `READ_BITS` slots: what a
   * memo of a function of the view (view-memo.ts) keys its value by.
   */
  reads = 0;

  constructor(
    private readonly instance: Instance,
    private readonly source: TupleSource,
    /** The tuple's ids, slot by slot. */
    readonly ids: readonly number[],
    /** `rolesOf(instance)`, when the caller keeps it (one WeakMap look-up less per view). */
    roles?: ReadonlyMap<string, readonly number[]>,
  ) {
    this.roles = roles ?? rolesOf(instance);
  }

  get nodes(): readonly NodeView[] {
    this.reads |= allNodeBits(this.source.n);
    if (this.nodeList === null) {
      const nodes: NodeView[] = new Array(this.source.n);
      for (let i = 0; i < nodes.length; i++) nodes[i] = this.source.nodeView(i, this.ids[i]!);
      this.nodeList = nodes;
    }
    return this.nodeList;
  }

  get network(): readonly Envelope[] {
    this.reads |= slotBit(this.source.n);
    return this.source.networkOf(this.ids[this.source.n]!);
  }

  get observations(): readonly Observation[] {
    this.reads |= slotBit(this.source.n + 1);
    return this.source.observationsOf(this.ids[this.source.n + 1]!);
  }

  get params(): Instance['params'] {
    return this.instance.params;
  }

  get faultsUsed(): FaultsUsed {
    this.reads |= slotBit(this.source.n + 2);
    return this.source.faultsOf(this.ids[this.source.n + 2]!).used;
  }

  node(id: string): NodeView<any> {
    const i = this.instance.indexOf.get(id);
    if (i === undefined) throw new Error(`no node '${id}'`);
    this.reads |= slotBit(i);
    return this.source.nodeView(i, this.ids[i]!);
  }

  role(role: string): readonly NodeView<any>[] {
    const indexes = this.roles.get(role);
    if (indexes === undefined) return [];
    // A fresh array at every call: callers may sort it.
    const members: NodeView[] = new Array(indexes.length);
    for (let k = 0; k < indexes.length; k++) {
      const i = indexes[k]!;
      this.reads |= slotBit(i);
      members[k] = this.source.nodeView(i, this.ids[i]!);
    }
    return members;
  }
}

/** Tuples of more slots than this are not read-tracked (their `reads` saturates to every bit). */
export const READ_BITS = 31;

/** The read bit of slot j (every bit past READ_BITS: such a view is never memoised). */
function slotBit(j: number): number {
  return j < READ_BITS ? 1 << j : -1;
}

function allNodeBits(n: number): number {
  return n < READ_BITS ? (1 << n) - 1 : -1;
}
