/**
 * Trace validation (protokit validate): time and states visited to validate recorded logs of
 * 100, 1,000 and 10,000 events of Raft (a seeded random run with crashes, losses and
 * duplicates, recorded by recordRun as protokit-log/1), with every event logged and with only
 * message, start and recover events logged (the environment events — timeouts, client requests —
 * searched for), depth-first against breadth-first. Budget: 100,000 states; past it the verdict
 * is "unknown" (exit 5 on the command line).
 */
import { suites } from '../../properties/registry.js';
import type { Action } from '../../src/engine/actions.js';
import { resolveInstance } from '../../src/engine/instance.js';
import { randomRun, recordRun } from '../../src/validate/record.js';
import { parseStep, type LogStep } from '../../src/validate/log.js';
import { validateLogs } from '../../src/validate/validate.js';
import { ms, table, time } from '../measure.js';

const MAX_STATES = 100_000;
/** The shortest prefix of `actions` whose fully logged run has `size` lines (drops and duplicates log nothing). */
function prefixWithLines(actions: readonly Action[], nodes: number, size: number): Action[] {
  let lines = nodes;
  let k = 0;
  while (k < actions.length && lines < size) if (['deliver', 'env', 'crash', 'restart'].includes(actions[k++]!.type)) lines++;
  return actions.slice(0, k);
}

export default {
  title: 'Trace validation',
  async run() {
    const suite = suites.find((s) => s.model.name === 'raft')!;
    const instance = resolveInstance(suite.model, { faults: { ...suite.model.faults, partition: 0, loss: 1_000_000, duplicate: 1_000_000, crash: 1_000_000 } });
    const rows: (string | number)[][] = [];
    const json: unknown[] = [];
    for (const size of [100, 1_000, 10_000]) {
      const actions = prefixWithLines(randomRun(instance, 7, size * 3), instance.nodes.length, size);
      for (const environment of [true, false]) {
        const steps = new Map<string, LogStep[]>();
        let total = 0;
        for (const [node, lines] of recordRun(instance, actions, { environment })) {
          steps.set(node, lines.slice(1).map((l, k) => parseStep(JSON.parse(JSON.stringify(l)), `${node}:${k + 2}`, node)));
          total += lines.length - 1;
        }
        for (const strategy of ['depth-first', 'breadth-first'] as const) {
          const t = time(() => validateLogs(instance, { headers: [], steps, total }, { strategy, logsEnvironment: environment, maxStates: MAX_STATES }));
          const r = t.value;
          const logged = environment ? 'every event' : 'messages only';
          rows.push([total.toLocaleString('en-US'), logged, strategy, r.verdict, `${r.linesMatched.toLocaleString('en-US')}`, r.statesVisited.toLocaleString('en-US'), ms(t.cpuMs)]);
          json.push({ lines: total, logged, strategy, verdict: r.verdict, linesMatched: r.linesMatched, statesVisited: r.statesVisited, cpuMs: Math.round(t.cpuMs) });
        }
      }
    }
    const markdown = [
      `Raft (${instance.nodes.length} servers), one seeded random run per size with crashes, losses and duplicates; budget ${MAX_STATES.toLocaleString('en-US')} states (past it: unknown).`,
      '',
      table(['log lines', 'logged', 'search', 'verdict', 'lines explained', 'states visited', 'CPU'], rows),
    ].join('\n');
    return { markdown, json };
  },
};
