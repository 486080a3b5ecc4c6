/**
 * The node-transition fast path (NodeStepper: interned states, memoised transitions) against
 * xstate's own `transition()`, for every role of every registered model and of its mutants.
 *
 * Inputs: node states and events collected from random walks of each model (reachable states),
 * and states made by recombining the state values and context fields seen there (mostly
 * unreachable ones), with every event seen, under random senders. The stepper under test is
 * warm (the walks filled its memo), so most answers come from the memo, which is the point.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as xstateApi from 'xstate';
import { transition, type AnyStateMachine, type EventObject } from 'xstate';
import { suites } from '../../properties/registry.js';
import { canonical } from './canonical.js';
import { resolveInstance, type Instance } from './instance.js';
import { nodeKey, NodeStepper, type NodeState } from './node-step.js';
import { eventOf } from './world.js';
import { enabledActions, initialWorld, step } from './packed.js';

interface RoleSamples {
  readonly states: NodeState[];
  readonly events: EventObject[];
  readonly senders: string[];
}

/** Up-node states and the events they received, per role, along seeded random walks. */
function sample(instance: Instance, walks: number, depth: number, seed: number): Map<string, RoleSamples> {
  const byRole = new Map<string, RoleSamples>();
  const seen = new Set<string>();
  const add = (role: string, state: NodeState | null, event: EventObject | null) => {
    let s = byRole.get(role);
    if (s === undefined) byRole.set(role, (s = { states: [], events: [], senders: instance.nodes.map((n) => n.id) }));
    if (state !== null && state.up && !seen.has(`${role}\u0000${nodeKey(state)}`)) {
      seen.add(`${role}\u0000${nodeKey(state)}`);
      s.states.push(state);
    }
    if (event !== null && !seen.has(`${role}\u0001${canonical(event)}`)) {
      seen.add(`${role}\u0001${canonical(event)}`);
      s.events.push(event);
    }
  };
  let x = seed >>> 0 || 1;
  const next = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), x >>> 0);
  for (let w = 0; w < walks; w++) {
    let world = initialWorld(instance);
    for (let k = 0; k < depth; k++) {
      world.nodes.forEach((s, i) => add(instance.nodes[i]!.role, s, null));
      const enabled = enabledActions(instance, world);
      if (enabled.length === 0) break;
      const action = enabled[next() % enabled.length]!;
      if (action.type === 'deliver') add(instance.nodes[instance.indexOf.get(action.to)!]!.role, null, eventOf(action));
      if (action.type === 'env') add(instance.nodes[instance.indexOf.get(action.node)!]!.role, null, action.event);
      world = step(instance, world, action);
    }
  }
  for (const role of byRole.keys()) add(role, null, { type: 'RECOVER' });
  return byRole;
}

/** xstate's answer, in the kit's terms: next state, emitted effects, and whether anything changed. */
function reference(machine: AnyStateMachine, state: NodeState, event: EventObject) {
  const snapshot = machine.resolveState({ value: state.value!, context: state.context });
  const [next, actions] = transition(machine, snapshot, event);
  const effects = (actions as readonly { type: string; params?: unknown }[])
    .filter((a) => a.type === 'xstate.emit')
    .map((a) => (a.params as { event: unknown }).event);
  const nextState: NodeState = { up: true, value: next.value, context: next.context };
  const same = next === snapshot || nodeKey(nextState) === nodeKey(state);
  return { state: same ? state : nextState, effects, changed: !same || effects.length > 0 };
}

/** Every machine a role can run: the model's own and each mutant's replacement. */
function machinesOf(instance: Instance, role: string): [string, AnyStateMachine][] {
  const model = instance.model;
  const machines: [string, AnyStateMachine][] = [[role, model.roles[role]!.machine]];
  for (const [name, mutant] of Object.entries(model.mutants)) {
    const machine = mutant.roles[role]?.machine;
    if (machine !== undefined) machines.push([`${role} (${name})`, machine]);
  }
  return machines;
}

