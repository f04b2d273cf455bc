import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './retryDelayMs.js';

describe('retryDelayMs', () => {
  it('doubles from the base per attempt and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => retryDelayMs(a, 1000, 10_000))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
  });

  it('waits the base delay before a retry counted from attempt 0', () => {
    expect(retryDelayMs(0, 1000, 10_000)).toBe(1000);
  });
});
