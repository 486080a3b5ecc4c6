/**
 * A worker's side of a random fleet: it pulls units from the run's JetStream work queue, runs
 * each as an ordinary seeded check, publishes the result, and only then acks the unit (a worker
 * that dies before has its unit given to another). While a unit runs it tells JetStream it is
 * working, so a long unit is not given away; a unit after the first failing one is called off.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { ModelError } from '../engine/errors.js';
import type { Instance } from '../engine/instance.js';
import { checkRandomInterruptible, type CheckResult } from '../explore/random/random.js';
import type { Strategy } from '../explore/random/strategy.js';
import type { Suite } from '../properties/suite.js';
import type { UnitPlan } from './fleet.js';
import type { StopAbove, UnitResult } from './fleet-queue.js';
import type { CheckJob } from './handshake.js';

export async function serveFleet(nc: NatsConnection, done: string, suite: Suite, instance: Instance, job: CheckJob, log: (line: string) => void): Promise<boolean> {
  let over = false;
  let stopAbove = Infinity;
  let running: { unit: number; abort: AbortController } | null = null;
  const finished = nc.subscribe(done, {
    callback: () => {
      over = true;
    },
  });
  const stops = nc.subscribe(job.results.replace(/\.results$/, '.stop'), {
    callback: (_e, m) => {
      try {
        const s = JSON.parse(new TextDecoder().decode(m.data)) as StopAbove;
        if (Number.isInteger(s.above)) stopAbove = Math.min(stopAbove, s.above);
        if (running !== null && running.unit > stopAbove) running.abort.abort();
      } catch {
        // not a stop order
      }
    },
  });
  try {
    const consumer = await jetstream(nc).consumers.get(job.stream, job.consumer);
    while (!over && !nc.isClosed()) {
      const m = await consumer.next({ expires: 1000 }).catch(() => null);
      if (m === null) continue;
      const plan = JSON.parse(new TextDecoder().decode(m.data)) as UnitPlan;
      if (plan.unit > stopAbove) {
        m.ack();
        continue;
      }
      log(`unit ${plan.unit}: ${plan.runs} runs from seed ${plan.seed}`);
      const abort = new AbortController();
      running = { unit: plan.unit, abort };
      const working = setInterval(() => m.working(), Math.max(1000, (job.ackWaitS * 1000) / 3));
      let answer: UnitResult | null;
      try {
        const result: CheckResult = await checkRandomInterruptible(
          suite,
          { config: instance.params, mutant: instance.mutant, faults: instance.faults, seed: plan.seed, runs: plan.runs, depth: job.depth, deadlock: job.deadlock, ...(job.strategy ? { strategy: job.strategy as Strategy } : {}) },
          abort.signal,
        );
        answer = result.interrupted ? null : { unit: plan.unit, result };
      } catch (error) {
        if (!(error instanceof ModelError)) throw error;
        answer = { unit: plan.unit, modelError: error.message };
      } finally {
        clearInterval(working);
        running = null;
      }
      if (answer !== null) {
        nc.publish(job.results, JSON.stringify(answer));
        await nc.flush();
      }
      m.ack();
    }
  } finally {
    finished.unsubscribe();
    stops.unsubscribe();
  }
  return over;
}
