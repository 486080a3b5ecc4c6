/**
 * Random exploration throughput: world steps and runs per second of `checkRandom` on each
 * registered model's default configuration, with its default faults and with none; and, for
 * Two-Phase Commit, the kit against a plain hand-written random walk of the same protocol
 * (bench/baselines/two-phase-commit-walk.ts) in the same process, round by round.
 *
 * The walk is run two ways: on the very plans fast-check draws for the kit (so it takes the
 * same steps and counts the same distinct states, which is checked), and on a plain xorshift
 * generator with no fast-check at all (the cheapest possible random walk).
 */
import { suites } from '../../properties/registry.js';
import { checkRandom } from '../../src/explore/random/random.js';
import { NO_FAULTS, type FaultSettings } from '../../src/engine/faults.js';
import { TwoPhaseCommitWalk } from '../baselines/two-phase-commit-walk.js';
import { median, perSecond, si, table, time, verdict } from '../measure.js';
import { forEachPlan } from '../plans.js';
import type { Suite } from '../../src/properties/suite.js';
import { resolveInstance } from '../../src/engine/instance.js';
import { initialWorld, step } from '../../src/engine/packed.js';

/** Whether the model's Recovered observations carry what the node found in its log (they did not at first). */
function recoveredCarriesLog(suite: Suite): boolean {
  const instance = resolveInstance(suite.model, { faults: { network: 'unordered', loss: 0, duplicate: 0, crash: 1, partition: 0 } });
  const rm = instance.nodes.find((n) => n.role === 'rm')!.id;
  const world = step(instance, step(instance, initialWorld(instance), { type: 'crash', node: rm }), { type: 'restart', node: rm });
  const recovered = world.observations.find((o) => o.type === 'Recovered');
  return recovered !== undefined && 'status' in recovered;
}

const RUNS = 1000;
const REPEATS = 3;
/** Issue 24: the kit at least half as fast as the plain walk on the same plans. */
const TARGET_VS_WALK = 0.5;

function throughput(suite: Suite, faults: FaultSettings | undefined) {
  const samples = Array.from({ length: REPEATS }, (_, r) => {
    const run = time(() => checkRandom(suite, { runs: RUNS, seed: r + 1, ...(faults ? { faults } : {}) }));
    return { result: run.value, cpuMs: run.cpuMs };
  });
  const last = samples[samples.length - 1]!.result;
  return {
    steps: last.steps,
    distinct: last.distinctStates,
    violation: last.violation?.property ?? null,
    stepsPerSec: median(samples.map((s) => perSecond(s.result.steps, s.cpuMs))),
    runsPerSec: median(samples.map((s) => perSecond(s.result.runs, s.cpuMs))),
  };
}

