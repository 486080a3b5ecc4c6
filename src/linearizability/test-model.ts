/**
 * A test fixture: a tiny replicated register with two clients (a write, then a read each) and
 * two servers, a primary that replicates each write to a backup asynchronously. Reading from the
 * primary (`s1`) is linearizable; reading from the backup (`s2`) gives stale reads. The
 * linearizability tests (the property, a violation's trace, its text and HTML views) use it.
 */
import { assign, emit, setup } from 'xstate';
import { defineModel, type Effect, type Model } from '../engine/model.js';
import { observe, send } from '../engine/model.js';
import { defineSuite, type Suite } from '../properties/suite.js';
import { sometimes } from '../properties/properties.js';
import { linearizable } from './property.js';
import { register } from './specs.js';

type ClientEvent = { type: 'Write' } | { type: 'Read' } | { type: 'WriteOk'; seq: number; from: string } | { type: 'ReadOk'; seq: number; value: string | null; from: string };

/** A client that writes once, then reads once (`writing`), or only reads once (`reading`). */
const clientMachine = (initial: 'writing' | 'reading') => setup({
  types: {
    context: {} as { id: string; seq: number; readFrom: string },
    input: {} as { id: string; readFrom: string },
    events: {} as ClientEvent,
    emitted: {} as Effect,
  },
  actions: {
    next: assign({ seq: ({ context }) => context.seq + 1 }),
    sendWrite: emit(({ context }) => send('s1', { type: 'Write', seq: context.seq, value: `${context.id}.${context.seq}` })),
    invokeWrite: emit(({ context }) => observe({ type: 'invoke', client: context.id, seq: context.seq, input: { f: 'write', value: `${context.id}.${context.seq}` } })),
    sendRead: emit(({ context }) => send(context.readFrom, { type: 'Read', seq: context.seq })),
    invokeRead: emit(({ context }) => observe({ type: 'invoke', client: context.id, seq: context.seq, input: { f: 'read' } })),
    returned: emit(({ context, event }) =>
      observe({ type: 'ok', client: context.id, seq: context.seq - 1, output: event.type === 'ReadOk' ? event.value : null }),
    ),
  },
}).createMachine({
  context: ({ input }) => ({ id: input.id, seq: 0, readFrom: input.readFrom }),
  initial,
  states: {
    writing: { on: { Write: { target: 'awaitingWrite', actions: ['sendWrite', 'invokeWrite', 'next'] } } },
    awaitingWrite: { on: { WriteOk: { target: 'reading', actions: 'returned' } } },
    reading: { on: { Read: { target: 'awaitingRead', actions: ['sendRead', 'invokeRead', 'next'] } } },
    awaitingRead: { on: { ReadOk: { target: 'done', actions: 'returned' } } },
    done: {},
  },
});
const client = clientMachine('writing');
const reader = clientMachine('reading');

type ServerEvent = { type: 'Write'; seq: number; value: string; from: string } | { type: 'Read'; seq: number; from: string } | { type: 'Replicate'; value: string; from: string };

const server = setup({
  types: { context: {} as { id: string; value: string | null }, input: {} as { id: string }, events: {} as ServerEvent, emitted: {} as Effect },
  actions: {
    store: assign({ value: ({ event }) => (event.type === 'Read' ? null : event.value) }),
    ackWrite: emit(({ event }) => send(event.from, { type: 'WriteOk', seq: (event as { seq: number }).seq })),
    replicate: emit(({ event }) => send('s2', { type: 'Replicate', value: (event as { value: string }).value })),
    answerRead: emit(({ context, event }) => send(event.from, { type: 'ReadOk', seq: (event as { seq: number }).seq, value: context.value })),
  },
}).createMachine({
  context: ({ input }) => ({ id: input.id, value: null }),
  initial: 'serving',
  states: {
    serving: {
      on: {
        Write: { actions: ['store', 'ackWrite', 'replicate'] },
        Replicate: { actions: 'store' },
        Read: { actions: 'answerRead' },
      },
    },
  },
});

/**
 * The suite of the register whose clients read from `readFrom`; `split`: c1 writes and reads
 * from the primary, c2 only reads, from the backup (a stale read needs both clients).
 */
export function registerSuite(readFrom: 's1' | 's2' | 'split'): Suite {
  const environment = (node: { state: unknown }) => (node.state === 'writing' ? [{ type: 'Write' }] : node.state === 'reading' ? [{ type: 'Read' }] : []);
  const clients =
    readFrom === 'split'
      ? [
          { id: 'c1', role: 'client', input: { id: 'c1', readFrom: 's1' } },
          { id: 'c2', role: 'reader', input: { id: 'c2', readFrom: 's2' } },
        ]
      : [
          { id: 'c1', role: 'client', input: { id: 'c1', readFrom } },
          { id: 'c2', role: 'client', input: { id: 'c2', readFrom } },
        ];
  const model: Model = defineModel({
    name: `tiny-register-${readFrom}`,
    title: 'a register on a primary with an asynchronous backup (a test fixture)',
    params: {},
    roles: {
      client: { machine: client, persist: [], environment },
      ...(readFrom === 'split' ? { reader: { machine: reader, persist: [], environment } } : {}),
      server: { machine: server, persist: ['value'] },
    },
    nodes: () => [
      ...clients,
      { id: 's1', role: 'server', input: { id: 's1' } },
      { id: 's2', role: 'server', input: { id: 's2' } },
    ],
    faults: { network: 'unordered', loss: 0, duplicate: 0, crash: 0, partition: 0 },
    mutants: {},
  });
  return defineSuite({
    model,
    // The clients' operations are bounded: a world where nothing but faults is enabled is the end of their work.
    terminal: () => true,
    properties: [
      linearizable('linearizable', 'the clients see one register', { spec: register }),
      sometimes('both-read', 'both clients finished', (w) => [...w.role('client'), ...(readFrom === 'split' ? w.role('reader') : [])].every((c) => c.state === 'done')),
    ],
    budget: { runs: 300, depth: 30 },
  });
}
