/**
 * Online validation (`protokit validate --follow`): logs that are still being written are read
 * as they grow, and the set of possible states — every distinct state of the model that explains
 * every line read so far, as Accordant keeps it — is carried from one batch of lines to the next
 * by the breadth-first search. The first line no state explains is reported when it arrives.
 *
 * Memory stays bounded: the set is capped (`maxStates`, named in the refusal), the states keep
 * no history (so no trace is reconstructed: run `validate` on the files afterwards for one), and
 * the lines read are bounded as for whole files (MAX_STEPS, MAX_LOG_BYTES, MAX_LINE_CHARS).
 *
 * A line that waits for something not read yet (a message whose send is in a log that has not
 * caught up, a step of another node its vector clock names: awaitsInput) holds the batch: the set stays as it
 * was until more lines arrive, and at the end of the logs a line still waiting is unexplained.
 */
import { closeSync, readSync } from 'node:fs';
import { UsageError } from '../engine/errors.js';
import { openInputFile } from '../engine/input-file.js';
import type { Instance } from '../engine/instance.js';
import type { LogHeader, LogStep } from './log.js';
import { makePlan, type Plan } from './match.js';
import { addStep, LogLineReader, MAX_LINE_CHARS, MAX_LOG_BYTES, type LogMapping } from './read-logs.js';
import { initialState, search, type SearchState } from './search.js';
import { firstUnexplained, type Unexplained } from './validate.js';

/** A log file read as it grows: complete lines only, from where the last read stopped. */
export class LogTail {
  private offset = 0;
  private partial = '';
  private lineNo = 0;
  private readonly reader: LogLineReader;

  constructor(
    readonly path: string,
    settings?: LogMapping,
  ) {
    this.reader = new LogLineReader(path, settings);
  }

  get header(): LogHeader | null {
    return this.reader.header;
  }

  /** The steps of the lines completed since the last call (a line still being written waits for its newline). */
  poll(): LogStep[] {
    const { fd, size } = openInputFile(this.path, { what: 'log', maxBytes: MAX_LOG_BYTES });
    const steps: LogStep[] = [];
    try {
      if (size < this.offset) throw new UsageError(`${this.path} shrank from ${this.offset} to ${size} bytes while followed; a log only grows`);
      const buffer = Buffer.alloc(Math.min(size - this.offset, 1 << 20));
      while (this.offset < size) {
        const n = readSync(fd, buffer, 0, Math.min(buffer.length, size - this.offset), this.offset);
        if (n === 0) break;
        this.offset += n;
        this.partial += buffer.subarray(0, n).toString('utf8');
        let end: number;
        while ((end = this.partial.indexOf('\n')) >= 0) {
          const line = this.partial.slice(0, end).replace(/\r$/, '');
          this.partial = this.partial.slice(end + 1);
          this.lineNo++;
          if (line.trim() === '') continue;
          const step = this.reader.take(line, this.lineNo);
          if (step !== null) steps.push(step);
        }
        if (this.partial.length > MAX_LINE_CHARS) throw new UsageError(`${this.path}:${this.lineNo + 1}: the line is over ${MAX_LINE_CHARS} characters long; lines are at most ${MAX_LINE_CHARS}`);
      }
    } finally {
      closeSync(fd);
    }
    return steps;
  }
}

export type OnlineStatus =
  /** Every line read so far is explained by `possible` states. */
  | { readonly kind: 'explained'; readonly possible: number }
  /** Some line waits for lines not read yet; the set is kept as it was. */
  | { readonly kind: 'waiting'; readonly possible: number; readonly unexplained: Unexplained | null }
  /** No state explains the lines: the first one that none explains. */
  | { readonly kind: 'invalid'; readonly unexplained: Unexplained | null }
  /** The set of possible states passed its cap (or `shouldStop` said stop). */
  | { readonly kind: 'unknown'; readonly stoppedBy: 'states' | 'time' };

/** The set of possible states of a run whose lines arrive in batches. */
export class OnlineValidator {
  private readonly steps = new Map<string, LogStep[]>();
  private total = 0;
  private possible: SearchState[] | null = null;
  /** Lines explained by every state of the set. */
  explained = 0;
  /** States visited by the searches so far. */
  statesVisited = 0;

  constructor(
    private readonly instance: Instance,
    private readonly options: { readonly maxStates: number; readonly logsEnvironment: boolean; readonly shouldStop?: () => boolean; readonly applicationEvents?: readonly string[] },
  ) {}

  get linesRead(): number {
    return this.total;
  }

  get possibleStates(): number {
    return this.possible?.length ?? 1;
  }

  /**
   * Nodes whose logs are followed (their headers are read) though they may have no line yet: a
   * node with a log is never searched for as a node without one; its lines are awaited.
   */
  expect(nodes: Iterable<string>): void {
    for (const node of nodes) if (!this.steps.has(node)) this.steps.set(node, []);
  }

  /** Adds lines read and extends the set over them. */
  add(steps: readonly LogStep[]): OnlineStatus {
    for (const step of steps) addStep(this.steps, step, ++this.total);
    return this.advance(false);
  }

  /** The logs ended: a line still waiting will never be explained. */
  end(): OnlineStatus {
    return this.advance(true);
  }

  private advance(atEnd: boolean): OnlineStatus {
    const plan: Plan = makePlan(this.instance, this.steps, this.options.logsEnvironment, true, this.options.applicationEvents ?? []);
    // States keep no history: the set is all an online validator holds.
    const from = (this.possible ?? [initialState(plan)]).map((s) => ({ ...s, parent: null, moves: [] }));
    if (from[0]!.matched === plan.total) return { kind: 'explained', possible: from.length };
    const outcome = search(plan, 'breadth-first', this.options.maxStates, { from, all: true, shouldStop: this.options.shouldStop });
    this.statesVisited += outcome.statesVisited;
    if (outcome.verdict === 'unknown') return { kind: 'unknown', stoppedBy: outcome.stoppedBy ?? 'states' };
    if (outcome.finals.length > 0) {
      this.possible = [...outcome.finals];
      this.explained = plan.total;
      return { kind: 'explained', possible: this.possible.length };
    }
    const unexplained = firstUnexplained(plan, outcome.best, outcome.failures);
    if (!atEnd && awaitsInput(plan, outcome.best)) return { kind: 'waiting', possible: from.length, unexplained };
    return { kind: 'invalid', unexplained };
  }
}

/**
 * Whether lines not read yet could explain what is stuck at `reached`: an unexplained line
 * receives a message whose send no log has shown yet (an unknown id; or no id, matched by
 * content), or its vector clock names a step another log has not reached yet. Otherwise no later
 * line can help, and the line is reported now.
 */
function awaitsInput(plan: Plan, reached: SearchState): boolean {
  const { instance } = plan;
  const lastStep = plan.logs.map((log) => log?.at(-1)?.stepNo ?? 0);
  return plan.logs.some((log, i) =>
    (log ?? []).slice(reached.cursors[i]!).some((step) => {
      if (step.event.kind === 'deliver' && (step.event.id === null || !plan.sendOf.has(step.event.id))) return true;
      return Object.entries(step.vc ?? {}).some(([node, n]) => {
        const j = instance.indexOf.get(node);
        return j !== undefined && j !== i && plan.logs[j] !== null && lastStep[j]! < n;
      });
    }),
  );
}