/** The kit and the two walks on Two-Phase Commit, `rounds` times alternated; medians of each and of the ratios. */
function againstPlainWalk(suite: Suite, rounds: number, runs: number) {
  const depth = suite.budget.depth;
  const rms = Number(suite.model.params.rms?.default ?? 3);
  const kit: number[] = [];
  const walkPlans: number[] = [];
  const walkPlain: number[] = [];
  const ratioPlans: number[] = [];
  const ratioPlain: number[] = [];
  let checked = { steps: 0, distinct: 0 };
  const carriesLog = recoveredCarriesLog(suite);
  for (let r = 0; r < rounds; r++) {
    const seed = 100 + r;
    const engine = time(() => checkRandom(suite, { runs, seed }));
    const result = engine.value;
    if (result.violation !== null) throw new Error(`two-phase-commit violated ${result.violation.property}; the benchmark needs the correct model`);
    const walk = new TwoPhaseCommitWalk(rms, result.faults, carriesLog);
    const fed = time(() => forEachPlan(depth, runs, seed, (plan) => walk.run(plan.swarm, plan.choices)));
    if (walk.steps !== result.steps || walk.distinct.size !== result.distinctStates) {
      throw new Error(`the plain walk diverged from the kit: ${walk.steps} steps and ${walk.distinct.size} states against ${result.steps} and ${result.distinctStates}`);
    }
    checked = { steps: result.steps, distinct: result.distinctStates };
    const plain = new TwoPhaseCommitWalk(rms, result.faults, carriesLog);
    let x = (0x9e3779b9 ^ seed) >>> 0;
    const next = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), x >>> 1);
    const own = time(() => {
      for (let i = 0; i < runs; i++) {
        const swarm = { loss: (next() & 1) === 1, duplicate: (next() & 1) === 1, crash: (next() & 1) === 1, partition: (next() & 1) === 1 };
        plain.runWith(swarm, next() % (depth + 1), next);
      }
    });
    const k = perSecond(result.steps, engine.cpuMs);
    const p = perSecond(walk.steps, fed.cpuMs);
    const q = perSecond(plain.steps, own.cpuMs);
    kit.push(k);
    walkPlans.push(p);
    walkPlain.push(q);
    ratioPlans.push(k / p);
    ratioPlain.push(k / q);
  }
  return {
    runs,
    rounds,
    checkedEqual: checked,
    kitStepsPerSec: median(kit),
    walkOnKitPlansStepsPerSec: median(walkPlans),
    plainWalkStepsPerSec: median(walkPlain),
    kitOverWalkOnKitPlans: median(ratioPlans),
    kitOverPlainWalk: median(ratioPlain),
  };
}

export default {
  title: 'Random exploration',
  async run() {
    const rows: (string | number)[][] = [];
    const json: unknown[] = [];
    for (const suite of suites) {
      for (const [label, faults] of [
        ['model default', undefined],
        ['none', NO_FAULTS],
      ] as const) {
        const t = throughput(suite, faults);
        rows.push([suite.model.name, label, t.steps, t.distinct, si(t.stepsPerSec), si(t.runsPerSec), t.violation ?? '—']);
        json.push({ model: suite.model.name, faults: label, runs: RUNS, ...t });
      }
    }
    const tpc = suites.find((s) => s.model.name === 'two-phase-commit');
    const versus = tpc === undefined ? null : againstPlainWalk(tpc, 5, 3000);
    const markdown = [
      `\`checkRandom\` on each model's default configuration and budget depth, ${RUNS} runs, seeds 1–${REPEATS}; steps and runs per second of CPU time (median).`,
      '',
      table(['model', 'faults', 'steps', 'distinct states', 'steps/s', 'runs/s', 'violation'], rows),
      '',
      ...(versus === null
        ? []
        : [
            `### Two-Phase Commit against a plain random walk`,
            '',
            `${versus.rounds} rounds of ${versus.runs} runs each, the three alternated in one process; medians of rates and of per-round ratios.`,
            `The walk fed the kit's plans took exactly the kit's steps and counted the same distinct states (last round: ${versus.checkedEqual.steps} steps, ${versus.checkedEqual.distinct} states).`,
            '',
            table(
              ['explorer', 'steps/s', 'kit ÷ explorer'],
              [
                ['protokit `checkRandom` (xstate machines, fast-check plans)', si(versus.kitStepsPerSec), '—'],
                ['plain walk on the kit\'s fast-check plans', si(versus.walkOnKitPlansStepsPerSec), `${(100 * versus.kitOverWalkOnKitPlans).toFixed(0)}%`],
                ['plain walk on a xorshift generator (no fast-check)', si(versus.plainWalkStepsPerSec), `${(100 * versus.kitOverPlainWalk).toFixed(0)}%`],
              ],
            ),
            '',
            `The kit against the plain walk on the same plans: **${(100 * versus.kitOverWalkOnKitPlans).toFixed(0)}%** of its steps per CPU-second — target ≥ ${100 * TARGET_VS_WALK}%: **${verdict(versus.kitOverWalkOnKitPlans, TARGET_VS_WALK)}**.`,
          ]),
    ].join('\n');
    return { markdown, json: { models: json, twoPhaseCommitVersusPlainWalk: versus, targetVsWalk: TARGET_VS_WALK } };
  },
};
