/**
 * The `linearizable` property on a tiny replicated register (test-model.ts): two clients (a write,
 * then a read each) and two servers, a primary that replicates each write to a backup asynchronously. Reading
 * from the primary is linearizable; reading from the backup gives stale reads, which both random
 * exploration and exhaustive search must catch, with an ordinary trace.
 */
import { describe, expect, test } from 'vitest';
import { checkRandom } from '../explore/random/random.js';
import { explore } from '../explore/bfs/search.js';
import { linearizable } from './property.js';
import { register, type CasRegisterInput } from './specs.js';
import { registerSuite } from './test-model.js';
import type { WorldView } from '../engine/view.js';
import type { Observation } from '../engine/model.js';

describe('the linearizable property', () => {
  test('holds for reads from the primary, in random runs and in an exhaustive search', async () => {
    const suite = registerSuite('s1');
    const random = checkRandom(suite, { seed: 1 });
    expect(random.violation).toBeNull();
    expect(random.witnesses).toEqual([{ name: 'both-read', reached: true }]);
    const result = await explore(suite);
    expect(result.violation).toBeNull();
    expect(result.complete).toBe(true);
    expect(result.distinctStates).toBeGreaterThan(100);
  });

  test('catches the stale read from the backup: random runs and the shortest counterexample', async () => {
    const suite = registerSuite('s2');
    const random = checkRandom(suite, { seed: 1 });
    expect(random.violation?.property).toBe('linearizable');
    expect(random.violation?.message).toMatch(/^not linearizable: after the longest linearisation found \[.*\] \(state ".*"\), client c\d: read → (nil|"c\d\.0") \[\d+–\d+\] cannot come next$/);
    const result = await explore(suite);
    expect(result.violation?.property).toBe('linearizable');
    // c1 writes (invoke, deliver to s1, ack), c1 reads from the stale backup (invoke, deliver, answer): 6 steps.
    expect(result.violation?.actions.length).toBe(6);
    expect(result.violation?.message).toBe('not linearizable: after the longest linearisation found [c1:write "c1.0"] (state "c1.0"), client c1: read → nil [2–3] cannot come next');
  });

  test('verdicts are memoised by content, and a history grown by an invocation builds on its parent', () => {
    let steps = 0;
    const counting = { ...register, step: (st: never, i: CasRegisterInput, o: never) => (steps++, register.step(st, i as never, o)) };
    const p = linearizable('lin', 'counts its searches', { spec: counting as typeof register });
    const view = (observations: Observation[]) => ({ observations }) as unknown as WorldView;
    const grown: Observation[] = [
      { type: 'invoke', client: 'a', seq: 0, input: { f: 'write', value: 1 } },
      { type: 'ok', client: 'a', seq: 0, output: null },
      { type: 'invoke', client: 'b', seq: 0, input: { f: 'read' } },
    ];
    if (p.kind !== 'always') throw new Error('an invariant');
    expect(p.check(view(grown.slice(0, 2)))).toBeUndefined();
    const searched = steps;
    expect(searched).toBeGreaterThan(0);
    expect(p.check(view(grown))).toBeUndefined(); // the parent was linearizable: no search
    expect(p.check(view([...grown.slice(0, 2)]))).toBeUndefined(); // same content, another array: memo
    expect(steps).toBe(searched);
    expect(p.check(view([...grown, { type: 'ok', client: 'b', seq: 0, output: 2 }]))).toMatch(/^not linearizable: /);
    expect(steps).toBeGreaterThan(searched);
  });
});
