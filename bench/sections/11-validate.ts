/**
 * Trace validation (protokit validate): time and states visited to validate recorded logs of
 * 100, 1,000 and 10,000 events of Raft (a seeded random run with crashes, losses and
 * duplicates, recorded by recordRun as protokit-log/1 with vector clocks), with every event
 * logged and with only message, start and recover events logged (the environment events —
 * timeouts, client requests — searched for), depth-first against breadth-first, and for the
 * messages-only logs with and without the vector clocks in the search. Budget: 100,000 states;
 * past it the verdict is "unknown" (exit 5 on the command line). Then a real run: the raft-kv
 * example (three processes over TCP, a client load, a SIGKILL and a restart, a connection drop),
 * its recorded logs validated with examples/raft-kv/validate-map.ts.
 */
import { suites } from '../../properties/registry.js';
import type { Action } from '../../src/engine/actions.js';
import { resolveInstance } from '../../src/engine/instance.js';
import { randomRun, recordRun } from '../../src/validate/record.js';
import { parseStep, type LogStep } from '../../src/validate/log.js';
import { validateLogs } from '../../src/validate/validate.js';
import { ms, table, time } from '../measure.js';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../../examples/raft-kv/scenario.js';
import raftKvMap from '../../examples/raft-kv/validate-map.js';
import { readLogs } from '../../src/validate/read-logs.js';

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
        for (const [node, lines] of recordRun(instance, actions, { environment, clocks: true })) {
          steps.set(node, lines.slice(1).map((l, k) => parseStep(JSON.parse(JSON.stringify(l)), `${node}:${k + 2}`, node)));
          total += lines.length - 1;
        }
        for (const strategy of ['depth-first', 'breadth-first'] as const) {
          // Fully logged runs take one state per line either way: the clocks matter for what the logs leave out.
          for (const clocks of environment ? [false] : [false, true]) {
            const t = time(() => validateLogs(instance, { headers: [], steps, total }, { strategy, logsEnvironment: environment, maxStates: MAX_STATES, clocks }));
            const r = t.value;
            const logged = environment ? 'every event' : 'messages only';
            rows.push([total.toLocaleString('en-US'), logged, strategy, clocks ? 'yes' : 'no', r.verdict, `${r.linesMatched.toLocaleString('en-US')}`, r.statesVisited.toLocaleString('en-US'), ms(t.cpuMs)]);
            json.push({ lines: total, logged, strategy, clocks, verdict: r.verdict, linesMatched: r.linesMatched, statesVisited: r.statesVisited, cpuMs: Math.round(t.cpuMs) });
          }
        }
      }
    }
    // A recorded run of the raft-kv example, validated as `protokit validate <dir>/logs/*.ndjson --model raft --map examples/raft-kv/validate-map.ts` does.
    const dir = mkdtempSync(join(tmpdir(), 'bench-raft-kv-'));
    const kvRows: (string | number)[][] = [];
    try {
      const scenario = await runScenario({ dir, ops: 200, seconds: 240, clients: 3, keys: 3, kills: 1, drops: 1, record: true });
      const files = readdirSync(join(dir, 'logs')).filter((f) => f.endsWith('.ndjson')).map((f) => join(dir, 'logs', f));
      const logs = readLogs(files, raftKvMap);
      const kvInstance = resolveInstance(suite.model, { config: logs.headers[0]!.config, faults: { ...suite.model.faults, partition: 0, loss: 1_000_000, duplicate: 1_000_000, crash: 1_000_000 } });
      for (const strategy of ['depth-first', 'breadth-first'] as const) {
        const t = time(() => validateLogs(kvInstance, logs, { strategy, applicationEvents: raftKvMap.applicationEvents, maxStates: MAX_STATES }));
        const r = t.value;
        kvRows.push([`${scenario.ok} ok of ${scenario.invoked}`, scenario.faults.map((f) => f.fault.split(' (')[0]).join(', '), logs.total.toLocaleString('en-US'), strategy, r.verdict, r.statesVisited.toLocaleString('en-US'), ms(t.cpuMs)]);
        json.push({ run: 'raft-kv', operations: scenario.invoked, ok: scenario.ok, faults: scenario.faults.map((f) => f.fault), lines: logs.total, strategy, clocks: r.clocks, verdict: r.verdict, statesVisited: r.statesVisited, cpuMs: Math.round(t.cpuMs) });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const markdown = [
      `Raft (${instance.nodes.length} servers), one seeded random run per size with crashes, losses and duplicates, recorded with vector clocks; budget ${MAX_STATES.toLocaleString('en-US')} states (past it: unknown). "clocks": whether the search used them (messages-only logs then know how many unlogged steps lie between two lines of a node).`,
      '',
      table(['log lines', 'logged', 'search', 'clocks', 'verdict', 'lines explained', 'states visited', 'CPU'], rows),
      '',
      'A recorded run of the raft-kv example (three server processes over TCP, 3 clients, a SIGKILL and restart, a connection drop; runtime logs with vector clocks, client commands as application events), validated with examples/raft-kv/validate-map.ts:',
      '',
      table(['client operations', 'faults', 'log lines', 'search', 'verdict', 'states visited', 'CPU'], kvRows),
    ].join('\n');
    return { markdown, json };
  },
};
