/**
 * Linearizability checking on histories recorded from real systems (../shared/histories, as
 * collected by Porcupine's authors): all 103 Jepsen etcd histories with `cas-register` (one is
 * empty), `kv/c50-bad.txt` refuted and `kv/c50-ok.txt` accepted with `kv`. Files are read and
 * parsed before timing; each figure is the median of REPEATS checks, wall and CPU time, with the
 * load average after each, since the machine may be shared. Targets (issue 14): etcd all < 5 s,
 * c50-bad < 2 s, c50-ok < 2 s.
 *
 *   npm run bench -- linearizability     this section only (printed, results not written)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLinearizability } from '../../src/linearizability/checker.js';
import { readHistory, SPECS } from '../../src/linearizability/formats.js';
import type { Operation } from '../../src/linearizability/history.js';
import { median, ms, si, table, time } from '../measure.js';

const REPEATS = 5;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const histories = resolve(root, '../shared/histories');

type Check = () => { verdicts: Record<string, number>; steps: number };

function measure(label: string, target: string, check: Check) {
  check(); // warm up
  const runs = Array.from({ length: REPEATS }, () => ({ ...time(check), load: loadavg()[0]! }));
  const { verdicts, steps } = runs[0]!.value;
  return {
    label,
    target,
    verdicts,
    steps,
    wallMs: median(runs.map((r) => r.wallMs)),
    cpuMs: median(runs.map((r) => r.cpuMs)),
    load: runs.map((r) => Number(r.load.toFixed(2))),
  };
}

function checkAll(spec: (typeof SPECS)['cas-register'] | (typeof SPECS)['kv'], ops: readonly Operation<unknown, unknown>[][]): Check {
  return () => {
    const verdicts: Record<string, number> = {};
    let steps = 0;
    for (const history of ops) {
      const r = checkLinearizability(spec.spec as never, history as never);
      verdicts[r.verdict] = (verdicts[r.verdict] ?? 0) + 1;
      steps += r.steps;
    }
    return { verdicts, steps };
  };
}

export default {
  title: 'Linearizability checking (recorded histories)',
  async run() {
    if (!existsSync(join(histories, 'jepsen-etcd'))) {
      return { markdown: `Skipped: ${histories} is absent.`, json: { skipped: true } };
    }
    const etcdDir = join(histories, 'jepsen-etcd');
    const etcd = readdirSync(etcdDir)
      .filter((f) => f.endsWith('.log'))
      .sort()
      .map((f) => readHistory(readFileSync(join(etcdDir, f), 'utf8'), 'jepsen', SPECS['cas-register']));
    const kvFile = (name: string) => [readHistory(readFileSync(join(histories, 'kv', `${name}.txt`), 'utf8'), 'edn', SPECS.kv)];
    const results = [
      measure(`etcd: all ${etcd.length} histories, cas-register`, '< 5 s', checkAll(SPECS['cas-register'], etcd as never)),
      measure('kv/c50-bad.txt (2,024 operations, 10 keys) refuted', '< 2 s', checkAll(SPECS.kv, kvFile('c50-bad') as never)),
      measure('kv/c50-ok.txt (1,712 operations, 10 keys) accepted', '< 2 s', checkAll(SPECS.kv, kvFile('c50-ok') as never)),
    ];
    const verdictText = (v: Record<string, number>) =>
      Object.entries(v)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ');
    const markdown = [
      table(
        ['workload', 'verdicts', 'search steps', 'wall (median)', 'CPU (median)', 'target', 'load average after each'],
        results.map((r) => [r.label, verdictText(r.verdicts), si(r.steps), ms(r.wallMs), ms(r.cpuMs), r.target, r.load.join(', ')]),
      ),
      '',
      `Median of ${REPEATS} checks each, files parsed beforehand; one thread.`,
    ].join('\n');
    return { markdown, json: results };
  },
};
