/**
 * MapReduce's liveness with teeth: job-eventually-completes holds under the model's fairness
 * (exhaustively, on small jobs, with and without a crash: mapreduce.test.ts's testLiveness
 * asserts every liveness property of the suite holds there, 462 and 5702 states); the mutant ignores-failures (safe: no
 * invariant fails) is caught by it alone, by `explore` and by `check`; and the mutant
 * completed-maps-not-re-executed, which lost-maps-re-executed names first, is caught by it too
 * once that property is left out.
 */
import { describe, expect, test } from 'vitest';
import { buildTrace, checkRandom, explore, replay, resolveInstance, withProperties } from '../../src/index.js';
import suite from './index.js';

describe('mapreduce liveness', () => {
  const none = { network: 'unordered', loss: 0, duplicate: 0, crash: 0, partition: 0 } as const;
  const small = { config: { workers: 1, maps: 1, reduces: 1, attempts: 2, retries: 0 }, faults: none } as const;
  const oneCrash = { ...small, faults: { ...none, crash: 1 } } as const;

  test('ignores-failures is caught only by job-eventually-completes (explore, one crash), and its lasso replays', async () => {
    const options = { ...oneCrash, mutant: 'ignores-failures' };
    const r = await explore(suite, options);
    const v = r.violation!;
    // Assigned, the worker crashes and restarts without its task; the coordinator suspects it
    // but keeps the task assigned to it: nothing fair is left to do, the job stays unfinished.
    expect([v.property, v.kind, v.loopStart, v.step - v.loopStart!]).toEqual(['job-eventually-completes', 'liveness', 5, 0]);
    const trace = buildTrace(resolveInstance(suite.model, options), suite, v.actions, { command: 'explore' }, { property: v.property, loopStart: v.loopStart! });
    expect(replay(suite, trace).violation?.property).toBe('job-eventually-completes');
  });

  test('ignores-failures is caught by check in the default configuration, by job-eventually-completes', () => {
    const r = checkRandom(suite, { mutant: 'ignores-failures', runs: 300 });
    expect([r.violation?.property, r.violation?.kind, r.violation?.step, r.violation?.loopStart]).toEqual(['job-eventually-completes', 'liveness', 5, 5]);
  });

  const without = withProperties(suite, suite.properties.map((p) => p.name).filter((n) => n !== 'lost-maps-re-executed'));

  test('completed-maps-not-re-executed is caught by job-eventually-completes too (explore, without lost-maps-re-executed)', async () => {
    // Two workers, one lost message: w1 completes map 0 and is suspected (its output is lost,
    // the map is never run again), map 1's RunMap to w2 is lost; the coordinator suspects w1
    // for ever. The search stops at its state bound, after the lasso is found and confirmed.
    const options = { config: { workers: 2, maps: 2, reduces: 1, attempts: 2, retries: 0 }, faults: { ...none, loss: 1 }, maxStates: 20_000, mutant: 'completed-maps-not-re-executed' };
    const v = (await explore(without, options)).violation!;
    expect([v.property, v.kind, v.loopStart, v.step - v.loopStart!]).toEqual(['job-eventually-completes', 'liveness', 7, 1]);
  });

  test('completed-maps-not-re-executed is caught by job-eventually-completes too (check, without lost-maps-re-executed)', () => {
    const r = checkRandom(without, { mutant: 'completed-maps-not-re-executed' });
    // The map's output is lost with its worker, never produced again; the coordinator suspects the worker for ever.
    expect([r.violation?.property, r.violation?.kind, r.violation?.step, r.violation?.loopStart]).toEqual(['job-eventually-completes', 'liveness', 49, 48]);
  });
});
