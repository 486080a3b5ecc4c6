/**
 * protokit's public entry: everything a model, a property, a suite or a test needs.
 * Anything not exported here is internal.
 */
export { defineModel } from './model.js';
export type { Model, RoleSpec, MutantSpec, Preset, NodeSpec, NodeView, ParamSpec, Params, ParamValue, Message, InboxMessage, Observation, Effect, ActionWeights } from './model.js';
export { send, observe } from './effects.js';
export { always, alwaysStep, sometimes } from './properties.js';
export type { Property, Invariant, StepInvariant, Witness, Verdict, Violation } from './properties.js';
export { defineSuite } from './suite.js';
export type { Suite, Budget } from './suite.js';
export type { WorldView, World, Envelope } from './world.js';
export { initialWorld, enabledActions, step, worldKey, viewOf } from './world.js';
export type { Action } from './actions.js';
export { formatAction, formatMessage } from './actions.js';
export { resolveInstance, PRESET_KEY } from './instance.js';
export type { Instance, InstanceOptions } from './instance.js';
export type { FaultSettings, NetworkSemantics } from './faults.js';
export { NO_FAULTS, parseFaults, describeFaults } from './faults.js';
export { checkRandom, DEFAULT_SEED } from './explore/random.js';
export type { CheckOptions, CheckResult, Counterexample } from './explore/random.js';
export { execute } from './explore/execute.js';
export { minimize } from './explore/minimize.js';
export { checkSuite, expectCaught, fixturePath } from './testing.js';
export type { SuiteCheckOptions } from './testing.js';
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
export { explore } from './explore/bfs.js';
export type { ExploreOptions, ExploreResult, ExploreViolation, ExploreProgress, StopReason } from './explore/bfs.js';
export { checkParallel, parseShard, shardPlan } from './explore/shard.js';
export type { Shard, ParallelCheckOptions } from './explore/shard.js';
export { UsageError, TraceMismatchError } from './errors.js';
export { KIT_VERSION } from './version.js';
