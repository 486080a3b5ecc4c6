/**
 * Random exploration is deterministic: the same seed gives the identical trace; and a found
 * counterexample round-trips through a trace file (write → load → replay: same property, same step).
 */
import { ModelError } from '../../engine/errors.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, onTestFinished, test } from 'vitest';
import suite from '../../../properties/two-phase-commit/index.js';
import { resolveInstance } from '../../engine/instance.js';
import { always, sometimes } from '../../properties/properties.js';
import { defineSuite } from '../../properties/suite.js';
import { loadTrace, saveTrace } from '../../trace/file.js';
import { buildTrace, replay } from '../../trace/replay.js';
import { checkRandom } from './random.js';

describe('random exploration', () => {
  test('the same seed gives the identical counterexample and figures; another seed explores other runs', () => {
    const a = checkRandom(suite, { mutant: 'rm-forgets-prepared', seed: 7 });
    const b = checkRandom(suite, { mutant: 'rm-forgets-prepared', seed: 7 });
    expect(b.violation?.actions).toEqual(a.violation?.actions);
    expect(b.violation?.path).toBe(a.violation?.path);
    expect([b.runs, b.steps, b.distinctStates]).toEqual([a.runs, a.steps, a.distinctStates]);
    const c = checkRandom(suite, { runs: 200, seed: 8 });
    const d = checkRandom(suite, { runs: 200, seed: 9 });
    expect(c.steps).not.toBe(d.steps);
  });

  test('a counterexample round-trips through a trace file: same property, same step', () => {
    const result = checkRandom(suite, { mutant: 'tm-commits-on-majority' });
    const v = result.violation!;
    const instance = resolveInstance(suite.model, { mutant: 'tm-commits-on-majority' });
    const path = join(mkdtempSync(join(tmpdir(), 'protokit-')), 'trace.json');
    onTestFinished(() => rmSync(dirname(path), { recursive: true, force: true }));
    saveTrace(path, buildTrace(instance, suite, v.actions, { command: 'check', seed: result.seed, path: v.path }));
    const trace = loadTrace(path);
    expect(trace.violation).toEqual({ property: v.property, message: v.message, step: v.step });
    const replayed = replay(suite, trace);
    expect(replayed.violation?.property).toBe('commit-needs-all-prepared');
    expect(replayed.violation?.step).toBe(v.step);
    expect(JSON.parse(readFileSync(path, 'utf8')).format).toBe('protokit-trace/1');
  });

  test('an invariant that throws is an error of the model at the step where it threw, not a violation', () => {
    const throwing = always('reads-missing-field', 'reads a field that is not there once an RM prepared', (w) => {
      if (w.role('rm').some((rm) => rm.state === 'prepared')) (undefined as unknown as { x: number }).x;
    });
    const broken = defineSuite({ model: { ...suite.model, mutants: {} }, properties: [throwing], budget: { runs: 100, depth: 10 } });
    const error = (() => {
      try {
        checkRandom(broken);
      } catch (e) {
        return e as ModelError;
      }
    })();
    expect(error).toBeInstanceOf(ModelError);
    expect(error!.message).toMatch(/^step \d+ \(rm\d: Prepare\): property reads-missing-field threw: .*Cannot read properties of undefined/);
    expect(error!.actions!.at(-1)).toMatchObject({ type: 'env', event: { type: 'Prepare' } });
    expect(error!.actions).toHaveLength(error!.step!);
  });

  test('a witness never reached is reported as not reached', () => {
    const impossible = sometimes('five-rms', 'a cluster of three RMs shows five', (w) => w.role('rm').length === 5);
    const s = defineSuite({ model: { ...suite.model, mutants: {} }, properties: [impossible], budget: { runs: 50, depth: 10 } });
    expect(checkRandom(s).witnesses).toEqual([{ name: 'five-rms', reached: false }]);
  });

  test('faults switched off are never injected', () => {
    const result = checkRandom(suite, { runs: 300, faults: { network: 'unordered', loss: 0, duplicate: 0, crash: 0, partition: 0 } });
    // commits-after-recovery needs a crash: unreachable without faults.
    expect(result.witnesses.find((w) => w.name === 'commits-after-recovery')?.reached).toBe(false);
    expect(result.witnesses.find((w) => w.name === 'commits')?.reached).toBe(true);
  });
});
