/**
 * `Find`: from the world the user stands in, search onward for a world where a chosen property
 * fails (an invariant, a step invariant) or is met (a witness), with the engine's own stepping.
 * Two searches, both bounded, so a request always ends:
 * - breadth-first: every world reachable from here, up to a number of distinct states and a
 *   depth; what it finds is a shortest continuation. When a bound stops it first, it says so.
 * - random: seeded random runs (fast-check draws the choices; the same seed draws the same
 *   runs) up to a number of runs and a depth, the continuation it finds then shortened by
 *   dropping the actions it does not need.
 * Liveness properties are decided over whole behaviours (`protokit explore` and `check`), not
 * from one world: Find refuses them with a line saying so.
 */
import * as fc from 'fast-check';
import type { Action } from '../engine/actions.js';
import { canonical } from '../engine/canonical.js';
import { UsageError } from '../engine/errors.js';
import { enabledActions, initialWorld, step } from '../engine/packed.js';
import { FingerprintSet, worldFingerprint } from '../engine/fingerprint.js';
import type { Instance } from '../engine/instance.js';
import { viewOf, type WorldView } from '../engine/view.js';
import type { World } from '../engine/world.js';
import type { Property } from '../properties/properties.js';

export type FindMode = 'bfs' | 'random';

export interface FindOptions {
  readonly property: string;
  readonly mode: FindMode;
  /** Breadth-first: distinct states to visit at most. */
  readonly maxStates: number;
  /** Breadth-first: actions from here at most; random: actions per run. */
  readonly depth: number;
  /** Random: runs at most. */
  readonly runs: number;
  readonly seed: number;
}

export const FIND_LIMITS = { maxStates: 500_000, depth: 1_000, runs: 100_000 } as const;
export const FIND_DEFAULTS = { maxStates: 50_000, depth: 60, runs: 2_000, seed: 1 } as const;
/** Steps the random search's shortening may take (each candidate is re-run from the start world). */
const SHORTEN_STEPS = 200_000;

export interface FindResult {
  readonly property: string;
  /** The actions from the start world to the world found (empty when it is the start world), or null. */
  readonly found: readonly Action[] | null;
  /** What the property said there (a violation's message), or why nothing was found. */
  readonly message: string;
  /** False when a bound stopped the search before it was done (nothing found does not mean none exists). */
  readonly complete: boolean;
  /** Distinct states visited (breadth-first) or runs made (random), and steps taken. */
  readonly states: number;
  readonly runs: number;
  readonly steps: number;
}

/** A target: what the property says about a step (`before` null at the start world), null when it is not hit. */
type Hit = (before: WorldView | null, after: WorldView, action: Action | null) => string | null;

function targetOf(properties: readonly Property[], name: string): Hit {
  const p = properties.find((x) => x.name === name);
  if (p === undefined) throw new UsageError(`unknown property '${name}' (accepted: ${properties.map((x) => x.name).join(', ')})`);
  switch (p.kind) {
    case 'always':
      return (_, after) => verdictText(p.check(after));
    case 'always-step':
      return (before, after, action) => (before === null || action === null ? null : verdictText(p.check(before, after, action)));
    case 'sometimes':
      return (_, after) => (p.reached(after) ? `${p.name} is reached: ${p.description}` : null);
    default:
      throw new UsageError(`${p.name} is a liveness property (${p.kind}): Find looks for invariant violations and witnesses; decide liveness with protokit explore or check`);
  }
}

const verdictText = (verdict: unknown) => (typeof verdict === 'string' ? verdict : null);

export function find(instance: Instance, properties: readonly Property[], start: World, options: FindOptions): FindResult {
  const hit = targetOf(properties, options.property);
  const here = hit(null, viewOf(instance, start), null);
  if (here !== null) return { property: options.property, found: [], message: here, complete: true, states: 1, runs: 0, steps: 0 };
  return options.mode === 'bfs' ? breadthFirst(instance, hit, start, options) : randomRuns(instance, hit, start, options);
}

