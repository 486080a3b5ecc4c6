/**
 * How a random run chooses its actions: the plan fast-check generates for a run, and the
 * weighted pick that each of its choice numbers drives.
 *
 * A plan varies the run as a whole (swarm testing, Groce et al. 2012: a run that leaves some
 * features out goes deeper into the others):
 * - which fault kinds it may inject (each kind on or off);
 * - with the model's `exploration.quietNodes`, which nodes are *quiet*: their environment
 *   events (timeouts, client requests) are 8 times rarer in this run, so the other nodes drive
 *   it. When every node may time out at any step, elections keep interrupting each other; a run
 *   driven by a few nodes lets the same two lead in turn while the rest only vote and store,
 *   which is what Raft's Figure 8 is made of. Measured on Raft with 5 servers: about twice the
 *   runs reach an old-term commit next to a conflicting entry. It is opt-in because it costs
 *   bugs that need every node to act: Paxos' competing proposers, a Two-Phase Commit timeout
 *   race were 2–3 times rarer with it.
 *
 * Every part shrinks towards the plain run (no faults, no quiet node, shorter lists of smaller
 * numbers), so fast-check's shrinking still simplifies a counterexample.
 */
import fc from 'fast-check';
import type { Action, ActionType } from '../../engine/actions.js';
import { FAULT_KINDS, type FaultKind } from '../../engine/faults.js';
import type { Instance } from '../../engine/instance.js';

/** Relative weights of action kinds, and of environment events by type (overriding `env`). */
export interface Weights {
  readonly kinds: Readonly<Record<ActionType, number>>;
  readonly events: Readonly<Record<string, number>>;
  /** Whether runs draw quiet nodes (the model's `exploration.quietNodes`). */
  readonly quietNodes: boolean;
}

export interface RunPlan {
  /** Which fault kinds this run may inject (swarm). */
  readonly swarm: Readonly<Record<FaultKind, boolean>>;
  /** Per node, in cluster order: its environment events are rare in this run. */
  readonly quiet: readonly boolean[];
  /** One number per step, each picking among the actions enabled then. */
  readonly choices: readonly number[];
}

/** Relative weights of action kinds when the model's exploration hints do not say. */
export const DEFAULT_WEIGHTS: Required<Record<ActionType, number>> = {
  deliver: 8,
  env: 2,
  drop: 1,
  duplicate: 1,
  crash: 1,
  restart: 3,
  partition: 1,
  heal: 3,
};

/** The weights random runs use for a model: the defaults, overridden by its exploration hints. */
export function weightsOf(model: Instance['model']): Weights {
  return {
    kinds: { ...DEFAULT_WEIGHTS, ...(model.exploration?.weights ?? {}) },
    events: model.exploration?.eventWeights ?? {},
    quietNodes: model.exploration?.quietNodes ?? false,
  };
}

/** How much rarer a quiet node's environment events are. */
const QUIET_DIVISOR = 8;

/** The plans of runs of at most `depth` steps on `instance`'s cluster. */
export function planArbitrary(instance: Instance, depth: number, quietNodes: boolean): fc.Arbitrary<RunPlan> {
  const n = instance.nodes.length;
  return fc.record({
    swarm: fc.record(Object.fromEntries(FAULT_KINDS.map((k) => [k, fc.boolean()])) as Record<FaultKind, fc.Arbitrary<boolean>>),
    quiet: quietNodes ? fc.array(fc.boolean(), { minLength: n, maxLength: n }) : fc.constant(Array<boolean>(n).fill(false)),
    choices: fc.array(fc.nat(), { maxLength: depth, size: 'max' }),
  });
}

/** Picks a run's actions by weight; one per check (it keeps a scratch array, so it is not re-entrant). */
export class Chooser {
  private readonly scratch: number[] = [];
  /** Weights are scaled so that a quiet node's share stays a whole number (1 without quiet nodes). */
  private readonly scale: number;

  constructor(
    private readonly instance: Instance,
    private readonly weights: Weights,
  ) {
    this.scale = weights.quietNodes ? QUIET_DIVISOR : 1;
  }

  /** The action that `choice` selects among `enabled` under `plan`; undefined when none may be taken. */
  choose(enabled: readonly Action[], plan: RunPlan, choice: number): Action | undefined {
    const w = this.scratch;
    let total = 0;
    for (let i = 0; i < enabled.length; i++) total += w[i] = this.weightOf(enabled[i]!, plan);
    if (total === 0) return undefined;
    let at = choice % total;
    for (let i = 0; i < enabled.length; i++) {
      if (at < w[i]!) return enabled[i];
      at -= w[i]!;
    }
    return undefined;
  }

  /** An action's weight in this run: 0 for a fault kind the swarm leaves out. */
  private weightOf(a: Action, plan: RunPlan): number {
    const { kinds, events } = this.weights;
    const scale = this.scale;
    switch (a.type) {
      case 'deliver':
        return kinds.deliver * scale;
      case 'env': {
        const weight = events[a.event.type] ?? kinds.env;
        return plan.quiet[this.instance.indexOf.get(a.node)!] ? (weight * scale) / QUIET_DIVISOR : weight * scale;
      }
      case 'drop':
        return plan.swarm.loss ? kinds.drop * scale : 0;
      case 'duplicate':
        return plan.swarm.duplicate ? kinds.duplicate * scale : 0;
      case 'crash':
        return plan.swarm.crash ? kinds.crash * scale : 0;
      case 'partition':
        return plan.swarm.partition ? kinds.partition * scale : 0;
      case 'restart':
        return kinds.restart * scale;
      case 'heal':
        return kinds.heal * scale;
    }
  }
}
