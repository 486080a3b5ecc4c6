/**
 * One `protokit worker` process: it connects, says hello (handshake.ts) until a coordinator
 * answers, and serves the job it is given: the units of an exhaustive search
 * (explore-worker.ts) or of a random fleet (fleet-worker.ts). A worker dropped by the
 * coordinator (it stalled past the unit timeout) joins again, afresh. It exits 0 when the run
 * is done, 2 when it is refused, 74 when no coordinator answers or the server is gone.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { NatsConnection } from '@nats-io/transport-node';
import { EnvironmentError, UsageError } from '../engine/errors.js';
import type { Instance } from '../engine/instance.js';
import type { Suite } from '../properties/suite.js';
import { withProperties } from '../properties/suite.js';
import { ExploreUnits, serveExplore } from './explore-worker.js';
import { serveFleet } from './fleet-worker.js';
import { HELLO_SUBJECT, pinOf, type Hello, type Welcome } from './handshake.js';
import { connectCluster, type ClusterCredentials } from './nats.js';

export interface WorkerOptions {
  readonly credentials: ClusterCredentials;
  /** Seconds to wait for a coordinator to answer. */
  readonly waitS: number;
  readonly name?: string;
  readonly log: (line: string) => void;
}

export async function runWorker(suite: Suite, instance: Instance, options: WorkerOptions): Promise<void> {
  const name = options.name ?? `${hostname()}-${process.pid}`;
  const nc = await connectCluster(options.credentials, `protokit-worker-${name}`);
  options.log(`connected to ${options.credentials.url}; waiting for a coordinator`);
  try {
    for (;;) {
      // The inbox is listened to before the hello, so the coordinator's first unit finds it.
      const inbox = `protokit.inbox.${randomUUID()}`;
      const sub = nc.subscribe(inbox);
      const welcome = await joinRun(nc, { name, inbox, pin: pinOf(suite, instance) }, options.waitS);
      if (!welcome.ok || welcome.job.kind === 'shard') {
        sub.unsubscribe();
        throw new UsageError(welcome.ok ? 'the coordinator gave this worker a shard' : welcome.reason);
      }
      options.log(`joined run ${welcome.run} as worker ${welcome.worker} (${welcome.job.kind})`);
      const cpuAtJoin = process.cpuUsage(); // allow-clock: reported, never a verdict
      const jobSuite = withProperties(suite, welcome.job.properties ?? undefined);
      const over =
        welcome.job.kind === 'explore'
          ? await serveExplore(nc, sub, welcome.done, new ExploreUnits(jobSuite, instance, welcome.job, shardRequester(nc)), options.log, options.waitS)
          : (sub.unsubscribe(), await serveFleet(nc, welcome.done, jobSuite, instance, welcome.job, options.log));
      if (nc.isClosed()) throw new EnvironmentError('the connection to the NATS server closed during the run');
      if (over) {
        // Its CPU over the run: what the bench divides a worker's successors by.
        const { user, system } = process.cpuUsage(cpuAtJoin); // allow-clock
        options.log(`the run is over (${((user + system) / 1e6).toFixed(2)} s of CPU serving it)`);
        return;
      }
      options.log('dropped by the coordinator (too slow?): joining again');
    }
  } finally {
    await Promise.race([nc.close(), new Promise((r) => setTimeout(r, 2000).unref())]).catch(() => {});
  }
}

/** Sends a unit's successors to a shard (explore-worker.ts): its answer. */
function shardRequester(nc: NatsConnection): (inbox: string, data: Uint8Array, timeoutS: number) => Promise<Uint8Array> {
  return async (inbox, data, timeoutS) => (await nc.request(inbox, data, { timeout: timeoutS * 1000 })).data;
}

/** Says hello until a coordinator answers (a second at a time), or `waitS` has passed. */
export async function joinRun(nc: NatsConnection, hello: Hello, waitS: number): Promise<Welcome> {
  const deadline = performance.now() + waitS * 1000; // allow-clock: a bounded wait
  for (;;) {
    try {
      const m = await nc.request(HELLO_SUBJECT, JSON.stringify(hello), { timeout: 5000 });
      return JSON.parse(new TextDecoder().decode(m.data)) as Welcome;
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      if (nc.isClosed()) throw new EnvironmentError(`the connection to the NATS server closed: ${why}`);
      if (performance.now() > deadline) throw new EnvironmentError(`no coordinator answered within ${waitS} s (start one with: protokit explore MODEL --cluster …, or check MODEL --queue …)`); // allow-clock
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
