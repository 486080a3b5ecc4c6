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
 * - how long it may be: its bound is drawn from a swarm of lengths, half to four times the
 *   suite's depth (`LENGTH_SWARM`), so that every budget has short runs (shallow bugs, found and
 *   shrunk fast) and long ones (bugs that need two elections, a crash and a second ballot); with
 *   one fixed bound and lengths uniform below it, half the runs stopped before the middle.
 *
 * Two strategies pick the actions of a run (`--strategy`):
 * - `random`: each step picks among the enabled actions by weight (the choice number decides);
 * - `pct`: probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte,
 *   ASPLOS 2010). Each *source* of actions (a node: the messages it receives, its environment
 *   events, its crash and restart; and the network as a whole: partitions and heals) gets a
 *   random priority, and at every step the enabled source of highest priority acts (its actions
 *   picked by weight); at d−1 random steps of the run (the change points) the source acting then
 *   drops below every other. A run of k steps over n sources then hits any given ordering of
 *   d events (a bug of depth d) with probability at least 1/(n·k^(d−1)) — for threads with one
 *   next action each; here a source may have several, picked by weight, so it is a guide, not a
 *   bound. Each run draws d from 1..PCT_MAX_DEPTH (a swarm over depths too).
 *
 * Every part shrinks towards the plain run (no faults, no quiet node, shorter lists of smaller
 * numbers), so fast-check's shrinking still simplifies a counterexample.
 */
import * as fc from 'fast-check';
import type { Action, ActionType } from '../../engine/actions.js';
import { FAULT_KINDS, type FaultKind } from '../../engine/faults.js';
import type { Instance } from '../../engine/instance.js';
import { CRASH, DELIVER, DROP, DUPLICATE, ENV, PARTITION, RESTART, type Packed } from '../../engine/packed.js';

/** Relative weights of action kinds, and of environment events by type (overriding `env`). */
export interface Weights {
  readonly kinds: Readonly<Record<ActionType, number>>;
  readonly events: Readonly<Record<string, number>>;
  /** Whether runs draw quiet nodes (the model's `exploration.quietNodes`). */
  readonly quietNodes: boolean;
}

/** The strategies `--strategy` accepts (`guided`: `random`'s choices, plans from a coverage corpus, guided.ts). */
export const STRATEGIES = ['random', 'pct', 'guided'] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** Multiples of the suite's depth a run's bound is drawn from (each equally likely). */
export const LENGTH_SWARM: readonly number[] = [0.5, 1, 2, 4];
/** The longest run a depth allows with the length swarm. */
export const longestRun = (depth: number): number => Math.ceil(depth * Math.max(...LENGTH_SWARM));

/** PCT: the largest bug depth d a run is drawn for (d − 1 priority change points). */
export const PCT_MAX_DEPTH = 3;

/** PCT's schedule for one run: a priority per source, and the steps where the acting source drops. */
export interface PctPlan {
  /** Per source (nodes in cluster order, then the network): higher acts first. */
  readonly priorities: readonly number[];
  /** Steps (0-based) at which the source acting drops below all others. */
  readonly changes: readonly number[];
}

export interface RunPlan {
  /** Which fault kinds this run may inject (swarm). */
  readonly swarm: Readonly<Record<FaultKind, boolean>>;
  /** Per node, in cluster order: its environment events are rare in this run. */
  readonly quiet: readonly boolean[];
  /** One number per step, each picking among the actions enabled then. */
  readonly choices: readonly number[];
  /** With the `pct` strategy: its schedule. */
  readonly pct?: PctPlan;
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

/**
 * The plans of runs on `instance`'s cluster whose bound is drawn from the length swarm over
 * `depth` (with `fixedDepth`, every run's bound is `depth` itself, as before the swarm).
 */
export function planArbitrary(instance: Instance, depth: number, quietNodes: boolean, strategy: Strategy = 'random', fixedDepth = false): fc.Arbitrary<RunPlan> {
  const n = instance.nodes.length;
  const bounds = fixedDepth ? [depth] : [...new Set(LENGTH_SWARM.map((m) => Math.max(1, Math.round(depth * m))))];
  const choices = fc.constantFrom(...bounds).chain((bound) => fc.array(fc.nat(), { maxLength: bound, size: 'max' }));
  const base = {
    swarm: fc.record(Object.fromEntries(FAULT_KINDS.map((k) => [k, fc.boolean()])) as Record<FaultKind, fc.Arbitrary<boolean>>),
    quiet: quietNodes ? fc.array(fc.boolean(), { minLength: n, maxLength: n }) : fc.constant(Array<boolean>(n).fill(false)),
    choices,
  };
  if (strategy !== 'pct') return fc.record(base);
  const longest = fixedDepth ? depth : longestRun(depth);
  const pct = fc.record({
    priorities: fc.array(fc.nat(), { minLength: n + 1, maxLength: n + 1 }),
    changes: fc.array(fc.nat({ max: Math.max(0, longest - 1) }), { maxLength: PCT_MAX_DEPTH - 1 }),
  });
  return fc.record({ ...base, pct });
}

/** Picks the actions of one run, step by step. */
export interface Schedule {
  next(enabled: readonly Action[], choice: number): Action | undefined;
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

