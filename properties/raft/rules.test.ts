/**
 * The rules of properties/raft/rules.ts, each alone, by exhaustive search of the suite's small
 * configuration: each mutant that gives a rule teeth breaks it in the shortest run, at the wrong
 * step itself. Without the rule the same mutants are seen later or not at all (a second leader,
 * two commands applied at one index; the wrong reply of replies-in-request-term by nothing). The
 * correct model holds them all on every state of that configuration: properties/small-configs.test.ts
 * searches it whole with the suite's every property. (counts-stale-votes, the fifth rule's mutant,
 * needs four messages in flight: raft.test.ts searches it without that bound.)
 */
import { describe, expect, test } from 'vitest';
import { explore, withProperties } from '../../src/index.js';
import suite from './index.js';

const small = suite.small!;

async function violationOf(property: string, mutant: string) {
  const r = await explore(withProperties(suite, [property]), { config: small.config, faults: small.faults, maxInFlight: small.maxInFlight, mutant, deadlock: false, liveness: false });
  return r.violation && [r.violation.property, r.violation.actions.length, r.violation.message];
}

describe('raft: the rules of Figure 2 and section 5', () => {
  test.each([
    ['replies-in-request-term', 'stale-requests-refused', 9, 'n3 (term 2) received AppendEntries of term 1 from n1 and answered success false in term 1 (a stale request is refused in the receiver\'s term)'],
    ['counts-heartbeat-as-entry', 'match-index-held', 5, 'n1, leader of term 1, has matchIndex 1 for n2, but at index 1 n2 holds nothing and n1 nothing'],
    ['counts-leader-twice', 'committed-on-majority', 6, 'c1.1 (term 1) was committed at index 1 by n1 in term 1, but only 1 of 3 servers hold it (n1)'],
    ['applies-before-commit', 'applied-only-committed', 4, 'n1 applied c1.1 at index 1, which no leader committed there'],
  ])('%s breaks %s at the wrong step (%i actions)', async (mutant, property, length, message) => {
    expect(await violationOf(property, mutant)).toEqual([property, length, message]);
  });
});
