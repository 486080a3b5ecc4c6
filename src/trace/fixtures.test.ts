/**
 * Every trace kept under traces/ replays against the variant it was recorded for and gives the
 * recorded outcome: a known bug's trace still violates the same property at the same step; a
 * fixed bug's trace (expect: pass) still passes.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { suites } from '../../properties/registry.js';
import { loadTrace } from './file.js';
import { replay } from './replay.js';

function traceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return traceFiles(path);
    return name.endsWith('.json') && !name.includes('-seed') && !name.endsWith('-explore.json') ? [path] : [];
  });
}

const files = traceFiles('traces');

describe('kept traces replay as recorded', () => {
  test('there are kept traces to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  test.each(files)('%s', (file) => {
    const trace = loadTrace(file);
    const suite = suites.find((s) => s.model.name === trace.model);
    expect(suite, `no suite for model ${trace.model}`).toBeDefined();
    const result = replay(suite!, trace);
    if (trace.expect === 'violation') {
      expect(result.violation?.property).toBe(trace.violation!.property);
      expect(result.violation?.step).toBe(trace.violation!.step);
    } else {
      expect(result.violation).toBeNull();
    }
  });
});
