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

/** Reads every log file (or, with `mapping`, maps every line) into steps per node. */
export function readLogs(paths: readonly string[], settings?: LogMapping): RecordedLogs {
  const mapping = settings?.map === undefined ? undefined : { map: settings.map };
  const headers: LogHeader[] = [];
  const steps = new Map<string, LogStep[]>();
  let total = 0;
  for (const path of paths) {
    const text = readLogText(path);
    let header: LogHeader | null = null;
    for (const [n, line] of linesOf(text)) {
      const where = `${path}:${n}`;
      const json = parseLine(line, where, mapping !== undefined);
      let step: LogStep;
      if (mapping) {
        let mapped: MappedStep | null;
        try {
          mapped = mapping.map(json, { file: path, line: n });
        } catch (error) {
          throw new UsageError(`${where}: the --map function failed on this line: ${(error as Error)?.message ?? String(error)}`);
        }
        if (mapped === null || mapped === undefined) continue;
        step = parseStep(mapped, where, null);
      } else if (header === null) {
        header = parseHeader(json, where);
        headers.push(header);
        continue;
      } else {
        step = parseStep(json, where, header.node);
      }
      if (++total > MAX_STEPS) throw new UsageError(`${where}: more than ${MAX_STEPS.toLocaleString('en-US')} steps in the logs; validate a shorter run`);
      let list = steps.get(step.node);
      if (list === undefined) steps.set(step.node, (list = []));
      list.push(step);
    }
    if (!mapping && header === null) throw new UsageError(`${path} is empty: a ${'protokit-log/1'} file starts with its header line`);
  }
  if (total === 0) throw new UsageError(`no steps in ${paths.join(', ')}: nothing to validate`);
  return { headers, steps, total };
}
