/**
 * Coverage-guided scheduling (`--strategy guided`, issue 22), after P's feedback-guided scheduling
 * and fuzzers such as AFL: a run whose schedule reached something no run reached before is kept
 * in a corpus, and later runs start from its schedule (the same choices up to where it found
 * something new, then fresh ones), so the budget goes on extending what still grows coverage
 * instead of drawing every run from the initial state again.
 *
 * Coverage here is three sets, all independent of any model:
 * - node states: each node's state (its whole context) after each step, by the engine's memoised
 *   hash: the finest signal, which keeps growing for long in large models;
 * - transitions: (role, control state, event) for each step: what a node did in which state;
 * - abstract states: the control state of every node (or "down") with the kinds of message in
 *   flight: the shape of the world without its data; and the run's history so far as the
 *   observations the model made, by type, each counted up to 3 (two leaders elected, a node
 *   recovered after a decision): the shape of what happened.
 * A run's gain weighs them 1, 8 and 4: a new transition or shape is rarer, and says more, than a
 * new context.
 *
 * Runs alternate between fresh plans, drawn as the `random` strategy draws them, and mutations of
 * a corpus entry chosen by energy (what it found, and what its own mutations found, over how
 * often it was picked). A mutation keeps the entry's choices up to its frontier (the last step
 * that gained) and draws new ones after it, possibly past the plan's bound up to the longest run
 * the length swarm allows (a run that reached new states is worth going on from); or changes a
 * few choices; or switches one kind of fault on or off; or joins its prefix to another entry's
 * suffix. Every decision is drawn from fast-check's random source, so a seed replays the same
 * runs; the number of runs and steps is the budget the check was given.
 *
 * A failing mutated plan shrinks by its choices (shorter lists, smaller numbers); the concrete
 * actions are minimised afterwards as for any run (minimize.ts).
 */
import * as fc from 'fast-check';
import type { Action } from '../../engine/actions.js';
import { FAULT_KINDS } from '../../engine/faults.js';
import { FingerprintSet, hashOfNode } from '../../engine/fingerprint.js';
import type { Instance } from '../../engine/instance.js';
import type { World } from '../../engine/world.js';
import type { RunPlan } from './strategy.js';

/** Weights of a new node state, transition and abstract state in a run's gain. */
const GAIN = { nodeState: 1, transition: 8, abstractState: 4 } as const;
/** Observations of one type counted in a run's history shape, at most. */
const HISTORY_CAP = 3;
/** Runs drawn fresh before any mutation (the corpus needs something to start from). */
const WARMUP_RUNS = 32;
/** Of the runs after the warm-up, the percentage that mutate a corpus entry. */
const MUTATE_PERCENT = 50;
/** Entries the corpus keeps; past it, the one of least energy goes. */
const CORPUS_LIMIT = 256;
/** The largest choice number drawn (fast-check's nat() draws up to 2^31 − 1 as well). */
const MAX_CHOICE = 0x7fffffff;

interface Entry {
  readonly plan: RunPlan;
  /** The last step (0-based) at which the run gained coverage. */
  readonly frontier: number;
  readonly gain: number;
  /** How often it was picked to mutate, and how many of those mutations gained coverage. */
  picks: number;
  fruitful: number;
}

/** The context fast-check keeps with a mutated plan: the shrink context of its choices. */
interface Mutated {
  readonly mutated: true;
  readonly choices: unknown;
}
const isMutated = (c: unknown): c is Mutated => typeof c === 'object' && c !== null && (c as Mutated).mutated === true;

export interface GuideFigures {
  readonly corpus: number;
  readonly mutated: number;
  readonly nodeStates: number;
  readonly transitions: number;
  readonly abstractStates: number;
}

/** The figures of several configurations' guides (a sweep's) added up. */
export function sumGuideFigures(parts: readonly GuideFigures[]): GuideFigures {
  const sum = (k: keyof GuideFigures) => parts.reduce((n, p) => n + p[k], 0);
  return { corpus: sum('corpus'), mutated: sum('mutated'), nodeStates: sum('nodeStates'), transitions: sum('transitions'), abstractStates: sum('abstractStates') };
}

/** One check's coverage, corpus and plan source (one per configuration checked). */
export class Guide {
  private readonly nodeStates = new FingerprintSet();
  private readonly transitions = new Set<string>();
  private readonly shapes = new Set<string>();
  private readonly corpus: Entry[] = [];
  private generated = 0;
  private mutatedRuns = 0;
  /** The run in progress: its plan, the entry it was mutated from, its gain and frontier. */
  private plan: RunPlan | null = null;
  private parent: Entry | null = null;
  private pendingParent: Entry | null = null;
  private gain = 0;
  private frontier = -1;
  private at = 0;
  /** Observations of the run in progress by type (counted up to HISTORY_CAP). */
  private readonly history = new Map<string, number>();
  private readonly roleIndex: readonly number[];

