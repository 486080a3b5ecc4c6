/**
 * protokit's public entry: everything a model, a property, a suite or a test needs.
 * Anything not exported here is internal.
 */
export { defineModel } from './engine/model.js';
export type { Model, FairnessDeclaration, RoleSpec, MutantSpec, Preset, NodeSpec, NodeView, ParamSpec, Params, ParamValue, Message, InboxMessage, Observation, Effect, ActionWeights, Received, RoleContexts } from './engine/model.js';
export { send, observe } from './engine/model.js';
export { replaceTransitions, replaceHandler, replaceContext } from './engine/mutate.js';
export type { ActionName, GuardName, EventType, StatePath, Handler, Handlers, Transitions, TargetOf } from './engine/mutate.js';
export { ModelError } from './engine/errors.js';
export { withProperties } from './properties/suite.js';
export { always, alwaysStep, sometimes } from './properties/properties.js';
export type { Property, Invariant, StepInvariant, Witness, Verdict, Violation } from './properties/properties.js';
export { eventually, leadsTo } from './properties/liveness.js';
export type { Eventually, LeadsTo, LivenessProperty } from './properties/liveness.js';
export { defineSuite, DEADLOCK } from './properties/suite.js';
export type { Suite, Budget, ExpectedFailure, SmallConfig } from './properties/suite.js';
export { fairnessClass, isFault } from './engine/fairness.js';
export { checkLasso, isDeadlock } from './explore/lasso.js';
export type { LassoViolation, LassoVerdict, ViolationKind } from './explore/lasso.js';
export type { World, Envelope } from './engine/world.js';
export type { WorldView, ViewOf, RoleContextMap, ContextOfNode, MessagesOf, EnvelopeOf } from './engine/view.js';
export { initialWorld, enabledActions, step } from './engine/packed.js';
export { worldKey } from './engine/world.js';
export { viewOf } from './engine/view.js';
export { referenceInitialWorld, referenceEnabledActions, referenceStep } from './engine/semantics.js';
export type { Action } from './engine/actions.js';
export { formatAction, formatMessage } from './engine/actions.js';
export { resolveInstance, PRESET_KEY } from './engine/instance.js';
export type { Instance, InstanceOptions } from './engine/instance.js';
export type { FaultSettings, NetworkSemantics } from './engine/faults.js';
export { NO_FAULTS, parseFaults, describeFaults } from './engine/faults.js';
export { checkRandom, DEFAULT_SEED } from './explore/random/random.js';
export { checkDefault, type DefaultCheckResult } from './explore/default/default-check.js';
export { smallPass, searchSmall, smallConfigsOf, SMALL_PASS_STATES, type SmallPassResult, type SmallPassOptions } from './explore/default/small-pass.js';
export type { CheckOptions, CheckResult, Counterexample } from './explore/random/random.js';
export { execute } from './explore/execute.js';
export { minimize, minimizeLasso } from './explore/minimize.js';
export { checkSuite, expectCaught, fixturePath } from './testing/testing.js';
export type { SuiteCheckOptions } from './testing/testing.js';
export { loadTrace, parseTrace, saveTrace } from './trace/file.js';
export { buildTrace, traceOfCheck, replay } from './trace/replay.js';
export type { Trace } from './trace/format.js';
export { TRACE_FORMAT } from './trace/format.js';
export { renderTrace, SHOW_FORMATS } from './render/trace.js';
export type { ShowFormat } from './render/trace.js';
export { renderText } from './render/text.js';
export { renderMermaid } from './render/mermaid.js';
export { renderItf, itfValue } from './render/itf.js';
export type { ItfTrace, ItfValue } from './render/itf.js';
export { renderHtml } from './render/html.js';
export { explore } from './explore/bfs/search.js';
export type { ExploreOptions, ExploreResult, ExploreViolation, ExploreProgress, StopReason, LivenessReport } from './explore/bfs/search.js';
export { checkParallel, parseShard, shardPlan } from './explore/shard/shard.js';
export type { Shard, ParallelCheckOptions } from './explore/shard/shard.js';
export { UsageError, TraceMismatchError } from './engine/errors.js';
/** Since 0.3.0. The environment failing (exit 74), and the one mapping of errors to exit codes. */
export { EnvironmentError, exitCodeOf, EXIT } from './engine/errors.js';
export { KIT_VERSION } from './engine/version.js';
export { canonical } from './engine/canonical.js';
export { nodeStateFingerprint } from './engine/fingerprint.js';
export { validateLogs, describeEvent, DEFAULT_MAX_STATES } from './validate/validate.js';
export type { ValidateOptions, ValidationResult, Unexplained } from './validate/validate.js';
export { readLogs, MAX_LOG_BYTES, MAX_LINE_CHARS, MAX_STEPS } from './validate/read-logs.js';
export type { LogMapping, MappedStep, RecordedLogs } from './validate/read-logs.js';
export { LOG_FORMAT, parseStep, parseHeader } from './validate/log.js';
export type { LogStep, LogEvent, LoggedSend, LogHeader } from './validate/log.js';
export { recordRun, ndjson } from './validate/record.js';
export type { RecordOptions } from './validate/record.js';
export { OnlineValidator, LogTail } from './validate/follow.js';
export type { OnlineStatus } from './validate/follow.js';
export { runConformance } from './testgen/conformance.js';
export type { ConformanceAdapter, SentMessage, GeneratedScenario } from './testgen/conformance.js';
export { scenariosFor } from './testgen/scenarios.js';
export type { Scenario, ScenarioSet, ScenarioStep } from './testgen/scenarios.js';
export { generateTestFile, generateScenarios } from './testgen/generate.js';
export {
  linearizable,
  clientEventsOf,
  checkLinearizability,
  historyOf,
  register,
  casRegister,
  kv,
  readHistory,
  describeFailure,
  describeEvidence,
  evidenceOf,
  historyLanes,
  renderLinearizabilityHtml,
  HISTORY_FORMATS,
  SPEC_NAMES,
} from './linearizability/index.js';
export type {
  Specification,
  StepResult,
  Operation,
  History,
  ClientEvent,
  LinearizabilityResult,
  LinearizabilityOptions,
  LinearizabilityVerdict,
  PartitionFailure,
  HistoryEvidence,
  LinearizableOptions,
  HistoryFormat,
  SpecName,
} from './linearizability/index.js';
