/**
 * History files: Jepsen log lines (`jepsen`), Jepsen EDN maps (`edn`), JSON lines (`jsonl`), read
 * into client events; then, for a shipped specification, into operations it can check.
 *
 * - `jepsen`: `INFO  jepsen.util - 4	:invoke	:write	0`: process, type (`:invoke`, `:ok`, `:fail`,
 *   `:info`), function, value (`nil`, an integer, `[from to]`, a keyword). As in Jepsen's etcd test,
 *   a `:fail` whose value is `:timed-out` (a read that timed out) has an unknown outcome.
 * - `edn`: one map a line, `{:process 9, :type :invoke, :f :append, :key "0", :value "x 9 0 y"}`.
 * - `jsonl`: one object a line, `{"client": 1, "type": "invoke", "f": "write", "value": 3}` (`key`
 *   for a key-value store).
 * Blank lines and the nemesis's lines (`:nemesis` as the process) are skipped; any other line that does not fit is an error naming the file, the line
 * and what was expected.
 */
import { readEdn, EdnError, Keyword, type EdnMap, type EdnValue } from './edn.js';
import { historyOf, HistoryError, type ClientEvent, type Operation } from './history.js';
import { casRegister, kv, register, type CasRegisterInput, type KvInput, type KvOutput, type RegisterOutput, type RegisterValue } from './specs.js';
import type { Specification } from './spec.js';

export const HISTORY_FORMATS = ['jepsen', 'edn', 'jsonl'] as const;
export type HistoryFormat = (typeof HISTORY_FORMATS)[number];

/** A value as written in a file. Keywords keep their colon (`:timed-out`) only as `Keyword`. */
export type RawValue = EdnValue;

/** What an invocation asked for. */
export interface RawCall {
  readonly f: string;
  readonly key: string | undefined;
  readonly value: RawValue;
}

/** What a completion said. */
export interface RawResult {
  readonly f: string;
  readonly value: RawValue;
  readonly line: number;
}

/** A file that is not a history, or a history that does not fit the specification. */
export class HistoryFormatError extends Error {
  override name = 'HistoryFormatError';
  constructor(
    message: string,
    readonly line: number | undefined,
  ) {
    super(message);
  }
}

const TYPES = new Set(['invoke', 'ok', 'fail', 'info']);

/** The format of a file from its name: `.edn` edn, `.jsonl`/`.json` jsonl, otherwise jepsen logs (`.log`) or edn (`.txt` of maps). */
export function guessFormat(file: string, firstLine: string | undefined): HistoryFormat {
  if (/\.edn$/i.test(file)) return 'edn';
  if (/\.jsonl?$/i.test(file)) return 'jsonl';
  const line = firstLine?.trim() ?? '';
  if (line.startsWith('{"') || line.startsWith('{ "')) return 'jsonl';
  if (line.startsWith('{')) return 'edn';
  return 'jepsen';
}

type RawEvent = ClientEvent<RawCall, RawResult>;

function event(client: string, type: string, f: string, key: string | undefined, value: RawValue, line: number): RawEvent {
  if (type === 'invoke') return { type: 'invoke', client, input: { f, key, value }, line };
  if (type === 'info') return { type: 'info', client, line };
  return { type: type as 'ok' | 'fail', client, output: { f, value, line }, line };
}

// The value is everything after the function, trimmed afterwards: a lazy `(.*?)\s*$` would try
// every split of a run of blanks against the end, quadratic in their number.
const JEPSEN_LINE = /^INFO\s+jepsen\.util\s+-\s+(\d+|:nemesis)\s+:(\S+)\s+:([A-Za-z][\w*+!?<>=.-]*)\s+([^]*)$/;

function parseJepsenLine(text: string, line: number): RawEvent | null {
  const m = JEPSEN_LINE.exec(text);
  if (!m) throw new HistoryFormatError(`expected a Jepsen log line 'INFO  jepsen.util - PROCESS :TYPE :F VALUE'`, line);
  const [, process, type, f, rest] = m as unknown as [string, string, string, string, string];
  const valueText = rest.trimEnd();
  if (process === ':nemesis') return null; // the fault injector's own events: not client operations
  if (!TYPES.has(type)) throw new HistoryFormatError(`expected the type :invoke, :ok, :fail or :info, found :${type}`, line);
  const value = readValue(valueText, line);
  // Jepsen's etcd test marks a read that timed out as :fail :timed-out: its outcome is unknown.
  const unknown = type === 'fail' && value instanceof Keyword && value.name === 'timed-out';
  return event(process, unknown ? 'info' : type, f, undefined, value, line);
}

