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
 * `Walk`, which random.ts serves from its packing (the run's fingerprints). None of this changes a verdict.
 * Inside, fairness classes are small integers (judging a loop marks them in a typed array instead
 * of building a set of strings per world), worlds are found by fingerprint in typed-array tables
 * (fingerprint-table.ts: no string or object per world), and each world's liveness bits are
 * packed into one number.
 */
import type { Action } from '../../engine/actions.js';
import { FairnessClasses, isFault } from '../../engine/fairness.js';
import type { Fingerprint } from '../../engine/fingerprint.js';
import type { Instance } from '../../engine/instance.js';
import type { World } from '../../engine/world.js';
import { buildView, type WorldView } from '../../engine/view.js';
import { enabledActions } from '../../engine/packed.js';
import { isLiveness, livenessBits, P_BIT, Q_BIT, type LivenessProperty } from '../../properties/liveness.js';
import { checkStep } from '../../properties/properties.js';
import { DEADLOCK, type Suite } from '../../properties/suite.js';
import { isTerminal } from '../lasso.js';
import { FingerprintTable } from './fingerprint-table.js';

/** A lasso found in a run: the run's actions up to where it closed, and where its loop starts. */
export interface FoundLasso {
  readonly property: string;
  readonly kind: 'liveness' | 'deadlock';
  readonly actions: readonly Action[];
  readonly loopStart: number;
}

/** How a continuation lists a world's enabled actions and takes a step, with the fingerprints the run uses (random.ts: its packing's). */
export interface Walk {
  enabled(world: World, fingerprint: Fingerprint): readonly Action[];
  step(world: World, fingerprint: Fingerprint, action: Action): { readonly world: World; readonly fingerprint: Fingerprint };
  /**
   * True only for a world known to satisfy every state invariant (checked before in this very
   * exploration): the continuation then checks only step invariants there, and builds no view
   * unless something reads it. Absent: every world is checked.
   */
  passed?(world: World, fingerprint: Fingerprint): boolean;
}

/** Worlds whose liveness bits are kept, at most (past it, bits of new worlds are evaluated each time). */
const BITS_LIMIT = 200_000;

/** Liveness properties whose bits (2 each) share one packed number: 15 keeps it a small integer. */
const PER_WORD = 15;

/** Per run: the worlds and actions so far, and the step at which each world was first seen. */
export class LassoWatch {
  private readonly liveness: readonly LivenessProperty[];
  private readonly stepInvariants: Suite['properties'];
  /** Numbers of 2 bits per liveness property each, per world: how many per world. */
  private readonly words: number;
  /** The step at which each world of the run was first seen, by fingerprint. */
  private readonly seen = new FingerprintTable(1);
  private readonly worlds: World[] = [];
  /** The enabled actions at each world of the run, where the run listed them (for judging loops). */
  private readonly enabledAt: (readonly Action[] | undefined)[] = [];
  private readonly actions: Action[] = [];
  /** The liveness bits of every world of the run (`words` numbers each; evaluated once per world). */
  private readonly bits: number[] = [];
  /** The liveness bits of worlds met before (not as the initial world), by fingerprint: over all runs. */
  private readonly bitsOf: FingerprintTable;
  /** The view of the run's last world, when the caller had one. */
  private lastView: WorldView | null = null;
  /** Fairness classes as small integers (−1: not fair); a caller recording listings (`atRestListed`) numbers classes with these. */
  readonly classes: FairnessClasses;
  /** The fairness class of each action enabled at each world of the run, once asked for. */
  private readonly classesAt: (Int32Array | undefined)[] = [];
  /**
   * Or, for worlds whose listing the caller recorded (`atRestListed`), their class ids in one
   * arena: `listedStart[i]` (−1: not recorded) and `listedLength[i]`. No array per world.
   */
  private listed = new Int32Array(1024);
  private listedUsed = 0;
  private readonly listedStart: number[] = [];
  private readonly listedLength: number[] = [];
  /** Per class, a mark for judging loops (see `neglected`), and the mark of the next judgement. */
  private marks = new Int32Array(256);
  private epoch = 1;
  /** Loops closed (fair or not) and stutters examined, over all runs. */
  examined = 0;

  constructor(
    private readonly instance: Instance,
    private readonly suite: Suite,
    private readonly deadlock: boolean,
  ) {
    this.liveness = suite.properties.filter(isLiveness);
    this.stepInvariants = suite.properties.filter((p) => p.kind === 'always-step');
    this.words = Math.ceil(this.liveness.length / PER_WORD);
    this.classes = new FairnessClasses(instance);
    // Sized for the worlds a default check meets (it grows past them): growing from small re-adds every entry at each doubling.
    this.bitsOf = new FingerprintTable(Math.max(1, this.words), 1 << 16);
  }

  /** True when the suite asks for anything this watch checks. */
  get active(): boolean {
    return this.liveness.length > 0 || this.deadlock;
  }

  /** Starts a run at `world` (of fingerprint `f`). */
  reset(world: World, f: Fingerprint, view: WorldView): void {
    this.seen.clear();
    this.worlds.length = this.enabledAt.length = this.classesAt.length = this.actions.length = this.bits.length = 0;
    this.listedStart.length = this.listedLength.length = 0;
    this.listedUsed = 0;
    this.lastView = view;
    this.visit(world, f, view);
  }

  /**
   * Records that the run took `action` to `world` (of fingerprint `f`; `view` is its view, or
   * null when the caller did not need one); returns a violating lasso it closed, if any.
   */
  stepped(action: Action, world: World, f: Fingerprint, view: WorldView | null): FoundLasso | null {
    this.actions.push(action);
    this.lastView = view;
    if (this.liveness.length === 0) return null; // deadlocks need only the actions
    const slot = this.seen.find(f);
    if (slot < 0) {
      this.visit(world, f, view);
      return null;
    }
    // The loop worlds[at..] returns to worlds[at]: judge it, then go on from there (the world
    // keeps the number it was first seen at).
    this.push(world, f, view);
    return this.judgeLoop(this.seen.value(slot));
  }

  /**
   * At a world where the run stops or goes on (the run's last, with its enabled actions, and its
   * view or null): a deadlock, or a stutter that violates liveness.
   */
  atRest(world: World, view: WorldView | null, enabled: readonly Action[]): FoundLasso | null {
    this.enabledAt[this.worlds.length - 1] = enabled;
    if (this.deadlock && enabled.every(isFault) && !isTerminal(this.suite, view ?? buildView(this.instance, world))) {
      // A liveness property failing here names what is missing better than "deadlock".
      return this.judgeStutter() ?? { property: DEADLOCK, kind: 'deadlock', actions: [...this.actions], loopStart: this.actions.length };
    }
    return this.noFair(enabled) ? this.judgeStutter() : null;
  }

  /**
   * `atRest` for a caller that listed the run's last world itself: `classIds[0..count)` are the
   * fairness class ids of its enabled actions (numbered by `classes`), `onlyFaults` whether every
   * one of them is a fault. The same verdicts as `atRest`, without an action array per world.
   */
  atRestListed(world: World, view: WorldView | null, classIds: Int32Array, count: number, onlyFaults: boolean): FoundLasso | null {
    const here = this.worlds.length - 1;
    while (this.listedUsed + count > this.listed.length) {
      const bigger = new Int32Array(this.listed.length * 2);
      bigger.set(this.listed);
      this.listed = bigger;
    }
    let anyFair = false;
    for (let k = 0; k < count; k++) {
      const c = classIds[k]!;
      this.listed[this.listedUsed + k] = c;
      if (c >= 0) anyFair = true;
    }
    this.listedStart[here] = this.listedUsed;
    this.listedLength[here] = count;
    this.listedUsed += count;
    if (this.deadlock && onlyFaults && !isTerminal(this.suite, view ?? buildView(this.instance, world))) {
      return this.judgeStutter() ?? { property: DEADLOCK, kind: 'deadlock', actions: [...this.actions], loopStart: this.actions.length };
    }
    return anyFair ? null : this.judgeStutter();
  }

  /**
   * Continues a run past its last fault: fair actions only, the class taken least recently first,
   * until a loop closes or the world stutters (judged), or `limit` steps pass. Returns a lasso
   * that violates a property, or null.
   */
  continueFairly(world: World, f: Fingerprint, limit: number, walk: Walk): FoundLasso | null {
    if (this.liveness.length === 0) return null;
    const lastTaken = new Map<number, number>();
    for (let k = 0; k < limit; k++) {
      const enabled = walk.enabled(world, f);
      const here = this.worlds.length - 1;
      this.enabledAt[here] = enabled;
      const classes = (this.classesAt[here] = this.classesOf(enabled));
      let best = -1;
      let bestAt = Infinity;
      for (let i = 0; i < classes.length; i++) {
        const c = classes[i]!;
        if (c < 0) continue;
        const at = lastTaken.get(c) ?? -1;
        if (at < bestAt) (best = i), (bestAt = at);
      }
      if (best < 0) return this.atRest(world, this.lastView, enabled);
      const action = enabled[best]!;
      lastTaken.set(classes[best]!, k);
      const from = world;
      const next = walk.step(world, f, action);
      world = next.world;
      f = next.fingerprint;
      // The continuation is not the run's plan: where it breaks an invariant it stops (a lasso
      // through a safety violation is no liveness counterexample; the plans find that violation).
      // A world that passed the state invariants before can break only a step invariant.
      let view: WorldView | null = null;
      if (walk.passed?.(world, f) !== true) {
        view = buildView(this.instance, world);
        if (checkStep(this.suite.properties, this.lastView ?? buildView(this.instance, from), view, action) !== null) return null;
      } else if (this.stepInvariants.length > 0) {
        view = buildView(this.instance, world);
        if (checkStep(this.stepInvariants, this.lastView ?? buildView(this.instance, from), view, action) !== null) return null;
      }
      const closes = this.seen.find(f) >= 0;
      const found = this.stepped(action, world, f, view);
      if (found !== null || closes) return found;
    }
    return null;
  }

  /** The fairness class of each of `enabled` (−1 for an action that is not fair). */
  private classesOf(enabled: readonly Action[]): Int32Array {
    const classes = new Int32Array(enabled.length);
    for (let i = 0; i < enabled.length; i++) classes[i] = this.classes.idOf(enabled[i]!);
    return classes;
  }

  /** Whether none of `enabled` is fair. */
  private noFair(enabled: readonly Action[]): boolean {
    for (let i = 0; i < enabled.length; i++) if (this.classes.idOf(enabled[i]!) >= 0) return false;
    return true;
  }

  private visit(world: World, f: Fingerprint, view: WorldView | null): void {
    this.seen.setValue(this.seen.add(f), 0, this.worlds.length);
    this.push(world, f, view);
  }

  private push(world: World, f: Fingerprint, view: WorldView | null): void {
    const initial = this.worlds.length === 0;
    this.worlds.push(world);
    this.enabledAt.push(undefined);
    this.classesAt.push(undefined);
    this.listedStart.push(-1);
    this.listedLength.push(0);
    const n = this.liveness.length;
    if (n === 0) return;
    // The initial world's bits differ (an `eventually` starts there): never taken from, nor put in, the store.
    const known = initial ? -1 : this.bitsOf.find(f);
    if (known >= 0) {
      for (let w = 0; w < this.words; w++) this.bits.push(this.bitsOf.value(known, w));
      return;
    }
    const v = view ?? buildView(this.instance, world);
    const start = this.bits.length;
    for (let w = 0; w < this.words; w++) this.bits.push(0);
    for (let p = 0; p < n; p++) this.bits[start + ((p / PER_WORD) | 0)] |= livenessBits(this.liveness[p]!, v, initial) << (2 * (p % PER_WORD));
    if (!initial && this.bitsOf.size < BITS_LIMIT) {
      const slot = this.bitsOf.add(f);
      for (let w = 0; w < this.words; w++) this.bitsOf.setValue(slot, w, this.bits[start + w]!);
    }
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
   * A class's mark is `base + j` when it was enabled in each of the loop's first j worlds; marks
   * of earlier judgements are all below `base`, so nothing needs clearing.
   */
  private neglected(at: number, end: number): boolean {
    if (end <= at) return false;
    if (this.epoch > 0x3fffffff - (end - at) - 2) {
      this.marks.fill(0);
      this.epoch = 1;
    }
    const base = this.epoch;
    this.epoch += end - at + 2;
    let survivors = 0;
    for (let i = at; i < end; i++) {
      let classes: Int32Array;
      let from = this.listedStart[i]!;
      let to: number;
      if (from >= 0) {
        classes = this.listed;
        to = from + this.listedLength[i]!;
      } else {
        classes = this.classesAt[i] ??= this.classesOf(this.enabledAt[i] ?? enabledActions(this.instance, this.worlds[i]!));
        from = 0;
        to = classes.length;
      }
      this.growMarks();
      const marks = this.marks;
      const before = base + (i - at);
      const after = before + 1;
      survivors = 0;
      for (let k = from; k < to; k++) {
        const c = classes[k]!;
        if (c < 0) continue;
        const m = marks[c]!;
        // In the first world every fair class starts (once); after it, only those enabled so far go on.
        if (i === at ? m !== after : m === before) {
          marks[c] = after;
          survivors++;
        }
      }
      if (survivors === 0) return false;
    }
    const full = base + (end - at);
    const marks = this.marks;
    for (let i = at; i < this.actions.length; i++) {
      const c = this.classes.idOf(this.actions[i]!);
      if (c >= 0 && c < marks.length && marks[c] === full) {
        marks[c] = full - 1;
        survivors--;
      }
    }
    return survivors > 0;
  }

  /** Makes room for a mark per fairness class known so far. */
  private growMarks(): void {
    if (this.classes.size <= this.marks.length) return;
    const grown = new Int32Array(Math.max(this.classes.size, this.marks.length * 2));
    grown.set(this.marks);
    this.marks = grown;
  }

  private judgeStutter(): FoundLasso | null {
    this.examined++;
    return this.failing(this.actions.length);
  }

  private failing(loopStart: number): FoundLasso | null {
    for (let p = 0; p < this.liveness.length; p++) {
      if (this.failingFrom(p, loopStart)) return { property: this.liveness[p]!.name, kind: 'liveness', actions: [...this.actions], loopStart };
    }
    return null;
  }

  /** lasso.ts's `failingFromBits` for property `p` on the run's packed bits: whether it fails along the lasso. */
  private failingFrom(p: number, loopStart: number): boolean {
    const bits = this.bits;
    const words = this.words;
    const word = (p / PER_WORD) | 0;
    const shift = 2 * (p % PER_WORD);
    const n = bits.length / words - 1;
    // q anywhere in the loop is met infinitely often: the property holds.
    for (let j = loopStart; j <= n; j++) if ((bits[j * words + word]! >>> shift) & Q_BIT) return false;
    let lastQ = -1;
    for (let j = loopStart - 1; j >= 0; j--) {
      if ((bits[j * words + word]! >>> shift) & Q_BIT) {
        lastQ = j;
        break;
      }
    }
    for (let i = lastQ + 1; i <= n; i++) if ((bits[i * words + word]! >>> shift) & P_BIT) return true;
    return false;
  }
}
