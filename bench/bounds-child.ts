/**
 * One measurement of bench/sections/9-bounds.ts in a fresh process, so its peak RSS is its own:
 *
 *   npx tsx bench/bounds-child.ts linearizable N   a sequential register history of N operations
 *   npx tsx bench/bounds-child.ts jepsen-blanks N  one Jepsen log line padded with N blanks
 *
 * Prints one JSON line: { verdict, wallMs, cpuMs, peakRssMiB }.
 */
import { checkLinearizability } from '../src/linearizability/checker.js';
import { HistoryFormatError, parseHistoryText, SPECS } from '../src/linearizability/formats.js';
import type { Operation } from '../src/linearizability/history.js';
import type { CasRegisterInput, RegisterOutput } from '../src/linearizability/specs.js';

/** Write i, then read it back, one operation at a time: linearizable, and no operation overlaps. */
export function sequentialHistory(n: number): Operation<CasRegisterInput, RegisterOutput>[] {
  const ops: Operation<CasRegisterInput, RegisterOutput>[] = [];
  for (let i = 0; i < n; i++) {
    const write = i % 2 === 0;
    const value = Math.floor(i / 2);
    ops.push({ id: i, client: String(i % 4), call: 2 * i, ret: 2 * i + 1, outcome: 'ok', input: write ? { f: 'write', value } : { f: 'read' }, output: write ? null : value });
  }
  return ops;
}

const [kind, count] = [process.argv[2], Number(process.argv[3])];
const wall0 = performance.now(); // allow-clock: a benchmark
const cpu0 = process.cpuUsage();
let verdict: string;
if (kind === 'linearizable') {
  verdict = checkLinearizability(SPECS['cas-register'].spec, sequentialHistory(count), { maxSteps: 10 * count + 10 }).verdict;
} else if (kind === 'jepsen-blanks') {
  try {
    verdict = `${parseHistoryText(`INFO  jepsen.util - 1\t:invoke\t:read\tnil${' '.repeat(count)}x`, 'jepsen').length} events`;
  } catch (error) {
    verdict = error instanceof HistoryFormatError ? `refused: ${error.message}` : String(error);
  }
} else throw new Error(`unknown measurement ${kind}`);
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ verdict, wallMs: Math.round(performance.now() - wall0), cpuMs: Math.round((cpu.user + cpu.system) / 1000), peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) })); // allow-clock
