/**
 * Every property's verdict at each step of a path, as the page shows it: an invariant holds or
 * is violated in this world (and where along the path it first was); a witness is reached here
 * or was reached earlier; `eventually` was met or not yet; a `leadsTo` is owed (its p held and
 * no q since) or not. A property that throws is shown as an error of the model, by name.
 */
import type { Action } from '../engine/actions.js';
import { thrownMessage } from '../engine/errors.js';
import type { Instance } from '../engine/instance.js';
import { viewOf, type WorldView } from '../engine/view.js';
import type { World } from '../engine/world.js';
import type { Property } from '../properties/properties.js';

export type Status = 'holds' | 'violated' | 'reached' | 'not-reached' | 'met' | 'pending' | 'owed' | 'error';

export interface PropertyVerdict {
  readonly name: string;
  readonly kind: Property['kind'];
  readonly description: string;
  /** The verdict in the last world of the path. */
  readonly status: Status;
  /** What the property said (a violation's message, an error), or a short note. */
  readonly text: string;
  /** Steps of the path where this invariant is violated (invariants only), in order. */
  readonly violatedAt: readonly number[];
}

/** The verdicts of `properties` at the end of the path through `worlds`. */
export function verdictsAlong(instance: Instance, properties: readonly Property[], worlds: readonly World[], actions: readonly Action[]): PropertyVerdict[] {
  const views = worlds.map((w) => viewOf(instance, w));
  const last = views.length - 1;
  return properties.map((p) => {
    const head = { name: p.name, kind: p.kind, description: p.description };
    try {
      return { ...head, ...verdictOf(p, views, actions, last) };
    } catch (error) {
      return { ...head, status: 'error', text: `the property threw: ${thrownMessage(error)}`, violatedAt: [] };
    }
  });
}

function verdictOf(p: Property, views: readonly WorldView[], actions: readonly Action[], last: number): Omit<PropertyVerdict, 'name' | 'kind' | 'description'> {
  switch (p.kind) {
    case 'always':
    case 'always-step': {
      const messages = views.map((view, k) => {
        const verdict = p.kind === 'always' ? p.check(view) : k === 0 ? undefined : p.check(views[k - 1]!, view, actions[k - 1]!);
        return typeof verdict === 'string' ? verdict : null;
      });
      const violatedAt = messages.flatMap((m, k) => (m === null ? [] : [k]));
      const now = messages[last]!;
      if (now !== null) return { status: 'violated', text: now, violatedAt };
      const earlier = violatedAt.length ? `holds here; violated at step ${violatedAt.join(', ')}` : 'holds';
      return { status: 'holds', text: earlier, violatedAt };
    }
    case 'sometimes': {
      const first = views.findIndex((v) => p.reached(v));
      if (first < 0) return { status: 'not-reached', text: 'not reached on this path', violatedAt: [] };
      if (p.reached(views[last]!)) return { status: 'reached', text: first === last ? 'reached here' : `reached here (first at step ${first})`, violatedAt: [] };
      return { status: 'reached', text: `reached at step ${first}, not here`, violatedAt: [] };
    }
    case 'eventually': {
      const first = views.findIndex((v) => p.holds(v));
      return first >= 0 ? { status: 'met', text: first === last ? 'holds here' : `met at step ${first}`, violatedAt: [] } : { status: 'pending', text: 'not met yet on this path', violatedAt: [] };
    }
    case 'leadsTo': {
      // Owed from the first step where p held with no q at or after it, up to here.
      let owedSince: number | null = null;
      views.forEach((v, k) => {
        if (owedSince === null && p.p(v)) owedSince = k;
        if (owedSince !== null && p.q(v)) owedSince = null;
      });
      return owedSince === null ? { status: 'holds', text: 'nothing owed', violatedAt: [] } : { status: 'owed', text: `owed since step ${owedSince}`, violatedAt: [] };
    }
  }
}
