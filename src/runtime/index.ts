/**
 * `protokit/runtime`: the checked machines running as real Node services. Start one node per
 * process (or several in one, on the in-process network) with `startNode`; see docs/runtime.md.
 */
export { startNode } from './node.js';
export type { EnvironmentEvent, NodeOptions, RunningNode, NodeStats, StepReport, TimerSpec } from './node.js';
export { systemClock, manualClock } from './clock.js';
export type { Clock, ManualClock } from './clock.js';
export { fileStorage, memoryStorage, StorageError } from './storage.js';
export type { Storage, StoredNode } from './storage.js';
export type { Transport, Frame } from './transport.js';
export { inProcessNetwork } from './in-process.js';
export type { InProcessNetwork } from './in-process.js';
export { tcpTransport } from './tcp.js';
export type { TcpTransport, TcpOptions, TcpAddress } from './tcp.js';
export { natsTransport } from './nats.js';
export type { NatsTransport, NatsTransportOptions } from './nats.js';
export { fileRecorder, memoryRecorder, LOG_FORMAT } from './recorder.js';
export type { Recorder, LogHeader, LogStep, LogEvent, LogPosition, FileRecorderOptions } from './recorder.js';
export { nodeStateFingerprint } from '../engine/fingerprint.js';
