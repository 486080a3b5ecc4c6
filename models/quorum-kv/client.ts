/**
 * The client: issues at most `ops` operations, one at a time, each a put or a get of one of the
 * keys (the explorer picks which, as environment events), and records each as observations for
 * the history properties, in the form the kit's linearizability checker reads: `invoke` (with
 * `input`: `{f:'put', key, value}` or `{f:'get', key}`) when it sends the request, `ok` (with
 * `output`: null for a put, the value read for a get) when the answer arrives, `info` when it
 * gives up (outcome unknown), each with the client's id and its per-client sequence number `seq`.
 *
 * Each put writes a value no other operation writes (`<client>.<seq>`), so a value read names
 * the put that wrote it. The coordinator is a node of the key's preference list (of its whole
 * ring order under a sloppy quorum): client i starts at entry i (Dynamo, section 4.5: any of the
 * top N nodes may coordinate, and clients behind a load balancer reach different ones), and each
 * `Timeout` moves it on to the next entry. A get that times out is sent again to the next
 * coordinator (reads are safe to repeat); a put that times out is abandoned, since a second
 * coordinator would stamp a second version of it: its outcome stays unknown (it may take effect
 * at any later time), as for a client that crashed while waiting.
 *
 * Under vector versioning the client keeps, per key, the merge of the version vectors it last
 * read (its context) and sends it with its next put of that key: that put supersedes every
 * sibling it read, which is how siblings are resolved.
 */
import { assign, emit, enqueueActions, setup } from 'xstate';
import { type Effect, observe, send } from '../../src/index.js';
import type { GetOk, PutOk, Received } from './messages.js';
import { ownersOf, ringOf } from './storage-node.js';
import { ringOrder } from './ring.js';
import { contextOf, type Clock, type Sibling } from './versions.js';

export interface ClientInput {
  readonly id: string;
  readonly nodes: readonly string[];
  readonly vnodes: number;
  readonly replicas: number;
  readonly sloppy: boolean;
  readonly vector: boolean;
  /** How many operations this client issues. */
  readonly ops: number;
  /** Where in a key's preference list this client starts looking for a coordinator (its index). */
  readonly offset: number;
}

export interface Pending {
  readonly seq: number;
  readonly f: 'put' | 'get';
  readonly key: string;
  readonly value: string | null;
  /** How many coordinators this operation has been sent to. */
  readonly attempts: number;
}

export interface ClientContext extends ClientInput {
  /** Operations issued so far (persisted): the next one is `seq + 1`. */
  readonly seq: number;
  /** How many coordinators this client has given up on (persisted). */
  readonly skip: number;
  /** Vector versioning: per key, the merged context of the versions last read (persisted). */
  readonly seen: Readonly<Record<string, Clock>>;
  /** The operation waiting for its answer (volatile: a crash leaves its outcome unknown). */
  readonly pending: Pending | null;
}

type ClientEvent =
  | { type: 'Put'; key: string }
  | { type: 'Get'; key: string }
  | { type: 'Timeout' }
  | Received<PutOk>
  | Received<GetOk>
  | { type: 'RECOVER' };

/** The nodes a client may send a request for `key` to, in order. */
export function coordinatorsOf(ctx: Pick<ClientInput, 'nodes' | 'vnodes' | 'replicas' | 'sloppy'>, key: string): string[] {
  return ctx.sloppy ? ringOrder(ringOf(ctx.nodes, ctx.vnodes), key) : ownersOf(ctx, key);
}

const coordinator = (ctx: ClientContext, key: string): string => {
  const list = coordinatorsOf(ctx, key);
  return list[ctx.skip % list.length]!;
};

const requestOf = (ctx: ClientContext, p: Pending) =>
  p.f === 'put'
    ? { type: 'Put', op: p.seq, key: p.key, value: p.value!, context: ctx.vector ? (ctx.seen[p.key] ?? null) : null }
    : { type: 'Get', op: p.seq, key: p.key };

