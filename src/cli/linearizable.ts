/**
 * `protokit linearizable FILE... --spec register|cas-register|kv [--format jepsen|edn|jsonl]
 * [--timeout S] [--json] [--html OUT]`: checks histories recorded from real systems.
 *
 * Exit 0 when every history is linearizable, 1 when some is not, 2 for bad input (a file that
 * cannot be read, a line that does not fit: one line on stderr with the file and line), 5 when
 * some are undecided (the timeout or step budget ran out) and none is refuted. Every file is read
 * and parsed before any is checked, so bad input fails fast. A directory stands for every file in it.
 * Strings from the files never reach the terminal with their control characters.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import pc from 'picocolors';
import { UsageError } from '../engine/errors.js';
import { DEFAULT_MAX_INPUT_BYTES, readInputText } from '../engine/input-file.js';
import { checkLinearizability, type LinearizabilityResult } from '../linearizability/checker.js';
import { describeEvidence, evidenceOf, partitionKey, summarize } from '../linearizability/evidence.js';
import { historyLanes } from '../linearizability/lanes.js';
import { guessFormat, HISTORY_FORMATS, HistoryFormatError, readHistory, SPEC_NAMES, SPECS, type HistoryFormat, type SpecName } from '../linearizability/formats.js';
import type { Operation } from '../linearizability/history.js';
import { renderLinearizabilityHtml } from '../linearizability/html.js';
import type { Specification } from '../linearizability/spec.js';
import { resolveSpec } from '../linearizability/spec.js';
import { writeFileAtomic } from '../trace/file.js';
import { formatMs, useColor } from './common.js';

export interface LinearizableCommandOptions {
  spec?: string;
  format?: string;
  timeout?: string;
  json?: boolean;
  html?: string;
  maxSteps?: number;
}

/** Files larger than this are refused (PROTOKIT_MAX_INPUT_BYTES raises it): a history checker should not be a way to exhaust memory. */
export const MAX_HISTORY_BYTES = DEFAULT_MAX_INPUT_BYTES;

/** Control characters (C0, DEL, C1) and bidirectional overrides shown as escapes. */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** JSON whose strings carry no raw C1 or bidi characters either (JSON.stringify escapes only C0). */
function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function filesOf(args: readonly string[]): string[] {
  const files: string[] = [];
  for (const arg of args) {
    let stat;
    try {
      stat = statSync(arg);
    } catch {
      throw new UsageError(`${printable(arg)}: no such file or directory`);
    }
    if (stat.isDirectory()) {
      let entries: string[];
      try {
        entries = readdirSync(arg);
      } catch (error) {
        throw new UsageError(`${printable(arg)}: cannot list the directory (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`);
      }
      // Histories are the regular files in it; anything else (folders, FIFOs, sockets, dangling links) is not one.
      const inside = entries
        .filter((f) => !f.startsWith('.'))
        .sort()
        .map((f) => join(arg, f))
        .filter(isRegularFile);
      if (inside.length === 0) throw new UsageError(`${printable(arg)}: a directory with no files in it`);
      files.push(...inside);
    } else files.push(arg);
  }
  return files;
}

function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

interface Loaded {
  readonly file: string;
  readonly history: Operation<unknown, unknown>[];
}

function load(file: string, format: HistoryFormat | undefined, spec: SpecName): Loaded {
  const text = readInputText(file, { what: 'history' });
  const fmt = format ?? guessFormat(file, text.split('\n', 1)[0]);
  try {
    return { file, history: readHistory(text, fmt, SPECS[spec] as never) };
  } catch (error) {
    if (error instanceof HistoryFormatError) {
      throw new UsageError(`${printable(file)}${error.line !== undefined ? `:${error.line}` : ''}: ${printable(error.message)} (format ${fmt}, spec ${spec})`);
    }
    // Values nested deeper than the reader's stack: the file's doing, not protokit's.
    if (error instanceof RangeError && /call stack/i.test(error.message)) throw new UsageError(`${printable(file)}: values nest too deep to read (format ${fmt}, spec ${spec})`);
    throw error;
  }
}

type AnyResult = LinearizabilityResult<unknown, unknown, unknown>;

function failingJson(spec: Specification<unknown, unknown, unknown>, result: AnyResult) {
  const rs = resolveSpec(spec);
  const op = (o: Operation<unknown, unknown>) => ({
    client: o.client,
    op: rs.describeOperation(o.input, o.output),
    outcome: o.outcome,
    ...(o.lines ? { line: o.lines[0], returnLine: o.lines[1] } : {}),
  });
  return result.failing.map((f) => ({
    partition: f.partition,
    key: partitionKey(f),
    operations: f.operations.length,
    prefix: f.prefix.map((s) => ({ ...op(s.op), before: rs.describeState(s.before), after: rs.describeState(s.after) })),
    stuck: f.stuck.map((s) => ({ ...op(s.op), before: rs.describeState(s.before), allowed: s.allowed, deadline: s.op === f.deadline })),
  }));
}

