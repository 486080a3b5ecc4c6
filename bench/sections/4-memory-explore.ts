/**
 * Memory of an exhaustive search (issue 24: ≤ 40 bytes per state in the frontier, ≤ 20 in the
 * visited set, on TwoPhase with 7 RMs), measured: a fresh process (bench/memory-child.ts) collects
 * garbage fully at regular points of the search and records the live heap plus array buffers
 * against the distinct states so far (V) and the states queued (Q). A least-squares fit of
 * bytes = a·V + b·Q + c separates them: `b` is what a queued world costs (the frontier), `a` what
 * a visited state costs for good (the visited set, plus whatever else grows with the states:
 * interned node states, the liveness graph when it is built). The search's own counter of its
 * visited set (`visitedBytesPerState`: its typed arrays' sizes over the states) is shown beside.
 * Twice: without liveness (the search alone) and as `protokit explore` runs (liveness decided,
 * its graph built).
 */
import { fileURLToPath } from 'node:url';
import { expectCount } from '../fresh-search.js';
import { load1, runChild, si, table, verdict } from '../measure.js';

const CHILD = fileURLToPath(new URL('../memory-child.ts', import.meta.url));
const FRONTIER_TARGET = 40;
const VISITED_TARGET = 20;
const STATES = 296_448;
const DEPTH = 23;

interface Sample {
  states: number;
  queue: number;
  bytes: number;
}

/** Least squares for y = a·x1 + b·x2 + c; also the root-mean-square residual. */
export function fit(samples: readonly Sample[]): { a: number; b: number; c: number; rmsResidual: number } {
  // Normal equations, 3×3, solved by Cramer's rule.
  let s11 = 0, s12 = 0, s1 = 0, s22 = 0, s2 = 0, n = 0, sy1 = 0, sy2 = 0, sy = 0;
  for (const { states: x1, queue: x2, bytes: y } of samples) {
    s11 += x1 * x1; s12 += x1 * x2; s1 += x1; s22 += x2 * x2; s2 += x2; n += 1; sy1 += y * x1; sy2 += y * x2; sy += y;
  }
  const det = (m: number[][]) => m[0]![0]! * (m[1]![1]! * m[2]![2]! - m[1]![2]! * m[2]![1]!) - m[0]![1]! * (m[1]![0]! * m[2]![2]! - m[1]![2]! * m[2]![0]!) + m[0]![2]! * (m[1]![0]! * m[2]![1]! - m[1]![1]! * m[2]![0]!);
  const M = [[s11, s12, s1], [s12, s22, s2], [s1, s2, n]];
  const Y = [sy1, sy2, sy];
  const d = det(M);
  if (n < 3 || Math.abs(d) < 1e-9) throw new Error(`cannot fit memory against states and queue (${n} samples)`);
  const col = (j: number) => det(M.map((row, i) => row.map((v, k) => (k === j ? Y[i]! : v))));
  const [a, b, c] = [col(0) / d, col(1) / d, col(2) / d];
  const rms = Math.sqrt(samples.reduce((acc, s) => acc + (s.bytes - (a * s.states + b * s.queue + c)) ** 2, 0) / n);
  return { a, b, c, rmsResidual: rms };
}

async function measure(liveness: boolean) {
  const options = { config: { preset: 'tla', rms: 7 }, liveness };
  const run = await runChild(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, 'two-phase-commit', JSON.stringify(options)]);
  const r = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
  expectCount(`TwoPhase RM=7 (liveness ${liveness})`, r, STATES, DEPTH);
  if (r.liveness !== liveness) throw new Error(`asked liveness ${liveness}, the search says ${r.liveness}`);
  return { liveness, ...r, fit: fit(r.samples), cpuMs: run.cpuMs, load: load1() };
}

export default {
  title: 'Memory of an exhaustive search',
  async run() {
    const alone = await measure(false);
    const asExplore = await measure(true);
    const visitedCounter = alone.counters.visitedBytesPerState as number | undefined;
    const frontier = alone.fit.b;
    const visited = visitedCounter ?? alone.fit.a;
    const row = (m: Awaited<ReturnType<typeof measure>>, label: string) => [
      label,
      m.samples.length,
      m.fit.b.toFixed(1),
      m.fit.a.toFixed(1),
      (m.counters.visitedBytesPerState as number | undefined)?.toFixed(1) ?? '—',
      m.livenessBytesPerState > 0 ? m.livenessBytesPerState.toFixed(1) : '—',
      `${si(m.fit.c / 2 ** 20)} MiB`,
      `${si(m.fit.rmsResidual / 2 ** 20)} MiB`,
      `${(m.maxRssBytes / 2 ** 20).toFixed(0)} MiB`,
    ];
    const markdown = [
      `TwoPhase RM=7 (${STATES.toLocaleString('en')} distinct states, depth ${DEPTH}, checked), one worker, a fresh process with \`--expose-gc\`; live heap plus array buffers after a full collection at regular points of the search, fitted as a·(states visited) + b·(states queued) + c. Load (1 min) after: ${alone.load.toFixed(1)}, ${asExplore.load.toFixed(1)}.`,
      '',
      table(
        ['search', 'samples', 'frontier: bytes per queued state (b, fitted)', 'bytes per visited state (a, fitted)', 'visited set: the search\'s counter', 'liveness graph: its counter', 'fixed (c)', 'fit residual (rms)', 'peak RSS'],
        [row(alone, 'without liveness'), row(asExplore, 'as `protokit explore` (liveness graph built)')],
      ),
      '',
      `- Frontier (the search alone, fitted): **${frontier.toFixed(1)} bytes per state** — target ≤ ${FRONTIER_TARGET}: **${verdict(frontier, FRONTIER_TARGET, 'lower')}**.`,
      `- Visited set (${visitedCounter !== undefined ? "the search's counter of its typed arrays" : 'fitted'}): **${visited.toFixed(1)} bytes per state** — target ≤ ${VISITED_TARGET}: **${verdict(visited, VISITED_TARGET, 'lower')}**. The fitted a (${alone.fit.a.toFixed(1)}) also counts what else grows with the states (interned node states and envelopes, memos).`,
    ].join('\n');
    const strip = (m: Awaited<ReturnType<typeof measure>>) => ({ ...m, samples: m.samples.length });
    return { markdown, json: { frontierBytesPerState: frontier, visitedBytesPerState: visited, targets: { frontier: FRONTIER_TARGET, visited: VISITED_TARGET }, alone: strip(alone), asExplore: strip(asExplore) } };
  },
};
