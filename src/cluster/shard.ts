/**
 * One `protokit shard` process: shard k of S of a search's visited set (`explore --cluster …
 * --shards S`; the coordinator is shard 0). It says hello like a worker (the same pin: model,
 * configuration, mutant, faults, code hash, version; any difference is refused), is given its
 * number, and then answers on its inbox: the fingerprints visited before the run (seed), each
 * unit's successors it owns (from the workers), and at each level's end which of them are new
 * (resolve, in pages that fit a NATS message). It exits 0 when the run is done, 2 when refused,
 * 74 when the server or the coordinator is gone. A shard cannot be replaced in a run (its part of
 * the set lives only here): the coordinator stops, and `--resume` seeds new shards from the
 * checkpoint.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Msg } from '@nats-io/transport-node';
import { EnvironmentError, UsageError } from '../engine/errors.js';
import type { Instance } from '../engine/instance.js';
import type { Suite } from '../properties/suite.js';
import type { ShardOrder, ShardReply } from './explore-worker.js';
import { pinOf } from './handshake.js';
import { connectCluster } from './nats.js';
import { ShardStore, type NewSuccessors } from './shard-store.js';
import { frame, headerOf, unframe } from './wire.js';
import { joinRun, type WorkerOptions } from './worker.js';

/** Entries of a level's answer per message: 5 arrays of at most 4 bytes a value, 640 KiB, under NATS's default 1 MiB payload. */
export const PAGE = 32768;

/** Answers one message (of the coordinator or a worker) to a shard. */
export class ShardServer {
  private answer: NewSuccessors | null = null;

  constructor(readonly store: ShardStore) {}

  handle(data: Uint8Array): Uint8Array {
    try {
      const { header, arrays } = unframe<ShardOrder>(data);
      const a = arrays as Uint32Array<ArrayBuffer>[];
      switch (header.op) {
        case 'seed':
          if (a.length !== 2 || a[0]!.length !== a[1]!.length) throw new RangeError('a seed of two arrays of one length');
          this.store.seed(a[0]!, a[1]!);
          return frame({ ok: true, size: this.store.size } satisfies ShardReply);
        case 'candidates':
          if (a.length !== 4 || !Number.isInteger(header.depth) || !Number.isInteger(header.unit)) throw new RangeError('candidates: depth, unit and four arrays');
          this.store.receive(header.depth!, header.unit!, { cand: a[0]!, parent: a[1]!, hi: a[2]!, lo: a[3]! });
          return frame({ ok: true } satisfies ShardReply);
        case 'resolve': {
          if (!Number.isInteger(header.depth) || !Number.isInteger(header.units)) throw new RangeError('resolve: depth and units');
          this.answer = this.store.resolve(header.depth!, header.units!, header.atDepthLimit === true);
          const count = this.answer.unit.length;
          return this.page(0, { ok: true, count, pages: Math.max(1, Math.ceil(count / PAGE)) });
        }
        case 'page':
          if (this.answer === null || !Number.isInteger(header.page)) throw new RangeError('a page of no answer');
          return this.page(header.page!, { ok: true });
        default:
          throw new RangeError(`no such order: ${String((header as { op: unknown }).op)}`);
      }
    } catch (error) {
      return frame({ ok: false, error: error instanceof Error ? error.message : String(error) } satisfies ShardReply);
    }
  }

  private page(p: number, header: ShardReply): Uint8Array {
    const r = this.answer!;
    const from = p * PAGE;
    const to = Math.min(r.unit.length, from + PAGE);
    if (from > r.unit.length) throw new RangeError(`page ${p} of ${r.unit.length} entries`);
    return frame(header, [r.unit.subarray(from, to), r.cand.subarray(from, to), r.parent.subarray(from, to), r.hi.subarray(from, to), r.lo.subarray(from, to)]);
  }
}

export async function runShard(suite: Suite, instance: Instance, options: WorkerOptions): Promise<void> {
  const name = options.name ?? `${hostname()}-${process.pid}`;
  const nc = await connectCluster(options.credentials, `protokit-shard-${name}`);
  options.log(`connected to ${options.credentials.url}; waiting for a coordinator`);
  try {
    // The inbox is listened to before the hello, so the coordinator's first order finds it.
    const inbox = `protokit.inbox.${randomUUID()}`;
    const sub = nc.subscribe(inbox);
    const welcome = await joinRun(nc, { name, inbox, pin: pinOf(suite, instance), role: 'shard' }, options.waitS);
    if (!welcome.ok || welcome.job.kind !== 'shard') throw new UsageError(welcome.ok ? 'the coordinator did not give this process a shard' : welcome.reason);
    const { index, shards } = welcome.job;
    options.log(`joined run ${welcome.run} as shard ${index} of ${shards}`);
    const cpuAtJoin = process.cpuUsage(); // allow-clock: reported, never a verdict
    const server = new ShardServer(new ShardStore(index, shards));
    const finished = nc.subscribe(welcome.done, { max: 1 });
    let over = false;
    void (async () => {
      for await (const _ of finished) {
        over = true;
        sub.unsubscribe();
      }
    })();
    // A coordinator that died sends nothing more: after `waitS` without an order, the shard gives up.
    let idle: NodeJS.Timeout | null = null;
    const quiet = () => {
      if (idle !== null) clearTimeout(idle);
      idle = setTimeout(() => sub.unsubscribe(), options.waitS * 1000);
    };
    quiet();
    let depth = -1;
    for await (const m of sub as AsyncIterable<Msg>) {
      quiet();
      const reply = server.handle(m.data);
      m.respond(reply);
      const header = headerOf<ShardOrder>(m.data);
      if (header?.op === 'resolve' && header.depth !== depth) {
        depth = header.depth ?? depth;
        options.log(`depth ${depth}: ${server.store.size.toLocaleString('en-US')} fingerprints held`);
      }
    }
    if (idle !== null) clearTimeout(idle);
    finished.unsubscribe();
    if (nc.isClosed()) throw new EnvironmentError('the connection to the NATS server closed during the run');
    if (!over) throw new EnvironmentError(`no order for ${options.waitS} s: the coordinator is gone`);
    // Its CPU and work over the run: what the bench divides a shard's successors by.
    const { user, system } = process.cpuUsage(cpuAtJoin); // allow-clock
    const { received, added } = server.store;
    options.log(`the run is over (${((user + system) / 1e6).toFixed(2)} s of CPU serving it; ${received.toLocaleString('en-US')} successors deduplicated, ${added.toLocaleString('en-US')} new)`);
  } finally {
    await Promise.race([nc.close(), new Promise((r) => setTimeout(r, 2000).unref())]).catch(() => {});
  }
}
