/**
 * A worker's side of an exhaustive search on a cluster: it expands the units of a level the
 * coordinator sends (its worlds as tuples, wire.ts), checks their states, and answers with the
 * successors' fingerprints and parent indexes (expand.ts's PartResult); it keeps the successor
 * worlds of the level until the coordinator, having walked the level in state order, asks for
 * those that became states (a fetch). A unit is expanded with a visited filter of its own, so its
 * answer is the same on any worker: a unit given to another after a failure is the same unit.
 */
import type { NatsConnection, Msg, Subscription } from '@nats-io/transport-node';
import { ModelError } from '../engine/errors.js';
import type { Instance } from '../engine/instance.js';
import type { Suite } from '../properties/suite.js';
import { encodeWorld, Expander, Symmetry, terminalOf, VisitedSet, WorldDecoder, type ExpandedPart } from './engine-adapter.js';
import type { ExploreJob } from './handshake.js';
import { ItemsToPeer, ItemTable } from './items.js';
import { frame, headerOf, ItemsIn, ProtocolError, pushTuple, readTuple, tupleStarts, unframe } from './wire.js';

/** The coordinator's order for one unit. */
export interface UnitOrder {
  readonly op: 'expand' | 'fetch' | 'drop';
  readonly depth: number;
  readonly unit: number;
  /** expand: worlds in the tuples; check them, and (when `expand`) list their successors. */
  readonly count?: number;
  readonly expand?: boolean;
  readonly reached?: readonly string[];
  /** Items first used in this message: the first's number and their texts. */
  readonly fresh?: { readonly first: number; readonly texts: readonly string[] };
  /** expand: also send the successors at the indexes of the second array (a fetch redone elsewhere). */
  readonly withWorlds?: boolean;
}

/** A worker's answer. */
export type UnitReply =
  | {
      readonly ok: true;
      readonly stateViolation: ExpandedPart['stateViolation'];
      readonly stepViolation: ExpandedPart['stepViolation'];
      readonly witnesses: ExpandedPart['witnesses'];
      readonly count: number;
      /** Successor worlds sent (as the last array): how many. */
      readonly worlds: number;
      readonly fresh?: { readonly first: number; readonly texts: readonly string[] };
    }
  | { readonly ok: false; readonly missing?: boolean; readonly modelError?: string; readonly error?: string };

export class ExploreUnits {
  private readonly expander: Expander;
  private readonly decoder = new WorldDecoder();
  private readonly itemsIn = new ItemsIn<string>((text) => text);
  /** Items sent to the coordinator: numbered here, each text sent once. */
  private readonly items = new ItemTable();
  private readonly itemsOut = new ItemsToPeer(this.items);
  private kept = new Map<number, ExpandedPart>();
  private keptDepth = -1;
  /** Units expanded, for the worker's log. */
  units = 0;

  constructor(suite: Suite, instance: Instance, job: ExploreJob) {
    this.expander = new Expander(instance, suite.properties, job.symmetry ? new Symmetry(instance) : null, job.maxInFlight ?? undefined, terminalOf(suite, job.deadlock));
  }

  /** Answers one message of the coordinator. */
  handle(data: Uint8Array): Uint8Array {
    let order: UnitOrder;
    let arrays: Uint32Array[];
    try {
      ({ header: order, arrays } = unframe<UnitOrder>(data));
      this.itemsIn.define(order.fresh);
      if (order.depth !== this.keptDepth) {
        this.kept = new Map();
        this.keptDepth = order.depth;
      }
      if (order.op === 'fetch') {
        const part = this.kept.get(order.unit);
        if (part === undefined) return frame({ ok: false, missing: true } satisfies UnitReply);
        return this.reply(part, arrays[0]!, false);
      }
      const tuples = arrays[0]!;
      const starts = tupleStarts(tuples, order.count ?? 0);
      const worlds = [];
      for (let k = 0; k + 1 < starts.length; k++) worlds.push(this.decoder.decode(readTuple(tuples, starts[k]!, (id) => this.itemsIn.get(id)).text));
      this.expander.markReached(order.reached ?? []);
      // A filter of the unit's own: the answer depends on the unit alone, not on what this worker saw before.
      const seen = new VisitedSet();
      const part = this.expander.expandPart(worlds, order.expand === true, (hi, lo) => seen.add(hi, lo, -1) < 0);
      this.kept.set(order.unit, part);
      this.units++;
      return this.reply(part, order.withWorlds ? arrays[1]! : null, true);
    } catch (error) {
      if (error instanceof ModelError) return frame({ ok: false, modelError: error.message } satisfies UnitReply);
      if (error instanceof ProtocolError) return frame({ ok: false, error: error.message } satisfies UnitReply);
      throw error;
    }
  }

  private reply(part: ExpandedPart, accept: Uint32Array | null, withPart: boolean): Uint8Array {
    const tuples: number[] = [];
    if (accept !== null) {
      for (const index of accept) {
        const world = part.worlds[index];
        if (world === undefined) throw new ProtocolError(`successor ${index} asked for, of ${part.worlds.length}`);
        pushTuple(encodeWorld(world), (item) => this.itemsOut.id(this.items.intern(item)), tuples);
      }
    }
    const fresh = this.itemsOut.takeFresh();
    const header: UnitReply = {
      ok: true,
      stateViolation: part.stateViolation,
      stepViolation: part.stepViolation,
      witnesses: part.witnesses,
      count: part.count,
      worlds: accept?.length ?? 0,
      ...(fresh.texts.length > 0 ? { fresh } : {}),
    };
    const arrays = withPart ? [part.generated, part.parents, part.hi, part.lo] : [new Uint32Array(0), new Uint32Array(0), new Uint32Array(0), new Uint32Array(0)];
    return frame(header, [...arrays, Uint32Array.from(tuples)]);
  }
}

/** Serves a search's units (they come on `sub`, the worker's inbox, subscribed before its hello) until the coordinator says the run is done (true) or drops this worker (false). */
export async function serveExplore(nc: NatsConnection, sub: Subscription, done: string, units: ExploreUnits, log: (line: string) => void, idleS: number): Promise<boolean> {
  // A coordinator that died sends nothing more: after `idleS` without a unit, the worker says hello again (and gives up when none answers).
  let idle: NodeJS.Timeout | null = null;
  const quiet = () => {
    if (idle !== null) clearTimeout(idle);
    idle = setTimeout(() => {
      log(`no unit for ${idleS} s: is the coordinator gone?`);
      over = false;
      sub.unsubscribe();
    }, idleS * 1000);
  };
  quiet();
  const finished = nc.subscribe(done, { max: 1 });
  let over: boolean | null = null;
  void (async () => {
    for await (const _ of finished) {
      over = true;
      sub.unsubscribe();
    }
  })();
  let depth = -1;
  for await (const m of sub as AsyncIterable<Msg>) {
    const order = headerOf<UnitOrder>(m.data);
    if (order?.op === 'drop') {
      over = false;
      break;
    }
    quiet();
    m.respond(units.handle(m.data));
    if (order !== null && order.depth !== depth) {
      depth = order.depth;
      log(`depth ${depth}: expanding units`);
    }
  }
  if (idle !== null) clearTimeout(idle);
  sub.unsubscribe();
  finished.unsubscribe();
  return over ?? true;
}
