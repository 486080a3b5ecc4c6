/**
 * Bad trace files, fuzzed: random JSON and text, truncated files, fields of the wrong type,
 * huge numbers, unknown actions, actions naming nodes that do not exist, random action lists
 * and corrupted digests. Loading and replaying any of them ends in a UsageError (exit 2) or a
 * TraceMismatchError (exit 3), never another exception; a file that does load and replay also
 * renders in every `show` format. Seeds are fixed so a failure reproduces.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { suites } from '../../properties/registry.js';
import { findSuite } from '../cli/registry.js';
import { renderTrace, SHOW_FORMATS } from '../render/trace.js';
import { TraceMismatchError, UsageError } from '../engine/errors.js';
import { parseTrace } from './file.js';
import { replay } from './replay.js';

type Outcome = 'ok' | 'usage' | 'mismatch';

/** What `protokit replay` does with a file's text, reduced to how it ends. */
function loadAndReplay(text: string): Outcome {
  try {
    const trace = parseTrace(text, 'fuzzed.json');
    const suite = findSuite(suites, trace.model);
    replay(suite, trace);
    for (const format of SHOW_FORMATS) renderTrace(format, suite, trace, 'fuzzed.json');
    return 'ok';
  } catch (error) {
    if (error instanceof UsageError) return 'usage';
    if (error instanceof TraceMismatchError) return 'mismatch';
    throw error;
  }
}

const KNOWN = 'traces/two-phase-commit/rm-forgets-prepared.json';
const knownText = readFileSync(KNOWN, 'utf8');
const known = JSON.parse(knownText) as Record<string, any>;
const clone = () => structuredClone(known);
const settle = (o: Outcome): void => {
  expect(['ok', 'usage', 'mismatch']).toContain(o);
};
/** PROTOKIT_FUZZ_RUNS and PROTOKIT_FUZZ_SEED fuzz longer or elsewhere, e.g. before a release. */
const RUNS = { seed: Number(process.env.PROTOKIT_FUZZ_SEED ?? 7), numRuns: Number(process.env.PROTOKIT_FUZZ_RUNS ?? 120) };

/** Identifiers the fuzzer puts where node names go: real ones, and ones that do not exist. */
const nodeName = fc.oneof(fc.constantFrom('tm', 'rm1', 'rm2', 'rm3'), fc.constantFrom('rm0', 'rm4', 'rm99', 'TM', ''), fc.string({ maxLength: 6 }));
const message = fc.record({ type: fc.oneof(fc.constantFrom('Prepared', 'Commit', 'Abort'), fc.string({ maxLength: 8 })) }, { requiredKeys: ['type'] });
const looseMessage = fc.oneof(message, fc.record({ type: fc.constantFrom('Prepared'), rm: nodeName }), fc.anything());
const action = fc.oneof(
  fc.record({ type: fc.constantFrom('deliver', 'drop', 'duplicate'), from: nodeName, to: nodeName, message: looseMessage }),
  fc.record({ type: fc.constant('env'), node: nodeName, event: fc.oneof(fc.record({ type: fc.constantFrom('Prepare', 'DecideCommit', 'Timeout', 'RECOVER', 'Nope') }), looseMessage) }),
  fc.record({ type: fc.constantFrom('crash', 'restart'), node: nodeName }),
  fc.record({ type: fc.constant('partition'), groups: fc.array(fc.array(nodeName, { maxLength: 3 }), { maxLength: 3 }) }),
  fc.record({ type: fc.constant('heal') }),
  fc.record({ type: fc.string({ maxLength: 10 }), node: nodeName }),
);
const hugeNumber = fc.oneof(
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, 1e308, -1e308, 2 ** 64, -1, 0.5, 12, 13, 1e6, 1e6 + 1),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

describe('the trace loader and replay never fail with anything but exit 2 or 3', () => {
  test('the pristine trace replays (the fuzzing starts from a good file)', () => {
    expect(() => replay(findSuite(suites, known.model), parseTrace(knownText))).not.toThrow();
  });

  test('random JSON documents', () => {
    fc.assert(fc.property(fc.json({ maxDepth: 4 }), (text) => {
      expect(loadAndReplay(text)).toBe('usage');
    }), RUNS);
  });

  test('random text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
      settle(loadAndReplay(text));
    }), RUNS);
  });

  test('truncated files', () => {
    fc.assert(
      fc.property(fc.nat({ max: knownText.length - 2 }), (length) => {
        // Every proper prefix but the one missing only the final newline is broken JSON.
        expect(loadAndReplay(knownText.slice(0, length))).toBe('usage');
      }),
      RUNS,
    );
  });

  test('a field replaced by a value of any type', () => {
    const paths = [
      ['format'], ['kit'], ['kit', 'version'], ['model'], ['preset'], ['config'], ['config', 'rms'], ['config', 'retry'],
      ['mutant'], ['faults'], ['faults', 'network'], ['faults', 'crash'], ['expect'], ['violation'], ['violation', 'step'],
      ['violation', 'property'], ['actions'], ['actions', 0], ['actions', 3, 'message'], ['actions', 4, 'node'],
      ['digests'], ['digests', 2], ['digests', 2, 'nodes', 'tm'], ['origin'], ['origin', 'seed'], ['origin', 'lengths'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.oneof(fc.anything(), hugeNumber), (path, value) => {
        const trace = clone();
        let at = trace;
        for (const key of path.slice(0, -1)) at = at[key as string];
        at[path[path.length - 1] as string] = value;
        settle(loadAndReplay(JSON.stringify(trace)));
      }),
      RUNS,
    );
  });

  test('huge and odd numbers in the config, the fault bounds and the recorded step', () => {
    fc.assert(
      fc.property(fc.constantFrom(['config', 'rms'], ['faults', 'loss'], ['faults', 'crash'], ['violation', 'step'], ['origin', 'runs']), hugeNumber, ([group, key], value) => {
        const trace = clone();
        trace[group!][key!] = value;
        settle(loadAndReplay(JSON.stringify(trace)));
      }),
      RUNS,
    );
  });

  test('unknown actions, and actions naming nodes that do not exist, inserted anywhere', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10 }), action, (at, inserted) => {
        const trace = clone();
        trace.actions.splice(at, 0, inserted);
        settle(loadAndReplay(JSON.stringify(trace)));
      }),
      RUNS,
    );
  });

  test('random action lists', () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 12 }), fc.boolean(), (actions, keepDigests) => {
        const trace = clone();
        trace.actions = actions;
        if (!keepDigests) trace.digests = [];
        settle(loadAndReplay(JSON.stringify(trace)));
      }),
      RUNS,
    );
  });

  test('corrupted digests end in a mismatch that names the step', () => {
    fc.assert(
      fc.property(fc.nat({ max: known.digests.length - 1 }), fc.constantFrom('tm', 'rm1', 'rm2', 'rm3', 'network'), (step, what) => {
        const trace = clone();
        if (what === 'network') trace.digests[step].network = '0000000000000000';
        else trace.digests[step].nodes[what] = '0000000000000000';
        try {
          replay(findSuite(suites, trace.model), parseTrace(JSON.stringify(trace)));
          expect.unreachable('a corrupted digest must not replay');
        } catch (error) {
          expect(error).toBeInstanceOf(TraceMismatchError);
          expect((error as TraceMismatchError).step).toBe(step);
        }
      }),
      { seed: 7, numRuns: 30 },
    );
  });
});
