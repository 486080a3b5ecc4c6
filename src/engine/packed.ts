/**
 * Worlds as tuples of interned integers: the representation the exhaustive search runs on.
 *
 * A world of n nodes is n + 3 small integers (a "tuple"), stored in an Int32Array at some offset:
 *   slot i < n  the id of node i's state (its xstate value, context and up flag, interned by key);
 *   slot n      the id of the network: the sequence of in-flight envelope ids, in send order;
 *   slot n + 1  the id of the observation set: observation ids in the order first made;
 *   slot n + 2  the id of the fault state: loss, duplicate, crash, partition counters and the
 *               partition in force (an index into the two-way splits, or none).
 * Equal ids mean equal parts, so a world is its tuple. Every id's text is computed once, when the
 * id is made; from then on a step is table look-ups:
 *   (node, state id, event id) → transition id → (next state id, its effects as envelope and observation ids)
 *   (network id, edit, argument) → network id, and the same for observations and faults;
 *   (node, state id, inbox id) → the node's environment events, each with its transition id.
 * A 64-bit fingerprint is a sum of per-slot contributions (a node slot's mixes in its position;
 * the network's ignores order, per link under fifo), so a successor's fingerprint costs its
 * changed slots only, and equal `worldKey`s (world.ts) give equal fingerprints in every thread:
 * contributions come from the keys' hashes, never from ids.
 *
 * The order of enabled actions and every successor are those of semantics.ts (the reference);
 * src/engine/packed.test.ts walks every model and mutant under every network and compares.
 * When the model's own code throws, the error becomes a ModelError naming the node and what it
 * was doing (`describeFailure`).
 *
 * This is the one stepping path: the exhaustive search and random runs walk tuples; callers
 * that hold `World` objects (replay, the studio, validate, mutate) use `initialWorld`,
 * `enabledActions` and `step` at the end of this module, which pack, step and unpack. Properties
 * read a view built lazily from the ids (`view`), node views kept per node-state id.
 */
import type { EventObject } from 'xstate';
import type { Action } from './actions.js';
import type { Instance } from './instance.js';
import type { Observation } from './model.js';
import { messageEventKey, nodeKey, objectKey, type NodeState, type NodeStepResult } from './node-step.js';
import type { NodeView } from './model.js';
import { avalanche, hashText } from './fingerprint.js';
import { ModelError, thrownMessage } from './errors.js';
import { envelopeKey, envelopeOf, indexOrThrow, partitionKey, twoWaySplits, type Envelope, type FaultsUsed, type World } from './world.js';
import { rolesOf, TupleView, type WorldView } from './view.js';
import { grown, SequenceTable, TripleMap } from './int-tables.js';

/** Names the fingerprint function below; checkpoints record it (their visited sets hold fingerprints). */
export const FINGERPRINT_SCHEME = 'packed-1';

/** Kinds of listed actions, in the order they are listed. */
export const DELIVER = 0;
export const ENV = 1;
export const DROP = 2;
export const DUPLICATE = 3;
export const CRASH = 4;
export const RESTART = 5;
export const PARTITION = 6;
export const HEAL = 7;

// Edits of the network, observation and fault slots, memoised as (id, edit, argument) → id.
const REMOVE = 0;
const APPEND = 1;
const SENDS = 2;
const OBSERVES = 3;
const FAULT = 4;
// Fault edits (the argument of FAULT): counters, then partition p as PARTITION_AT + p, heal.
const ADD_LOSS = 0;
const ADD_DUPLICATE = 1;
const ADD_CRASH = 2;
const HEAL_EDIT = 3;
const PARTITION_AT = 4;
// Event codes of transitions that are not a delivery (2·envelope) or an event (2·event + 1).
const CRASHED = -1;
const RESTARTED = -2;

/** Transitions kept before the step memos start afresh (ids of states, envelopes, networks stay). */
const TRANSITION_LIMIT = 1 << 21;

/** Thrown inside when an envelope names an unknown node (a world built by hand). */
class Unpackable extends Error {}

interface FaultState {
  readonly loss: number;
  readonly duplicate: number;
  readonly crash: number;
  readonly partitions: number;
  /** Index into the two-way splits, or −1 when whole. */
  readonly split: number;
}

export class Packed {
  readonly n: number;
  /** Slots per world. */
  readonly width: number;
  private readonly setNetwork: boolean;
  private readonly fifo: boolean;
  private readonly splits: readonly (readonly (readonly string[])[])[];
  private readonly splitByKey = new Map<string, number>();
  /** Per split: linked[from·n + to]. */
  private readonly linkedIn: Uint8Array[];

  // Node states: id → object, up flag, hash lanes.
  private readonly nodeStates: NodeState[] = [];
  private readonly nodeIds = new Map<string, number>();
  private nodeUp = new Int32Array(256);
  private nodeH1 = new Int32Array(256);
  private nodeH2 = new Int32Array(256);

  // Envelopes: id → object, sender and receiver index, link, hash lanes, the receiver's event key.
  private readonly envelopes: Envelope[] = [];
  private readonly envelopeIds = new Map<string, number>();
  private envFrom = new Int32Array(256);
  private envTo = new Int32Array(256);
  private envH1 = new Int32Array(256);
  private envH2 = new Int32Array(256);
  private readonly envEventKeys: string[] = [];

  // Observations and environment events.
  private readonly observations: Observation[] = [];
  private readonly observationIds = new Map<string, number>();
  private obsH1 = new Int32Array(256);
  private obsH2 = new Int32Array(256);
  private readonly events: EventObject[] = [];
  private readonly eventIds = new Map<string, number>();

  // Networks and observation sets: interned sequences, with their slot's hash lanes.
  private readonly bags = new SequenceTable();
  private bagH1 = new Int32Array(1024);
  private bagH2 = new Int32Array(1024);
  private readonly obsSets = new SequenceTable();
  private obsSetH1 = new Int32Array(1024);
  private obsSetH2 = new Int32Array(1024);

  // Fault states.
  private readonly faults: FaultState[] = [];
  private readonly faultIds = new Map<string, number>();
  private faultH1 = new Int32Array(64);
  private faultH2 = new Int32Array(64);

  // Transitions: next state, changed, effects (2·envelope for a send, 2·observation + 1), or −1: unpackable.
  private trTable = new TripleMap();
  private trCount = 0;
  private trNext = new Int32Array(1024);
  private trChanged = new Int32Array(1024);
  private trEffStart = new Int32Array(1024);
  private trEffLength = new Int32Array(1024);
  private effects = new Int32Array(4096);
  private effectsUsed = 0;
  private edits = new TripleMap();
  /** Transitions that send to an unknown node: the model's error a step taking one throws. */
  private unknownSends = new Map<number, { readonly node: string; readonly what: string }>();
  // Environment lists: (node, state, inbox + 1) → list; a list is (event id, transition id) pairs.
  private envLists = new TripleMap();
  private envListStart: number[] = [];
  private envListLength: number[] = [];
  private envListItems = new Int32Array(1024);
  private envListUsed = 0;
  /** Per node: whether its role's environment function has been seen reading the inbox. */
  private readonly readsInbox: boolean[];
  /** Per node, by state id: its environment list when the inbox is not read (−1: not yet made); spares a hash look-up per node and state. */
  private envByState: Int32Array[];

