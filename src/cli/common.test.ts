/** common.ts's `grouped`: the very text toLocaleString('en-US') gives, without Intl (start-up). */
import { describe, expect, test } from 'vitest';
import { grouped } from './common.js';

describe('grouped', () => {
  test('prints whole numbers as toLocaleString("en-US") does', () => {
    const values = [0, 7, 12, 999, 1000, 1234, 75000, 999999, 1000000, 10340352, -1, -1234, -1000000, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
    expect(values.map(grouped)).toEqual(values.map((n) => n.toLocaleString('en-US')));
    expect([grouped(75000), grouped(-1234567)]).toEqual(['75,000', '-1,234,567']);
  });

  test('leaves anything else to toLocaleString', () => {
    const values = [1.5, 1234.5678, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60];
    expect(values.map(grouped)).toEqual(values.map((n) => n.toLocaleString('en-US')));
  });
});
