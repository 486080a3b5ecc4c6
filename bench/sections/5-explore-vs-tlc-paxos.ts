/**
 * Exhaustive search against TLC in the same run (issue 24): Paxos with MaxBallot 2 (MCPaxosSmallNoInv,
 * 3 acceptors, values v1 v2), protokit `explore` with one worker in a fresh process against TLC
 * with one worker, alternated, medians (bench/vs-tlc.ts).
 */
import { compareWithTlc } from '../vs-tlc.js';

export default {
  title: 'Exhaustive search against TLC: Paxos',
  async run() {
    return compareWithTlc({
      label: 'Paxos MaxBallot=2',
      model: 'paxos',
      options: { config: { preset: 'tla', maxBallot: 2 } },
      spec: 'MCPaxos.tla',
      cfg: 'MCPaxosSmallNoInv.cfg',
      states: 185_369,
      depth: 25,
      tlcChecks: 'no invariant (MCPaxosSmallNoInv) and deadlock (its default)',
    });
  },
};
