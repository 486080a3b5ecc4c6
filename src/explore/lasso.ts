/**
 * Lassos: counterexamples to liveness. A lasso is a list of actions and `loopStart`: the
 * actions from `loopStart` on form a loop that returns to the world where it began, and the
 * behaviour repeats it forever. An empty loop (`loopStart` equal to the number of actions) is
 * the last world stuttering for ever, which a fair behaviour may do only where nothing fair is
 * enabled (a deadlock is the case where nothing but faults is enabled at all).
 *
 * `checkLasso` decides whether a lasso is a real violation: it replays, checks the loop closes,
 * that it is fair (weak fairness: every fairness class enabled in every world of the loop is
 * taken in it) and that the property fails along it. Random runs, replay and minimisation all
 * use it, so a lasso is judged the same way wherever it comes from.
 */
import type { Action } from '../engine/actions.js';
import { fairnessClass, isFault } from '../engine/fairness.js';
import type { Instance } from '../engine/instance.js';
import { describeLoop, isLiveness, livenessBits, P_BIT, Q_BIT, type LivenessProperty } from '../properties/liveness.js';

export { describeLoop };
import { DEADLOCK, type Suite } from '../properties/suite.js';
import { worldKey, type World } from '../engine/world.js';
import { viewOf, type WorldView } from '../engine/view.js';
import { enabledActions } from '../engine/packed.js';
import { execute } from './execute.js';

export type ViolationKind = 'safety' | 'liveness' | 'deadlock';

export interface LassoViolation {
  readonly property: string;
  readonly message: string;
  /** The number of actions: the violation is the whole behaviour. */
  readonly step: number;
  readonly kind: 'liveness' | 'deadlock';
  readonly loopStart: number;
}

export type LassoVerdict = { readonly violation: LassoViolation; readonly problem: null } | { readonly violation: null; readonly problem: string };

/** True when nothing but faults is enabled in `world` and the suite does not call it terminal. */
export function isDeadlock(instance: Instance, suite: Suite, world: World, view: WorldView = viewOf(instance, world)): boolean {
  return enabledActions(instance, world).every(isFault) && !isTerminal(suite, view);
}

export function isTerminal(suite: Suite, view: WorldView): boolean {
  if (suite.terminal === undefined) return false;
  try {
    return suite.terminal(view);
  } catch (error) {
    throw new Error(`the suite's terminal predicate threw: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The fairness classes enabled in every one of `worlds` that `taken` never takes: empty when a
 * loop through these worlds taking these actions is fair.
 */
export function neglectedClasses(instance: Instance, worlds: readonly World[], taken: readonly Action[]): string[] {
  let throughout: Set<string> | null = null;
  for (const world of worlds) {
    const here = new Set<string>();
    for (const a of enabledActions(instance, world)) {
      const c = fairnessClass(instance, a);
      if (c !== null && (throughout === null || throughout.has(c))) here.add(c);
    }
    throughout = here;
    if (throughout.size === 0) return [];
  }
  const takenClasses = new Set(taken.map((a) => fairnessClass(instance, a)));
  return [...(throughout ?? [])].filter((c) => !takenClasses.has(c));
}

/**
 * Where along a lasso's worlds (0..n, the loop's worlds repeating) the property fails: the first
 * index i where p holds and q never holds from i on. Null when the property holds on it.
 */
export function failingFrom(property: LivenessProperty, views: readonly WorldView[], loopStart: number): number | null {
  return failingFromBits(views.map((v, i) => livenessBits(property, v, i === 0)), loopStart);
}

/** As `failingFrom`, on the property's bits (P_BIT, Q_BIT) at each world of the lasso. */
export function failingFromBits(bits: readonly number[], loopStart: number): number | null {
  const n = bits.length - 1;
  // q anywhere in the loop is met infinitely often: the property holds.
  for (let j = loopStart; j <= n; j++) if (bits[j]! & Q_BIT) return null;
  let lastQ = -1;
  for (let j = 0; j <= n; j++) if (bits[j]! & Q_BIT) lastQ = j;
  for (let i = lastQ + 1; i <= n; i++) if (bits[i]! & P_BIT) return i;
  return null;
}

/** Decides whether `actions` with a loop from `loopStart` is a fair behaviour that violates `property`. */
export function checkLasso(instance: Instance, suite: Suite, actions: readonly Action[], loopStart: number, property: string): LassoVerdict {
  const n = actions.length;
  if (!Number.isInteger(loopStart) || loopStart < 0 || loopStart > n) return { violation: null, problem: `loopStart ${loopStart} is not between 0 and ${n}` };
  const run = execute(instance, suite.properties, actions);
  if (run.notEnabled) return { violation: null, problem: `action ${run.notEnabled.step} is not enabled` };
  if (run.violation) return { violation: null, problem: `${run.violation.property} is violated at step ${run.violation.step}, before the loop` };
  const worlds = run.worlds;
  if (loopStart < n && worldKey(instance, worlds[loopStart]!) !== worldKey(instance, worlds[n]!)) {
    return { violation: null, problem: `the loop does not return to the world of step ${loopStart}` };
  }
  const loopWorlds = loopStart < n ? worlds.slice(loopStart, n) : [worlds[n]!];
  const neglected = neglectedClasses(instance, loopWorlds, actions.slice(loopStart));
  if (neglected.length > 0) return { violation: null, problem: `the loop is not fair: ${neglected[0]} is enabled throughout and never taken` };
  const loop = describeLoop(loopStart, n);
  if (property === DEADLOCK) {
    if (loopStart !== n || !isDeadlock(instance, suite, worlds[n]!)) return { violation: null, problem: 'the last world is not a deadlock' };
    return { violation: { property, kind: 'deadlock', loopStart, step: n, message: `deadlock at step ${n}: nothing but faults is enabled, and the suite does not call this world terminal` }, problem: null };
  }
  const p = suite.properties.find((x) => x.name === property);
  if (p === undefined || !isLiveness(p)) return { violation: null, problem: `${property} is not a liveness property of the suite` };
  const views = worlds.map((w) => viewOf(instance, w));
  const from = failingFrom(p, views, loopStart);
  if (from === null) return { violation: null, problem: `${property} holds along the lasso` };
  const message =
    p.kind === 'eventually'
      ? `the behaviour never gets there: ${loop}`
      : `the obligation of step ${from} is never met (${p.description}); ${loop}`;
  return { violation: { property, kind: 'liveness', loopStart, step: n, message }, problem: null };
}
