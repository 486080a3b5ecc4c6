/**
 * The coordinator of a random fleet (`check MODEL --units N --queue nats://…`): it puts the
 * units (fleet.ts) in a JetStream work-queue stream of its own, answers workers' hellos
 * (handshake.ts), and gathers the results they publish. A unit whose worker dies is not acked,
 * so JetStream gives it to another after the ack wait. The first violation stops the fleet:
 * the units after it are called off (a worker stops the one it runs and skips the rest), the
 * units before it still run, and the result is that of units 1..k (fleet.ts), so it is the one
 * the same command gives without --queue.
 */
import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { EnvironmentError, ModelError } from '../engine/errors.js';
import type { Instance } from '../engine/instance.js';
import { checkRandom, DEFAULT_SEED, type CheckOptions, type CheckResult } from '../explore/random/random.js';
import type { Suite } from '../properties/suite.js';
import { mergeShards } from '../explore/shard/shard.js';
import { unitOptions, unitPlans, type UnitPlan } from './fleet.js';
import { answerHellos, pinOf, type CheckJob } from './handshake.js';
import { checkCredentials, connectCluster, watchConnection } from './nats.js';
import type { ClusterOptions } from './coordinator.js';

/** What a worker publishes for a unit. */
export type UnitResult = { readonly unit: number; readonly result: CheckResult } | { readonly unit: number; readonly modelError: string };

/** What the coordinator publishes to call off the units after the first failing one. */
export interface StopAbove {
  readonly above: number;
}

export async function checkOnFleet(fullSuite: Suite, suite: Suite, instance: Instance, options: CheckOptions, units: number, cluster: ClusterOptions, signal: AbortSignal): Promise<CheckResult & { fleet: { workersJoined: number; unitsRun: number } }> {
  checkCredentials(cluster.credentials, '--queue');
  const started = performance.now(); // allow-clock: reports elapsed time only
  const seed = options.seed ?? DEFAULT_SEED;
  const plans = unitPlans(seed, options.runs ?? suite.budget.runs, units);
  const run = randomUUID().slice(0, 8);
  const stream = `PROTOKIT_${run}`;
  const subject = `protokit.${run}.units`;
  const job: CheckJob = {
    kind: 'check',
    stream,
    consumer: 'units',
    results: `protokit.${run}.results`,
    depth: options.depth ?? suite.budget.depth,
    strategy: options.strategy ?? null,
    deadlock: options.deadlock !== false,
    properties: options.properties ? [...options.properties] : null,
    ackWaitS: cluster.unitTimeoutS,
  };
  const nc: NatsConnection = await connectCluster(cluster.credentials, `protokit-fleet-${run}`);
  let lost: string | null = null;
  let finished = false;
  watchConnection(nc, cluster.unitTimeoutS * 1000, (why) => {
    if (!finished) lost = why;
  });
  const results = new Map<number, CheckResult>();
  let lowestFailing = Infinity;
  let modelError: { unit: number; message: string } | null = null;
  let lastNews = performance.now(); // allow-clock: a bounded wait
  const sub = nc.subscribe(job.results, {
    callback: (error, m) => {
      if (error !== null) return;
      let r: UnitResult;
      try {
        r = JSON.parse(new TextDecoder().decode(m.data)) as UnitResult;
      } catch {
        return;
      }
      if (!Number.isInteger(r?.unit) || r.unit < 1 || r.unit > plans.length || results.has(r.unit)) return;
      lastNews = performance.now(); // allow-clock
      if ('modelError' in r) {
        modelError ??= { unit: r.unit, message: r.modelError };
        return;
      }
      if (r.result.interrupted) return;
      results.set(r.unit, r.result);
      if (r.result.violation !== null && r.unit < lowestFailing) {
        lowestFailing = r.unit;
        cluster.log(`unit ${r.unit} found a violation: the units after it are called off`);
        nc.publish(`protokit.${run}.stop`, JSON.stringify({ above: r.unit } satisfies StopAbove));
      }
    },
  });
  let workerCount = 0;
  const welcome = answerHellos(nc, pinOf(fullSuite, instance), run, `protokit.${run}.done`, job, cluster, (name) => {
    cluster.log(`worker ${name} joined`);
    return { id: workerCount++, inbox: job.stream };
  });
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.add({ name: stream, subjects: [subject], retention: RetentionPolicy.Workqueue, storage: StorageType.File });
    await jsm.consumers.add(stream, { durable_name: 'units', ack_policy: AckPolicy.Explicit, ack_wait: nanos(cluster.unitTimeoutS * 1000), max_ack_pending: 10_000 });
    const js = jetstream(nc);
    for (const plan of plans) await js.publish(subject, JSON.stringify(plan satisfies UnitPlan));
    const needed = () => Math.min(plans.length, lowestFailing);
    const complete = () => {
      for (let u = 1; u <= needed(); u++) if (!results.has(u)) return false;
      return true;
    };
    while (!complete() && modelError === null) {
      if (lost !== null) throw new EnvironmentError(`${lost}; ${results.size} of ${plans.length} units were done (run the same command again: units are independent)`);
      if (signal.aborted) break;
      if (performance.now() - lastNews > cluster.waitS * 1000) throw new EnvironmentError(`no unit result for ${cluster.waitS} s (${welcome.joined()} workers joined; start some with: protokit worker MODEL --cluster …)`); // allow-clock
      cluster.onUnits?.(results.size, plans.length);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    finished = true;
    welcome.close();
    sub.unsubscribe();
    try {
      nc.publish(`protokit.${run}.done`, '');
      await jsm.streams.delete(stream);
    } catch {
      // the server is gone; its stream with it, or it expires with the server's limits
    }
    await Promise.race([nc.close(), new Promise((r) => setTimeout(r, 2000).unref())]).catch(() => {});
  }
  if (modelError !== null) {
    // Run that unit here: the same seed fails the same way, with the actions a trace needs.
    const failing = modelError as { unit: number; message: string };
    checkRandom(suite, unitOptions(options, plans[failing.unit - 1]!));
    throw new ModelError(`the model failed on a worker in unit ${failing.unit}: ${failing.message}`, null);
  }
  const done = plans.slice(0, Math.min(plans.length, lowestFailing)).map((p) => results.get(p.unit)).filter((r): r is CheckResult => r !== undefined);
  const merged = mergeShards(done, seed, performance.now() - started); // allow-clock
  return { ...merged, ...(signal.aborted && merged.violation === null ? { interrupted: true } : {}), fleet: { workersJoined: welcome.joined(), unitsRun: results.size } };
}
