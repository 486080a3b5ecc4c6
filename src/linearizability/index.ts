/**
 * Linearizability: is a concurrent history of client operations equivalent to some sequential
 * one, consistent with real time, that a sequential specification allows?
 *
 * This folder holds the history model (history.ts), sequential specifications (spec.ts) and the
 * shipped ones (specs.ts), the checker (checker.ts over search.ts), evidence for people
 * (evidence.ts; drawn as text lanes in lanes.ts), the history file formats (formats.ts, edn.ts), the HTML view of a refuted history
 * (html.ts) and the property for models (property.ts). It may import the engine and properties
 * only; never an explorer, the trace format or the command line.
 */
export { historyOf, HistoryError } from './history.js';
export type { Operation, History, Outcome, ClientEvent } from './history.js';
export type { Specification, StepResult } from './spec.js';
export { register, casRegister, kv } from './specs.js';
export type { RegisterValue, RegisterInput, CasRegisterInput, RegisterOutput, KvInput, KvOutput } from './specs.js';
export { checkLinearizability, DEFAULT_MAX_STEPS } from './checker.js';
export type { LinearizabilityResult, LinearizabilityVerdict, LinearizabilityOptions, PartitionFailure, LinearizedStep, StuckOperation } from './checker.js';
export { describeFailure, describeEvidence, evidenceOf, summarize } from './evidence.js';
export type { HistoryEvidence, EvidenceOperation } from './evidence.js';
export { historyLanes } from './lanes.js';
export { linearizable, clientEventsOf } from './property.js';
export { renderLinearizabilityHtml, historySection } from './html.js';
export type { LinearizableOptions } from './property.js';
export { readHistory, parseHistoryText, HISTORY_FORMATS, SPECS, SPEC_NAMES, HistoryFormatError } from './formats.js';
export type { HistoryFormat, SpecName, SpecAdapter } from './formats.js';
