/**
 * Application events: environment events whose payload and timing come from the application, not
 * from the model's environment function. A model's environment samples a few payloads and bounds
 * how often events happen (Raft offers `ClientRequest` with the command `c1.1`, and no `Timeout`
 * past `maxTerm`) only so that checking stays finite; a running service takes a client's own
 * command, and a timer that fires its event as it is (the runtime's `TimerSpec.fire`). For such
 * event types, validation lets the machine decide: a logged event of one of them is explained
 * when the node's machine takes it, whatever the environment function lists.
 *
 * The search accepts such an event without asking the environment (match.ts); the properties are
 * checked on the reconstructed run with the model widened: each node is offered, besides what
 * its environment lists, the events of these types that the run gives it. A run that uses a widened event is
 * not a behaviour of the plain model's environment, so `protokit replay` (which loads the plain
 * model) would refuse it: `offeredByModel` says whether a run can be saved as a trace.
 */
import type { EventObject } from 'xstate';
import type { Action } from '../engine/actions.js';
import { canonical } from '../engine/canonical.js';
import { UsageError } from '../engine/errors.js';
import { enabledActions, initialWorld, step } from '../engine/packed.js';
import { resolveInstance, type Instance } from '../engine/instance.js';
import type { Model, RoleSpec } from '../engine/model.js';

/** The event types the roles' environments list in their initial states or declare (fairness, weights): what `--app-events` may name. */
export function environmentEventTypes(instance: Instance): Set<string> {
  const model = instance.model;
  const types = new Set<string>([...Object.values(model.fairness?.events ?? {}).flat(), ...Object.keys(model.exploration?.eventWeights ?? {})]);
  const world = initialWorld(instance);
  for (const a of enabledActions(instance, world)) if (a.type === 'env') types.add(a.event.type);
  return types;
}

/** `types`, each checked to be an environment event type of the model (bad input otherwise). */
export function checkApplicationEvents(instance: Instance, types: readonly string[]): readonly string[] {
  if (types.length === 0) return types;
  const known = environmentEventTypes(instance);
  for (const t of types) {
    if (!known.has(t)) throw new UsageError(`--app-events: '${t}' is not an environment event of ${instance.model.name} (its environment events: ${[...known].sort().join(', ') || 'none'})`);
  }
  return types;
}

/**
 * The instance with each node's environment widened by the events of `types` the reconstructed
 * run `actions` gives it: those its log records, and one a lost step took (match.ts: a step saved
 * but never logged before a restart). Null when the run takes none (nothing to widen).
 */
export function withApplicationEvents(instance: Instance, actions: readonly Action[], types: readonly string[]): Instance | null {
  if (types.length === 0) return null;
  const wanted = new Set(types);
  const seen = new Map<string, Map<string, EventObject>>();
  for (const a of actions) {
    if (a.type !== 'env' || !wanted.has(a.event.type)) continue;
    if (!seen.has(a.node)) seen.set(a.node, new Map());
    seen.get(a.node)!.set(canonical(a.event), a.event);
  }
  const perNode = new Map([...seen].map(([node, events]) => [node, [...events.values()]]));
  if (perNode.size === 0) return null;
  const roles: Record<string, RoleSpec> = {};
  for (const [name, spec] of Object.entries(instance.model.roles)) {
    const own = spec.environment;
    roles[name] = {
      ...spec,
      environment: (view, params, inbox) => {
        const listed = own ? own(view, params, inbox) : [];
        const extra = perNode.get(view.id);
        if (extra === undefined) return listed;
        const have = new Set(listed.map((e) => canonical(e)));
        return [...listed, ...extra.filter((e) => !have.has(canonical(e)))];
      },
    };
  }
  const widened: Model = { ...instance.model, roles };
  return resolveInstance(widened, { config: instance.params, preset: null, mutant: instance.mutant, faults: instance.faults });
}

/** The first action of `actions` that the plain model's environment does not offer when it is taken (1-based), or null: a run that replays as a trace. */
export function firstNotOffered(instance: Instance, actions: readonly Action[]): { readonly step: number; readonly action: Action } | null {
  let world = initialWorld(instance);
  for (let k = 0; k < actions.length; k++) {
    const action = actions[k]!;
    if (action.type === 'env') {
      const key = canonical(action);
      if (!enabledActions(instance, world).some((a) => canonical(a) === key)) return { step: k + 1, action };
    }
    world = step(instance, world, action);
  }
  return null;
}
