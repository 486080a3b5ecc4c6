/**
 * Reading recorded logs from disk, with the contract's treatment of hostile input: regular files
 * only, bounded file size, line length, nesting and step count (so memory stays bounded), every
 * problem one UsageError naming the file and line. A `--map` module turns the lines of another
 * format into steps; without one, each file is `protokit-log/1` (a header, then steps).
 */
import { UsageError } from '../engine/errors.js';
import { jsonNesting, readInputText } from '../engine/input-file.js';
import { parseHeader, parseStep, type LogHeader, type LogStep } from './log.js';

/** The largest log file read. */
export const MAX_LOG_BYTES = 128 * 2 ** 20;
/** The longest line read (a step of a real service is far shorter). */
export const MAX_LINE_CHARS = 2 ** 20;
/** The deepest nesting of a line's JSON. */
export const MAX_LINE_NESTING = 64;
/** The most steps read over all files. */
export const MAX_STEPS = 1_000_000;

/** What a `--map` module's function returns for one line: a step in the model's terms, or null to skip the line. */
export interface MappedStep {
  readonly node: string;
  readonly event: unknown;
  readonly sends?: unknown;
  readonly state?: unknown;
  readonly fingerprint?: unknown;
  readonly persisted?: unknown;
  readonly step?: unknown;
  readonly vc?: unknown;
}

/**
 * A mapping from a user's log format to steps (`--map mapping.ts`: its default export).
 * `map` receives each non-empty line, parsed when it is JSON and the text otherwise; without
 * `map` the files are `protokit-log/1` and the module only gives the settings below.
 */
export interface LogMapping {
  readonly map?: (line: unknown, at: { readonly file: string; readonly line: number }) => MappedStep | null;
  /** Whether the implementation logs its environment events (timeouts, client requests); default true. When false, validation searches for them. */
  readonly logsEnvironment?: boolean;
  /** The model configuration the logged system ran (mapped logs have no header); `--config` overrides. */
  readonly config?: Readonly<Record<string, string | number | boolean>>;
  /**
   * Environment event types whose payload and timing are the application's (a client's command,
   * a timer that fires whatever the model's environment lists): explained whenever the machine
   * takes them (application-events.ts). `--app-events` adds to them.
   */
  readonly applicationEvents?: readonly string[];
}

export interface RecordedLogs {
  /** Headers of the `protokit-log/1` files (none with a mapping). */
  readonly headers: readonly LogHeader[];
  /** Steps per node, in each node's order. */
  readonly steps: ReadonlyMap<string, readonly LogStep[]>;
  readonly total: number;
}

/** The text of a log file: a regular file of at most MAX_LOG_BYTES, read through the kit's one reader of other people's files. */
export function readLogText(path: string): string {
  return readInputText(path, { what: 'log', maxBytes: MAX_LOG_BYTES });
}

/** One line's JSON, bounded and without `__proto__` keys; `orText` gives non-JSON lines back as text (for a mapping). */
function parseLine(text: string, where: string, orText: boolean): unknown {
  if (text.length > MAX_LINE_CHARS) throw new UsageError(`${where}: the line is ${text.length} characters long; lines are at most ${MAX_LINE_CHARS}`);
  if (jsonNesting(text, MAX_LINE_NESTING) > MAX_LINE_NESTING) throw new UsageError(`${where}: the line nests more than ${MAX_LINE_NESTING} deep`);
  try {
    return JSON.parse(text, (key, value) => {
      if (key === '__proto__') throw new UsageError(`${where}: a key named __proto__`);
      return value;
    });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (orText) return text;
    throw new UsageError(`${where}: not valid JSON (${(error as Error).message.slice(0, 80)})`);
  }
}

/** The non-empty lines of a text, with their 1-based numbers. */
function* linesOf(text: string): Generator<[number, string]> {
  let start = 0;
  let n = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    n++;
    const line = text.slice(start, end).replace(/\r$/, '');
    if (line.trim() !== '') yield [n, line];
    start = end + 1;
  }
}

/**
 * One log file's lines in order, turned into its header (protokit-log/1) or steps: what reading a
 * whole file and tailing a growing one (follow.ts) share.
 */
export class LogLineReader {
  header: LogHeader | null = null;
  private readonly map: LogMapping['map'];

  constructor(
    readonly path: string,
    settings?: LogMapping,
  ) {
    this.map = settings?.map;
  }

  /** Line `n` (1-based, not empty): its step, or null (the header, or a line the mapping skips). */
  take(line: string, n: number): LogStep | null {
    const where = `${this.path}:${n}`;
    const json = parseLine(line, where, this.map !== undefined);
    if (this.map !== undefined) {
      let mapped: MappedStep | null;
      try {
        mapped = this.map(json, { file: this.path, line: n });
      } catch (error) {
        throw new UsageError(`${where}: the --map function failed on this line: ${(error as Error)?.message ?? String(error)}`);
      }
      return mapped === null || mapped === undefined ? null : parseStep(mapped, where, null);
    }
    if (this.header === null) {
      this.header = parseHeader(json, where);
      return null;
    }
    return parseStep(json, where, this.header.node);
  }

  /** After the last line: a protokit-log/1 file must have had its header. */
  finish(): void {
    if (this.map === undefined && this.header === null) throw new UsageError(`${this.path} is empty: a ${'protokit-log/1'} file starts with its header line`);
  }
}

/** Adds `step` to its node's list, refusing more than MAX_STEPS over all logs. */
export function addStep(steps: Map<string, LogStep[]>, step: LogStep, total: number): void {
  if (total > MAX_STEPS) throw new UsageError(`${step.where}: more than ${MAX_STEPS.toLocaleString('en-US')} steps in the logs; validate a shorter run`);
  let list = steps.get(step.node);
  if (list === undefined) steps.set(step.node, (list = []));
  list.push(step);
}

/** Reads every log file (or, with `settings.map`, maps every line) into steps per node. */
export function readLogs(paths: readonly string[], settings?: LogMapping): RecordedLogs {
  const headers: LogHeader[] = [];
  const steps = new Map<string, LogStep[]>();
  let total = 0;
  for (const path of paths) {
    const reader = new LogLineReader(path, settings);
    for (const [n, line] of linesOf(readLogText(path))) {
      const step = reader.take(line, n);
      if (step !== null) addStep(steps, step, ++total);
    }
    reader.finish();
    if (reader.header !== null) headers.push(reader.header);
  }
  if (total === 0) throw new UsageError(`no steps in ${paths.join(', ')}: nothing to validate`);
  return { headers, steps, total };
}
