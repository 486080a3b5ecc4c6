/**
 * What the soundness sweep runs on the correct models (issue 22, point 2): every model's default
 * `check` at seeds 1–20, and every named configuration — the README's `explore` commands and its
 * table of pinned counts, each suite's small configuration, each preset under `check` and
 * `explore`. A violation there is a false alarm unless the suite declares it expected
 * (`expectedFailures`: the property, in that preset).
 */
import { suites } from '../properties/registry.js';
import type { FaultSettings } from '../src/engine/faults.js';

export interface SweepJob {
  /** A short name for the table. */
  readonly label: string;
  readonly model: string;
  /** The protokit arguments after the command name, without --json and --out. */
  readonly args: readonly string[];
  readonly command: 'check' | 'explore';
  /** For the seeds table: the seed of a default check. */
  readonly seed?: number;
}

export const SEEDS = Array.from({ length: 20 }, (_, k) => k + 1);

/**
 * A safety net for named searches whose state space has no end: the search then stops and says
 * so (inconclusive for liveness, reported as such), instead of running for ever.
 */
const EXPLORE_STATES = 400_000;

/** The README's explore commands and pinned configurations (the mutant examples left out: correct models only). */
const README_EXPLORES: readonly (readonly string[])[] = [
  ['two-phase-commit', '--config', 'preset=tla', '--config', 'rms=3'],
  ['two-phase-commit', '--config', 'preset=tla', '--config', 'rms=4'],
  ['two-phase-commit', '--config', 'preset=tla', '--config', 'rms=5'],
  ['two-phase-commit', '--config', 'preset=tla', '--config', 'rms=6'],
  ['two-phase-commit', '--config', 'preset=tla', '--symmetry'],
  ['two-phase-commit', '--config', 'rms=2', '--config', 'retry=false', '--faults', 'loss=1,crash=1'],
  ['paxos', '--config', 'preset=tla'],
  ['paxos', '--config', 'preset=tla', '--workers', '2'],
  ['paxos', '--config', 'preset=tla', '--config', 'maxBallot=2'],
  ['mapreduce', '--no-faults', '--config', 'workers=1', '--config', 'maps=2', '--config', 'reduces=1', '--config', 'attempts=1', '--config', 'retries=0'],
  ['paxos', '--no-faults', '--config', 'acceptors=3', '--config', 'proposers=1', '--config', 'learners=1', '--config', 'maxBallot=0'],
  ['paxos', '--no-faults', '--config', 'acceptors=3', '--config', 'proposers=2', '--config', 'learners=0', '--config', 'maxBallot=1'],
  ['raft', '--no-faults', '--config', 'maxTerm=1', '--config', 'maxLog=1', '--max-in-flight', '3'],
  ['raft', '--no-faults', '--config', 'maxTerm=1', '--config', 'maxLog=1', '--max-in-flight', '4'],
];

/** `--faults`/`--no-faults`/`--network` flags for a fault setting. */
export function faultFlags(f: FaultSettings): string[] {
  const network = ['--network', f.network];
  const counts = (['loss', 'duplicate', 'crash', 'partition'] as const).filter((k) => f[k] > 0).map((k) => `${k}=${f[k]}`);
  return counts.length === 0 ? ['--no-faults', ...network] : ['--faults', counts.join(','), ...network];
}

export function sweepJobs(): SweepJob[] {
  const jobs: SweepJob[] = [];
  for (const suite of suites) {
    const model = suite.model.name;
    for (const seed of SEEDS) jobs.push({ label: `check ${model} --seed ${seed}`, model, args: [model, '--seed', String(seed)], command: 'check', seed });
  }
  for (const args of README_EXPLORES) jobs.push({ label: `explore ${args.join(' ')}`, model: args[0]!, args: [...args, '--max-states', String(EXPLORE_STATES)], command: 'explore' });
  for (const suite of suites) {
    const model = suite.model.name;
    const small = suite.small;
    if (small !== undefined) {
      const args = [model, ...Object.entries(small.config).flatMap(([k, v]) => ['--config', `${k}=${v}`]), ...faultFlags(small.faults), ...(small.maxInFlight !== undefined ? ['--max-in-flight', String(small.maxInFlight)] : [])];
      jobs.push({ label: `explore ${args.join(' ')} (small configuration)`, model, args: [...args, '--max-states', String(EXPLORE_STATES)], command: 'explore' });
    }
    for (const preset of Object.keys(suite.model.presets ?? {})) {
      jobs.push({ label: `check ${model} --config preset=${preset}`, model, args: [model, '--config', `preset=${preset}`], command: 'check' });
      jobs.push({ label: `explore ${model} --config preset=${preset}`, model, args: [model, '--config', `preset=${preset}`, '--max-states', String(EXPLORE_STATES)], command: 'explore' });
    }
  }
  // A preset the README also names is run once.
  return jobs.filter((job, k) => jobs.findIndex((other) => other.command === job.command && other.args.join(' ') === job.args.join(' ')) === k);
}

/** Whether the suite declares this violation expected: the property, in the preset it names. */
export function declaredExpected(model: string, property: string, preset: string | null): boolean {
  const suite = suites.find((s) => s.model.name === model);
  return (suite?.expectedFailures ?? []).some((f) => f.property === property && f.preset === preset);
}
