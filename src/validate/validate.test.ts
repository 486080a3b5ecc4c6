import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import model from '../../models/two-phase-commit/index.js';
import { resolveInstance } from '../engine/instance.js';
import { readLogs } from './read-logs.js';
import { ndjson, randomRun, recordRun } from './record.js';
import { validateLogs } from './validate.js';

const walk = randomRun;

function writeLogs(logs: Map<string, object[]>, skip: (line: any) => boolean = () => false): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'protokit-validate-'));
  return [...logs].map(([node, lines]) => {
    const path = join(dir, `${node}.ndjson`);
    writeFileSync(path, ndjson(lines.filter((l, k) => k === 0 || !skip(l))));
    return path;
  });
}

const faults = { network: 'unordered', loss: 2, duplicate: 2, crash: 2, partition: 0 } as const;
const instance = resolveInstance(model, { faults });

describe('validate: runs of the model itself', () => {
  test('fully logged runs with crashes, losses and duplicates validate in one pass (one state per line)', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const logs = recordRun(instance, walk(instance, seed, 40));
      const read = readLogs(writeLogs(logs));
      for (const strategy of ['depth-first', 'breadth-first'] as const) {
        const result = validateLogs(instance, read, { strategy });
        expect(result.verdict, `seed ${seed} ${strategy}`).toBe('valid');
        expect(result.linesMatched).toBe(read.total);
        expect(result.statesVisited).toBe(read.total + 1);
      }
    }
  });

  test('logs without environment events validate: the search finds the votes, decisions and timeouts', () => {
    for (const seed of [1, 2, 3]) {
      const logs = recordRun(instance, walk(instance, seed, 30), { environment: false });
      const read = readLogs(writeLogs(logs));
      const result = validateLogs(instance, read, { logsEnvironment: false });
      expect(result.verdict, `seed ${seed}`).toBe('valid');
      expect(result.linesMatched).toBe(read.total);
    }
    // Breadth-first keeps every consistent state: the same verdict, many more states (seed 2: 16 against 1,022).
    const read = readLogs(writeLogs(recordRun(instance, walk(instance, 2, 30), { environment: false })));
    const depth = validateLogs(instance, read, { logsEnvironment: false });
    const breadth = validateLogs(instance, read, { logsEnvironment: false, strategy: 'breadth-first' });
    expect([depth.verdict, breadth.verdict]).toEqual(['valid', 'valid']);
    expect(depth.statesVisited).toBeLessThan(breadth.statesVisited);
  });

  test('vector clocks restrict the search: messages-only logs validate with far fewer states breadth-first', () => {
    const logs = recordRun(instance, walk(instance, 2, 60), { environment: false, clocks: true });
    const read = readLogs(writeLogs(logs));
    const states = (strategy: 'depth-first' | 'breadth-first', clocks: boolean) => {
      const r = validateLogs(instance, read, { logsEnvironment: false, strategy, clocks });
      expect([strategy, clocks, r.verdict, r.clocks, r.linesMatched]).toEqual([strategy, clocks, 'valid', clocks, read.total]);
      return r.statesVisited;
    };
    expect([states('breadth-first', false), states('breadth-first', true)]).toEqual([1022, 102]);
    // Depth-first already follows one behaviour (about one state per line); the clocks cost it two
    // here (a retry that only sends is a step the numbering counts, so it is no longer skipped).
    expect([states('depth-first', false), states('depth-first', true)]).toEqual([16, 18]);
  });

  test('a clock that disagrees with its step number is refused (bad input, one line naming the line)', () => {
    const logs = recordRun(instance, walk(instance, 1, 10), { clocks: true });
    const rm1 = logs.get('rm1')! as any[];
    rm1[1] = { ...rm1[1], vc: { ...rm1[1].vc, rm1: 7 } };
    const paths = writeLogs(logs);
    expect(() => validateLogs(instance, readLogs(paths))).toThrow(`${paths[1]}:2: vc.rm1 is 7; a step's own entry in its vector clock is its step number (1)`);
  });

  test('a node with no log: what it did is searched for', () => {
    const logs = recordRun(instance, walk(instance, 3, 40));
    logs.delete('rm2');
    const result = validateLogs(instance, readLogs(writeLogs(logs)));
    expect(result.verdict).toBe('valid');
    expect(result.progress.map((p) => p.node)).toEqual(['tm', 'rm1', 'rm3']);
  });

  test('a logged field the model does not allow: invalid, with the line, the node, the field and the values allowed', () => {
    const logs = recordRun(instance, walk(instance, 1, 40));
    const rm1 = logs.get('rm1')! as any[];
    const k = rm1.findIndex((l, n) => n > 0 && l.event.kind === 'deliver');
    rm1[k] = { ...rm1[k], fingerprint: undefined, state: { context: { status: 'committed' } } };
    const paths = writeLogs(logs);
    const result = validateLogs(instance, readLogs(paths));
    expect(result.verdict).toBe('invalid');
    expect(result.unexplained).toMatchObject({ node: 'rm1', where: `${paths[1]}:${k + 1}`, step: k, field: 'state.context.status', logged: '"committed"', allowed: ['"aborted"'] });
    expect(result.linesMatched).toBeLessThan(result.linesTotal);
  });

  test('a state budget too small for the search: unknown, with how far it got', () => {
    const logs = recordRun(instance, walk(instance, 1, 30), { environment: false });
    const result = validateLogs(instance, readLogs(writeLogs(logs)), { logsEnvironment: false, maxStates: 10 });
    expect(result.verdict).toBe('unknown');
    expect(result.stoppedBy).toBe('states');
    expect(result.statesVisited).toBe(10);
    expect(result.linesMatched).toBeGreaterThan(0);
  });
});
