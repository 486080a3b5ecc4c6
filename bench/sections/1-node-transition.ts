/**
 * Node transition cost: events per second for each role of each registered model, through
 * - the engine's path (NodeStepper: interned states, memoised transitions), warm as in a run;
 * - xstate's plain `transition(machine, snapshot, event)` (snapshots resolved beforehand);
 * - a hand-written reducer of the same logic, for the models that have one (bench/baselines).
 * The workload is the node steps of seeded random walks (bench/samples.ts). Before timing, the
 * reducers' answers are checked against the engine's on every sample.
 */
import { transition, type AnyMachineSnapshot } from 'xstate';
import { suites } from '../../properties/registry.js';
import { canonical } from '../../src/engine/canonical.js';
import { resolveInstance } from '../../src/engine/instance.js';
import { nodeKey, type NodeStepper } from '../../src/engine/node-step.js';
import { reducers } from '../baselines/two-phase-commit-reducers.js';
import { median, perSecond, si, table, time } from '../measure.js';
import { sampleNodeSteps, type NodeSample } from '../samples.js';

/** Events/s of `pass` (one pass over `count` samples), median of `repeats`, each at least `minMs` of CPU. */
function rate(count: number, pass: () => void, repeats: number, minMs: number): number {
  pass(); // warm up
  const rates: number[] = [];
  for (let r = 0; r < repeats; r++) {
    let passes = 0;
    let cpu = 0;
    while (cpu < minMs) {
      cpu += time(pass).cpuMs;
      passes++;
    }
    rates.push(perSecond(count * passes, cpu));
  }
  return median(rates);
}

function enginePass(stepper: NodeStepper, samples: readonly NodeSample[]): () => void {
  return () => {
    for (const s of samples) {
      if (s.delivery !== null) stepper.stepMessage(s.state, s.delivery.from, s.delivery.message);
      else stepper.step(s.state, s.event);
    }
  };
}

export default {
  title: 'Node transition cost',
  async run() {
    const rows: (string | number)[][] = [];
    const json: unknown[] = [];
    for (const suite of suites) {
      const instance = resolveInstance(suite.model, {});
      const samplesByRole = sampleNodeSteps(instance, 150, 30, 11);
      for (const [role, samples] of [...samplesByRole].sort(([a], [b]) => a.localeCompare(b))) {
        const resolved = instance.roleOf.find((r) => r.name === role)!;
        const machine = resolved.machine;
        const snapshots: AnyMachineSnapshot[] = samples.map((s) => machine.resolveState({ value: s.state.value!, context: s.state.context }));
        const engine = rate(samples.length, enginePass(resolved.stepper, samples), 5, 60);
        const xstate = rate(
          samples.length,
          () => {
            for (let j = 0; j < samples.length; j++) transition(machine, snapshots[j]!, samples[j]!.event);
          },
          3,
          150,
        );
        const reducer = reducers[suite.model.name]?.[role];
        let handWritten: number | null = null;
        if (reducer !== undefined) {
          for (const s of samples) {
            const want = resolved.stepper.step(s.state, s.event);
            const got = reducer(s.state, s.event);
            if (got.changed !== want.changed || nodeKey(got.state) !== nodeKey(want.state) || canonical(got.effects) !== canonical(want.effects)) {
              throw new Error(`the ${suite.model.name} ${role} reducer differs from the machine on ${canonical([s.state, s.event])}`);
            }
          }
          handWritten = rate(
            samples.length,
            () => {
              for (const s of samples) reducer(s.state, s.event);
            },
            5,
            60,
          );
        }
        rows.push([
          suite.model.name,
          role,
          samples.length,
          si(engine),
          si(xstate),
          `${(engine / xstate).toFixed(1)}×`,
          handWritten === null ? '—' : si(handWritten),
          handWritten === null ? '—' : `${((100 * engine) / handWritten).toFixed(0)}%`,
        ]);
        json.push({ model: suite.model.name, role, samples: samples.length, engineEventsPerSec: engine, xstateTransitionEventsPerSec: xstate, engineOverXstate: engine / xstate, reducerEventsPerSec: handWritten });
      }
    }
    const markdown = [
      'Events per second (CPU time), median of repeated passes over the node steps of 150 seeded random walks of each model\'s default configuration.',
      '"engine" is the path random and exhaustive search use (memoised, warm); "xstate" calls `transition()` per event on pre-resolved snapshots;',
      '"reducer" is hand-written code of the same logic (checked equal to the machine on every sample).',
      '',
      table(['model', 'role', 'samples', 'engine ev/s', 'xstate transition() ev/s', 'engine ÷ xstate', 'reducer ev/s', 'engine ÷ reducer'], rows),
    ].join('\n');
    return { markdown, json };
  },
};
