/**
 * Building traces from executions, and replaying them: re-applying the recorded actions one by
 * one, failing loudly (TraceMismatchError, exit 3) when an action is not enabled or the model
 * no longer produces the recorded worlds.
 */
import { formatAction, type Action } from '../engine/actions.js';
import { canonical, fingerprint } from '../engine/canonical.js';
import { ModelError, TraceMismatchError, UsageError } from '../engine/errors.js';
import { execute, type Execution, type StepViolation } from '../explore/execute.js';
import { resolveInstance, type Instance, type InstanceOptions } from '../engine/instance.js';
import type { CheckResult } from '../explore/random/random.js';
import { nodeKey } from '../engine/node-step.js';
import { withProperties, type Suite } from '../properties/suite.js';
import { KIT_VERSION } from '../engine/version.js';
import { envelopeKey, type World } from '../engine/world.js';
import { traceSchemas, TRACE_FORMAT, type Trace } from './format.js';
import { viewOf } from '../engine/view.js';
import { checkLasso } from '../explore/lasso.js';

type Digest = Trace['digests'][number];

function digestOf(instance: Instance, world: World): Digest {
  const nodes: Record<string, string> = {};
  instance.nodes.forEach((n, i) => (nodes[n.id] = fingerprint(nodeKey(world.nodes[i]!))));
  return { nodes, network: fingerprint(world.network.map(envelopeKey).sort().join('|')) };
}

/** What makes a trace a lasso: the liveness property (or `deadlock`) it violates and where its loop starts. */
export interface LassoSpec {
  readonly property: string;
  readonly loopStart: number;
}

/**
 * A trace of `actions` on `instance` (a lasso with `lasso`), with the digests replay will compare
 * against; `suiteModule` is the --load suite it was recorded with, if any.
 */
export function buildTrace(instance: Instance, suite: Suite, actions: readonly Action[], origin: Trace['origin'], lasso?: LassoSpec | null, suiteModule?: string): Trace {
  const run = execute(instance, suite.properties, actions, { probe: true });
  if (run.notEnabled) throw new Error(`internal: action ${run.notEnabled.step} of a new trace is not enabled`);
  if (lasso) {
    const verdict = checkLasso(instance, suite, actions, lasso.loopStart, lasso.property);
    if (verdict.violation === null) throw new Error(`internal: a new lasso trace is not a violation: ${verdict.problem}`);
    const v = verdict.violation;
    return {
      ...traceHead(instance),
      expect: 'violation',
      violation: { property: v.property, message: v.message, step: v.step, kind: v.kind, loopStart: v.loopStart },
      ...(suiteModule ? { suite: suiteModule } : {}),
      actions: [...actions] as Trace['actions'],
      digests: run.worlds.map((w) => digestOf(instance, w)),
      origin,
    };
  }
  const error = run.error;
  return {
    ...traceHead(instance),
    expect: error ? 'error' : run.violation ? 'violation' : 'pass',
    violation: run.violation ? { property: run.violation.property, message: run.violation.message, step: run.violation.step, ...violationEvidence(instance, suite, run.worlds, run.violation) } : null,
    ...(error ? { error: { message: error.what, step: error.step!, node: error.node } } : {}),
    ...(suiteModule ? { suite: suiteModule } : {}),
    actions: (error ? error.actions! : actions.slice(0, run.worlds.length - 1)) as Trace['actions'],
    digests: run.worlds.map((w) => digestOf(instance, w)),
    origin,
  };
}

/**
 * What the violated property saves with its violation (the linearizable property's refuted
 * history), validated like everything a trace holds; nothing when it saves none. `worlds` are a
 * run's, from the initial one.
 */
export function violationEvidence(instance: Instance, suite: Suite, worlds: readonly World[], v: StepViolation): Pick<NonNullable<Trace['violation']>, 'history'> {
  const property = suite.properties.find((p) => p.name === v.property);
  if (property?.kind !== 'always' || property.evidence === undefined || worlds[v.step] === undefined) return {};
  // Observations only grow along a run: observation i was made at the first step whose world has it.
  const stepOf = (i: number) => worlds.findIndex((w) => w.observations.length > i);
  const evidence = property.evidence(viewOf(instance, worlds[v.step]!), { stepOf });
  if (evidence === undefined) return {};
  const parsed = traceSchemas().historyEvidenceSchema.safeParse(evidence);
  if (!parsed.success) throw new Error(`internal: the evidence of ${v.property} is not a history a trace can hold (${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message})`);
  return { history: parsed.data };
}