  // Listing scratch: stamps for membership, and the listed actions.
  private stamp = 0;
  private envMark = new Int32Array(256);
  private envSeen = new Int32Array(256);
  private readonly linkSeen: Int32Array;
  private scratch = new Int32Array(256);
  private distinct = new Int32Array(256);
  /** The last listing: kind, argument (envelope, node or split), event id (env), transition id (or −1). */
  kinds = new Int32Array(64);
  args = new Int32Array(64);
  eventOf = new Int32Array(64);
  transitionOf = new Int32Array(64);
  count = 0;

  // Fingerprint of the last `fingerprint` or `successor` call.
  hi = 0;
  lo = 0;
  /** The parent's sums and slot contributions, set by `setParent`. */
  private parentSum1 = 0;
  private parentSum2 = 0;
  private parentC1: Int32Array;
  private parentC2: Int32Array;

  // Action objects, built once.
  private readonly deliverActions: Action[] = [];
  private readonly dropActions: Action[] = [];
  private readonly duplicateActions: Action[] = [];
  private readonly envActions: Map<number, Action>[];
  private readonly crashActions: Action[];
  private readonly restartActions: Action[];
  private readonly partitionActions: Action[];

  // Unpacking caches (direct-mapped by id).
  private readonly networkCacheIds = new Int32Array(4096).fill(-1);
  private readonly networkCache: (readonly Envelope[])[] = new Array(4096);
  private readonly obsCacheIds = new Int32Array(4096).fill(-1);
  private readonly obsCache: (readonly Observation[])[] = new Array(4096);
  private readonly faultWorlds: { used: FaultsUsed; partition: World['partition'] }[] = [];

