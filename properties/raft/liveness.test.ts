/**
 * Raft's liveness with teeth: stable-leader-commits-applied holds under the model's fairness
 * (exhaustively, on three servers with one term, so that a leader once elected is stable: the
 * last test, preset split-votes), the
 * mutant ignores-leader-commit (safe: no invariant fails) is caught by it alone, by `explore` and
 * by `check`, and the split vote of the last term (preset split-votes) is excused by
 * leader-eventually-elected, as the paper allows.
 */
import { describe, expect, test } from 'vitest';
import { buildTrace, checkRandom, explore, replay, resolveInstance, withProperties } from '../../src/index.js';
import suite from './index.js';

describe('raft liveness', () => {
  // One term: whoever wins term 1 stays leader (nobody may time out past it); one entry.
  const oneTerm = { config: { nodes: 3, maxTerm: 1, maxLog: 1 }, faults: { network: 'set', loss: 0, duplicate: 0, crash: 0, partition: 0 } } as const;
  // leader-eventually-elected is left out here (its verdict is the last test's): every other
  // property, safety included, is checked.
  const withoutElection = withProperties(suite, suite.properties.map((p) => p.name).filter((n) => n !== 'leader-eventually-elected'));

  test('ignores-leader-commit is caught only by stable-leader-commits-applied (explore), and its lasso replays', async () => {
    const options = { ...oneTerm, mutant: 'ignores-leader-commit' };
    const r = await explore(withoutElection, options);
    const v = r.violation!;
    // n1 elected (a timeout, one vote), its entry stored on n2 and committed (step 7), then on
    // n3; heartbeats carry leaderCommit 1, which n2 and n3 ignore: nothing fair is left to do
    // (a message set: re-sending changes nothing), the last world stutters, unapplied.
    expect([v.property, v.kind, v.loopStart, v.step - v.loopStart!]).toEqual(['stable-leader-commits-applied', 'liveness', 14, 0]);
    const trace = buildTrace(resolveInstance(suite.model, options), withoutElection, v.actions, { command: 'explore' }, { property: v.property, loopStart: v.loopStart! });
    expect(replay(withoutElection, trace).violation?.property).toBe('stable-leader-commits-applied');
  });

  // With every property (leader-eventually-elected too): no other is violated first.
  test('ignores-leader-commit is caught by check (the whole suite, one term), by stable-leader-commits-applied', () => {
    const r = checkRandom(suite, { ...oneTerm, mutant: 'ignores-leader-commit', runs: 500 });
    expect([r.violation?.property, r.violation?.kind, r.violation?.step, r.violation?.loopStart]).toEqual(['stable-leader-commits-applied', 'liveness', 15, 15]);
  });

  // The election livelock of preset split-votes (all three time out in term 1 and vote for
  // themselves) is what the paper allows without timing: leader-eventually-elected excuses it.
  // It used to be an expected failure; the same split on an unordered network (explore with
  // --max-in-flight 4) was then a false alarm no suite declared. The preset is the one-term
  // configuration above, and this search checks every property: it is also where
  // stable-leader-commits-applied is shown to hold (a second search without
  // leader-eventually-elected would visit the same 28,613 states to the same verdicts).
  test('the split vote of the last term is excused: both liveness properties hold in preset split-votes (explore)', async () => {
    const [preset, one] = [resolveInstance(suite.model, { config: { preset: 'split-votes' } }), resolveInstance(suite.model, oneTerm)];
    expect([preset.params, preset.faults]).toEqual([one.params, one.faults]);
    const r = await explore(suite, { config: { preset: 'split-votes' } });
    expect([r.violation, r.inconclusive, r.distinctStates]).toEqual([null, false, 28613]);
    expect(r.liveness.properties.map((p) => [p.name, p.verdict])).toEqual([['leader-eventually-elected', 'holds'], ['stable-leader-commits-applied', 'holds']]);
  });
});