describe.each(suites.map((s) => [s.model.name, s] as const))('node fast path of %s', (_name, suite) => {
  const instance = resolveInstance(suite.model, {});
  const samples = sample(instance, 60, 30, 7);

  for (const [role, roleSamples] of samples) {
    for (const [label, machine] of machinesOf(instance, role)) {
      test(`${label}: the memoised step equals xstate's transition() on reached and recombined states`, () => {
        const { states, events, senders } = roleSamples;
        expect(states.length).toBeGreaterThan(0);
        expect(events.length).toBeGreaterThan(0);
        const stepper = new NodeStepper(machine);
        // Recombined states: a value and each context field taken from (possibly different) reached states.
        const fields = [...new Set(states.flatMap((s) => Object.keys(s.context)))].sort();
        const recombined = fc.record({
          value: fc.constantFrom(...states.map((s) => s.value)),
          picks: fc.array(fc.nat(states.length - 1), { minLength: fields.length, maxLength: fields.length }),
        }).map(({ value, picks }): NodeState => {
          const context: Record<string, unknown> = {};
          fields.forEach((f, j) => {
            const source = states[picks[j]!]!.context;
            if (f in source) context[f] = source[f];
          });
          return { up: true, value, context };
        });
        const state = fc.oneof(fc.constantFrom(...states), recombined);
        // Events as seen, or re-addressed from another sender (messages carry `from`).
        const event = fc
          .tuple(fc.constantFrom(...events), fc.constantFrom(...senders), fc.boolean())
          .map(([e, from, readdress]) => ('from' in e && readdress ? { ...e, from } : e));
        fc.assert(
          fc.property(state, event, fc.nat(2), (s, e, repeat) => {
            let expected: ReturnType<typeof reference>;
            try {
              expected = reference(machine, s, e);
            } catch (error) {
              // A recombined state xstate itself refuses: the fast path must refuse it too.
              expect(() => stepper.step(s, e)).toThrow();
              return;
            }
            // Ask the fast path once or more: later answers come from the memo.
            for (let r = 0; r <= repeat; r++) {
              const got = 'from' in e && typeof e.from === 'string'
                ? stepper.stepMessage(s, e.from, Object.fromEntries(Object.entries(e).filter(([k]) => k !== 'from')) as never)
                : stepper.step(s, e);
              expect(got.changed).toBe(expected.changed);
              expect(nodeKey(got.state)).toBe(nodeKey(expected.state));
              expect(canonical(got.effects)).toBe(canonical(expected.effects));
            }
          }),
          { numRuns: 200, seed: 8 },
        );
        expect(stepper.hits).toBeGreaterThan(0);
      });
    }
  }
});

/**
 * The world's environment fast path (env events kept per node state when the role's environment
 * function does not read its inbox, pre-filtered when the network is not a set) against asking
 * every role's environment function afresh and stepping each event through xstate.
 */
describe.each(suites.map((s) => [s.model.name, s] as const))('environment events of %s', (_name, suite) => {
  const configurations = [null, ...Object.keys(suite.model.presets ?? {})];
  test.each(configurations)('preset %s: the enabled environment events equal a fresh, uncached computation', (preset) => {
    const instance = resolveInstance(suite.model, { preset });
    const setNetwork = instance.faults.network === 'set';
    let x = 99;
    const next = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), x >>> 0);
    let compared = 0;
    for (let w = 0; w < 30; w++) {
      let world = initialWorld(instance);
      for (let k = 0; k < 25; k++) {
        const expected: unknown[] = [];
        instance.nodes.forEach((spec, i) => {
          const state = world.nodes[i]!;
          if (!state.up) return;
          const role = instance.roleOf[i]!;
          const view = { id: spec.id, role: spec.role, up: state.up, state: state.value, context: state.context };
          const inbox = world.network.filter((e) => e.to === spec.id);
          for (const event of role.environment(view, instance.params, inbox)) {
            const result = role.stepper.stepUncached(state, event);
            const keep = !setNetwork
              ? result.changed
              : result.changed &&
                (nodeKey(result.state) !== nodeKey(state) ||
                  result.effects.some((f) =>
                    f.type === 'send'
                      ? !world.network.some((e) => canonical([e.from, e.to, e.message]) === canonical([spec.id, f.to, f.message]))
                      : !world.observations.some((o) => canonical(o) === canonical(f.observation)),
                  ));
            if (keep) expected.push({ type: 'env', node: spec.id, event });
          }
        });
        const enabled = enabledActions(instance, world);
        expect(canonical(enabled.filter((a) => a.type === 'env'))).toBe(canonical(expected));
        compared++;
        if (enabled.length === 0) break;
        world = step(instance, world, enabled[next() % enabled.length]!);
      }
    }
    expect(compared).toBeGreaterThan(100);
  });
});

test('one state object stepped by two machines (the model and a mutant) keeps each machine its own answer', () => {
  const suite = suites.find((s) => s.model.name === 'two-phase-commit');
  if (suite === undefined) return;
  const correct = new NodeStepper(suite.model.roles.tm!.machine);
  const majority = new NodeStepper(suite.model.mutants['tm-commits-on-majority']!.roles.tm!.machine!);
  const state: NodeState = { up: true, value: 'init', context: { rms: ['rm1', 'rm2', 'rm3'], prepared: ['rm1', 'rm2'], decision: null } };
  const decide = { type: 'DecideCommit' };
  expect(correct.step(state, decide).changed).toBe(false);
  expect(majority.step(state, decide).changed).toBe(true);
  expect(correct.step(state, decide).changed).toBe(false);
  expect(majority.step(state, decide).changed).toBe(true);
});

describe('a machine that never settles', () => {
  test('raising an event for itself under a guard that stays true fails the step, not the heap', () => {
    const { createMachine, raise } = xstateApi;
    const loop = createMachine({ initial: 'on', states: { on: { on: { Ping: { actions: raise({ type: 'Ping' }) }, Stop: {} } } } });
    const stepper = new NodeStepper(loop);
    const start = stepper.initial({}).state;
    expect(() => stepper.step(start, { type: 'Ping' })).toThrow(/^the machine did not settle: more than 10,000 microsteps for one event/);
    // The stepper still answers events that settle.
    expect(stepper.step(start, { type: 'Stop' }).changed).toBe(false);
  });
});
