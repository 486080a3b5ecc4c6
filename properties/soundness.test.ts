/**
 * No false alarm on a correct model (issue 22, point 2): the cheap regressions of what the
 * soundness sweep found (bench/sections/9-soundness.ts runs every model's default check at seeds
 * 1–20 and every named configuration; minutes of CPU, so it is a bench section). Each case failed
 * on the correct model before the property said exactly what its paper promises (docs/soundness.md).
 * That the excuses stay narrow is the mutants' tests: waits-for-all-promises (paxos.test.ts) and
 * rm-stops-asking with a lost message (two-phase-commit.test.ts) are still caught.
 */
import { expect, test } from 'vitest';
import { checkRandom, explore } from '../src/index.js';
import { suites } from './registry.js';

const suite = (name: string) => suites.find((s) => s.model.name === name)!;
const timeout = 300_000;

test('paxos, seed 2: no eventually-chosen lasso up to run 2,151, where two lost messages stranded the last ballot', () => {
  const r = checkRandom(suite('paxos'), { seed: 2, runs: 2151 });
  expect([r.violation?.property ?? null, r.runs]).toEqual([null, 2151]);
}, timeout);

test('two-phase-commit, retry=false with one loss and one crash (the README configuration): every-rm-learns-outcome holds, 2,695 states', async () => {
  const r = await explore(suite('two-phase-commit'), {
    config: { rms: 2, retry: false },
    faults: { network: 'unordered', loss: 1, duplicate: 0, crash: 1, partition: 0 },
  });
  expect([r.violation, r.complete, r.inconclusive, r.distinctStates, r.depth]).toEqual([null, true, false, 2695, 14]);
  expect(r.liveness.properties.map((p) => [p.name, p.verdict])).toEqual([['every-rm-learns-outcome', 'holds']]);
}, timeout);
