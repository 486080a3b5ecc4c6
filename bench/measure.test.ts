/** The bench's verdicts and its memory fit: exact outcomes on known inputs (no measurement here). */
import { describe, expect, test } from 'vitest';
import { verdict } from './measure.js';
import { fit } from './sections/4-memory-explore.js';

describe('verdict', () => {
  test('a speed target: met at or above it, else by how many times it falls short', () => {
    expect(verdict(4, 4)).toBe('met');
    expect(verdict(2, 4)).toBe('not met by 2.00×');
    expect(verdict(0.0266, 0.1)).toBe('not met by 3.76×');
    expect(verdict(0, 4)).toBe('not met by ∞×');
  });
  test('a size target: met at or below it, else by how many times it is over', () => {
    expect(verdict(40, 40, 'lower')).toBe('met');
    expect(verdict(35.4, 20, 'lower')).toBe('not met by 1.77×');
  });
});

describe('fit', () => {
  test('recovers bytes per visited and per queued state from exact samples', () => {
    const samples = [
      [1000, 200],
      [5000, 3000],
      [20000, 9000],
      [60000, 4000],
      [90000, 100],
    ].map(([states, queue]) => ({ states: states!, queue: queue!, bytes: 20 * states! + 40 * queue! + 1_000_000 }));
    const f = fit(samples);
    expect(f.a).toBeCloseTo(20, 6);
    expect(f.b).toBeCloseTo(40, 6);
    expect(f.c).toBeCloseTo(1_000_000, 3);
    expect(f.rmsResidual).toBeLessThan(1e-3);
  });
  test('refuses samples that cannot separate the two (queue proportional to states)', () => {
    const samples = [1, 2, 3, 4].map((k) => ({ states: 1000 * k, queue: 100 * k, bytes: 5000 * k }));
    expect(() => fit(samples)).toThrow(/cannot fit/);
  });
});
