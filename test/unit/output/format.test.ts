// Durations and sizes as the notes print them.
import { describe, expect, test } from 'vitest';
import { fmtMs } from '../../../src/output/format.js';

describe('fmtMs', () => {
  test('from milliseconds to days: a wait of eleven days is not "16667 min"', () => {
    expect(fmtMs(250)).toBe('250 ms');
    expect(fmtMs(2500)).toBe('2.5 s');
    expect(fmtMs(40_000)).toBe('40 s');
    expect(fmtMs(180_000)).toBe('3 min');
    expect(fmtMs(89 * 60_000)).toBe('89 min');
    expect(fmtMs(5 * 3_600_000)).toBe('5 h');
    expect(fmtMs(999_999_000)).toBe('12 days');
  });
});
