/**
 * Which check catches a planted bug first, and after how many implementation steps: trace
 * validation of recorded runs (seeds 1, 2, ... until one is invalid) or the generated
 * conformance scenarios (in order, until one fails). Used by handwritten.test.ts and the README.
 */
import model from '../../models/two-phase-commit/index.js';
import suite from '../../properties/two-phase-commit/index.js';
import { generateScenarios, readLogs, resolveInstance, runConformance, validateLogs, type LogMapping, type RecordedLogs } from '../../src/index.js';
import { adapterFor } from './adapter.js';
import type { Bugs } from './bugs.js';
import { runCluster } from './cluster.js';
import mapping from './mapping.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const STEPS_PER_RUN = 40;
/** States each scenario search may visit (the fault-free one, then the one with faults). */
export const SCENARIO_STATES = 2_000;
const validation = resolveInstance(model, { config: { rms: 3 }, faults: { network: 'unordered', loss: 1_000_000, duplicate: 1_000_000, crash: 1_000_000, partition: 0 } });

/** A recorded run of the services, written as their log files and read back through the mapping. */
export function recordedRun(seed: number, bugs: Bugs): RecordedLogs {
  const dir = mkdtempSync(join(tmpdir(), 'protokit-2pc-'));
  const paths = [...runCluster({ seed, steps: STEPS_PER_RUN, bugs })].map(([node, lines]) => {
    const path = join(dir, `${node}.log`);
    writeFileSync(path, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    return path;
  });
  return readLogs(paths, mapping as LogMapping);
}

export interface Caught {
  /** The run (seed) or scenario that caught it; null: not caught. */
  readonly by: string | null;
  /** Implementation steps taken (log lines, or scenario steps) until the bug showed, over every run or scenario tried. */
  readonly steps: number;
  readonly detail: string;
}

export function caughtByValidation(bugs: Bugs, maxSeeds = 30): Caught {
  let steps = 0;
  for (let seed = 1; seed <= maxSeeds; seed++) {
    const result = validateLogs(validation, recordedRun(seed, bugs));
    if (result.verdict !== 'valid') {
      const u = result.unexplained;
      return { by: `seed ${seed}`, steps: steps + result.linesMatched + 1, detail: u ? `${u.node} step ${u.step}: ${u.event}: ${u.field} logged ${u.logged}, the model allows ${u.allowed.join(' or ') || 'nothing'}` : result.verdict };
    }
    steps += result.linesTotal;
  }
  return { by: null, steps, detail: '' };
}

const generated = new Map<string, ReturnType<typeof generateScenarios>>();
export function scenariosOf(role: 'tm' | 'rm') {
  if (!generated.has(role)) generated.set(role, generateScenarios(suite, resolveInstance(model, { config: { rms: 2 } }), role, SCENARIO_STATES));
  return generated.get(role)!;
}

export function caughtByConformance(bugs: Bugs, dir = join(tmpdir(), 'protokit-conformance')): Caught {
  let steps = 0;
  for (const role of ['tm', 'rm'] as const) {
    for (const scenario of scenariosOf(role).scenarios) {
      try {
        steps += runConformance(adapterFor(bugs), scenario, { rms: 2 }, dir).steps;
      } catch (error) {
        const message = (error as Error).message;
        return { by: `${role} scenario ${scenario.transition}`, steps: steps + Number(/step (\d+) of/.exec(message)?.[1] ?? 0), detail: message.split('\n')[0]! };
      }
    }
  }
  return { by: null, steps, detail: '' };
}
