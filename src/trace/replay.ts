/**
 * Building traces from executions, and replaying them: re-applying the recorded actions one by
 * one, failing loudly (TraceMismatchError, exit 3) when an action is not enabled or the model
 * no longer produces the recorded worlds.
 */
import { formatAction, type Action } from '../engine/actions.js';
import { canonical, fingerprint } from '../engine/canonical.js';
import { TraceMismatchError, UsageError } from '../engine/errors.js';
import { execute, type Execution, type StepViolation } from '../explore/execute.js';
import { resolveInstance, type Instance, type InstanceOptions } from '../engine/instance.js';
import type { CheckResult } from '../explore/random/random.js';
import { nodeKey } from '../engine/node-step.js';
import type { Suite } from '../properties/suite.js';
import { KIT_VERSION } from '../engine/version.js';
import { envelopeKey, type World } from '../engine/world.js';
import { TRACE_FORMAT, type Trace } from './format.js';

type Digest = Trace['digests'][number];

function digestOf(instance: Instance, world: World): Digest {
  const nodes: Record<string, string> = {};
  instance.nodes.forEach((n, i) => (nodes[n.id] = fingerprint(nodeKey(world.nodes[i]!))));
  return { nodes, network: fingerprint(world.network.map(envelopeKey).sort().join('|')) };
}

/** A trace of `actions` on `instance`, with the digests replay will compare against. */
export function buildTrace(instance: Instance, suite: Suite, actions: readonly Action[], origin: Trace['origin']): Trace {
  const run = execute(instance, suite.properties, actions);
  if (run.notEnabled) throw new Error(`internal: action ${run.notEnabled.step} of a new trace is not enabled`);
  return {
    format: TRACE_FORMAT,
    kit: { name: 'protokit', version: KIT_VERSION },
    model: instance.model.name,
    preset: instance.preset,
    config: { ...instance.params },
    mutant: instance.mutant,
    faults: { ...instance.faults },
    expect: run.violation ? 'violation' : 'pass',
    violation: run.violation ? { property: run.violation.property, message: run.violation.message, step: run.violation.step } : null,
    actions: actions.slice(0, run.worlds.length - 1) as Trace['actions'],
    digests: run.worlds.map((w) => digestOf(instance, w)),
    origin,
  };
}

/**
 * The trace of a random check's counterexample, as `check` and the test helpers save it: the
 * minimised actions, with the seed, fast-check path, runs and lengths that found them.
 */
export function traceOfCheck(suite: Suite, options: InstanceOptions, result: CheckResult): Trace {
  const v = result.violation;
  if (v === null) throw new Error('internal: a check without a violation has no counterexample trace');
  // The configuration the violation ran in (a sweep chooses it), not only what the caller fixed.
  const instance = resolveInstance(suite.model, { ...options, config: result.config, preset: result.preset, mutant: result.mutant });
  return buildTrace(instance, suite, v.actions, { command: 'check', seed: v.seed, path: v.path, runs: result.runs, lengths: v.lengths });
}

/** The instance a trace was recorded on; a trace the model cannot take is a UsageError. */
export function instanceOfTrace(suite: Suite, trace: Trace): Instance {
  if (trace.model !== suite.model.name) throw new UsageError(`the trace is of model '${trace.model}', not '${suite.model.name}'`);
  const instance = resolveInstance(suite.model, { config: trace.config, preset: trace.preset, mutant: trace.mutant, faults: trace.faults });
  trace.actions.forEach((action, k) => {
    for (const id of nodesNamed(action as Action)) {
      if (!instance.indexOf.has(id)) {
        throw new UsageError(`action ${k + 1} (${formatAction(action as Action)}) names node '${id}', which ${trace.model} with this config does not have (nodes: ${[...instance.indexOf.keys()].join(', ')})`);
      }
    }
  });
  return instance;
}

function nodesNamed(action: Action): string[] {
  switch (action.type) {
    case 'deliver':
    case 'drop':
    case 'duplicate':
      return [action.from, action.to];
    case 'env':
    case 'crash':
    case 'restart':
      return [action.node];
    case 'partition':
      return action.groups.flat();
    case 'heal':
      return [];
  }
}

export interface ReplayResult {
  readonly instance: Instance;
  readonly execution: Execution;
  /** The first violation replay met (null when the trace ran clean). */
  readonly violation: StepViolation | null;
}

/**
 * Replays a trace. Throws TraceMismatchError when an action is not enabled, when a world
 * differs from the recorded digest, or when the outcome differs from the recorded one.
 * `until` stops after that many actions (and skips the outcome comparison).
 */
export function replay(suite: Suite, trace: Trace, until?: number): ReplayResult {
  const instance = instanceOfTrace(suite, trace);
  const actions = (until === undefined ? trace.actions : trace.actions.slice(0, until)) as Action[];
  const execution = execute(instance, suite.properties, actions);
  // Compare worlds first: a divergence explains everything that follows it.
  execution.worlds.forEach((world, k) => {
    const recorded = trace.digests[k];
    if (recorded === undefined) return;
    const now = digestOf(instance, world);
    for (const id of Object.keys(now.nodes)) {
      if (recorded.nodes[id] !== now.nodes[id]) {
        const node = world.nodes[instance.indexOf.get(id)!]!;
        throw new TraceMismatchError(
          `step ${k}: the model diverged: node ${id} is not in the recorded state (now ${node.up ? `in ${canonical(node.value)}` : 'crashed'} with context ${canonical(node.context)})`,
          k,
        );
      }
    }
    if (recorded.network !== now.network) throw new TraceMismatchError(`step ${k}: the model diverged: the messages in flight differ from the recorded ones`, k);
  });
  if (execution.notEnabled) {
    const { step, action, enabled } = execution.notEnabled;
    const shown = enabled.slice(0, 8).map(formatAction).join('; ');
    throw new TraceMismatchError(`step ${step}: action '${formatAction(action)}' is not enabled (enabled: ${shown}${enabled.length > 8 ? `; … ${enabled.length - 8} more` : ''})`, step);
  }
  const violation = execution.violation;
  if (until === undefined) {
    const recorded = trace.violation;
    if (trace.expect === 'violation') {
      if (recorded === null) throw new UsageError('the trace expects a violation but records none');
      if (violation === null) {
        throw new TraceMismatchError(`the model diverged: the trace recorded ${recorded.property} violated at step ${recorded.step}, but replay ran all ${trace.actions.length} steps without a violation`, trace.actions.length);
      }
      if (violation.property !== recorded.property || violation.step !== recorded.step) {
        throw new TraceMismatchError(`step ${violation.step}: the model diverged: replay violated ${violation.property}, the trace recorded ${recorded.property} at step ${recorded.step}`, violation.step);
      }
    }
  }
  return { instance, execution, violation };
}