  /** A schedule for one run of `plan`: what picks each of its actions (it holds PCT's priorities). */
  start(plan: RunPlan): Schedule {
    if (plan.pct === undefined) return { next: (enabled, choice) => this.choose(enabled, plan, choice) };
    const priorities = plan.pct.priorities.map((p, i) => p * (plan.pct!.priorities.length + 1) + i + PCT_MAX_DEPTH + 1);
    const changes = plan.pct.changes;
    let at = 0;
    return {
      next: (enabled, choice) => {
        const k = at++;
        const action = this.choosePct(enabled, plan, choice, priorities);
        if (action !== undefined) {
          // A change point: the source that acts now drops below every other (priorities 1..d-1).
          const change = changes.indexOf(k);
          if (change >= 0) priorities[this.sourceOf(action)] = change + 1;
        }
        return action;
      },
    };
  }

  /** PCT's pick: the enabled source of highest priority acts, its actions picked by weight. */
  private choosePct(enabled: readonly Action[], plan: RunPlan, choice: number, priorities: readonly number[]): Action | undefined {
    let best = -1;
    let bestPriority = -Infinity;
    for (const a of enabled) {
      if (this.weightOf(a, plan) === 0) continue;
      const s = this.sourceOf(a);
      if (priorities[s]! > bestPriority) {
        bestPriority = priorities[s]!;
        best = s;
      }
    }
    if (best < 0) return undefined;
    return this.choose(enabled, plan, choice, (a) => this.sourceOf(a) === best);
  }

  /** The source of an action for PCT: the node it happens at, or the network (index n). */
  private sourceOf(a: Action): number {
    const index = this.instance.indexOf;
    switch (a.type) {
      case 'deliver':
      case 'drop':
      case 'duplicate':
        return index.get(a.to)!;
      case 'env':
      case 'crash':
      case 'restart':
        return index.get(a.node)!;
      case 'partition':
      case 'heal':
        return this.instance.nodes.length;
    }
  }

  /** The action that `choice` selects among `enabled` under `plan`; undefined when none may be taken. */
  choose(enabled: readonly Action[], plan: RunPlan, choice: number, only?: (a: Action) => boolean): Action | undefined {
    const w = this.scratch;
    let total = 0;
    for (let i = 0; i < enabled.length; i++) total += w[i] = only && !only(enabled[i]!) ? 0 : this.weightOf(enabled[i]!, plan);
    if (total === 0) return undefined;
    let at = choice % total;
    for (let i = 0; i < enabled.length; i++) {
      if (at < w[i]!) return enabled[i];
      at -= w[i]!;
    }
    return undefined;
  }

  /**
   * `choose` over the last listing of `packed` (its `count` actions, by kind), without action
   * objects: the index of the action `choice` selects, or −1 when none may be taken. The same
   * weights in the same order as `choose`, so the same pick.
   */
  chooseListed(packed: Packed, count: number, plan: RunPlan, choice: number): number {
    const w = this.scratch;
    let total = 0;
    for (let a = 0; a < count; a++) total += w[a] = this.listedWeight(packed, a, plan);
    if (total === 0) return -1;
    let at = choice % total;
    for (let a = 0; a < count; a++) {
      if (at < w[a]!) return a;
      at -= w[a]!;
    }
    return -1;
  }

  /** `weightOf` of the listed action `a`. */
  private listedWeight(packed: Packed, a: number, plan: RunPlan): number {
    const { kinds, events } = this.weights;
    const scale = this.scale;
    switch (packed.kinds[a]) {
      case DELIVER:
        return kinds.deliver * scale;
      case ENV: {
        const weight = events[packed.eventTypeOf(packed.eventOf[a]!)] ?? kinds.env;
        return plan.quiet[packed.args[a]!] ? (weight * scale) / QUIET_DIVISOR : weight * scale;
      }
      case DROP:
        return plan.swarm.loss ? kinds.drop * scale : 0;
      case DUPLICATE:
        return plan.swarm.duplicate ? kinds.duplicate * scale : 0;
      case CRASH:
        return plan.swarm.crash ? kinds.crash * scale : 0;
      case PARTITION:
        return plan.swarm.partition ? kinds.partition * scale : 0;
      case RESTART:
        return kinds.restart * scale;
      default:
        return kinds.heal * scale;
    }
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