  /**
   * @param longest the longest run a mutation may make (the length swarm's longest)
   * @param depth how many fresh choices a mutation may add after the prefix it keeps, at most
   * @param quietNodes whether plans draw quiet nodes (a mutation may then flip one)
   */
  constructor(
    private readonly instance: Instance,
    private readonly longest: number,
    private readonly depth: number,
    private readonly quietNodes: boolean,
  ) {
    const roles = [...new Set(instance.roleOf.map((r) => r.name))];
    this.roleIndex = instance.roleOf.map((r) => roles.indexOf(r.name));
  }

  /** Plans: `base`'s, and mutations of the corpus (see the module comment). */
  arbitrary(base: fc.Arbitrary<RunPlan>): fc.Arbitrary<RunPlan> {
    const choicesArb = fc.array(fc.nat(), { maxLength: this.longest });
    const guide = this;
    return new (class extends fc.Arbitrary<RunPlan> {
      generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<RunPlan> {
        const entry = guide.chooseParent(mrng);
        guide.pendingParent = entry;
        if (entry === null) return base.generate(mrng, biasFactor);
        guide.mutatedRuns++;
        return new fc.Value(guide.mutate(entry, mrng), { mutated: true, choices: undefined } satisfies Mutated);
      }
      canShrinkWithoutContext(value: unknown): value is RunPlan {
        return base.canShrinkWithoutContext(value);
      }
      shrink(value: RunPlan, context: unknown): fc.Stream<fc.Value<RunPlan>> {
        if (!isMutated(context)) return base.shrink(value, context);
        return choicesArb.shrink([...value.choices], context.choices).map((v) => new fc.Value({ ...value, choices: v.value }, { mutated: true, choices: v.context } satisfies Mutated));
      }
    })();
  }

  /** A run of `plan` begins (not while shrinking). */
  startRun(plan: RunPlan): void {
    this.plan = plan;
    // The parent chosen when fast-check generated this plan (it runs each plan right after generating it).
    this.parent = this.pendingParent;
    this.pendingParent = null;
    this.gain = 0;
    this.frontier = -1;
    this.at = 0;
    this.history.clear();
  }

  /** The run took `action` from `world` to `next`. */
  stepped(world: World, action: Action, next: World): void {
    const { instance } = this;
    let gained = 0;
    for (let i = 0; i < next.nodes.length; i++) {
      const s = next.nodes[i]!;
      if (s === world.nodes[i]) continue;
      const h = hashOfNode(instance, i, s);
      if (this.nodeStates.add({ hi: h.hi ^ Math.imul(i + 1, 0x9e3779b1), lo: h.lo })) gained += GAIN.nodeState;
    }
    const node = actingNode(instance, action);
    const role = node < 0 ? -1 : this.roleIndex[node]!;
    const before = node < 0 ? 'network' : controlOf(world.nodes[node]!);
    if (addNew(this.transitions, `${role}|${before}|${eventOf(action)}`)) gained += GAIN.transition;
    if (addNew(this.shapes, shapeOf(next))) gained += GAIN.abstractState;
    if (next.observations.length > world.observations.length && this.observed(next.observations.slice(world.observations.length))) gained += GAIN.abstractState;
    if (gained > 0) {
      this.gain += gained;
      this.frontier = this.at;
    }
    this.at++;
  }

  /** The run ended without a violation: a run that gained joins the corpus, and its parent is credited. */
  endRun(): void {
    if (this.plan === null) return;
    if (this.parent !== null && this.gain > 0) this.parent.fruitful++;
    if (this.gain > 0) this.keep({ plan: this.plan, frontier: this.frontier, gain: this.gain, picks: 0, fruitful: 0 });
    this.plan = null;
    this.parent = null;
  }

  /** Counts the run's new observations; true when its history took a shape no run had before. */
  private observed(added: World['observations']): boolean {
    let changed = false;
    for (const o of added) {
      const n = this.history.get(o.type) ?? 0;
      if (n < HISTORY_CAP) {
        this.history.set(o.type, n + 1);
        changed = true;
      }
    }
    if (!changed) return false;
    const key = [...this.history].map(([type, n]) => `${type}×${n}`).sort().join(',');
    return addNew(this.shapes, `history:${key}`);
  }

  figures(): GuideFigures {
    return { corpus: this.corpus.length, mutated: this.mutatedRuns, nodeStates: this.nodeStates.size, transitions: this.transitions.size, abstractStates: this.shapes.size };
  }

