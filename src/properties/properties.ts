/**
 * Properties: what must hold, kept apart from the protocols.
 *
 * - `always(name, description, check)`: an invariant of every reachable world. `check` returns
 *   nothing when it holds, or a message saying what it saw ("rm2 committed while rm1 aborted").
 * - `alwaysStep(...)`: an invariant of every step, given the world before and after (for
 *   properties such as "a leader's log only grows").
 * - `sometimes(name, description, reached)`: a witness. A suite whose budget never reaches it
 *   fails, so a model that never decides anything cannot pass vacuously.
 *
 * - `eventually`/`leadsTo` (liveness.ts): what must happen, under the model's fairness.
 *
 * A property or a witness that throws is an error of the model (ModelError, exit 4), not a
 * violation: it names the property, and the explorer adds the step.
 *
 * Return forms are enforced, never guessed: an invariant returns `undefined` (it holds) or a
 * string (violated: what it saw); a witness returns a boolean. Anything else — `true`, `false`,
 * `42`, `null`, an object — is an error of the model (exit 4) saying what the property returns.
 * A predicate written for fast-check, `(w) => w.nodes.length > 1`, so fails at the first world
 * it is asked about instead of passing for ever (booleans are not read as verdicts: `false`
 * would then mean "violated" with nothing to say, and `true` could be a slip for a message).
 */
import type { Action } from '../engine/actions.js';
import type { WorldView } from '../engine/view.js';
import { ModelError, thrownMessage } from '../engine/errors.js';
import { booleanOf, verdictOf, type Violation } from './verdicts.js';
import type { LivenessProperty } from './liveness.js';

export type Verdict = string | undefined | void;

// The checks are declared as methods so that a property written for a typed view
// (`(w: ViewOf<typeof model>) => ...`) is still a Property of any suite: method parameters
// compare bivariantly. The kit only ever passes views of the suite's own model.

export interface Invariant {
  readonly kind: 'always';
  readonly name: string;
  readonly description: string;
  check(world: WorldView): Verdict;
  /**
   * Evidence saved with a violation in its trace, as plain JSON data a renderer shows (the
   * `linearizable` property's refuted history: `violation.history`). Called once, on the world
   * that violates it; `stepOf(i)` is the step of the trace at which observation `i` was made.
   */
  evidence?(world: WorldView, trace: { readonly stepOf: (observation: number) => number }): unknown;
}

export interface StepInvariant {
  readonly kind: 'always-step';
  readonly name: string;
  readonly description: string;
  check(before: WorldView, after: WorldView, action: Action): Verdict;
}

export interface Witness {
  readonly kind: 'sometimes';
  readonly name: string;
  readonly description: string;
  reached(world: WorldView): boolean;
}

export type Property = Invariant | StepInvariant | Witness | LivenessProperty;

/**
 * Since 0.1.0. An invariant over every reachable world. `check` returns `undefined` when it holds
 * or a string saying what it saw; any other value (a boolean, a number, an object) is an error of
 * the model (exit 4). Annotate `w` with `ViewOf<typeof model>`
 * to have each role's context typed: `always('x', '...', (w: View) => ...)`.
 */
export function always<W extends WorldView<any, any> = WorldView>(name: string, description: string, check: (world: W) => Verdict): Invariant {
  return { kind: 'always', name, description, check: check as Invariant['check'] };
}

/**
 * Since 0.1.0. An invariant over every step (the world before, the world after, the action);
 * `check` returns `undefined` or a message, as for `always`.
 */
export function alwaysStep<W extends WorldView<any, any> = WorldView>(name: string, description: string, check: (before: W, after: W, action: Action) => Verdict): StepInvariant {
  return { kind: 'always-step', name, description, check: check as StepInvariant['check'] };
}

/** Since 0.1.0. A witness: some explored world must satisfy `reached`, which returns `true` or `false` (anything else is an error of the model). */
export function sometimes<W extends WorldView<any, any> = WorldView>(name: string, description: string, reached: (world: W) => boolean): Witness {
  return { kind: 'sometimes', name, description, reached: reached as Witness['reached'] };
}

// The return forms (verdicts.ts) are re-exported here, beside the kinds they belong to.
export { booleanOf, verdictOf, type Violation };

/** The first invariant violated by the initial world, or null. */
export function checkInitial(properties: readonly Property[], world: WorldView): Violation | null {
  for (const p of properties) {
    if (p.kind !== 'always') continue;
    let verdict: Verdict;
    try {
      verdict = p.check(world);
    } catch (error) {
      throw threw(p.name, error);
    }
    const violation = verdictOf(p.name, verdict);
    if (violation !== null) return violation;
  }
  return null;
}

/**
 * The first invariant violated by a step (state invariants on `after`, then step invariants), or
 * null. It runs at every new world of a random run: written out, without `guarded`'s closure.
 */
export function checkStep(properties: readonly Property[], before: WorldView, after: WorldView, action: Action): Violation | null {
  for (const p of properties) {
    let verdict: Verdict;
    if (p.kind === 'always') {
      try {
        verdict = p.check(after);
      } catch (error) {
        throw threw(p.name, error);
      }
    } else if (p.kind === 'always-step') {
      try {
        verdict = p.check(before, after, action);
      } catch (error) {
        throw threw(p.name, error);
      }
    } else continue;
    const violation = verdictOf(p.name, verdict);
    if (violation !== null) return violation;
  }
  return null;
}

/** The error of a property that threw: an error of the model, naming the property. */
function threw(name: string, error: unknown): ModelError {
  return new ModelError(`property ${name} threw: ${thrownMessage(error)}`, null, { cause: error });
}

/** Runs an invariant: a violation, null when it holds; what it throws becomes a ModelError naming it. */
export function guarded(name: string, run: () => Verdict): Violation | null {
  let verdict: Verdict;
  try {
    verdict = run();
  } catch (error) {
    throw threw(name, error);
  }
  return verdictOf(name, verdict);
}

/** Whether witness `w` holds in `world`; what it throws becomes a ModelError naming it. */
export function reachedIn(w: Witness, world: WorldView): boolean {
  let value: unknown;
  try {
    value = w.reached(world);
  } catch (error) {
    throw new ModelError(`witness ${w.name} threw: ${thrownMessage(error)}`, null, { cause: error });
  }
  return booleanOf(`witness ${w.name}`, value);
}