function traceHead(instance: Instance): Pick<Trace, 'format' | 'kit' | 'model' | 'preset' | 'config' | 'mutant' | 'faults'> {
  return {
    format: TRACE_FORMAT,
    kit: { name: 'protokit', version: KIT_VERSION },
    model: instance.model.name,
    preset: instance.preset,
    config: { ...instance.params },
    mutant: instance.mutant,
    faults: { ...instance.faults },
  };
}

/** The trace of a model error met by an explorer: the actions up to the failure, replayable to it. */
export function traceOfModelError(instance: Instance, suite: Suite, error: ModelError, origin: Trace['origin'], suiteModule?: string): Trace {
  return buildTrace(instance, suite, (error.actions ?? []) as readonly Action[], origin, null, suiteModule);
}

/**
 * The trace of a random check's counterexample, as `check` and the test helpers save it: the
 * minimised actions, with the seed, fast-check path, runs and lengths that found them.
 */
export function traceOfCheck(suite: Suite, options: InstanceOptions, result: CheckResult, suiteModule?: string): Trace {
  const v = result.violation;
  if (v === null) throw new Error('internal: a check without a violation has no counterexample trace');
  // The configuration the violation ran in (a sweep chooses it), not only what the caller fixed.
  const instance = resolveInstance(suite.model, { ...options, config: result.config, preset: result.preset, mutant: result.mutant });
  const lasso = v.loopStart === null || v.loopStart === undefined ? null : { property: v.property, loopStart: v.loopStart };
  return buildTrace(instance, suite, v.actions, { command: 'check', seed: v.seed, path: v.path, runs: result.runs, lengths: v.lengths }, lasso, suiteModule);
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
  /**
   * Where what the trace claims (its recorded violation, or with `expect: "pass"` that nothing
   * fails) differs from what replay reproduced, one sentence each; empty when replay confirms
   * every claim (or with `until`, which stops before the outcome).
   */
  readonly differences: readonly string[];
}

/**
 * The differences between a trace's claims and a replay's outcome that do not make the trace
 * unfit for the model (those throw TraceMismatchError): a recorded message the model no longer
 * gives, a violation where the trace of a fixed bug expects none, a recorded violation that a
 * passing trace does not reproduce.
 */
export function claimDifferences(trace: Trace, reproduced: StepViolation | null): string[] {
  const recorded = trace.violation;
  const differences: string[] = [];
  if (trace.expect === 'pass') {
    if (reproduced !== null) differences.push(`the trace expects no violation (a fixed bug), but replay violated ${reproduced.property} at step ${reproduced.step}`);
    else if (recorded !== null) differences.push(`the trace records ${recorded.property} violated at step ${recorded.step}, but replay ran clean (as it expects)`);
  } else if (recorded !== null && reproduced !== null && recorded.message !== reproduced.message) {
    differences.push(`the recorded message differs from the reproduced one: recorded '${recorded.message}', reproduced '${reproduced.message}'`);
  }
  return differences;
}

/**
 * Replays a trace. Throws TraceMismatchError when an action is not enabled, when a world
 * differs from the recorded digest, or when the outcome differs from the recorded one.
 * `until` stops after that many actions (and skips the outcome comparison).
 */
export function replay(fullSuite: Suite, trace: Trace, until?: number): ReplayResult {
  const suite = withProperties(fullSuite, trace.properties);
  const instance = instanceOfTrace(suite, trace);
  const actions = (until === undefined ? trace.actions : trace.actions.slice(0, until)) as Action[];
  const execution = execute(instance, suite.properties, actions, { probe: trace.expect === 'error' });
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
  // The model failed again: at the recorded step it is the failure the trace was saved for.
  if (execution.error) throw execution.error;
  let violation = execution.violation;
  const recordedLasso = trace.violation?.loopStart !== undefined && trace.violation.kind !== 'safety' ? trace.violation : null;
  if (recordedLasso !== null && until === undefined && violation === null) {
    // A lasso: the loop must return to the world where it began, and the property fail along it.
    const verdict = checkLasso(instance, suite, actions, recordedLasso.loopStart!, recordedLasso.property);
    if (verdict.violation === null) {
      throw new TraceMismatchError(`the model diverged: the trace records a lasso violating ${recordedLasso.property} (loop from step ${recordedLasso.loopStart! + 1}), but ${verdict.problem}`, actions.length);
    }
    violation = { property: verdict.violation.property, message: verdict.violation.message, step: verdict.violation.step };
  }
  if (until === undefined) {
    if (trace.expect === 'error') {
      throw new TraceMismatchError(`the model diverged: the trace recorded that the model failed at step ${trace.error?.step ?? '?'} (${trace.error?.message ?? ''}), but replay ran all ${trace.actions.length} steps without failing`, trace.actions.length);
    }
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
  return { instance, execution, violation, differences: until === undefined ? claimDifferences(trace, violation) : [] };
}
