/**
 * What properties see of a world: node views (id, role, up, state, context) shared between
 * worlds with the same node state, the network, the observations and the parameters.
 */
import type { Instance } from './instance.js';
import type { NodeView, Observation } from './model.js';
import type { NodeState } from './node-step.js';
import { slotOf } from './node-slots.js';
import type { Envelope, World } from './world.js';

/** What properties see of a world. */
export interface WorldView {
  readonly nodes: readonly NodeView[];
  readonly network: readonly Envelope[];
  readonly observations: readonly Observation[];
  readonly params: Instance['params'];
  /** The node with this id. */
  node(id: string): NodeView;
  /** The nodes of one role, in cluster order. */
  role(role: string): readonly NodeView[];
}


/** The view of node `i` in `state`, built once per node state. */
export function nodeViewOf(instance: Instance, i: number, state: NodeState): NodeView {
  const slot = slotOf(instance, i, state);
  if (slot.view === null) {
    const spec = instance.nodes[i]!;
    slot.view = { id: spec.id, role: spec.role, up: state.up, state: state.value, context: state.context };
  }
  return slot.view;
}

/** A world as properties see it; node views are shared between worlds with the same node state. */
class View implements WorldView {
  readonly network: readonly Envelope[];
  readonly observations: readonly Observation[];
  readonly params: Instance['params'];
  /** Role members, filtered once per role on first request. */
  private byRole: Map<string, readonly NodeView[]> | null = null;

  constructor(
    private readonly instance: Instance,
    readonly nodes: readonly NodeView[],
    world: World,
  ) {
    this.network = world.network;
    this.observations = world.observations;
    this.params = instance.params;
  }

  node(id: string): NodeView {
    const i = this.instance.indexOf.get(id);
    if (i === undefined) throw new Error(`no node '${id}'`);
    return this.nodes[i]!;
  }

  role(role: string): readonly NodeView[] {
    this.byRole ??= new Map();
    let members = this.byRole.get(role);
    if (members === undefined) {
      members = this.nodes.filter((n) => n.role === role);
      this.byRole.set(role, members);
    }
    return members.slice(); // a fresh array, as before: callers may sort it
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

