/**
 * A user's own model, run as a user would run it: a suite module outside the kit (its own model,
 * written with defineModel and defineSuite, importing protokit as a package would), imported as
 * the user's code imports it, and each of its roles started with three lines. In-process network
 * and memory storage; verdicts are states and counts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import type { Suite } from '../properties/suite.js';
import { inProcessNetwork, memoryRecorder, memoryStorage, startNode } from './index.js';

const project = mkdtempSync(join(tmpdir(), 'protokit-own-model-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));
writeFileSync(join(project, 'package.json'), '{"type":"module"}');
const XSTATE = join(process.cwd(), 'node_modules', 'xstate', 'dist', 'xstate.esm.js');
const KIT = join(process.cwd(), 'src', 'index.ts');
const module = join(project, 'ping.suite.ts');
// The suite of docs/runtime.md ("Your own model"), with its imports pointed at this checkout.
writeFileSync(
  module,
  `import { assign, emit, setup } from ${JSON.stringify(XSTATE)};
import { always, defineModel, defineSuite, send, sometimes, type Received } from ${JSON.stringify(KIT)};

type Ping = { type: 'Ping'; n: number };
type Pong = { type: 'Pong'; n: number };

const pinger = setup({
  types: { context: {} as { peer: string; sent: number; answered: number }, events: {} as { type: 'Start' } | Received<Pong> | { type: 'RECOVER' }, input: {} as { peer: string } },
  actions: {
    ping: emit(({ context }) => send(context.peer, { type: 'Ping', n: context.sent })),
  },
}).createMachine({
  context: ({ input }) => ({ peer: input.peer, sent: 0, answered: 0 }),
  on: {
    Start: { guard: ({ context }) => context.sent < 3, actions: [assign({ sent: ({ context }) => context.sent + 1 }), 'ping'] },
    Pong: { actions: assign({ answered: ({ context, event }) => Math.max(context.answered, event.n) }) },
    RECOVER: {},
  },
});

const ponger = setup({
  types: { context: {} as { seen: number }, events: {} as Received<Ping> | { type: 'RECOVER' } },
}).createMachine({
  context: { seen: 0 },
  on: {
    Ping: { actions: [assign({ seen: ({ context }) => context.seen + 1 }), emit(({ event }) => send(event.from, { type: 'Pong', n: event.n }))] },
    RECOVER: {},
  },
});

export const model = defineModel({
  name: 'ping',
  title: 'a pinger and a ponger',
  params: {},
  roles: {
    pinger: { machine: pinger, persist: ['sent'], environment: (node) => ((node.context.sent as number) < 3 ? [{ type: 'Start' }] : []) },
    ponger: { machine: ponger, persist: ['seen'], environment: () => [] },
  },
  nodes: () => [
    { id: 'a', role: 'pinger', input: { peer: 'b' } },
    { id: 'b', role: 'ponger', input: {} },
  ],
  faults: { network: 'unordered', loss: 0, duplicate: 0, crash: 0, partition: 0 },
  mutants: {},
});

export default defineSuite({
  model,
  budget: { runs: 50, depth: 12 },
  terminal: (w) => w.node('a').context.answered === 3,
  properties: [
    always('answers-follow-pings', 'no Pong for a Ping never sent', (w) => ((w.node('a').context.answered as number) <= (w.node('a').context.sent as number) ? undefined : 'answered more than sent')),
    sometimes('all-answered', 'three pings answered', (w) => w.node('a').context.answered === 3),
  ],
});
`,
);

test("a suite's own model runs as live nodes, three lines per role, and restarts from its persisted fields", async () => {
  const suite = ((await import(/* @vite-ignore */ module)) as { default: Suite }).default;
  const net = inProcessNetwork();
  const storageA = memoryStorage();
  const recorder = memoryRecorder();

  const b = await startNode({ model: suite.model, role: 'ponger', id: 'b', transport: net.transport(), storage: memoryStorage() });
  let a = await startNode({ model: suite.model, role: 'pinger', id: 'a', transport: net.transport(), storage: storageA, recorder });
  for (let i = 0; i < 3; i++) expect((await a.send({ type: 'Start' })).changed).toBe(true);

  // A fourth Start is refused by the machine's guard: no step, nothing sent.
  expect((await a.send({ type: 'Start' })).changed).toBe(false);
  for (let i = 0; i < 20 && a.state.context.answered !== 3; i++) await new Promise((resolve) => setImmediate(resolve));
  expect(a.state.context).toEqual({ peer: 'b', sent: 3, answered: 3 });
  expect(b.state.context).toEqual({ seen: 3 });
  expect(recorder.steps.map((s) => s.event.kind)).toEqual(['start', 'env', 'env', 'env', 'deliver', 'deliver', 'deliver']);
  expect(recorder.steps.flatMap((s) => s.sends.map((x) => x.id))).toEqual(['a:1:1', 'a:1:2', 'a:1:3']);

  // Restarted, the pinger keeps what its role persists (sent) and loses the rest (answered).
  await a.stop();
  a = await startNode({ model: suite.model, role: 'pinger', id: 'a', transport: net.transport(), storage: storageA, recorder });
  expect(a.incarnation).toBe(2);
  expect(a.state.context).toEqual({ peer: 'b', sent: 3, answered: 0 });
  expect(recorder.steps.at(-1)!.event.kind).toBe('recover');
  await expect(startNode({ model: suite.model, role: 'pinger', id: 'b', transport: net.transport(), storage: memoryStorage() })).rejects.toThrow("node 'b' of ping has role 'ponger', not 'pinger'");
  await Promise.all([a.stop(), b.stop()]);
});