/**
 * The page of each history in an --html folder: its base name and `.html`; histories that share a
 * base name (a/h.jsonl, b/h.jsonl) get `-2`, `-3`, ... in the order given, so no page overwrites
 * another. Names compare case-insensitively (a case-insensitive file system would merge them).
 */
export function pageNames(files: readonly string[]): string[] {
  const taken = new Set<string>();
  return files.map((file) => {
    const base = basename(file);
    let name = `${base}.html`;
    for (let k = 2; taken.has(name.toLowerCase()); k++) name = `${base}-${k}.html`;
    taken.add(name.toLowerCase());
    return name;
  });
}

export async function linearizableCommand(args: readonly string[], options: LinearizableCommandOptions): Promise<number> {
  if (options.spec === undefined) throw new UsageError(`--spec is required (accepted: ${SPEC_NAMES.join(', ')})`);
  if (!SPEC_NAMES.includes(options.spec as SpecName)) throw new UsageError(`unknown spec '${printable(options.spec)}' (accepted: ${SPEC_NAMES.join(', ')})`);
  const specName = options.spec as SpecName;
  if (options.format !== undefined && !HISTORY_FORMATS.includes(options.format as HistoryFormat)) {
    throw new UsageError(`unknown format '${printable(options.format)}' (accepted: ${HISTORY_FORMATS.join(', ')})`);
  }
  let timeoutMs: number | undefined;
  if (options.timeout !== undefined) {
    const s = Number(options.timeout);
    if (!/^\d+(\.\d+)?$/.test(options.timeout.trim()) || !(s > 0)) throw new UsageError(`--timeout takes a number of seconds above 0, not '${printable(options.timeout)}'`);
    timeoutMs = s * 1000;
  }
  const spec = SPECS[specName].spec as Specification<unknown, unknown, unknown>;
  const files = filesOf(args);
  if (options.html !== undefined && files.length > 1) {
    try {
      if (!statSync(options.html).isDirectory()) throw new Error();
    } catch {
      throw new UsageError(`--html ${printable(options.html)}: with several histories, --html takes an existing directory (one page per refuted history)`);
    }
  }
  const loaded = files.map((f) => load(f, options.format as HistoryFormat | undefined, specName));
  const pages = files.length > 1 && options.html !== undefined ? pageNames(files) : null;

  const c = useColor() ? pc : pc.createColors(false);
  const counts = { linearizable: 0, 'not-linearizable': 0, unknown: 0 };
  const started = performance.now(); // allow-clock: reports elapsed time only
  const width = Math.min(40, Math.max(...loaded.map((l) => printable(l.file).length)));
  for (const [index, { file, history }] of loaded.entries()) {
    const t0 = performance.now(); // allow-clock
    const result = checkLinearizability(spec, history, { timeoutMs, maxSteps: options.maxSteps });
    const elapsedMs = Math.round(performance.now() - t0); // allow-clock
    counts[result.verdict]++;
    let page: string | null = null;
    if (options.html !== undefined && result.verdict === 'not-linearizable') {
      page = pages === null ? options.html : join(options.html, pages[index]!);
      writeFileAtomic(page, renderLinearizabilityHtml(pages === null ? basename(file) : file, spec, result));
    }
    if (options.json) {
      process.stdout.write(
        safeJson({
          file,
          spec: specName,
          operations: result.operations,
          partitions: result.partitions,
          linearizable: result.linearizable,
          elapsedMs,
          steps: result.steps,
          stoppedBy: result.stoppedBy,
          failing: failingJson(spec, result),
          ...(page ? { html: page } : {}),
        }) + '\n',
      );
      continue;
    }
    const mark = result.verdict === 'linearizable' ? c.green('✓') : result.verdict === 'unknown' ? c.yellow('?') : c.red('✗');
    process.stdout.write(`${mark} ${printable(file).padEnd(width)}  ${printable(summarize(spec, result))}  ${c.dim(formatMs(elapsedMs))}\n`);
    if (loaded.length === 1 && result.verdict === 'not-linearizable') {
      const evidence = evidenceOf(spec, result);
      for (const line of [...historyLanes(evidence, { esc: printable }), ...describeEvidence(evidence, printable)]) process.stdout.write(`    ${printable(line)}\n`);
    }
    if (page) process.stdout.write(`    view: ${printable(page)} (open it in a browser)\n`);
  }
  if (!options.json) {
    const total = formatMs(performance.now() - started); // allow-clock
    process.stdout.write(
      `${loaded.length} ${loaded.length === 1 ? 'history' : 'histories'} (spec ${specName}): ${counts.linearizable} linearizable, ${counts['not-linearizable']} not linearizable, ${counts.unknown} undecided, in ${total}\n`,
    );
  }
  if (counts['not-linearizable'] > 0) return 1;
  if (counts.unknown > 0) return 5;
  return 0;
}
