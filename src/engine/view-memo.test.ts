/**
 * The memo of a function of a view (view-memo.ts): keyed by exactly the slots the function read,
 * so it answers again only where the function would read the same ids, and a function whose
 * reads depend on what it saw is still answered right. Checked on every reachable state of
 * Two-Phase Commit tla rms=3 (288 states) against evaluating each function afresh.
 */
import { expect, test } from 'vitest';
import twoPhase from '../../properties/two-phase-commit/index.js';
import { resolveInstance } from './instance.js';
import { Packed } from './packed.js';
import { MISS, memoised, ViewMemo } from './view-memo.js';
import type { WorldView } from './view.js';

/** Every reachable tuple of TwoPhase tla rms=3, breadth first, on one packing. */
function reachable(): { packed: Packed; tuples: Int32Array[] } {
  const instance = resolveInstance(twoPhase.model, { config: { preset: 'tla', rms: 3 } });
  const packed = new Packed(instance);
  const first = new Int32Array(packed.width);
  packed.initial(first, 0);
  packed.fingerprint(first, 0);
  // By fingerprint, as the search counts states (a set network's tuple keeps its send order).
  const seen = new Set<string>([`${packed.hi},${packed.lo}`]);
  const tuples = [first];
  for (let k = 0; k < tuples.length; k++) {
    const t = tuples[k]!;
    const count = packed.list(t, 0);
    packed.setParent(t, 0);
    for (let a = 0; a < count; a++) {
      const next = new Int32Array(packed.width);
      packed.successor(t, 0, a, next, 0);
      const key = `${packed.hi},${packed.lo}`;
      if (!seen.has(key)) {
        seen.add(key);
        tuples.push(next);
      }
    }
  }
  return { packed, tuples };
}

test('a function of the TM alone is evaluated once per TM state; one whose reads depend on what it saw answers as afresh everywhere', () => {
  const { packed, tuples } = reachable();
  expect(tuples.length).toBe(288);
  const tmMemo = new ViewMemo();
  let tmCalls = 0;
  const tmDecision = (w: WorldView) => (tmCalls++, String(w.node('tm').context.decision ?? 'none'));
  // Reads the observations, and the RMs only when no commit was decided: two read sets.
  const branching = (w: WorldView) =>
    w.observations.some((o) => o.type === 'Decided' && o.decision === 'commit') ? 'decided' : w.role('rm').map((rm) => rm.context.status).join(',');
  const branchingMemo = new ViewMemo();
  const tmStates = new Set<number>();
  for (const t of tuples) {
    const view = packed.view(t, 0);
    tmStates.add(t[0]!);
    expect(memoised(tmMemo, view, () => tmDecision(view))).toBe(tmDecision(packed.view(t, 0)));
    tmCalls--; // the afresh evaluation above
    expect(memoised(branchingMemo, view, () => branching(view))).toBe(branching(packed.view(t, 0)));
  }
  expect(tmCalls).toBe(tmStates.size);
  // A second pass is answered from the memo alone.
  for (const t of tuples) expect(tmMemo.get(packed.view(t, 0))).not.toBe(MISS);
  expect(tmCalls).toBe(tmStates.size);
});

test('a function that throws is not kept; a view that is not over a tuple is never memoised', () => {
  const { packed, tuples } = reachable();
  const memo = new ViewMemo();
  const view = packed.view(tuples[5]!, 0);
  expect(() =>
    memoised(memo, view, () => {
      view.node('tm');
      throw new Error('boom');
    }),
  ).toThrow('boom');
  expect(memo.get(view)).toBe(MISS);
  const plain = { ...view } as WorldView;
  memo.set(plain, 'x');
  expect(memo.get(plain)).toBe(MISS);
});
