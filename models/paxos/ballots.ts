/**
 * What every Paxos role shares: the empty ballot, the quorum size, the highest-ballot rule over
 * promises, and which proposer node owns a ballot and which values the clients propose.
 */
import type { Params } from '../../src/index.js';

/** No ballot yet (the spec's -1). */
export const NO_BALLOT = -1;

/** The smallest number of acceptors that is more than half of them. */
export function majority(acceptors: number): number {
  return Math.floor(acceptors / 2) + 1;
}

/** What one acceptor reported in its promise. */
export interface Report {
  readonly acceptor: string;
  readonly acceptedBallot: number;
  readonly acceptedValue: string | null;
}

/** The report with the highest accepted ballot, or null when none of them accepted anything. */
export function highestReport(reports: readonly Report[]): Report | null {
  let top: Report | null = null;
  for (const r of reports) if (r.acceptedBallot > (top?.acceptedBallot ?? NO_BALLOT)) top = r;
  return top;
}

/** The proposer node that owns ballot `ballot`. */
export function proposerOf(ballot: number, params: Params): string {
  return params.style === 'spec' ? `b${ballot}` : `p${(ballot % Number(params.proposers)) + 1}`;
}

/** The client values of a configuration: v1..vP, one per proposer; the spec's {v1, v2} in style=spec. */
export function clientValues(params: Params): string[] {
  const count = params.style === 'spec' ? 2 : Number(params.proposers);
  return Array.from({ length: count }, (_, i) => `v${i + 1}`);
}
