/**
 * Liveness on a model small enough to know by heart: a ticker counts 0 → 1 → 2 → 0 on Tick and
 * may stop for good on Done. Whether "eventually done" holds depends only on fairness: with
 * Done not fair, ticking for ever is a fair behaviour (a 3-step loop, found on the cycle, where
 * Stateright's `eventually` reports nothing); with Done fair, Done is enabled throughout every
 * loop and never taken in one, so no loop is fair and the property holds.
 */
import { assign, setup } from 'xstate';
import { describe, expect, test } from 'vitest';
import { defineModel, type Model } from '../../engine/model.js';
import { NO_FAULTS } from '../../engine/faults.js';
import { resolveInstance } from '../../engine/instance.js';
import { eventually, leadsTo } from '../../properties/liveness.js';
import { always } from '../../properties/properties.js';
import { defineSuite, type Suite } from '../../properties/suite.js';
import { checkRandom } from '../random/random.js';
import { checkLasso } from '../lasso.js';
import { buildTrace, replay } from '../../trace/replay.js';
import { explore } from './search.js';

const ticker = setup({
  types: { context: {} as { n: number }, events: {} as { type: 'Tick' } | { type: 'Done' } },
}).createMachine({
  id: 'ticker',
  initial: 'counting',
  context: { n: 0 },
  states: {
    counting: { on: { Tick: { actions: assign({ n: ({ context }) => (context.n + 1) % 3 }) }, Done: 'done' } },
    done: {},
  },
});

function tickerModel(fair: readonly string[]): Model {
  return defineModel({
    name: 'ticker',
    title: 'a counter that may stop',
    params: {},
    roles: { ticker: { machine: ticker, persist: [], environment: (node) => (node.state === 'counting' ? [{ type: 'Tick' }, { type: 'Done' }] : []) } },
    nodes: () => [{ id: 't', role: 'ticker', input: {} }],
    faults: NO_FAULTS,
    mutants: {},
    symmetric: ['ticker'],
    fairness: { events: { ticker: fair } },
  });
}

const done = eventually('done', 'the ticker stops', (w) => w.node('t').state === 'done');
const oneLeadsToDone = leadsTo('one-leads-to-done', 'once at 1, the ticker stops', (w) => w.node('t').context.n === 1, (w) => w.node('t').state === 'done');
const sane = always('sane', 'n stays in 0..2', (w) => (w.node('t').context.n > 2 ? 'n out of range' : undefined));
const suiteOf = (fair: readonly string[], properties = [sane, done, oneLeadsToDone]): Suite =>
  defineSuite({ model: tickerModel(fair), properties, budget: { runs: 50, depth: 12 }, terminal: (w) => w.node('t').state === 'done' });