export const clientSetup = setup({
  types: {
    context: {} as ClientContext,
    input: {} as ClientInput,
    events: {} as ClientEvent,
    emitted: {} as Effect,
  },
  guards: {
    hasOpsLeft: ({ context }) => context.pending === null && context.seq < context.ops,
    answersPending: ({ context, event }) => context.pending !== null && context.pending.seq === (event as Received<PutOk>).op,
    /** A get may try another coordinator while there is one it has not tried. */
    mayRetry: ({ context }) => context.pending !== null && context.pending.f === 'get' && context.pending.attempts < coordinatorsOf(context, context.pending.key).length,
    waiting: ({ context }) => context.pending !== null,
  },
  actions: {
    invoke: enqueueActions(({ context, event, enqueue }) => {
      const e = event as { type: 'Put' | 'Get'; key: string };
      const seq = context.seq + 1;
      const f = e.type === 'Put' ? 'put' : 'get';
      const pending: Pending = { seq, f, key: e.key, value: f === 'put' ? `${context.id}.${seq}` : null, attempts: 1 };
      enqueue.assign({ seq, pending });
      const input = f === 'put' ? { f, key: e.key, value: pending.value! } : { f, key: e.key };
      enqueue.emit(observe({ type: 'invoke', client: context.id, seq, input }));
      enqueue.emit(send(coordinator(context, e.key), requestOf(context, pending)));
    }),
    returnPut: enqueueActions(({ context, event, enqueue }) => {
      const e = event as Received<PutOk>;
      const p = context.pending!;
      enqueue.emit(observe({ type: 'ok', client: context.id, seq: p.seq, output: null, version: e.version }));
      // Its own write is the newest version this client knows of the key.
      const seen = 'vc' in e.version ? { ...context.seen, [p.key]: e.version.vc } : context.seen;
      enqueue.assign({ pending: null, seen });
    }),
    returnGet: enqueueActions(({ context, event, enqueue }) => {
      const e = event as Received<GetOk>;
      const p = context.pending!;
      const values = e.siblings.map((s: Sibling) => s.value).sort();
      // As a register read: the value, '' for none; siblings as `[a|b]`, which no register returns.
      const output = values.length <= 1 ? (values[0] ?? '') : `[${values.join('|')}]`;
      enqueue.emit(observe({ type: 'ok', client: context.id, seq: p.seq, output, values }));
      enqueue.assign({ pending: null, seen: context.vector ? { ...context.seen, [p.key]: contextOf(e.siblings) } : context.seen });
    }),
    retry: enqueueActions(({ context, enqueue }) => {
      const p = { ...context.pending!, attempts: context.pending!.attempts + 1 };
      const next = { ...context, skip: context.skip + 1, pending: p };
      enqueue.assign({ skip: next.skip, pending: p });
      enqueue.emit(send(coordinator(next, p.key), requestOf(next, p)));
    }),
    abandon: assign({ pending: null, skip: ({ context }) => context.skip + 1 }),
    /** Its outcome is unknown from now on (Jepsen's `info`): it may still take effect. */
    observeAbandon: emit(({ context }) => observe({ type: 'info', client: context.id, seq: context.pending!.seq })),
  },
});

export const client = clientSetup.createMachine({
  id: 'client',
  initial: 'running',
  context: ({ input }) => ({ ...input, seq: 0, skip: input.offset, seen: {}, pending: null }),
  states: {
    running: {
      on: {
        Put: { guard: 'hasOpsLeft', actions: 'invoke' },
        Get: { guard: 'hasOpsLeft', actions: 'invoke' },
        PutOk: { guard: 'answersPending', actions: 'returnPut' },
        GetOk: { guard: 'answersPending', actions: 'returnGet' },
        Timeout: [
          { guard: 'mayRetry', actions: 'retry' },
          { guard: 'waiting', actions: ['observeAbandon', 'abandon'] },
        ],
      },
    },
  },
});
