/**
 * The `linearizable` property on a tiny replicated register: two clients (a write, then a read
 * each) and two servers, a primary that replicates each write to a backup asynchronously. Reading
 * from the primary is linearizable; reading from the backup gives stale reads, which both random
 * exploration and exhaustive search must catch, with an ordinary trace.
 */
import { describe, expect, test } from 'vitest';
import { assign, emit, setup } from 'xstate';
import { defineModel, type Effect, type Model } from '../engine/model.js';
import { observe, send } from '../engine/effects.js';
import { defineSuite, type Suite } from '../properties/suite.js';
import { checkRandom } from '../explore/random/random.js';
import { explore } from '../explore/bfs/search.js';
import { sometimes } from '../properties/properties.js';
import { linearizable } from './property.js';
import { register, type CasRegisterInput } from './specs.js';
import type { WorldView } from '../engine/view.js';
import type { Observation } from '../engine/model.js';

type ClientEvent = { type: 'Write' } | { type: 'Read' } | { type: 'WriteOk'; seq: number; from: string } | { type: 'ReadOk'; seq: number; value: string | null; from: string };

const client = setup({
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
  initial: 'writing',
  states: {
    writing: { on: { Write: { target: 'awaitingWrite', actions: ['sendWrite', 'invokeWrite', 'next'] } } },
    awaitingWrite: { on: { WriteOk: { target: 'reading', actions: 'returned' } } },
    reading: { on: { Read: { target: 'awaitingRead', actions: ['sendRead', 'invokeRead', 'next'] } } },
    awaitingRead: { on: { ReadOk: { target: 'done', actions: 'returned' } } },
    done: {},
  },
});

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

function registerSuite(readFrom: 's1' | 's2'): Suite {
  const model: Model = defineModel({
    name: `tiny-register-${readFrom}`,
    title: 'a register on a primary with an asynchronous backup (a test fixture)',
    params: {},
    roles: {
      client: {
        machine: client,
        persist: [],
        environment: (node) => (node.state === 'writing' ? [{ type: 'Write' }] : node.state === 'reading' ? [{ type: 'Read' }] : []),
      },
      server: { machine: server, persist: ['value'] },
    },
    nodes: () => [
      { id: 'c1', role: 'client', input: { id: 'c1', readFrom } },
      { id: 'c2', role: 'client', input: { id: 'c2', readFrom } },
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
      sometimes('both-read', 'both clients finished', (w) => w.role('client').every((c) => c.state === 'done')),
    ],
    budget: { runs: 300, depth: 30 },
  });
}

describe('the linearizable property', () => {
  test('holds for reads from the primary, in random runs and in an exhaustive search', async () => {
    const suite = registerSuite('s1');
    const random = checkRandom(suite, { seed: 1 });
    expect(random.violation).toBeNull();
    expect(random.witnesses).toEqual([{ name: 'both-read', reached: true }]);
    const result = await explore(suite);
    expect(result.violation).toBeNull();
    expect(result.complete).toBe(true);
    expect(result.distinctStates).toBeGreaterThan(100);
  });

  test('catches the stale read from the backup: random runs and the shortest counterexample', async () => {
    const suite = registerSuite('s2');
    const random = checkRandom(suite, { seed: 1 });
    expect(random.violation?.property).toBe('linearizable');
    expect(random.violation?.message).toMatch(/^not linearizable: after the longest linearisation found \[.*\] \(state ".*"\), client c\d: read → (nil|"c\d\.0") \[\d+–\d+\] cannot come next$/);
    const result = await explore(suite);
    expect(result.violation?.property).toBe('linearizable');
    // c1 writes (invoke, deliver to s1, ack), c1 reads from the stale backup (invoke, deliver, answer): 6 steps.
    expect(result.violation?.actions.length).toBe(6);
    expect(result.violation?.message).toBe('not linearizable: after the longest linearisation found [c1:write "c1.0"] (state "c1.0"), client c1: read → nil [2–3] cannot come next');
  });

  test('verdicts are memoised by content, and a history grown by an invocation builds on its parent', () => {
    let steps = 0;
    const counting = { ...register, step: (st: never, i: CasRegisterInput, o: never) => (steps++, register.step(st, i as never, o)) };
    const p = linearizable('lin', 'counts its searches', { spec: counting as typeof register });
    const view = (observations: Observation[]) => ({ observations }) as unknown as WorldView;
    const grown: Observation[] = [
      { type: 'invoke', client: 'a', seq: 0, input: { f: 'write', value: 1 } },
      { type: 'ok', client: 'a', seq: 0, output: null },
      { type: 'invoke', client: 'b', seq: 0, input: { f: 'read' } },
    ];
    if (p.kind !== 'always') throw new Error('an invariant');
    expect(p.check(view(grown.slice(0, 2)))).toBeUndefined();
    const searched = steps;
    expect(searched).toBeGreaterThan(0);
    expect(p.check(view(grown))).toBeUndefined(); // the parent was linearizable: no search
    expect(p.check(view([...grown.slice(0, 2)]))).toBeUndefined(); // same content, another array: memo
    expect(steps).toBe(searched);
    expect(p.check(view([...grown, { type: 'ok', client: 'b', seq: 0, output: 2 }]))).toMatch(/^not linearizable: /);
    expect(steps).toBeGreaterThan(searched);
  });
});
