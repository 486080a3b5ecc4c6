/**
 * How a worker joins a run. The worker asks on `protokit.hello` with its name and its pin: the
 * model, the configuration, the mutant and faults it was started with, the hash of its model's
 * code (code-hash.ts) and protokit's version. The coordinator compares the pin with its own: any
 * difference and the worker is refused, with one line naming the field (its successors would
 * belong to another state space); otherwise it is given its number and the job (what the run's
 * command line adds: symmetry, bounds, properties; the random run's depth and units).
 */
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import type { FaultSettings } from '../engine/faults.js';
import type { Instance } from '../engine/instance.js';
import type { Params } from '../engine/model.js';
import { KIT_VERSION } from '../engine/version.js';
import type { Suite } from '../properties/suite.js';
import { codeHashOf } from './code-hash.js';

export const HELLO_SUBJECT = 'protokit.hello';

/** What must be equal on both sides, field by field. */
export interface Pin {
  readonly model: string;
  readonly config: Params;
  readonly mutant: string | null;
  readonly faults: FaultSettings;
  readonly codeHash: string;
  readonly kitVersion: string;
}

export function pinOf(suite: Suite, instance: Instance): Pin {
  return { model: suite.model.name, config: instance.params, mutant: instance.mutant, faults: instance.faults, codeHash: codeHashOf(suite), kitVersion: KIT_VERSION };
}

/** The first field where the pins differ, said as "FIELD: A here, B there", or null. */
export function pinDifference(here: Pin, there: Pin, who: 'worker' | 'shard' = 'worker'): string | null {
  const keys: (keyof Pin)[] = ['model', 'kitVersion', 'codeHash', 'mutant', 'config', 'faults'];
  for (const key of keys) {
    const a = JSON.stringify(here[key]);
    const b = JSON.stringify(there[key]);
    if (a !== b) return `${key === 'codeHash' ? "the model's code (hash)" : key}: ${a} on the coordinator, ${b} on the ${who}`;
  }
  return null;
}

/** An exhaustive search's job: what the expander needs beyond the pin. */
export interface ExploreJob {
  readonly kind: 'explore';
  readonly symmetry: boolean;
  readonly maxInFlight: number | null;
  readonly deadlock: boolean;
  readonly properties: readonly string[] | null;
}

/** A random fleet's job: where the units are and how each runs. */
export interface CheckJob {
  readonly kind: 'check';
  readonly stream: string;
  readonly consumer: string;
  readonly results: string;
  readonly depth: number;
  readonly strategy: string | null;
  readonly deadlock: boolean;
  readonly properties: readonly string[] | null;
  /** Seconds a unit may run before it is given to another worker (the consumer's ack wait). */
  readonly ackWaitS: number;
}

/** A shard's job (`protokit shard`): its part of the visited set, fingerprints whose high half is `index` modulo `shards`. */
export interface ShardJob {
  readonly kind: 'shard';
  readonly index: number;
  readonly shards: number;
}

export type Job = ExploreJob | CheckJob | ShardJob;

export interface Hello {
  readonly name: string;
  /** The subject the worker listens on for units (subscribed before it says hello). */
  readonly inbox: string;
  readonly pin: Pin;
  /** `protokit shard` says so; a worker says nothing (or 'worker'). */
  readonly role?: 'worker' | 'shard';
}

export type Welcome =
  | { readonly ok: true; readonly run: string; readonly worker: number; readonly inbox: string; readonly done: string; readonly job: Job }
  | { readonly ok: false; readonly reason: string };

/**
 * Answers hellos on `nc` for a run: a worker whose pin differs from `pin` is refused (and
 * logged, named, with the difference); another is welcomed with the inbox `join` gives it.
 */
export function answerHellos(
  nc: NatsConnection,
  pin: Pin,
  run: string,
  done: string,
  job: Job,
  cluster: { readonly log: (line: string) => void },
  join: (name: string, inbox: string) => { readonly id: number; readonly inbox: string },
  /** A shard's hello: its job, or why it is refused. Without it, shards are refused. */
  joinShard?: (name: string, inbox: string) => { readonly job: ShardJob } | { readonly refused: string },
): { joined: () => number; refused: () => number; close: () => void } {
  let joined = 0;
  let refused = 0;
  const respond = (m: Msg, w: Welcome) => m.respond(JSON.stringify(w));
  const sub = nc.subscribe(HELLO_SUBJECT, {
    callback: (error, m) => {
      if (error !== null) return;
      let h: Hello;
      try {
        h = JSON.parse(new TextDecoder().decode(m.data)) as Hello;
        if (typeof h?.name !== 'string' || typeof h.inbox !== 'string' || !/^[\w.-]{1,200}$/.test(h.inbox) || typeof h.pin !== 'object' || h.pin === null) throw new Error('not a hello');
        if (h.role !== undefined && h.role !== 'worker' && h.role !== 'shard') throw new Error('not a hello');
      } catch {
        respond(m, { ok: false, reason: 'not a protokit hello' });
        return;
      }
      // A name is the worker's to choose: shown only in plain characters, and short.
      const name = h.name.replace(/[^\w.@:-]/g, '?').slice(0, 80);
      const who = h.role === 'shard' ? 'shard' : 'worker';
      const refuse = (why: string) => {
        refused++;
        cluster.log(`${who} ${name} refused: ${why}`);
        respond(m, { ok: false, reason: `refused by the coordinator: ${why}` });
      };
      const difference = pinDifference(pin, h.pin, who);
      if (difference !== null) return refuse(difference);
      if (who === 'shard') {
        const taken = joinShard?.(name, h.inbox) ?? { refused: 'this run has no shards (start the coordinator with explore … --cluster … --shards N)' };
        if ('refused' in taken) return refuse(taken.refused);
        respond(m, { ok: true, run, worker: taken.job.index, inbox: h.inbox, done, job: taken.job });
        return;
      }
      joined++;
      const { id, inbox } = join(name, h.inbox);
      respond(m, { ok: true, run, worker: id, inbox, done, job });
    },
  });
  return { joined: () => joined, refused: () => refused, close: () => sub.unsubscribe() };
}