function readValue(text: string, line: number): EdnValue {
  try {
    return readEdn(text);
  } catch (error) {
    if (error instanceof EdnError) throw new HistoryFormatError(`the value: ${error.message}`, line);
    throw error;
  }
}

function parseEdnLine(text: string, line: number): RawEvent | null {
  let value: EdnValue;
  try {
    value = readEdn(text);
  } catch (error) {
    if (error instanceof EdnError) throw new HistoryFormatError(`column ${error.column}: ${error.message}`, line);
    throw error;
  }
  if (!(value instanceof Map)) throw new HistoryFormatError('expected an EDN map {:process P, :type T, :f F, :value V}', line);
  const map = value as EdnMap;
  const process = map.get('process');
  const type = map.get('type');
  const f = map.get('f');
  if (process instanceof Keyword && process.name === 'nemesis') return null; // not a client operation
  if (typeof process !== 'number') throw new HistoryFormatError('expected :process to be an integer (or :nemesis)', line);
  if (!(type instanceof Keyword) || !TYPES.has(type.name)) throw new HistoryFormatError('expected :type to be :invoke, :ok, :fail or :info', line);
  if (!(f instanceof Keyword)) throw new HistoryFormatError('expected :f to be a keyword such as :read or :get', line);
  const key = map.get('key');
  if (key !== undefined && typeof key !== 'string' && typeof key !== 'number') throw new HistoryFormatError('expected :key to be a string or an integer', line);
  return event(String(process), type.name, f.name, key === undefined ? undefined : String(key), map.has('value') ? map.get('value')! : null, line);
}

/**
 * True when a number read from JSON may not be the number written: JSON.parse rounds integers
 * beyond ±(2^53 − 1) to the nearest double, so two different values (say 2^53 and 2^53 + 1)
 * would compare equal and a history that is not linearizable would pass. Such numbers are
 * refused, as the EDN reader refuses them; a value that large belongs in a string.
 */
function beyondSafeIntegers(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v) && Number.isInteger(v) && !Number.isSafeInteger(v);
  return Array.isArray(v) && v.some(beyondSafeIntegers);
}

const UNSAFE_INTEGER = `an integer beyond ±${Number.MAX_SAFE_INTEGER} (2^53 − 1), which JSON readers round to a nearby one; write it as a string`;

function jsonValue(v: unknown): RawValue | undefined {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (Array.isArray(v)) {
    const items = v.map(jsonValue);
    return items.every((x) => x !== undefined) ? (items as RawValue[]) : undefined;
  }
  return undefined;
}

function parseJsonLine(text: string, line: number): RawEvent {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (error) {
    throw new HistoryFormatError(`expected a JSON object: ${(error as Error).message}`, line);
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new HistoryFormatError('expected a JSON object {"client", "type", "f", "value"}', line);
  const r = o as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!['client', 'type', 'f', 'key', 'value'].includes(k)) throw new HistoryFormatError(`expected only the fields client, type, f, key, value, found "${k}"`, line);
  if (typeof r.client !== 'string' && !(typeof r.client === 'number' && Number.isSafeInteger(r.client))) throw new HistoryFormatError('expected "client" to be a string or an integer', line);
  if (typeof r.type !== 'string' || !TYPES.has(r.type)) throw new HistoryFormatError('expected "type" to be "invoke", "ok", "fail" or "info"', line);
  if (typeof r.f !== 'string' || r.f === '') throw new HistoryFormatError('expected "f" to be an operation name such as "read"', line);
  if (r.key !== undefined && typeof r.key !== 'string' && typeof r.key !== 'number') throw new HistoryFormatError('expected "key" to be a string or a number', line);
  if (beyondSafeIntegers(r.key)) throw new HistoryFormatError(`"key" is ${UNSAFE_INTEGER}`, line);
  if (beyondSafeIntegers(r.value)) throw new HistoryFormatError(`"value" holds ${UNSAFE_INTEGER}`, line);
  const value = r.value === undefined ? null : jsonValue(r.value);
  if (value === undefined) throw new HistoryFormatError('expected "value" to be null, a boolean, a number, a string or an array of them', line);
  return event(String(r.client), r.type, r.f, r.key === undefined ? undefined : String(r.key), value, line);
}

/** Since 0.2.0. The client events of a history file's text. */
export function parseHistoryText(text: string, format: HistoryFormat): RawEvent[] {
  const parse = format === 'jepsen' ? parseJepsenLine : format === 'edn' ? parseEdnLine : parseJsonLine;
  const events: RawEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const content = lines[i]!.replace(/\r$/, '');
    if (content.trim() === '') continue;
    const e = parse(content, i + 1);
    if (e !== null) events.push(e);
  }
  return events;
}

