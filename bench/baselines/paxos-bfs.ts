/**
 * A plain breadth-first search of the Paxos specification of "The Paxos Algorithm or How to
 * Win a Turing Award" (MCPaxos; ../../../shared/reference/tla-configs.md): 3 acceptors, majority
 * quorums, values v1 v2, ballots 0..maxBallot. No kit, no xstate: it cross-checks the state
 * count protokit reaches on the paxos model's `tla` preset.
 */
import type { BaselineResult } from './twophase-bfs.js';

type Msg = string; // canonical text of a message: '1a|b', '1b|a|b|mbal|mval', '2a|b|v', '2b|a|b|v'

interface State {
  readonly maxBal: readonly number[];
  readonly maxVBal: readonly number[];
  readonly maxVal: readonly string[];
  /** Sorted, each message once. */
  readonly msgs: readonly Msg[];
}

const key = (s: State) => `${s.maxBal.join(',')}/${s.maxVBal.join(',')}/${s.maxVal.join(',')}/${s.msgs.join(';')}`;
const send = (msgs: readonly Msg[], m: Msg) => (msgs.includes(m) ? msgs : [...msgs, m].sort());
const set = <T>(xs: readonly T[], i: number, x: T) => xs.map((y, j) => (j === i ? x : y));

export function paxosBfs(maxBallot: number, acceptors = 3): BaselineResult {
  const started = performance.now(); // allow-clock: reports elapsed time only
  const accs = Array.from({ length: acceptors }, (_, a) => a);
  const ballots = Array.from({ length: maxBallot + 1 }, (_, b) => b);
  const values = ['v1', 'v2'];
  const quorums: number[][] = [];
  for (let mask = 0; mask < 1 << acceptors; mask++) {
    const q = accs.filter((a) => mask & (1 << a));
    if (q.length * 2 > acceptors) quorums.push(q);
  }
  const init: State = { maxBal: accs.map(() => -1), maxVBal: accs.map(() => -1), maxVal: accs.map(() => 'none'), msgs: [] };
  const successors = (s: State): State[] => {
    const out: State[] = [];
    const parsed = s.msgs.map((m) => m.split('|'));
    for (const b of ballots) out.push({ ...s, msgs: send(s.msgs, `1a|${b}`) }); // Phase1a(b)
    for (const a of accs) {
      for (const m of parsed) {
        if (m[0] === '1a' && Number(m[1]) > s.maxBal[a]!) {
          const b = Number(m[1]); // Phase1b(a)
          out.push({ ...s, maxBal: set(s.maxBal, a, b), msgs: send(s.msgs, `1b|${a}|${b}|${s.maxVBal[a]}|${s.maxVal[a]}`) });
        }
        if (m[0] === '2a' && Number(m[1]) >= s.maxBal[a]!) {
          const b = Number(m[1]); // Phase2b(a)
          out.push({ maxBal: set(s.maxBal, a, b), maxVBal: set(s.maxVBal, a, b), maxVal: set(s.maxVal, a, m[2]!), msgs: send(s.msgs, `2b|${a}|${b}|${m[2]}`) });
        }
      }
    }
    for (const b of ballots) {
      if (parsed.some((m) => m[0] === '2a' && Number(m[1]) === b)) continue;
      for (const v of values) {
        const ok = quorums.some((q) => {
          const q1b = parsed.filter((m) => m[0] === '1b' && q.includes(Number(m[1])) && Number(m[2]) === b);
          if (!q.every((a) => q1b.some((m) => Number(m[1]) === a))) return false;
          const q1bv = q1b.filter((m) => Number(m[3]) >= 0);
          return q1bv.length === 0 || q1bv.some((m) => m[4] === v && q1bv.every((mm) => Number(m[3]) >= Number(mm[3])));
        });
        if (ok) out.push({ ...s, msgs: send(s.msgs, `2a|${b}|${v}`) }); // Phase2a(b, v)
      }
    }
    return out;
  };
  const visited = new Set<string>([key(init)]);
  let level = [init];
  let depth = 0;
  while (level.length > 0) {
    depth++;
    const next: State[] = [];
    for (const s of level) {
      for (const t of successors(s)) {
        const k = key(t);
        if (!visited.has(k)) {
          visited.add(k);
          next.push(t);
        }
      }
    }
    level = next;
  }
  return { distinctStates: visited.size, depth, elapsedMs: performance.now() - started }; // allow-clock
}