  /** The entry the next plan mutates, or null for a fresh plan. */
  private chooseParent(mrng: fc.Random): Entry | null {
    if (this.generated++ < WARMUP_RUNS || this.corpus.length === 0) return null;
    if (mrng.nextInt(0, 99) >= MUTATE_PERCENT) return null;
    let total = 0;
    for (const e of this.corpus) total += energy(e);
    let at = (mrng.nextInt(0, 0x3fffffff) / 0x40000000) * total;
    for (const e of this.corpus) {
      at -= energy(e);
      if (at < 0) {
        e.picks++;
        return e;
      }
    }
    const last = this.corpus[this.corpus.length - 1]!;
    last.picks++;
    return last;
  }

  private mutate(entry: Entry, mrng: fc.Random): RunPlan {
    const { plan } = entry;
    const choices = plan.choices;
    const op = mrng.nextInt(0, 9);
    if (op <= 5) {
      // Go on from where it found something new: the prefix up to its frontier, then fresh choices.
      const cut = Math.min(choices.length, entry.frontier + 1);
      return { ...plan, choices: [...choices.slice(0, cut), ...this.fresh(mrng, cut)] };
    }
    if (op <= 7 && choices.length > 0) {
      // A few steps taken differently, the rest of the schedule as it was.
      const next = [...choices];
      const changes = mrng.nextInt(1, 3);
      for (let k = 0; k < changes; k++) next[mrng.nextInt(0, next.length - 1)] = mrng.nextInt(0, MAX_CHOICE);
      return { ...plan, choices: next };
    }
    if (op === 8) {
      // One kind of fault switched (or, with quiet nodes, one node's quietness), the schedule kept.
      const quietFlip = this.quietNodes && plan.quiet.length > 0 && mrng.nextInt(0, 1) === 1;
      if (quietFlip) {
        const i = mrng.nextInt(0, plan.quiet.length - 1);
        return { ...plan, quiet: plan.quiet.map((q, j) => (j === i ? !q : q)) };
      }
      const kind = FAULT_KINDS[mrng.nextInt(0, FAULT_KINDS.length - 1)]!;
      return { ...plan, swarm: { ...plan.swarm, [kind]: !plan.swarm[kind] } };
    }
    // Its prefix up to a random step, another entry's choices after it.
    const other = this.corpus[mrng.nextInt(0, this.corpus.length - 1)]!.plan.choices;
    const cut = mrng.nextInt(0, Math.min(choices.length, other.length));
    return { ...plan, choices: [...choices.slice(0, cut), ...other.slice(cut)].slice(0, this.longest) };
  }

  /** Fresh choices after a prefix of `kept`: between one and `depth` of them, within the longest run. */
  private fresh(mrng: fc.Random, kept: number): number[] {
    const room = this.longest - kept;
    if (room <= 0) return [];
    const count = mrng.nextInt(1, Math.min(room, this.depth));
    return Array.from({ length: count }, () => mrng.nextInt(0, MAX_CHOICE));
  }

  private keep(entry: Entry): void {
    if (this.corpus.length < CORPUS_LIMIT) {
      this.corpus.push(entry);
      return;
    }
    let weakest = 0;
    for (let i = 1; i < this.corpus.length; i++) if (energy(this.corpus[i]!) < energy(this.corpus[weakest]!)) weakest = i;
    this.corpus[weakest] = entry;
  }
}

/** What an entry is worth mutating: what it and its mutations found, over how often it was picked. */
const energy = (e: Entry): number => (e.gain + 4 * e.fruitful) / (1 + e.picks);

function addNew(set: Set<string>, key: string): boolean {
  if (set.has(key)) return false;
  set.add(key);
  return true;
}

/** The node an action happens at (-1: the network as a whole). */
function actingNode(instance: Instance, a: Action): number {
  switch (a.type) {
    case 'deliver':
    case 'drop':
    case 'duplicate':
      return instance.indexOf.get(a.to) ?? -1;
    case 'env':
    case 'crash':
    case 'restart':
      return instance.indexOf.get(a.node) ?? -1;
    case 'partition':
    case 'heal':
      return -1;
  }
}

/** The event of an action as a node sees it: a message type, an environment event, or the fault. */
function eventOf(a: Action): string {
  switch (a.type) {
    case 'deliver':
      return a.message.type;
    case 'drop':
    case 'duplicate':
      return `${a.type}:${a.message.type}`;
    case 'env':
      return a.event.type;
    default:
      return a.type;
  }
}

/** A node's control state: its state value (not its context), or `down`. */
function controlOf(s: World['nodes'][number]): string {
  if (!s.up) return 'down';
  return typeof s.value === 'string' ? s.value : JSON.stringify(s.value);
}

/** The world's shape: every node's control state and the kinds of message in flight. */
function shapeOf(w: World): string {
  let key = '';
  for (const s of w.nodes) key += controlOf(s) + ',';
  const types: string[] = [];
  for (const e of w.network) if (!types.includes(e.message.type)) types.push(e.message.type);
  return key + '|' + types.sort().join(',');
}
