/**
 * A worker's side of an exhaustive search on a cluster: it expands the units of a level the
 * coordinator sends (its worlds as tuples, wire.ts), checks their states, and answers with the
 * successors' fingerprints and parent indexes (expand.ts's PartResult); it keeps the successor
 * worlds of the level until the coordinator, having walked the level in state order, asks for
 * those that became states (a fetch). A unit is expanded with a visited filter of its own, so its
 * answer is the same on any worker: a unit given to another after a failure is the same unit.
 *
 * With shards (`explore --cluster … --shards S`), the unit's successors are split by owner
 * (shard-store.ts): each other shard is sent its share, and has it, before the coordinator is
 * answered with the share of shard 0, the coordinator's own. A shard that does not answer stops
 * the run (the coordinator is told), as its part of the visited set cannot be rebuilt elsewhere.
 */
import type { NatsConnection, Msg, Subscription } from '@nats-io/transport-node';
import { ModelError } from '../engine/errors.js';
import type { Instance } from '../engine/instance.js';
import type { Suite } from '../properties/suite.js';
import { encodeWorld, Expander, Symmetry, terminalOf, VisitedSet, WorldDecoder, type ExpandedPart } from './engine-adapter.js';
import type { ExploreJob } from './handshake.js';
import { ItemsToPeer, ItemTable } from './items.js';
import { splitByOwner, type UnitCandidates } from './shard-store.js';
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
  /** expand, on a sharded run: the inboxes of shards 1 … S − 1, and how long one may take to answer. */
  readonly shards?: { readonly inboxes: readonly string[]; readonly timeoutS: number };
}

/** What a worker sends a shard, and the shard answers (shard.ts). */
export interface ShardOrder {
  readonly op: 'seed' | 'candidates' | 'resolve' | 'page';
  readonly depth?: number;
  readonly unit?: number;
  /** resolve: units 0 … units − 1 of the level count; page: which page of the answer. */
  readonly units?: number;
  readonly atDepthLimit?: boolean;
  readonly page?: number;
}

export type ShardReply = { readonly ok: true; readonly count?: number; readonly pages?: number; readonly size?: number } | { readonly ok: false; readonly error: string };

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
      /** On a sharded run: the arrays hold shard 0's share only, its indexes among the unit's `count` successors last. */
      readonly sharded?: boolean;
    }
  | { readonly ok: false; readonly missing?: boolean; readonly modelError?: string; readonly error?: string; readonly shardLost?: { readonly shard: number; readonly why: string } };

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

  constructor(
    suite: Suite,
    instance: Instance,
    job: ExploreJob,
    /** Sends a message to a shard's inbox and gives its answer (over NATS: worker.ts). */
    private readonly toShard: ((inbox: string, data: Uint8Array, timeoutS: number) => Promise<Uint8Array>) | null = null,
  ) {
    this.expander = new Expander(instance, suite.properties, job.symmetry ? new Symmetry(instance) : null, job.maxInFlight ?? undefined, terminalOf(suite, job.deadlock));
  }

  /** Answers one message of the coordinator. */
  async handle(data: Uint8Array): Promise<Uint8Array> {
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
      // A fetch redone here (withWorlds) comes after the shards resolved the level: nothing to send them.
      if (order.shards !== undefined && order.withWorlds !== true) {
        const shares = splitByOwner(part.parents, part.hi, part.lo, part.count, order.shards.inboxes.length + 1);
        const lost = await this.sendShares(order, shares.slice(1));
        if (lost !== null) return frame({ ok: false, shardLost: lost } satisfies UnitReply);
        return this.reply(part, null, true, shares[0]!);
      }
      return this.reply(part, order.withWorlds ? arrays[1]! : null, true);
    } catch (error) {
      if (error instanceof ModelError) return frame({ ok: false, modelError: error.message } satisfies UnitReply);
      if (error instanceof ProtocolError) return frame({ ok: false, error: error.message } satisfies UnitReply);
      throw error;
    }
  }

  /** Sends shards 1 … S − 1 their shares of a unit (each, empty or not: a shard tells a lost share from an empty one); which failed and why, or null. */
  private async sendShares(order: UnitOrder, shares: readonly UnitCandidates[]): Promise<{ shard: number; why: string } | null> {
    const { inboxes, timeoutS } = order.shards!;
    if (this.toShard === null) return { shard: 1, why: 'this worker cannot reach shards' };
    const answers = await Promise.all(
      shares.map(async (c, k) => {
        try {
          const answer = unframe<ShardReply>(await this.toShard!(inboxes[k]!, frame({ op: 'candidates', depth: order.depth, unit: order.unit } satisfies ShardOrder, [c.cand, c.parent, c.hi, c.lo]), timeoutS)).header;
          return answer.ok ? null : { shard: k + 1, why: `it failed: ${answer.error}` };
        } catch (error) {
          return { shard: k + 1, why: `it did not answer: ${error instanceof Error ? error.message : String(error)}` };
        }
      }),
    );
    return answers.find((a) => a !== null) ?? null;
  }

  private reply(part: ExpandedPart, accept: Uint32Array | null, withPart: boolean, own?: UnitCandidates): Uint8Array {
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
      ...(own !== undefined ? { sharded: true } : {}),
    };
    const none = new Uint32Array(0);
    if (own !== undefined) return frame(header, [part.generated, own.parent, own.hi, own.lo, Uint32Array.from(tuples), own.cand]);
    const arrays = withPart ? [part.generated, part.parents, part.hi, part.lo] : [none, none, none, none];
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
    m.respond(await units.handle(m.data));
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