  constructor(readonly instance: Instance) {
    const n = (this.n = instance.nodes.length);
    this.width = n + 3;
    this.setNetwork = instance.faults.network === 'set';
    this.fifo = instance.faults.network === 'fifo';
    const ids = instance.nodes.map((s) => s.id);
    this.splits = twoWaySplits(ids);
    this.linkedIn = this.splits.map((groups, p) => {
      this.splitByKey.set(partitionKey(groups), p);
      const linked = new Uint8Array(n * n);
      for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) linked[a * n + b] = a === b || groups.some((g) => g.includes(ids[a]!) && g.includes(ids[b]!)) ? 1 : 0;
      return linked;
    });
    this.linkSeen = new Int32Array(n * n);
    this.readsInbox = ids.map(() => false);
    this.envByState = ids.map(() => new Int32Array(256).fill(-1));
    this.parentC1 = new Int32Array(this.width);
    this.parentC2 = new Int32Array(this.width);
    this.envActions = ids.map(() => new Map());
    this.crashActions = ids.map((node) => ({ type: 'crash', node }));
    this.restartActions = ids.map((node) => ({ type: 'restart', node }));
    this.partitionActions = this.splits.map((groups) => ({ type: 'partition', groups }));
    this.internBagHash(0);
    this.internObsSetHash(0);
    this.faultId({ loss: 0, duplicate: 0, crash: 0, partitions: 0, split: -1 });
  }

  // ---- Packing and unpacking -------------------------------------------------------------

  /**
   * The initial world's tuple, written at `out[at..]`: every node in its machine's initial state,
   * then each node's entry effects in node order (semantics.ts's `referenceInitialWorld`).
   */
  initial(out: Int32Array, at: number): void {
    // Ids stay valid for the packing's life (forgetting steps keeps them): made once.
    if (this.initialTuple === null) this.initialTuple = this.makeInitial();
    out.set(this.initialTuple, at);
  }

  private initialTuple: Int32Array | null = null;

  private makeInitial(): Int32Array {
    const { n } = this;
    const out = new Int32Array(this.width);
    const at = 0;
    const results = this.instance.nodes.map((spec, i) => this.guarded(i, 'starting', () => this.instance.roleOf[i]!.stepper.initial(spec.input)));
    for (let i = 0; i < n; i++) out[at + i] = this.nodeId(i, results[i]!.state);
    out[at + n] = 0;
    out[at + n + 1] = 0;
    out[at + n + 2] = 0;
    for (let i = 0; i < n; i++) if (results[i]!.effects.length > 0) this.applyEffects(out, at, this.transition(i, results[i]!));
    return out;
  }

  /** Writes `world`'s tuple at `out[at..]`. */
  pack(world: World, out: Int32Array, at: number): void {
    const { n } = this;
    for (let i = 0; i < n; i++) out[at + i] = this.nodeId(i, world.nodes[i]!);
    const envs = this.scratchOf(world.network.length);
    world.network.forEach((e, k) => (envs[k] = this.envelopeIdOf(e)));
    out[at + n] = this.bagId(envs, world.network.length);
    const obs = this.scratchOf(world.observations.length);
    world.observations.forEach((o, k) => (obs[k] = this.observationId(o)));
    out[at + n + 1] = this.obsSetId(obs, world.observations.length);
    const split = world.partition === null ? -1 : this.splitByKey.get(partitionKey(world.partition));
    if (split === undefined) throw new Error(`internal: a partition that is not a two-way split: ${partitionKey(world.partition)}`);
    const u = world.used;
    out[at + n + 2] = this.faultId({ loss: u.loss, duplicate: u.duplicate, crash: u.crash, partitions: u.partition, split });
  }

  /** The world of the tuple at `t[at..]` (node states, messages and observations are shared objects). */
  unpack(t: Int32Array, at: number): World {
    const { n } = this;
    const nodes: NodeState[] = new Array(n);
    for (let i = 0; i < n; i++) nodes[i] = this.nodeStates[t[at + i]!]!;
    const f = this.faultWorld(t[at + n + 2]!);
    return { nodes, network: this.networkOf(t[at + n]!), partition: f.partition, used: f.used, observations: this.observationsOf(t[at + n + 1]!) };
  }

  /** Messages in flight in the tuple at `t[at..]`. */
  inFlight(t: Int32Array, at: number): number {
    return this.bags.length(t[at + this.n]!);
  }

  // ---- Views for properties (per-id caches) -----------------------------------------------------

  /** Per node index, by state id: the node's view (what properties see of it), made once. */
  private nodeViews: (NodeView | undefined)[][] = [];

  /** The view of node `i` in state `id`, made once per (node, state id). */
  nodeView(i: number, id: number): NodeView {
    const byState = (this.nodeViews[i] ??= []);
    let view = byState[id];
    if (view === undefined) {
      const spec = this.instance.nodes[i]!;
      const state = this.nodeStates[id]!;
      byState[id] = view = { id: spec.id, role: spec.role, up: state.up, state: state.value, context: state.context };
    }
    return view;
  }

  /** The node indexes of each role (view.ts's `rolesOf`), kept for the views. */
  private roles: ReadonlyMap<string, readonly number[]> | undefined;

  /**
   * What properties see of the tuple at `t[at..]`: a view over a copy of its ids, whose node views,
   * message and observation lists are looked up per id when read (nothing is unpacked until then).
   */
  view(t: Int32Array, at: number): WorldView {
    // A plain array: allocating a small typed array costs several times more, once per state.
    const ids: number[] = new Array(this.width);
    for (let j = 0; j < ids.length; j++) ids[j] = t[at + j]!;
    return new TupleView(this.instance, this, ids, (this.roles ??= rolesOf(this.instance)));
  }

  /** The faults injected so far in fault state `id`, and the partition in force. */
  faultsOf(id: number): { used: FaultsUsed; partition: World['partition'] } {
    return this.faultWorld(id);
  }

  /** Ids interned so far (node states, envelopes, networks, observation sets): what a long run's memory grows with. */
  get interned(): number {
    return this.nodeStates.length + this.envelopes.length + this.bags.count + this.obsSets.count;
  }

  /** The messages in flight in network `bag`, in send order (kept per id, direct-mapped). */
  networkOf(bag: number): readonly Envelope[] {
    const slot = bag & 4095;
    if (this.networkCacheIds[slot] === bag) return this.networkCache[slot]!;
    const s = this.bags.start(bag);
    const items = this.bags.items;
    const list: Envelope[] = new Array(this.bags.length(bag));
    for (let k = 0; k < list.length; k++) list[k] = this.envelopes[items[s + k]!]!;
    this.networkCacheIds[slot] = bag;
    this.networkCache[slot] = list;
    return list;
  }

  /** The observations of set `set`, in the order first made (kept per id, direct-mapped). */
  observationsOf(set: number): readonly Observation[] {
    const slot = set & 4095;
    if (this.obsCacheIds[slot] === set) return this.obsCache[slot]!;
    const s = this.obsSets.start(set);
    const items = this.obsSets.items;
    const list: Observation[] = new Array(this.obsSets.length(set));
    for (let k = 0; k < list.length; k++) list[k] = this.observations[items[s + k]!]!;
    this.obsCacheIds[slot] = set;
    this.obsCache[slot] = list;
    return list;
  }

  private faultWorld(id: number): { used: FaultsUsed; partition: World['partition'] } {
    let w = this.faultWorlds[id];
    if (w === undefined) {
      const f = this.faults[id]!;
      w = { used: { loss: f.loss, duplicate: f.duplicate, crash: f.crash, partition: f.partitions }, partition: f.split < 0 ? null : this.splits[f.split]! };
      this.faultWorlds[id] = w;
    }
    return w;
  }

  // ---- Interning -----------------------------------------------------------------------------

  private nodeId(i: number, state: NodeState): number {
    const key = `${this.instance.nodes[i]!.role}\u0000${nodeKey(state)}`;
    let id = this.nodeIds.get(key);
    if (id === undefined) {
      id = this.nodeStates.length;
      this.nodeStates.push(state);
      this.nodeIds.set(key, id);
      if (id >= this.nodeUp.length) {
        this.nodeUp = grown(this.nodeUp);
        this.nodeH1 = grown(this.nodeH1);
        this.nodeH2 = grown(this.nodeH2);
      }
      const h = hashText(nodeKey(state));
      this.nodeUp[id] = state.up ? 1 : 0;
      this.nodeH1[id] = h.hi;
      this.nodeH2[id] = h.lo;
    }
    return id;
  }

  private envelopeIdOf(e: Envelope): number {
    const key = envelopeKey(e);
    let id = this.envelopeIds.get(key);
    if (id === undefined) {
      const to = this.instance.indexOf.get(e.to);
      const from = this.instance.indexOf.get(e.from);
      if (to === undefined || from === undefined) throw new Unpackable(`envelope ${key} names an unknown node`);
      id = this.envelopes.length;
      this.envelopes.push(e);
      this.envelopeIds.set(key, id);
      if (id >= this.envFrom.length) {
        this.envFrom = grown(this.envFrom);
        this.envTo = grown(this.envTo);
        this.envH1 = grown(this.envH1);
        this.envH2 = grown(this.envH2);
        this.envMark = grown(this.envMark);
        this.envSeen = grown(this.envSeen);
      }
      const h = hashText(key);
      this.envFrom[id] = from;
      this.envTo[id] = to;
      this.envH1[id] = h.hi;
      this.envH2[id] = h.lo;
      this.envEventKeys.push(messageEventKey(e.message, e.from));
    }
    return id;
  }

  private observationId(o: Observation): number {
    const key = objectKey(o);
    let id = this.observationIds.get(key);
    if (id === undefined) {
      id = this.observations.length;
      this.observations.push(o);
      this.observationIds.set(key, id);
      if (id >= this.obsH1.length) {
        this.obsH1 = grown(this.obsH1);
        this.obsH2 = grown(this.obsH2);
      }
      const h = hashText(key);
      this.obsH1[id] = h.hi;
      this.obsH2[id] = h.lo;
    }
    return id;
  }

  private eventId(event: EventObject): number {
    const key = objectKey(event);
    let id = this.eventIds.get(key);
    if (id === undefined) {
      id = this.events.length;
      this.events.push(event);
      this.eventIds.set(key, id);
    }
    return id;
  }

  private faultId(f: FaultState): number {
    const key = `${f.loss},${f.duplicate},${f.crash},${f.partitions},${f.split}`;
    let id = this.faultIds.get(key);
    if (id === undefined) {
      id = this.faults.length;
      this.faults.push(f);
      this.faultIds.set(key, id);
      if (id >= this.faultH1.length) {
        this.faultH1 = grown(this.faultH1);
        this.faultH2 = grown(this.faultH2);
      }
      // From the partition's key, not its index: the same in every thread and process.
      const h = hashText(`${f.loss},${f.duplicate},${f.crash},${f.partitions},${f.split < 0 ? 'null' : partitionKey(this.splits[f.split]!)}`);
      this.faultH1[id] = h.hi;
      this.faultH2[id] = h.lo;
    }
    return id;
  }

  private bagId(items: Int32Array, length: number): number {
    const before = this.bags.count;
    const id = this.bags.intern(items, length);
    if (id === before) this.internBagHash(id);
    return id;
  }

  /** A network's contribution: a sum over its messages (order ignored; under fifo, each with its rank on its link). */
  private internBagHash(id: number): void {
    if (id >= this.bagH1.length) {
      this.bagH1 = grown(this.bagH1);
      this.bagH2 = grown(this.bagH2);
    }
    const s = this.bags.start(id);
    const length = this.bags.length(id);
    const items = this.bags.items;
    let s1 = 0;
    let s2 = 0;
    for (let k = 0; k < length; k++) {
      const e = items[s + k]!;
      let rank = 0;
      if (this.fifo) for (let j = 0; j < k; j++) if (this.linkOf(items[s + j]!) === this.linkOf(e)) rank++;
      s1 = (s1 + avalanche((this.envH1[e]! + Math.imul(rank, 0x9e3779b1)) | 0)) | 0;
      s2 = (s2 + avalanche((this.envH2[e]! ^ Math.imul(rank, 0x85ebca77)) | 0)) | 0;
    }
    this.bagH1[id] = avalanche((s1 + Math.imul(length, 0x27d4eb2d)) | 0);
    this.bagH2[id] = avalanche(s2 ^ Math.imul(length + 1, 0x165667b1));
  }

  private obsSetId(items: Int32Array, length: number): number {
    const before = this.obsSets.count;
    const id = this.obsSets.intern(items, length);
    if (id === before) this.internObsSetHash(id);
    return id;
  }

  private internObsSetHash(id: number): void {
    if (id >= this.obsSetH1.length) {
      this.obsSetH1 = grown(this.obsSetH1);
      this.obsSetH2 = grown(this.obsSetH2);
    }
    const s = this.obsSets.start(id);
    const length = this.obsSets.length(id);
    const items = this.obsSets.items;
    let s1 = 0;
    let s2 = 0;
    for (let k = 0; k < length; k++) {
      s1 = (s1 + this.obsH1[items[s + k]!]!) | 0;
      s2 = (s2 + this.obsH2[items[s + k]!]!) | 0;
    }
    this.obsSetH1[id] = avalanche((s1 + Math.imul(length, 0x2545f491)) | 0);
    this.obsSetH2[id] = avalanche(s2 ^ Math.imul(length + 1, 0x61c88647));
  }

  private linkOf(e: number): number {
    return this.envFrom[e]! * this.n + this.envTo[e]!;
  }

  private scratchOf(length: number): Int32Array {
    while (this.scratch.length < length) this.scratch = grown(this.scratch);
    return this.scratch;
  }

  // ---- Transitions ---------------------------------------------------------------------------

  private transition(i: number, result: NodeStepResult): number {
    const tr = this.trCount++;
    if (tr >= this.trNext.length) {
      this.trNext = grown(this.trNext);
      this.trChanged = grown(this.trChanged);
      this.trEffStart = grown(this.trEffStart);
      this.trEffLength = grown(this.trEffLength);
    }
    this.trNext[tr] = this.nodeId(i, result.state);
    this.trChanged[tr] = result.changed ? 1 : 0;
    while (this.effectsUsed + result.effects.length > this.effects.length) this.effects = grown(this.effects);
    let start = this.effectsUsed;
    const from = this.instance.nodes[i]!.id;
    for (const effect of result.effects) {
      if (effect.type === 'send') {
        // A send to an unknown node: a step taking this transition throws the model's error.
        if (!this.instance.indexOf.has(effect.to)) {
          this.unknownSends.set(tr, { node: from, what: `node ${from} sent ${effect.message.type} to unknown node '${effect.to}' (nodes: ${this.instance.nodes.map((s) => s.id).join(', ')})` });
          start = -1;
          break;
        }
        this.effects[this.effectsUsed++] = this.envelopeIdOf(envelopeOf(effect, from)) * 2;
      } else {
        this.effects[this.effectsUsed++] = this.observationId(effect.observation) * 2 + 1;
      }
    }
    this.trEffStart[tr] = start;
    this.trEffLength[tr] = start < 0 ? 0 : this.effectsUsed - start;
    return tr;
  }

  /** Drops the step memos (transitions, edits, environment lists); ids of states and networks stay valid. */
  private forgetSteps(): void {
    this.trTable = new TripleMap();
    this.edits = new TripleMap();
    this.envLists = new TripleMap();
    this.envListStart = [];
    this.envListLength = [];
    this.trCount = 0;
    this.unknownSends = new Map();
    this.effectsUsed = 0;
    this.envListUsed = 0;
    this.envByState = this.envByState.map(() => new Int32Array(256).fill(-1));
  }

  private deliveryTransition(r: number, state: number, e: number): number {
    let tr = this.trTable.get(r, state, e * 2);
    if (tr < 0) {
      const envelope = this.envelopes[e]!;
      this.doing(r, false, envelope.message.type);
      const result = this.instance.roleOf[r]!.stepper.stepMessageKeyed(this.nodeStates[state]!, this.envEventKeys[e]!, envelope.from, envelope.message);
      tr = this.transition(r, result);
      this.trTable.set(r, state, e * 2, tr);
    }
    return tr;
  }

  private crashedState(i: number, state: number): number {
    let id = this.trTable.get(i, state, CRASHED);
    if (id < 0) {
      const context = this.nodeStates[state]!.context;
      const durable: Record<string, unknown> = {};
      for (const field of this.instance.roleOf[i]!.persist) if (field in context) durable[field] = context[field];
      id = this.nodeId(i, this.instance.roleOf[i]!.stepper.canonicalState({ up: false, value: null, context: durable }));
      this.trTable.set(i, state, CRASHED, id);
    }
    return id;
  }

  private restartTransition(i: number, state: number): number {
    let tr = this.trTable.get(i, state, RESTARTED);
    if (tr < 0) {
      const result = this.instance.roleOf[i]!.stepper.restart(this.instance.nodes[i]!.input, this.nodeStates[state]!.context);
      tr = this.transition(i, result);
      this.trTable.set(i, state, RESTARTED, tr);
    }
    return tr;
  }

  /** Node i's environment list in `state` (with the inbox of `bag` when its role reads it). */
  private environmentList(i: number, state: number, bag: number): number {
    if (!this.readsInbox[i]) {
      const known = this.envByState[i]![state];
      if (known !== undefined && known >= 0) return known;
    }
    let inbox = -1;
    if (this.readsInbox[i]) {
      const s = this.bags.start(bag);
      const length = this.bags.length(bag);
      const items = this.bags.items;
      const mine = this.scratchOf(length);
      let m = 0;
      for (let k = 0; k < length; k++) if (this.envTo[items[s + k]!] === i) mine[m++] = items[s + k]!;
      inbox = this.bagId(mine, m);
    }
    let list = this.envLists.get(i, state, inbox + 1);
    if (list >= 0) return list;
    const read = this.readsInbox[i];
    const envelopes = inbox < 0 ? this.networkOf(bag).filter((e) => this.instance.indexOf.get(e.to) === i) : this.networkOf(inbox);
    let readInbox = false;
    const watched = read
      ? envelopes
      : new Proxy(envelopes as Envelope[], {
          get: (target, property, receiver) => ((readInbox = true), Reflect.get(target, property, receiver)),
          has: (target, property) => ((readInbox = true), Reflect.has(target, property)),
          ownKeys: (target) => ((readInbox = true), Reflect.ownKeys(target)),
          getOwnPropertyDescriptor: (target, property) => ((readInbox = true), Reflect.getOwnPropertyDescriptor(target, property)),
        });
    const nodeState = this.nodeStates[state]!;
    this.doing(i, true, '');
    const events = this.instance.roleOf[i]!.environment(this.nodeView(i, state), this.instance.params, watched);
    const pairs: number[] = [];
    const stepper = this.instance.roleOf[i]!.stepper;
    for (const event of events) {
      const ev = this.eventId(event);
      let tr = this.trTable.get(i, state, ev * 2 + 1);
      if (tr < 0) {
        this.doing(i, false, event.type);
        tr = this.transition(i, stepper.step(nodeState, event));
        this.trTable.set(i, state, ev * 2 + 1, tr);
      }
      pairs.push(ev, tr);
    }
    // The first call that reads the inbox answers for that inbox only: kept under it from the next call on.
    if (readInbox) {
      this.readsInbox[i] = true;
    }
    while (this.envListUsed + pairs.length > this.envListItems.length) this.envListItems = grown(this.envListItems);
    list = this.envListStart.length;
    this.envListStart.push(this.envListUsed);
    this.envListLength.push(pairs.length / 2);
    for (const x of pairs) this.envListItems[this.envListUsed++] = x;
    if (!readInbox) this.envLists.set(i, state, inbox + 1, list);
    if (!this.readsInbox[i]) {
      let byState = this.envByState[i]!;
      while (state >= byState.length) {
        const bigger = new Int32Array(byState.length * 2).fill(-1);
        bigger.set(byState);
        byState = bigger;
      }
      byState[state] = list;
      this.envByState[i] = byState;
    }
    return list;
  }

  // ---- Listing ---------------------------------------------------------------------------------

  /**
   * Lists the actions enabled in the tuple at `t[at..]`, in the reference order, into `kinds`,
   * `args`, `eventOf`, `transitionOf` (0..count); returns the count.
   */
  list(t: Int32Array, at: number): number {
    // Between listings only: the last listing's transition ids must stay valid for its successors.
    if (this.trCount >= TRANSITION_LIMIT) this.forgetSteps();
    try {
      return this.listUnguarded(t, at);
    } catch (error) {
      if (error instanceof ModelError) throw error;
      const { node, environment, event } = this.listing;
      const what = environment ? 'its environment function' : `its machine, trying ${event}`;
      throw new ModelError(`node ${this.describeNode(node)}, listing the enabled actions, ${what}: ${thrownMessage(error)}`, this.instance.nodes[node]?.id ?? null, { cause: error });
    }
  }

  // ---- The model's errors -------------------------------------------------------------------

  /** What the listing was running when the model's code was last called (for its error). */
  private readonly listing = { node: -1, environment: false, event: '' };

  private doing(node: number, environment: boolean, event: string): void {
    this.listing.node = node;
    this.listing.environment = environment;
    this.listing.event = event;
  }

  private describeNode(i: number): string {
    const spec = this.instance.nodes[i];
    return spec ? `${spec.id} (role ${spec.role})` : '?';
  }

  /** Runs node `i`'s machine (`doing` something): what it throws becomes a ModelError naming the node. */
  private guarded<T>(i: number, doing: string, run: () => T): T {
    try {
      return run();
    } catch (error) {
      if (error instanceof ModelError) throw error;
      throw new ModelError(`node ${this.describeNode(i)}, ${doing}: ${thrownMessage(error)}`, this.instance.nodes[i]?.id ?? null, { cause: error });
    }
  }

  /** The model's error for `error`, thrown while taking `action` (as the step names it). */
  private stepFailure(error: unknown, action: Action): unknown {
    if (error instanceof ModelError) return error;
    const id = action.type === 'deliver' ? action.to : action.type === 'env' || action.type === 'restart' ? action.node : null;
    const i = id === null ? -1 : (this.instance.indexOf.get(id) ?? -1);
    const doing = action.type === 'deliver' ? `receiving ${action.message.type}` : action.type === 'env' ? `on ${action.event.type}` : action.type === 'restart' ? 'restarting (RECOVER)' : action.type;
    return new ModelError(`node ${this.describeNode(i)}, ${doing}: ${thrownMessage(error)}`, id, { cause: error });
  }

  private push(kind: number, arg: number, event: number, tr: number): void {
    const c = this.count;
    if (c >= this.kinds.length) {
      this.kinds = grown(this.kinds);
      this.args = grown(this.args);
      this.eventOf = grown(this.eventOf);
      this.transitionOf = grown(this.transitionOf);
    }
    this.kinds[c] = kind;
    this.args[c] = arg;
    this.eventOf[c] = event;
    this.transitionOf[c] = tr;
    this.count = c + 1;
  }

  private listUnguarded(t: Int32Array, at: number): number {
    const { n, setNetwork, fifo } = this;
    this.count = 0;
    const bag = t[at + n]!;
    const fault = this.faults[t[at + n + 2]!]!;
    const linked = fault.split < 0 ? null : this.linkedIn[fault.split]!;
    const stamp = ++this.stamp;
    let s = this.bags.start(bag);
    const length = this.bags.length(bag);
    let items = this.bags.items;
    if (setNetwork) for (let k = 0; k < length; k++) this.envMark[items[s + k]!] = stamp;
    while (this.distinct.length < length) this.distinct = grown(this.distinct);
    let distinct = 0;
    for (let k = 0; k < length; k++) {
      const e = items[s + k]!;
      if (fifo) {
        const link = this.linkOf(e);
        if (this.linkSeen[link] === stamp) continue;
        this.linkSeen[link] = stamp;
      }
      if (!setNetwork) {
        if (this.envSeen[e] === stamp) continue;
        this.envSeen[e] = stamp;
      }
      this.distinct[distinct++] = e;
      const r = this.envTo[e]!;
      const state = t[at + r]!;
      if (this.nodeUp[state] === 0 || (linked !== null && linked[this.envFrom[e]! * n + r] === 0)) continue;
      if (setNetwork) {
        const tr = this.deliveryTransition(r, state, e);
        // Interning may have replaced the arena.
        items = this.bags.items;
        s = this.bags.start(bag);
        if (!this.changesSetWorld(tr, state, t[at + n + 1]!, stamp)) continue;
        this.push(DELIVER, e, 0, tr);
      } else this.push(DELIVER, e, 0, -1);
    }

    for (let i = 0; i < n; i++) {
      const state = t[at + i]!;
      if (this.nodeUp[state] === 0) continue;
      const list = this.environmentList(i, state, bag);
      const start = this.envListStart[list]!;
      const pairs = this.envListLength[list]!;
      for (let k = 0; k < pairs; k++) {
        const ev = this.envListItems[start + 2 * k]!;
        const tr = this.envListItems[start + 2 * k + 1]!;
        if (setNetwork ? this.changesSetWorld(tr, state, t[at + n + 1]!, stamp) : this.trChanged[tr] === 1) this.push(ENV, i, ev, tr);
      }
    }

    if (!setNetwork) {
      // Loss and duplication may hit any message, not only a fifo link's head.
      let faulty: Int32Array = this.distinct;
      let faultyCount = distinct;
      if (fifo) {
        const unique = ++this.stamp;
        items = this.bags.items;
        s = this.bags.start(bag);
        faultyCount = 0;
        faulty = this.scratchOf(length);
        for (let k = 0; k < length; k++) {
          const e = items[s + k]!;
          if (this.envSeen[e] === unique) continue;
          this.envSeen[e] = unique;
          faulty[faultyCount++] = e;
        }
      }
      const { loss, duplicate } = this.instance.faults;
      if (fault.loss < loss) for (let k = 0; k < faultyCount; k++) this.push(DROP, faulty[k]!, 0, -1);
      if (fault.duplicate < duplicate) for (let k = 0; k < faultyCount; k++) this.push(DUPLICATE, faulty[k]!, 0, -1);
    }
    if (fault.crash < this.instance.faults.crash) for (let i = 0; i < n; i++) if (this.nodeUp[t[at + i]!] === 1) this.push(CRASH, i, 0, -1);
    for (let i = 0; i < n; i++) if (this.nodeUp[t[at + i]!] === 0) this.push(RESTART, i, 0, -1);
    if (fault.split < 0 && fault.partitions < this.instance.faults.partition) for (let p = 0; p < this.splits.length; p++) this.push(PARTITION, p, 0, -1);
    if (fault.split >= 0) this.push(HEAL, 0, 0, -1);
    return this.count;
  }

  /** On a `set` network: does the transition change the world (the node, a new message or observation)? `stamp` marks the network. */
  private changesSetWorld(tr: number, state: number, obsSet: number, stamp: number): boolean {
    if (this.trChanged[tr] === 0) return false;
    if (this.trNext[tr] !== state) return true;
    const start = this.trEffStart[tr]!;
    if (start < 0) return true;
    const end = start + this.trEffLength[tr]!;
    for (let k = start; k < end; k++) {
      const x = this.effects[k]!;
      if ((x & 1) === 0) {
        if (this.envMark[x >> 1] !== stamp) return true;
      } else if (!this.observed(obsSet, x >> 1)) return true;
    }
    return false;
  }

  private observed(set: number, o: number): boolean {
    const s = this.obsSets.start(set);
    const end = s + this.obsSets.length(set);
    const items = this.obsSets.items;
    for (let k = s; k < end; k++) if (items[k] === o) return true;
    return false;
  }

  /** The action object of the listed action `a` (built once per envelope, event, node or split). */
  actionAt(a: number): Action {
    const arg = this.args[a]!;
    switch (this.kinds[a]) {
      case DELIVER:
        return (this.deliverActions[arg] ??= { type: 'deliver', ...this.envelopeFields(arg) });
      case DROP:
        return (this.dropActions[arg] ??= { type: 'drop', ...this.envelopeFields(arg) });
      case DUPLICATE:
        return (this.duplicateActions[arg] ??= { type: 'duplicate', ...this.envelopeFields(arg) });
      case ENV: {
        const ev = this.eventOf[a]!;
        const byEvent = this.envActions[arg]!;
        let action = byEvent.get(ev);
        if (action === undefined) byEvent.set(ev, (action = { type: 'env', node: this.instance.nodes[arg]!.id, event: this.events[ev]! }));
        return action;
      }
      case CRASH:
        return this.crashActions[arg]!;
      case RESTART:
        return this.restartActions[arg]!;
      case PARTITION:
        return this.partitionActions[arg]!;
      default:
        return HEAL_ACTION;
    }
  }

  private envelopeFields(e: number): { from: string; to: string; message: Envelope['message'] } {
    const { from, to, message } = this.envelopes[e]!;
    return { from, to, message };
  }

  /** The type of environment event `ev` (the last listing's `eventOf`). */
  eventTypeOf(ev: number): string {
    return this.events[ev]!.type;
  }

  /** Whether the listed action `a` is a fault (fairness.ts's `isFault`). */
  isFault(a: number): boolean {
    const kind = this.kinds[a];
    return kind === DROP || kind === DUPLICATE || kind === CRASH || kind === PARTITION;
  }

  // ---- Steps and fingerprints -----------------------------------------------------------------

  /** Remembers the tuple at `t[at..]` as the parent of the next `successor` calls, with its fingerprint's parts. */
  setParent(t: Int32Array, at: number): void {
    let s1 = 0;
    let s2 = 0;
    for (let j = 0; j < this.width; j++) {
      this.contribution(j, t[at + j]!);
      this.parentC1[j] = this.c1;
      this.parentC2[j] = this.c2;
      s1 = (s1 + this.c1) | 0;
      s2 = (s2 + this.c2) | 0;
    }
    this.parentSum1 = s1;
    this.parentSum2 = s2;
    this.finish(s1, s2);
  }

  /** The fingerprint of the tuple at `t[at..]`, in `hi` and `lo`. */
  fingerprint(t: Int32Array, at: number): void {
    let s1 = 0;
    let s2 = 0;
    for (let j = 0; j < this.width; j++) {
      this.contribution(j, t[at + j]!);
      s1 = (s1 + this.c1) | 0;
      s2 = (s2 + this.c2) | 0;
    }
    this.finish(s1, s2);
  }

  private c1 = 0;
  private c2 = 0;
  /** Slot j's contribution when it holds `id`, in c1 and c2. */
  private contribution(j: number, id: number): void {
    const { n } = this;
    let v1: number;
    let v2: number;
    if (j < n) {
      v1 = this.nodeH1[id]!;
      v2 = this.nodeH2[id]!;
    } else if (j === n) {
      v1 = this.bagH1[id]!;
      v2 = this.bagH2[id]!;
    } else if (j === n + 1) {
      v1 = this.obsSetH1[id]!;
      v2 = this.obsSetH2[id]!;
    } else {
      v1 = this.faultH1[id]!;
      v2 = this.faultH2[id]!;
    }
    this.c1 = avalanche((v1 + Math.imul(j + 1, 0x9e3779b1)) | 0) | 0;
    this.c2 = avalanche((v2 ^ Math.imul(j + 1, 0x85ebca77)) | 0) | 0;
  }

  private finish(s1: number, s2: number): void {
    this.hi = avalanche(s1 ^ 0x6a09e667);
    this.lo = avalanche((s2 + this.hi) | 0);
  }

  /**
   * Writes the successor of the parent (`setParent`, at `t[at..]`) by listed action `a` at
   * `out[outAt..]`, and its fingerprint in `hi` and `lo` (from the changed slots only).
   */
  successor(t: Int32Array, at: number, a: number, out: Int32Array, outAt: number): void {
    try {
      this.applyAction(t, at, this.kinds[a]!, this.args[a]!, this.transitionOf[a]!, out, outAt);
    } catch (error) {
      throw this.stepFailure(error, this.actionAt(a));
    }
    let s1 = this.parentSum1;
    let s2 = this.parentSum2;
    for (let j = 0; j < this.width; j++) {
      const id = out[outAt + j]!;
      if (id === t[at + j]) continue;
      this.contribution(j, id);
      s1 = (s1 - this.parentC1[j]! + this.c1) | 0;
      s2 = (s2 - this.parentC2[j]! + this.c2) | 0;
    }
    this.finish(s1, s2);
  }

  /** Writes at `out[outAt..]` the tuple at `t[at..]` after an action of `kind` on `arg` (`tr`: its transition, or −1 when not yet made). */
  private applyAction(t: Int32Array, at: number, kind: number, arg: number, tr: number, out: Int32Array, outAt: number): void {
    const { n } = this;
    for (let j = 0; j < this.width; j++) out[outAt + j] = t[at + j]!;
    const bag = t[at + n]!;
    const fault = t[at + n + 2]!;
    switch (kind) {
      case DELIVER: {
        const r = this.envTo[arg]!;
        if (tr < 0) tr = this.deliveryTransition(r, t[at + r]!, arg);
        // A `set` network keeps a delivered message; others consume one copy.
        const rest = this.setNetwork ? bag : this.edit(bag, REMOVE, arg);
        out[outAt + n] = rest;
        this.apply(out, outAt, r, tr);
        return;
      }
      case ENV:
        this.apply(out, outAt, arg, tr);
        return;
      case DROP:
        out[outAt + n] = this.edit(bag, REMOVE, arg);
        out[outAt + n + 2] = this.faultEdit(fault, ADD_LOSS);
        return;
      case DUPLICATE:
        out[outAt + n] = this.edit(bag, APPEND, arg);
        out[outAt + n + 2] = this.faultEdit(fault, ADD_DUPLICATE);
        return;
      case CRASH:
        out[outAt + arg] = this.crashedState(arg, t[at + arg]!);
        out[outAt + n + 2] = this.faultEdit(fault, ADD_CRASH);
        return;
      case RESTART: {
        tr = this.restartTransition(arg, t[at + arg]!);
        out[outAt + arg] = this.trNext[tr]!;
        this.applyEffects(out, outAt, tr);
        return;
      }
      case PARTITION:
        out[outAt + n + 2] = this.faultEdit(fault, PARTITION_AT + arg);
        return;
      default:
        out[outAt + n + 2] = this.faultEdit(fault, HEAL_EDIT);
    }
  }

  /** Node i takes transition `tr` in the tuple being built at `out[at..]`. */
  private apply(out: Int32Array, at: number, i: number, tr: number): void {
    if (this.trChanged[tr] === 0) return;
    out[at + i] = this.trNext[tr]!;
    this.applyEffects(out, at, tr);
  }

  private applyEffects(out: Int32Array, at: number, tr: number): void {
    if (this.trEffStart[tr]! < 0) {
      const unknown = this.unknownSends.get(tr)!;
      throw new ModelError(unknown.what, unknown.node);
    }
    if (this.trEffLength[tr] === 0) return;
    const { n } = this;
    out[at + n] = this.edit(out[at + n]!, SENDS, tr);
    out[at + n + 1] = this.edit(out[at + n + 1]!, OBSERVES, tr);
  }

  /** A network or observation set after an edit, memoised. */
  private edit(id: number, op: number, arg: number): number {
    let next = this.edits.get(id, op, arg);
    if (next < 0) {
      next = op === OBSERVES ? this.observationsAfter(id, arg) : this.networkAfter(id, op, arg);
      this.edits.set(id, op, arg, next);
    }
    return next;
  }

  private networkAfter(bag: number, op: number, arg: number): number {
    const length = this.bags.length(bag);
    const items = this.scratchOf(length + (op === SENDS ? this.trEffLength[arg]! : 1));
    const s = this.bags.start(bag);
    items.set(this.bags.items.subarray(s, s + length));
    let m = length;
    if (op === REMOVE) {
      let k = 0;
      while (k < m && items[k] !== arg) k++;
      if (k === m) throw new Error(`internal: no message ${envelopeKey(this.envelopes[arg]!)} in flight`);
      items.copyWithin(k, k + 1, m);
      m--;
    } else if (op === APPEND) {
      items[m++] = arg;
    } else {
      const start = this.trEffStart[arg]!;
      const end = start + this.trEffLength[arg]!;
      for (let k = start; k < end; k++) {
        const x = this.effects[k]!;
        if ((x & 1) === 1) continue;
        const e = x >> 1;
        // A `set` network holds each message once.
        if (this.setNetwork && items.subarray(0, m).includes(e)) continue;
        items[m++] = e;
      }
      if (m === length) return bag;
    }
    return this.bagId(items, m);
  }

  private observationsAfter(set: number, tr: number): number {
    const length = this.obsSets.length(set);
    const items = this.scratchOf(length + this.trEffLength[tr]!);
    const s = this.obsSets.start(set);
    items.set(this.obsSets.items.subarray(s, s + length));
    let m = length;
    const start = this.trEffStart[tr]!;
    const end = start + this.trEffLength[tr]!;
    for (let k = start; k < end; k++) {
      const x = this.effects[k]!;
      if ((x & 1) === 0) continue;
      const o = x >> 1;
      if (items.subarray(0, m).includes(o)) continue;
      items[m++] = o;
    }
    return m === length ? set : this.obsSetId(items, m);
  }

  private faultEdit(id: number, what: number): number {
    let next = this.edits.get(id, FAULT, what);
    if (next < 0) {
      const f = this.faults[id]!;
      next = this.faultId(
        what === ADD_LOSS
          ? { ...f, loss: f.loss + 1 }
          : what === ADD_DUPLICATE
            ? { ...f, duplicate: f.duplicate + 1 }
            : what === ADD_CRASH
              ? { ...f, crash: f.crash + 1 }
              : what === HEAL_EDIT
                ? { ...f, split: -1 }
                : { ...f, partitions: f.partitions + 1, split: what - PARTITION_AT },
      );
      this.edits.set(id, FAULT, what, next);
    }
    return next;
  }

  /**
   * Writes at `out[outAt..]` the tuple at `t[at..]` after `action`, an action given from outside
   * (not from the last listing: replay, the studio, validate). As semantics.ts's `referenceStep`,
   * it does not ask whether the action is enabled; it throws when the action names a node or a
   * message that is not there, and the model's errors as ModelErrors.
   */
  stepBy(t: Int32Array, at: number, action: Action, out: Int32Array, outAt: number): void {
    try {
      this.stepByUnguarded(t, at, action, out, outAt);
    } catch (error) {
      throw this.stepFailure(error, action);
    }
  }

  private stepByUnguarded(t: Int32Array, at: number, action: Action, out: Int32Array, outAt: number): void {
    const { instance, n } = this;
    switch (action.type) {
      case 'deliver':
      case 'drop': {
        indexOrThrow(instance, action.to);
        const e = this.envelopeOfAction(action);
        if (!this.setNetwork || action.type === 'drop') this.inFlightOrThrow(t[at + n]!, e);
        return this.applyAction(t, at, action.type === 'deliver' ? DELIVER : DROP, e, -1, out, outAt);
      }
      case 'duplicate':
        return this.applyAction(t, at, DUPLICATE, this.envelopeOfAction(action), -1, out, outAt);
      case 'env': {
        const i = indexOrThrow(instance, action.node);
        const state = t[at + i]!;
        const ev = this.eventId(action.event);
        let tr = this.trTable.get(i, state, ev * 2 + 1);
        if (tr < 0) {
          tr = this.transition(i, instance.roleOf[i]!.stepper.step(this.nodeStates[state]!, action.event));
          this.trTable.set(i, state, ev * 2 + 1, tr);
        }
        return this.applyAction(t, at, ENV, i, tr, out, outAt);
      }
      case 'crash':
        return this.applyAction(t, at, CRASH, indexOrThrow(instance, action.node), -1, out, outAt);
      case 'restart':
        return this.applyAction(t, at, RESTART, indexOrThrow(instance, action.node), -1, out, outAt);
      case 'partition': {
        const p = this.splitByKey.get(partitionKey(action.groups));
        if (p === undefined) throw new Error(`not a split of the nodes into two groups: ${partitionKey(action.groups)}`);
        return this.applyAction(t, at, PARTITION, p, -1, out, outAt);
      }
      case 'heal':
        return this.applyAction(t, at, HEAL, 0, -1, out, outAt);
    }
  }

  /** The envelope id of a deliver, drop or duplicate action (interning a copy without the action's `type`). */
  private envelopeOfAction(action: Envelope): number {
    return this.envelopeIds.get(envelopeKey(action)) ?? this.envelopeIdOf({ from: action.from, to: action.to, message: action.message });
  }

  private inFlightOrThrow(bag: number, e: number): void {
    const s = this.bags.start(bag);
    const end = s + this.bags.length(bag);
    for (let k = s; k < end; k++) if (this.bags.items[k] === e) return;
    throw new Error(`no message ${envelopeKey(this.envelopes[e]!)} in flight`);
  }

  // ---- Crossing threads (explore/bfs/tuple-wire.ts) --------------------------------------------
  // Ids are this thread's own. A peer is sent an id's definition once (its canonical form), then
  // only the id; these read a definition here and make one into a local id there.

  /** The canonical key of node state `id`. */
  nodeKeyOf(id: number): string {
    return nodeKey(this.nodeStates[id]!);
  }

  /** The local id of the node state with canonical `key`, for node `i` (of the state's role). */
  nodeIdOfKey(i: number, key: string): number {
    const known = this.nodeIds.get(`${this.instance.nodes[i]!.role}\u0000${key}`);
    if (known !== undefined) return known;
    const [up, value, context] = JSON.parse(key) as [boolean, NodeState['value'], NodeState['context']];
    return this.nodeId(i, this.instance.roleOf[i]!.stepper.canonicalState({ up, value, context }));
  }

  /** The canonical key of envelope `id`. */
  envelopeKeyOf(id: number): string {
    return envelopeKey(this.envelopes[id]!);
  }

  /** The local id of the envelope with canonical `key`. */
  envelopeIdOfKey(key: string): number {
    const known = this.envelopeIds.get(key);
    if (known !== undefined) return known;
    const [from, to, message] = JSON.parse(key) as [string, string, Envelope['message']];
    return this.envelopeIdOf({ from, to, message });
  }

  /** The canonical key of observation `id`. */
  observationKeyOf(id: number): string {
    return objectKey(this.observations[id]!);
  }

  /** The local id of the observation with canonical `key`. */
  observationIdOfKey(key: string): number {
    return this.observationIds.get(key) ?? this.observationId(JSON.parse(key) as Observation);
  }

  /** The envelope ids of network `id`, in order (a view: copy before the next interning). */
  networkItems(id: number): Int32Array {
    const s = this.bags.start(id);
    return this.bags.items.subarray(s, s + this.bags.length(id));
  }

  /** The local id of the network holding envelope ids `items[0..length]`, in order. */
  networkIdOf(items: Int32Array, length: number): number {
    return this.bagId(items, length);
  }

  /** The observation ids of observation set `id`, in order (a view: copy before the next interning). */
  observationSetItems(id: number): Int32Array {
    const s = this.obsSets.start(id);
    return this.obsSets.items.subarray(s, s + this.obsSets.length(id));
  }

  /** The local id of the observation set holding observation ids `items[0..length]`, in order. */
  observationSetIdOf(items: Int32Array, length: number): number {
    return this.obsSetId(items, length);
  }

  /** Fault state `id` as five integers: loss, duplicate, crash, partitions, split (−1: whole). */
  faultFields(id: number): [number, number, number, number, number] {
    const f = this.faults[id]!;
    return [f.loss, f.duplicate, f.crash, f.partitions, f.split];
  }

  /** The local id of the fault state with these fields (splits are numbered alike in every thread). */
  faultIdOf(loss: number, duplicate: number, crash: number, partitions: number, split: number): number {
    return this.faultId({ loss, duplicate, crash, partitions, split });
  }

  /** The split index of `partition` (−1: whole), as fault states hold it (symmetry renames partitions). */
  splitOf(partition: World['partition']): number {
    if (partition === null) return -1;
    const p = this.splitByKey.get(partitionKey(partition));
    if (p === undefined) throw new Error(`internal: a partition that is not a two-way split: ${partitionKey(partition)}`);
    return p;
  }

  /** Bytes held by the interning and step tables (for the memory figures). */
  get bytes(): number {
    return this.bags.bytes + this.obsSets.bytes + this.trTable.bytes + this.edits.bytes + this.envLists.bytes + this.effects.byteLength + this.trNext.byteLength * 4;
  }
}

