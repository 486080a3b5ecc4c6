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
 * An invariant that throws is reported as a violation of that invariant, with the error.
 */
import type { Action } from '../engine/actions.js';
import type { WorldView } from '../engine/view.js';

export type Verdict = string | undefined | void;

export interface Invariant {
  readonly kind: 'always';
  readonly name: string;
  readonly description: string;
  readonly check: (world: WorldView) => Verdict;
}

export interface StepInvariant {
  readonly kind: 'always-step';
  readonly name: string;
  readonly description: string;
  readonly check: (before: WorldView, after: WorldView, action: Action) => Verdict;
}

export interface Witness {
  readonly kind: 'sometimes';
  readonly name: string;
  readonly description: string;
  readonly reached: (world: WorldView) => boolean;
}

export type Property = Invariant | StepInvariant | Witness;

/** Since 0.1.0. An invariant over every reachable world. */
export function always(name: string, description: string, check: Invariant['check']): Invariant {
  return { kind: 'always', name, description, check };
}

/** Since 0.1.0. An invariant over every step (the world before, the world after, the action). */
export function alwaysStep(name: string, description: string, check: StepInvariant['check']): StepInvariant {
  return { kind: 'always-step', name, description, check };
}

/** Since 0.1.0. A witness: some explored world must satisfy `reached`. */
export function sometimes(name: string, description: string, reached: Witness['reached']): Witness {
  return { kind: 'sometimes', name, description, reached };
}

export interface Violation {
  readonly property: string;
  readonly message: string;
}

/** The first invariant violated by the initial world, or null. */
export function checkInitial(properties: readonly Property[], world: WorldView): Violation | null {
  for (const p of properties) {
    if (p.kind !== 'always') continue;
    const v = guarded(p.name, () => p.check(world));
    if (v) return v;
  }
  return null;
}

/** The first invariant violated by a step (state invariants on `after`, then step invariants), or null. */
export function checkStep(properties: readonly Property[], before: WorldView, after: WorldView, action: Action): Violation | null {
  for (const p of properties) {
    if (p.kind === 'always') {
      const v = guarded(p.name, () => p.check(after));
      if (v) return v;
    } else if (p.kind === 'always-step') {
      const v = guarded(p.name, () => p.check(before, after, action));
      if (v) return v;
    }
  }
  return null;
}

function guarded(name: string, run: () => Verdict): Violation | null {
  try {
    const verdict = run();
    return typeof verdict === 'string' ? { property: name, message: verdict } : null;
  } catch (error) {
    return { property: name, message: `the invariant threw: ${error instanceof Error ? error.message : String(error)}` };
  }
}