describe('exhaustive search decides liveness on cycles', () => {
  test('Done not fair: ticking for ever violates eventually-done, a lasso of 0 + 3 steps that replays', async () => {
    const suite = suiteOf(['Tick']);
    const r = await explore(suite);
    expect([r.distinctStates, r.violation?.property, r.violation?.kind, r.violation?.loopStart, r.violation?.step]).toEqual([6, 'done', 'liveness', 0, 3]);
    expect(r.violation!.actions.map((a) => (a.type === 'env' ? a.event.type : a.type))).toEqual(['Tick', 'Tick', 'Tick']);
    expect(r.liveness.properties.map((p) => [p.name, p.verdict])).toEqual([['done', 'violated'], ['one-leads-to-done', 'violated']]);
    const instance = resolveInstance(suite.model);
    const trace = buildTrace(instance, suite, r.violation!.actions, { command: 'explore' }, { property: 'done', loopStart: 0 });
    expect(trace.violation).toMatchObject({ property: 'done', kind: 'liveness', loopStart: 0, step: 3 });
    expect(replay(suite, trace).violation?.property).toBe('done');
  });

  test('leadsTo alone: the obligation starts at n=1, after one Tick; the loop is the same cycle', async () => {
    const r = await explore(suiteOf(['Tick'], [sane, oneLeadsToDone]));
    expect([r.violation?.property, r.violation?.loopStart, r.violation?.step]).toEqual(['one-leads-to-done', 1, 4]);
  });

  test('Done fair: no loop is fair, both properties hold (no deadlock: the stopped ticker is terminal)', async () => {
    const r = await explore(suiteOf(['Tick', 'Done']));
    expect([r.violation, r.inconclusive, r.complete]).toEqual([null, false, true]);
    expect(r.liveness.properties.map((p) => p.verdict)).toEqual(['holds', 'holds']);
  });

  test('nothing fair: the initial world may stutter for ever, an empty loop', async () => {
    const r = await explore(suiteOf([], [sane, done]));
    expect([r.violation?.property, r.violation?.loopStart, r.violation?.step]).toEqual(['done', 0, 0]);
  });

  test('a bound that cuts states off makes a holding verdict inconclusive, never "holds"', async () => {
    const r = await explore(suiteOf(['Tick', 'Done']), { maxDepth: 2 });
    expect([r.violation, r.inconclusive, r.liveness.properties[0]!.verdict]).toEqual([null, true, 'inconclusive']);
  });

  test('a bound that stops the search before the first p-state makes leadsTo inconclusive, never "holds" (issue 22)', async () => {
    // Depth 1 is the initial world alone (n = 0): no state searched owes one-leads-to-done, but the
    // states cut off may. Before issue 22 this "held"; eventually-done, owed at the initial world, was already inconclusive.
    const r = await explore(suiteOf(['Tick']), { maxDepth: 1 });
    expect([r.violation, r.complete, r.inconclusive]).toEqual([null, false, true]);
    expect(r.liveness.properties.map((p) => [p.name, p.verdict, p.reason])).toEqual([
      ['done', 'inconclusive', 'a state where it is still owed (depth 1) was cut off by --max-depth; what follows it is unknown (searched 1 state, depth 1)'],
      ['one-leads-to-done', 'inconclusive', '--max-depth stopped the search at 1 state, depth 1, before any state owes it; states beyond the bound may owe it and never pay'],
    ]);
    // Complete, the same property is decided: violated (Done is not fair here).
    expect((await explore(suiteOf(['Tick'], [sane, oneLeadsToDone]))).liveness.properties[0]!.verdict).toBe('violated');
  });

  test('without a terminal declaration the stopped ticker is a deadlock, reported when liveness holds', async () => {
    const suite = defineSuite({ model: tickerModel(['Tick', 'Done']), properties: [sane, done], budget: { runs: 10, depth: 5 } });
    const r = await explore(suite);
    expect([r.violation?.property, r.violation?.kind, r.violation?.step, r.violation?.loopStart]).toEqual(['deadlock', 'deadlock', 1, 1]);
    expect((await explore(suite, { deadlock: false })).violation).toBe(null);
  });

  test('--symmetry and --workers do not check liveness, and say so', async () => {
    const r = await explore(suiteOf(['Tick']), { symmetry: true });
    expect([r.violation, r.liveness.checked, r.liveness.properties[0]!.verdict]).toEqual([null, false, 'not decided']);
    expect(r.liveness.note).toMatch(/--symmetry/);
  });
});

describe('random runs find lassos, never prove liveness', () => {
  test('Done not fair: a run closes the tick loop; the lasso is minimised to the 3-step loop', () => {
    const r = checkRandom(suiteOf(['Tick']));
    expect([r.violation?.property, r.violation?.kind, r.violation?.loopStart, r.violation?.step]).toEqual(['done', 'liveness', 0, 3]);
  });

  test('Done fair: no violation, and the lassos examined are counted', () => {
    const r = checkRandom(suiteOf(['Tick', 'Done']));
    expect(r.violation).toBe(null);
    expect(r.lassos).toBeGreaterThan(0);
  });

  test('checkLasso rejects an unfair loop and a loop that does not close', () => {
    const suite = suiteOf(['Tick', 'Done']);
    const instance = resolveInstance(suite.model);
    const tick = { type: 'env', node: 't', event: { type: 'Tick' } } as const;
    expect(checkLasso(instance, suite, [tick, tick, tick], 0, 'done').problem).toMatch(/not fair: env t Done/);
    expect(checkLasso(instance, suite, [tick, tick], 0, 'done').problem).toMatch(/does not return/);
  });
});