const HEAL_ACTION: Action = { type: 'heal' };

// ---- World objects -------------------------------------------------------------------------------
// The same step for callers that hold `World` objects (replay, the studio, validate, mutate, tests):
// pack, list or step the tuple, unpack. A World carries no ids, so the shared packing may start
// afresh between two calls; it does when it has interned `WORLD_PACKING_LIMIT` ids, which keeps a
// long validation or studio session's memory bounded.

/** Ids the shared packing of an instance interns before it starts afresh. */
const WORLD_PACKING_LIMIT = 2_000_000;

const packings = new WeakMap<Instance, { packed: Packed; tuple: Int32Array; out: Int32Array }>();

function worldPacking(instance: Instance): { packed: Packed; tuple: Int32Array; out: Int32Array } {
  let w = packings.get(instance);
  if (w === undefined || w.packed.interned >= WORLD_PACKING_LIMIT) {
    const packed = new Packed(instance);
    packings.set(instance, (w = { packed, tuple: new Int32Array(packed.width), out: new Int32Array(packed.width) }));
  }
  return w;
}

/** The packing `initialWorld`, `enabledActions` and `step` use for `instance` (one per instance and thread). */
export function packedOf(instance: Instance): Packed {
  return worldPacking(instance).packed;
}

/** Since 0.1.0. The world before any action: every node in its initial state, with its entry effects. */
export function initialWorld(instance: Instance): World {
  const { packed, out } = worldPacking(instance);
  packed.initial(out, 0);
  return packed.unpack(out, 0);
}

/**
 * Since 0.1.0. Every action possible in `world`, in the documented order (semantics.ts's
 * `referenceEnabledActions`): deliveries, environment events, drops, duplicates, crashes,
 * restarts, partitions, heal.
 */
export function enabledActions(instance: Instance, world: World): Action[] {
  const { packed, tuple } = worldPacking(instance);
  packed.pack(world, tuple, 0);
  const count = packed.list(tuple, 0);
  const actions: Action[] = new Array(count);
  for (let a = 0; a < count; a++) actions[a] = packed.actionAt(a);
  return actions;
}

/**
 * Since 0.1.0. The world after `action`. Throws when the action names a node or message that is
 * not there; callers that take actions from outside (replay) check `enabledActions` first.
 */
export function step(instance: Instance, world: World, action: Action): World {
  const { packed, tuple, out } = worldPacking(instance);
  packed.pack(world, tuple, 0);
  packed.stepBy(tuple, 0, action, out, 0);
  return packed.unpack(out, 0);
}