/** How a shipped specification reads operations from a file. */
export interface SpecAdapter<S, I, O> {
  readonly spec: Specification<S, I, O>;
  /** The input and output of one operation, or a message saying what was expected. */
  decode(call: RawCall, result: RawResult | undefined): { input: I; output: O | undefined } | string;
}

function show(v: RawValue): string {
  if (v instanceof Keyword) return v.toString();
  if (v instanceof Map) return '{…}';
  return JSON.stringify(v) ?? String(v);
}

function registerValue(v: RawValue): RegisterValue | undefined {
  return v === null || typeof v === 'number' || typeof v === 'string' ? v : undefined;
}

function registerAdapter(withCas: boolean): SpecAdapter<RegisterValue, CasRegisterInput, RegisterOutput> {
  return {
    spec: withCas ? casRegister : (register as Specification<RegisterValue, CasRegisterInput, RegisterOutput>),
    decode(call, result) {
      const fs = withCas ? 'read, write or cas' : 'read or write';
      if (call.f === 'read') {
        if (result === undefined || result.value instanceof Keyword) return { input: { f: 'read' }, output: undefined };
        const v = registerValue(result.value);
        return v === undefined ? `expected a read to return nil, an integer or a string, found ${show(result.value)}` : { input: { f: 'read' }, output: v };
      }
      if (call.f === 'write') {
        const v = registerValue(call.value);
        return v === undefined ? `expected a write of nil, an integer or a string, found ${show(call.value)}` : { input: { f: 'write', value: v }, output: result === undefined ? undefined : null };
      }
      if (call.f === 'cas' && withCas) {
        const pair = call.value;
        const from = Array.isArray(pair) && pair.length === 2 ? registerValue(pair[0]!) : undefined;
        const to = Array.isArray(pair) && pair.length === 2 ? registerValue(pair[1]!) : undefined;
        if (from === undefined || to === undefined) return `expected a cas of [from to], found ${show(pair)}`;
        return { input: { f: 'cas', from, to }, output: result === undefined ? undefined : true };
      }
      return `expected the function ${fs} (spec ${withCas ? 'cas-register' : 'register'}), found :${call.f}`;
    },
  };
}

const kvAdapter: SpecAdapter<string, KvInput, KvOutput> = {
  spec: kv,
  decode(call, result) {
    if (call.key === undefined) return 'expected a key (:key or "key") for the kv spec';
    const key = call.key;
    if (call.f === 'get') {
      if (result === undefined) return { input: { f: 'get', key }, output: undefined };
      const v = result.value;
      if (v !== null && typeof v !== 'string') return `expected a get to return a string or nil, found ${show(v)}`;
      return { input: { f: 'get', key }, output: v ?? '' };
    }
    if (call.f === 'put' || call.f === 'append') {
      if (typeof call.value !== 'string') return `expected ${call.f} of a string, found ${show(call.value)}`;
      return { input: { f: call.f, key, value: call.value }, output: result === undefined ? undefined : null };
    }
    return `expected the function get, put or append (spec kv), found :${call.f}`;
  },
};

/* eslint-disable @typescript-eslint/no-explicit-any */
export const SPECS = {
  register: registerAdapter(false),
  'cas-register': registerAdapter(true),
  kv: kvAdapter,
} as const satisfies Record<string, SpecAdapter<any, any, any>>;
export type SpecName = keyof typeof SPECS;
export const SPEC_NAMES = Object.keys(SPECS) as SpecName[];

/**
 * Since 0.2.0. The operations of a history file for a shipped specification. Throws
 * `HistoryFormatError` (with the line) for a line that does not fit.
 */
export function readHistory<S, I, O>(text: string, format: HistoryFormat, adapter: SpecAdapter<S, I, O>): Operation<I, O>[] {
  const events = parseHistoryText(text, format);
  let raw: Operation<RawCall, RawResult>[];
  try {
    raw = historyOf(events);
  } catch (error) {
    if (error instanceof HistoryError) throw new HistoryFormatError(error.message.replace(/^line \d+: /, ''), error.line);
    throw error;
  }
  return raw.map((op) => {
    const line = op.lines?.[0];
    const result = op.outcome === 'ok' || op.outcome === 'fail' ? op.output : undefined;
    if (result !== undefined && result.f !== op.input.f) {
      throw new HistoryFormatError(`expected the completion of :${op.input.f} (invoked on line ${line}), found :${result.f}`, result.line);
    }
    // A failure carries no output: the specification says what a failure means.
    const decoded = adapter.decode(op.input, op.outcome === 'ok' ? result : undefined);
    if (typeof decoded === 'string') throw new HistoryFormatError(decoded, op.outcome === 'ok' ? result?.line : line);
    const output = op.outcome === 'ok' ? decoded.output : undefined;
    return { ...op, input: decoded.input, output };
  });
}
