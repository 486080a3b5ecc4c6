/**
 * Lasso detection in random runs (liveness and deadlock, for `check`).
 *
 * A run that returns to a world it visited closes a loop. When the loop is fair (every
 * fairness class enabled in all of its worlds is taken in it) and a liveness property fails
 * along it (p held and q never after), the run is a real counterexample: report it. When a
 * run's choices are used up, it continues past its last fault (no faults, fair actions only,
 * the least recently taken class first) until it closes a loop, stutters (no fair action is
 * enabled: the empty loop) or reaches the continuation's length. A world where nothing but
 * faults is enabled, not terminal, is a deadlock.
 *
 * Random runs can find violations, never prove their absence: the result says how many lassos
 * were examined, not that liveness holds.
 */
import type { Action } from '../../engine/actions.js';
import { fairnessClass, isFault } from '../../engine/fairness.js';
import { worldFingerprint } from '../../engine/fingerprint.js';
import type { Instance } from '../../engine/instance.js';
import type { World } from '../../engine/world.js';
import { buildView, type WorldView } from '../../engine/view.js';
import { enabledActions, step } from '../../engine/fast-step.js';
import { isLiveness, livenessBits, type LivenessProperty } from '../../properties/liveness.js';
import { checkStep } from '../../properties/properties.js';
import { DEADLOCK, type Suite } from '../../properties/suite.js';
import { failingFromBits, isTerminal, neglectedClasses } from '../lasso.js';

/** A lasso found in a run: the run's actions up to where it closed, and where its loop starts. */
export interface FoundLasso {
  readonly property: string;
  readonly kind: 'liveness' | 'deadlock';
  readonly actions: readonly Action[];
  readonly loopStart: number;
}

/** Per run: the worlds and actions so far, and the step at which each world was first seen. */
export class LassoWatch {
  private readonly liveness: readonly LivenessProperty[];
  private readonly seen = new Map<string, number>();
  private readonly worlds: World[] = [];
  private readonly views: WorldView[] = [];
  private readonly actions: Action[] = [];
  /** Per liveness property, its bits at each world of the run (evaluated once per world). */
  private readonly bits: number[][];
  /** Loops closed (fair or not) and stutters examined, over all runs. */
  examined = 0;

  constructor(
    private readonly instance: Instance,
    private readonly suite: Suite,
    private readonly deadlock: boolean,
  ) {
    this.liveness = suite.properties.filter(isLiveness);
    this.bits = this.liveness.map(() => []);
  }

  /** True when the suite asks for anything this watch checks. */
  get active(): boolean {
    return this.liveness.length > 0 || this.deadlock;
  }

  /** Starts a run at `world`. */
  reset(world: World, view: WorldView): void {
    this.seen.clear();
    this.worlds.length = this.views.length = this.actions.length = 0;
    for (const b of this.bits) b.length = 0;
    this.visit(world, view);
  }

  /** Records that the run took `action` to `world`; returns a violating lasso it closed, if any. */
  stepped(action: Action, world: World, view: WorldView): FoundLasso | null {
    this.actions.push(action);
    if (this.liveness.length === 0) return null; // deadlocks need only the actions
    const key = keyOf(this.instance, world);
    const at = this.seen.get(key);
    if (at === undefined) {
      this.visit(world, view, key);
      return null;
    }
    // The loop worlds[at..] returns to worlds[at]: judge it, then go on from there (the world
    // keeps the number it was first seen at).
    this.push(world, view);
    return this.judgeLoop(at);
  }

  /** At a world where the run stops or goes on: a deadlock, or a stutter that violates liveness. */
  atRest(world: World, view: WorldView, enabled: readonly Action[]): FoundLasso | null {
    const noFair = enabled.every((a) => fairnessClass(this.instance, a) === null);
    if (this.deadlock && enabled.every(isFault) && !isTerminal(this.suite, view)) {
      // A liveness property failing here names what is missing better than "deadlock".
      return this.judgeStutter() ?? { property: DEADLOCK, kind: 'deadlock', actions: [...this.actions], loopStart: this.actions.length };
    }
    return noFair ? this.judgeStutter() : null;
  }

  /**
   * Continues a run past its last fault: fair actions only, the class taken least recently first,
   * until a loop closes or the world stutters (judged), or `limit` steps pass. Returns a lasso
   * that violates a property, or null.
   */
  continueFairly(world: World, limit: number): FoundLasso | null {
    if (this.liveness.length === 0) return null;
    const lastTaken = new Map<string, number>();
    for (let k = 0; k < limit; k++) {
      const enabled = enabledActions(this.instance, world);
      let best: Action | null = null;
      let bestAt = Infinity;
      for (const a of enabled) {
        const c = fairnessClass(this.instance, a);
        if (c === null) continue;
        const at = lastTaken.get(c) ?? -1;
        if (at < bestAt) (best = a), (bestAt = at);
      }
      if (best === null) return this.atRest(world, this.views[this.views.length - 1]!, enabled);
      lastTaken.set(fairnessClass(this.instance, best)!, k);
      const before = this.views[this.views.length - 1]!;
      world = step(this.instance, world, best);
      const view = buildView(this.instance, world);
      // The continuation is not the run's plan: where it breaks an invariant it stops (a lasso
      // through a safety violation is no liveness counterexample; the plans find that violation).
      if (checkStep(this.suite.properties, before, view, best) !== null) return null;
      const key = keyOf(this.instance, world);
      const closes = this.seen.has(key);
      const found = this.stepped(best, world, view);
      if (found !== null || closes) return found;
    }
    return null;
  }

  private visit(world: World, view: WorldView, key = keyOf(this.instance, world)): void {
    this.seen.set(key, this.worlds.length);
    this.push(world, view);
  }

  private push(world: World, view: WorldView): void {
    const initial = this.worlds.length === 0;
    this.worlds.push(world);
    this.views.push(view);
    for (let p = 0; p < this.liveness.length; p++) this.bits[p]!.push(livenessBits(this.liveness[p]!, view, initial));
  }

  private judgeLoop(at: number): FoundLasso | null {
    this.examined++;
    const end = this.worlds.length - 1;
    if (neglectedClasses(this.instance, this.worlds.slice(at, end), this.actions.slice(at)).length > 0) return null;
    return this.failing(at);
  }

  private judgeStutter(): FoundLasso | null {
    this.examined++;
    return this.failing(this.actions.length);
  }

  private failing(loopStart: number): FoundLasso | null {
    for (let p = 0; p < this.liveness.length; p++) {
      if (failingFromBits(this.bits[p]!, loopStart) !== null) return { property: this.liveness[p]!.name, kind: 'liveness', actions: [...this.actions], loopStart };
    }
    return null;
  }
}

function keyOf(instance: Instance, world: World): string {
  const f = worldFingerprint(instance, world);
  return `${f.hi}:${f.lo}`;
}
