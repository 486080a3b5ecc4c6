/**
 * The baseline: a plain, hand-written breadth-first search of the TwoPhase specification
 * (Gray & Lamport 2004; ../../../shared/reference/tla-configs.md), with no xstate and no kit.
 * A state packs into one number: per RM two bits of rmState, two bits of tmState, a bit mask
 * of tmPrepared, a bit mask of the Prepared messages sent, and the Commit and Abort bits.
 */

const WORKING = 0;
const PREPARED = 1;
const COMMITTED = 2;
const ABORTED = 3;
const TM_INIT = 0;
const TM_COMMITTED = 1;
const TM_ABORTED = 2;

export interface BaselineResult {
  readonly distinctStates: number;
  /** Levels searched; the initial state is depth 1. */
  readonly depth: number;
  readonly elapsedMs: number;
}

/** Distinct states and depth of TwoPhase with `rms` resource managers (1..6: 28 bits). */
export function twoPhaseBfs(rms: number): BaselineResult {
  if (rms < 1 || rms > 6) throw new Error('the packed baseline holds 1..6 RMs');
  const started = performance.now(); // allow-clock: reports elapsed time only
  const tmShift = 2 * rms;
  const preparedShift = tmShift + 2;
  const sentShift = preparedShift + rms;
  const commitBit = 1 << (sentShift + rms);
  const abortBit = commitBit << 1;
  const all = (1 << rms) - 1;
  const setRm = (s: number, r: number, v: number) => (s & ~(3 << (2 * r))) | (v << (2 * r));
  const setTm = (s: number, v: number) => (s & ~(3 << tmShift)) | (v << tmShift);

  const visited = new Set<number>([0]);
  let level = [0];
  let depth = 0;
  const visit = (s: number, next: number[]) => {
    if (!visited.has(s)) {
      visited.add(s);
      next.push(s);
    }
  };
  while (level.length > 0) {
    depth++;
    const next: number[] = [];
    for (const s of level) {
      const tm = (s >>> tmShift) & 3;
      const prepared = (s >>> preparedShift) & all;
      const sent = (s >>> sentShift) & all;
      if (tm === TM_INIT) {
        for (let r = 0; r < rms; r++) if (sent & (1 << r)) visit(s | (1 << (preparedShift + r)), next); // TMRcvPrepared(r)
        if (prepared === all) visit(setTm(s, TM_COMMITTED) | commitBit, next); // TMCommit
        visit(setTm(s, TM_ABORTED) | abortBit, next); // TMAbort
      }
      for (let r = 0; r < rms; r++) {
        if (((s >>> (2 * r)) & 3) === WORKING) {
          visit(setRm(s, r, PREPARED) | (1 << (sentShift + r)), next); // RMPrepare(r)
          visit(setRm(s, r, ABORTED), next); // RMChooseToAbort(r)
        }
        if (s & commitBit) visit(setRm(s, r, COMMITTED), next); // RMRcvCommitMsg(r)
        if (s & abortBit) visit(setRm(s, r, ABORTED), next); // RMRcvAbortMsg(r)
      }
    }
    level = next;
  }
  return { distinctStates: visited.size, depth, elapsedMs: performance.now() - started }; // allow-clock
}