function breadthFirst(instance: Instance, hit: Hit, start: World, options: FindOptions): FindResult {
  // Each world remembers its parent and the action from it; the continuation is read back from there.
  const worlds: World[] = [start];
  const parents: number[] = [-1];
  const via: (Action | null)[] = [null];
  const seen = new FingerprintSet();
  seen.add(worldFingerprint(instance, start));
  let steps = 0;
  let cut = false;
  const back = (at: number): Action[] => {
    const actions: Action[] = [];
    for (let k = at; parents[k]! >= 0; k = parents[k]!) actions.push(via[k]!);
    return actions.reverse();
  };
  let levelEnd = 1;
  let depth = 0;
  for (let at = 0; at < worlds.length; at++) {
    if (at === levelEnd) {
      depth++;
      levelEnd = worlds.length;
    }
    if (depth >= options.depth) {
      cut = true;
      break;
    }
    const world = worlds[at]!;
    const before = viewOf(instance, world);
    for (const action of enabledActions(instance, world)) {
      const next = step(instance, world, action);
      steps++;
      const message = hit(before, viewOf(instance, next), action);
      if (message !== null) {
        return { property: options.property, found: [...back(at), action], message, complete: true, states: seen.size, runs: 0, steps };
      }
      if (!seen.add(worldFingerprint(instance, next))) continue;
      if (seen.size > options.maxStates) {
        cut = true;
        break;
      }
      worlds.push(next);
      parents.push(at);
      via.push(action);
    }
    if (cut) break;
  }
  const states = Math.min(seen.size, options.maxStates);
  const message = cut
    ? `not found in ${states.toLocaleString('en-US')} states within ${options.depth} steps from here: a bound cut the search short (raise the states or depth bound)`
    : `not found: no world reachable from here (${states.toLocaleString('en-US')} states) hits ${options.property}`;
  return { property: options.property, found: null, message, complete: !cut, states, runs: 0, steps };
}

function randomRuns(instance: Instance, hit: Hit, start: World, options: FindOptions): FindResult {
  let steps = 0;
  for (let run = 0; run < options.runs; run++) {
    const [choices] = fc.sample(fc.array(fc.nat(), { minLength: options.depth, maxLength: options.depth }), { seed: runSeed(options.seed, run), numRuns: 1 });
    let world = start;
    const taken: Action[] = [];
    for (const choice of choices!) {
      const enabled = enabledActions(instance, world);
      if (enabled.length === 0) break;
      const action = enabled[choice % enabled.length]!;
      const next = step(instance, world, action);
      steps++;
      taken.push(action);
      const message = hit(viewOf(instance, world), viewOf(instance, next), action);
      if (message !== null) {
        const shortest = shorten(instance, hit, start, taken);
        return { property: options.property, found: shortest.actions, message: shortest.message ?? message, complete: true, states: 0, runs: run + 1, steps };
      }
      world = next;
    }
  }
  return {
    property: options.property,
    found: null,
    message: `not found in ${options.runs.toLocaleString('en-US')} random runs of ${options.depth} steps from here (seed ${options.seed}): random runs never show that none exists`,
    complete: false,
    states: 0,
    runs: options.runs,
    steps,
  };
}

/** The actions of one seeded random run of up to `depth` steps from the initial world (the same seed, the same run). */
export function randomRun(instance: Instance, seed: number, depth: number): Action[] {
  const [choices] = fc.sample(fc.array(fc.nat(), { minLength: depth, maxLength: depth }), { seed, numRuns: 1 });
  let world = initialWorld(instance);
  const taken: Action[] = [];
  for (const choice of choices!) {
    const enabled = enabledActions(instance, world);
    if (enabled.length === 0) break;
    const action = enabled[choice % enabled.length]!;
    world = step(instance, world, action);
    taken.push(action);
  }
  return taken;
}

/** Run `run`'s seed: distinct per run, the same for the same seed on every machine. */
const runSeed = (seed: number, run: number) => (Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) + Math.imul(run + 1, 0x9e3779b1)) | 0;

/** The first step along `actions` from `start` that hits the target, with its message; null when none does or an action is not enabled. */
function firstHit(instance: Instance, hit: Hit, start: World, actions: readonly Action[], budget: { steps: number }): { at: number; message: string } | null {
  let world = start;
  for (let k = 0; k < actions.length; k++) {
    const key = canonical(actions[k]);
    const action = enabledActions(instance, world).find((a) => canonical(a) === key);
    if (action === undefined) return null;
    const next = step(instance, world, action);
    budget.steps--;
    const message = hit(viewOf(instance, world), viewOf(instance, next), action);
    if (message !== null) return { at: k + 1, message };
    world = next;
  }
  return null;
}

/** Drops the actions the hit does not need, one at a time, pass after pass until none goes, while the step budget lasts. */
function shorten(instance: Instance, hit: Hit, start: World, actions: readonly Action[]): { actions: Action[]; message: string | null } {
  let best = [...actions];
  let message: string | null = null;
  const budget = { steps: SHORTEN_STEPS };
  let dropped = true;
  while (dropped && budget.steps > 0) {
    dropped = false;
    for (let i = best.length - 1; i >= 0 && budget.steps > 0; i--) {
      if (i >= best.length) continue;
      const candidate = [...best.slice(0, i), ...best.slice(i + 1)];
      const found = firstHit(instance, hit, start, candidate, budget);
      if (found !== null) {
        best = candidate.slice(0, found.at);
        message = found.message;
        dropped = true;
      }
    }
  }
  return { actions: best, message };
}
