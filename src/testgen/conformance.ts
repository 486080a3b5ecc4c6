/**
 * Running one conformance scenario against a user's implementation through a typed adapter,
 * comparing at each step what it sends and the state it shows with what the model does. The
 * generated test files (generate.ts) call this; a failure names the step and what differs,
 * saves the scenario as a protokit trace and prints the command that replays it.
 */
import { mkdirSync } from 'node:fs';
import type { EventObject } from 'xstate';
import { formatAction } from '../engine/actions.js';
import { canonical } from '../engine/canonical.js';
import type { Message, Params } from '../engine/model.js';
import { writeFileAtomic } from '../trace/file.js';
import type { Trace } from '../trace/format.js';
import { sortSends, type Scenario } from './scenarios.js';

/** A message an implementation sends, in the model's terms. */
export interface SentMessage {
  readonly to: string;
  readonly message: Message;
}

/**
 * How conformance tests drive an implementation of one role, in the model's terms: the adapter
 * translates events into calls of the implementation and its sends and state back.
 */
export interface ConformanceAdapter {
  /** A fresh node `id` (no storage), with the model's parameters. */
  init(id: string, config: Params): void;
  /** A message (with `from`) or an environment event reaches the node; what it sends in answer. */
  deliver(event: EventObject): readonly SentMessage[];
  /** The node's observable state: the model's context fields the implementation can show (any subset). */
  state(): Readonly<Record<string, unknown>>;
  /** The node crashes and restarts from its storage; what it sends on recovery. Without it, scenarios with a restart of the node are skipped. */
  restart?(): readonly SentMessage[];
}

export interface GeneratedScenario extends Scenario {
  readonly trace: Trace;
}

/** Runs `scenario`; throws an Error saying what differs (and where its trace went) at the first step that does. */
export function runConformance(adapter: ConformanceAdapter, scenario: GeneratedScenario, config: Params, traceDir = 'traces/conformance'): { steps: number; skipped: boolean } {
  if (!adapter.restart && scenario.steps.some((s) => s.kind === 'restart')) return { steps: 0, skipped: true };
  adapter.init(scenario.node, config);
  let k = 0;
  for (const s of scenario.steps) {
    k++;
    if (s.kind === 'crash') continue;
    const sent = s.kind === 'restart' ? adapter.restart!() : adapter.deliver(s.event);
    const got = sortSends(sent).map((m) => `${m.to}←${canonical(m.message)}`);
    const want = s.sends.map((m) => `${m.to}←${canonical(m.message)}`);
    let problem: string | null = null;
    if (got.join(', ') !== want.join(', ')) problem = `sends [${got.join(', ')}]; the model sends [${want.join(', ')}]`;
    else {
      const shown = adapter.state();
      for (const [field, value] of Object.entries(shown)) {
        if (canonical(value) !== canonical(s.context[field])) {
          problem = `state field ${field} is ${canonical(value)}; in the model ${canonical(s.context[field])}`;
          break;
        }
      }
    }
    if (problem !== null) {
      const what = s.kind === 'restart' ? 'restart' : canonical(s.event);
      const path = `${traceDir}/${scenario.trace.model}-${scenario.node}-${scenario.transition.replace(/[^a-z0-9]+/gi, '_').slice(0, 80)}.json`;
      mkdirSync(traceDir, { recursive: true });
      writeFileAtomic(path, JSON.stringify(scenario.trace, null, 2) + '\n');
      throw new Error(
        [
          `${scenario.node}, step ${k} of ${scenario.steps.length} (${what}): ${problem}`,
          `scenario (covers ${scenario.transition}):`,
          ...scenario.actions.map((a, n) => `  ${n + 1}. ${formatAction(a)}`),
          `trace:  ${path}`,
          `replay: npx protokit replay ${path}`,
        ].join('\n'),
      );
    }
  }
  return { steps: k, skipped: false };
}
