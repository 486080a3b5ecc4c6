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
 *
 * Speed: the caller passes each world's fingerprint (it has computed it anyway) and, where it has
 * one, its view; the liveness bits of a world are kept by fingerprint (they are a function of the
 * world, as invariants are), so a world met before needs no view; a loop is judged fair on the
 * enabled actions recorded for its worlds as the run went; and the continuation steps through a
 * `Walk`, which random.ts serves from its transition cache. None of this changes a verdict.
 */
import type { Action } from '../../engine/actions.js';
import { fairnessClass, isFault } from '../../engine/fairness.js';
import { worldFingerprint, type Fingerprint } from '../../engine/fingerprint.js';
import type { Instance } from '../../engine/instance.js';
import type { World } from '../../engine/world.js';
import { buildView, type WorldView } from '../../engine/view.js';
import { enabledActions, step } from '../../engine/fast-step.js';
import { isLiveness, livenessBits, type LivenessProperty } from '../../properties/liveness.js';
import { checkStep } from '../../properties/properties.js';
import { DEADLOCK, type Suite } from '../../properties/suite.js';
import { failingFromBits, isTerminal } from '../lasso.js';

/** A lasso found in a run: the run's actions up to where it closed, and where its loop starts. */
export interface FoundLasso {
  readonly property: string;
  readonly kind: 'liveness' | 'deadlock';
  readonly actions: readonly Action[];
  readonly loopStart: number;
}

/** How a continuation lists a world's enabled actions and takes a step (random.ts serves both from its cache). */
export interface Walk {
  enabled(world: World, fingerprint: Fingerprint): readonly Action[];
  step(world: World, fingerprint: Fingerprint, action: Action): { readonly world: World; readonly fingerprint: Fingerprint };
}

/** The plain walk: every list and step computed. */
export const plainWalk = (instance: Instance): Walk => ({
  enabled: (world) => enabledActions(instance, world),
  step: (world, _f, action) => {
    const next = step(instance, world, action);
    return { world: next, fingerprint: worldFingerprint(instance, next) };
  },
});

/** Worlds whose liveness bits are kept, at most (past it, bits of new worlds are evaluated each time). */
const BITS_LIMIT = 200_000;

/** Per run: the worlds and actions so far, and the step at which each world was first seen. */
export class LassoWatch {
  private readonly liveness: readonly LivenessProperty[];
  private readonly seen = new Map<string, number>();
  private readonly worlds: World[] = [];
  /** The enabled actions at each world of the run, where the run listed them (for judging loops). */
  private readonly enabledAt: (readonly Action[] | undefined)[] = [];
  private readonly actions: Action[] = [];
  /** Per liveness property, its bits at each world of the run (evaluated once per world). */
  private readonly bits: number[][];
  /** The liveness bits of worlds met before (not as the initial world), by fingerprint key: over all runs. */
  private readonly bitsOf = new Map<string, readonly number[]>();
  /** The view of the run's last world, when the caller had one. */
  private lastView: WorldView | null = null;
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

  /** Starts a run at `world` (of fingerprint `f`). */
  reset(world: World, f: Fingerprint, view: WorldView): void {
    this.seen.clear();
    this.worlds.length = this.enabledAt.length = this.actions.length = 0;
    for (const b of this.bits) b.length = 0;
    this.lastView = view;
    this.visit(world, keyOf(f), view);
  }

  /**
   * Records that the run took `action` to `world` (of fingerprint `f`; `view` is its view, or
   * null when the caller did not need one); returns a violating lasso it closed, if any.
   */
  stepped(action: Action, world: World, f: Fingerprint, view: WorldView | null): FoundLasso | null {
    this.actions.push(action);
    this.lastView = view;
    if (this.liveness.length === 0) return null; // deadlocks need only the actions
    const key = keyOf(f);
    const at = this.seen.get(key);
    if (at === undefined) {
      this.visit(world, key, view);
      return null;
    }
    // The loop worlds[at..] returns to worlds[at]: judge it, then go on from there (the world
    // keeps the number it was first seen at).
    this.push(world, key, view);
    return this.judgeLoop(at);
  }

