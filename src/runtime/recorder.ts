/**
 * The recorder: one NDJSON line per step of a node, in the `protokit-log/1` format
 * (docs/log-format.md), which `protokit validate` reads.
 *
 * A line is written before the step's messages leave (after its persisted fields are durable),
 * with one synchronous write: a process killed at any instant leaves every step whose messages
 * anyone could have received, and at worst loses the step it was writing. A file reopened after a
 * restart continues where it stopped (its step numbers and vector clock), and a torn last line is
 * cut off first.
 */
import { closeSync, existsSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { EventObject } from 'xstate';
import type { Message, Observation, Params } from '../engine/model.js';

/** Since 0.2.0. The version tag of the recorded-log format. */
export const LOG_FORMAT = 'protokit-log/1';

/** Line 1 of a log file. */
export interface LogHeader {
  readonly format: typeof LOG_FORMAT;
  readonly model: string;
  readonly config: Params;
  readonly mutant: string | null;
  readonly node: string;
  readonly role: string;
  readonly kit: string;
}

/** What caused a step. */
export type LogEvent =
  | { readonly kind: 'start' }
  | { readonly kind: 'recover' }
  | { readonly kind: 'crash' }
  | { readonly kind: 'deliver'; readonly id: string; readonly from: string; readonly message: Message }
  | { readonly kind: 'env'; readonly event: EventObject };

/** One step of one node. */
export interface LogStep {
  readonly node?: string;
  readonly step: number;
  readonly event: LogEvent;
  readonly fingerprint?: string;
  readonly state?: { readonly value: unknown; readonly context: Readonly<Record<string, unknown>> };
  readonly sends: readonly { readonly id: string; readonly to: string; readonly message: Message }[];
  readonly persisted?: Readonly<Record<string, unknown>>;
  readonly observations?: readonly Observation[];
  readonly vc?: Readonly<Record<string, number>>;
}

/** Where a node's log left off, so a restarted node continues it. */
export interface LogPosition {
  readonly lastStep: number;
  readonly vc: Readonly<Record<string, number>>;
}

/** Since 0.2.0. Receives a node's steps. */
export interface Recorder {
  /** Starts (or continues) the log of the node `header` names; returns where it left off. */
  open(header: LogHeader): LogPosition;
  /** Writes one step, synchronously. */
  write(step: LogStep): void;
  close(): void;
  /** Whether steps carry the resulting state (default true); the fingerprint is always written. */
  readonly states?: boolean;
}

export interface FileRecorderOptions {
  /** Also log each step's resulting state (value and whole context): larger logs, stronger validation. Default true. */
  readonly states?: boolean;
}

/** Since 0.2.0. Writes `<dir>/<node>.ndjson`, one file per node; `states: false` leaves the states out. */
export function fileRecorder(dir: string, options: FileRecorderOptions = {}): Recorder {
  let fd: number | null = null;
  return {
    states: options.states ?? true,
    open(header) {
      mkdirSync(dir, { recursive: true });
      const path = join(dir, `${header.node}.ndjson`);
      const position = existsSync(path) ? continueLog(path) : null;
      fd = openSync(path, 'a');
      if (position === null) {
        writeSync(fd, JSON.stringify(header) + '\n');
        return { lastStep: 0, vc: {} };
      }
      return position;
    },
    write(step) {
      if (fd === null) throw new Error('the recorder is not open');
      writeSync(fd, JSON.stringify(step) + '\n');
    },
    close() {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}

/** Since 0.2.0. Keeps the lines in memory (tests, and a harness that merges nodes). */
export function memoryRecorder(): Recorder & { readonly header: LogHeader | null; readonly steps: readonly LogStep[] } {
  let header: LogHeader | null = null;
  const steps: LogStep[] = [];
  return {
    states: true,
    get header() {
      return header;
    },
    steps,
    open(h) {
      header ??= h;
      const last = steps.at(-1);
      return { lastStep: last?.step ?? 0, vc: last?.vc ?? {} };
    },
    write: (step) => void steps.push(structuredClone(step)),
    close() {},
  };
}

/** Where an existing log left off (null when it is empty); a line torn by a crash is cut off. */
function continueLog(path: string): LogPosition | null {
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return null;
    const tail = Math.min(size, 1 << 20);
    const buffer = Buffer.alloc(tail);
    readSync(fd, buffer, 0, tail, size - tail);
    const end = buffer.lastIndexOf(0x0a);
    if (end < 0) throw new Error(`${path}: its last line is longer than 1 MiB; not a protokit log`);
    if (end !== tail - 1) ftruncateSync(fd, size - (tail - 1 - end));
    const start = end > 0 ? buffer.lastIndexOf(0x0a, end - 1) + 1 : 0;
    const last = JSON.parse(buffer.subarray(start, end).toString('utf8')) as Partial<LogStep & LogHeader>;
    if (last.format === LOG_FORMAT) return { lastStep: 0, vc: {} };
    return { lastStep: Number(last.step) || 0, vc: last.vc ?? {} };
  } finally {
    closeSync(fd);
  }
}