  /**
   * At a world where the run stops or goes on (the run's last, with its enabled actions, and its
   * view or null): a deadlock, or a stutter that violates liveness.
   */
  atRest(world: World, view: WorldView | null, enabled: readonly Action[]): FoundLasso | null {
    this.enabledAt[this.worlds.length - 1] = enabled;
    const noFair = enabled.every((a) => fairnessClass(this.instance, a) === null);
    if (this.deadlock && enabled.every(isFault) && !isTerminal(this.suite, view ?? buildView(this.instance, world))) {
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
  continueFairly(world: World, f: Fingerprint, limit: number, walk: Walk = plainWalk(this.instance)): FoundLasso | null {
    if (this.liveness.length === 0) return null;
    const lastTaken = new Map<string, number>();
    for (let k = 0; k < limit; k++) {
      const enabled = walk.enabled(world, f);
      this.enabledAt[this.worlds.length - 1] = enabled;
      let best: Action | null = null;
      let bestAt = Infinity;
      for (const a of enabled) {
        const c = fairnessClass(this.instance, a);
        if (c === null) continue;
        const at = lastTaken.get(c) ?? -1;
        if (at < bestAt) (best = a), (bestAt = at);
      }
      if (best === null) return this.atRest(world, this.lastView, enabled);
      lastTaken.set(fairnessClass(this.instance, best)!, k);
      const before = this.lastView ?? buildView(this.instance, world);
      const next = walk.step(world, f, best);
      world = next.world;
      f = next.fingerprint;
      const view = buildView(this.instance, world);
      // The continuation is not the run's plan: where it breaks an invariant it stops (a lasso
      // through a safety violation is no liveness counterexample; the plans find that violation).
      if (checkStep(this.suite.properties, before, view, best) !== null) return null;
      const closes = this.seen.has(keyOf(f));
      const found = this.stepped(best, world, f, view);
      if (found !== null || closes) return found;
    }
    return null;
  }

  private visit(world: World, key: string, view: WorldView | null): void {
    this.seen.set(key, this.worlds.length);
    this.push(world, key, view);
  }

  private push(world: World, key: string, view: WorldView | null): void {
    const initial = this.worlds.length === 0;
    this.worlds.push(world);
    this.enabledAt.push(undefined);
    const n = this.liveness.length;
    if (n === 0) return;
    // The initial world's bits differ (an `eventually` starts there): never taken from, nor put in, the store.
    let bits = initial ? undefined : this.bitsOf.get(key);
    if (bits === undefined) {
      const v = view ?? buildView(this.instance, world);
      const computed: number[] = [];
      for (let p = 0; p < n; p++) computed.push(livenessBits(this.liveness[p]!, v, initial));
      if (!initial && this.bitsOf.size < BITS_LIMIT) this.bitsOf.set(key, computed);
      bits = computed;
    }
    for (let p = 0; p < n; p++) this.bits[p]!.push(bits[p]!);
  }

  private judgeLoop(at: number): FoundLasso | null {
    this.examined++;
    const end = this.worlds.length - 1;
    if (this.neglected(at, end)) return null;
    return this.failing(at);
  }

  /**
   * Whether some fairness class is enabled in every world of worlds[at..end) and taken by none of
   * the loop's actions (lasso.ts's `neglectedClasses`, on the enabled actions the run recorded).
   */
  private neglected(at: number, end: number): boolean {
    let throughout: Set<string> | null = null;
    for (let i = at; i < end; i++) {
      const here = new Set<string>();
      for (const a of this.enabledAt[i] ?? enabledActions(this.instance, this.worlds[i]!)) {
        const c = fairnessClass(this.instance, a);
        if (c !== null && (throughout === null || throughout.has(c))) here.add(c);
      }
      throughout = here;
      if (throughout.size === 0) return false;
    }
    if (throughout === null) return false;
    for (let i = at; i < this.actions.length; i++) throughout.delete(fairnessClass(this.instance, this.actions[i]!) as string);
    return throughout.size > 0;
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

function keyOf(f: Fingerprint): string {
  return `${f.hi}:${f.lo}`;
}
