import { describe, expect, it } from 'vitest';
import { formatAge } from './formatAge.ts';

describe('formatAge', () => {
  it('says a duration in its two largest units, rounding down', () => {
    expect(formatAge(0)).toBe('0 s');
    expect(formatAge(59.9)).toBe('59 s');
    expect(formatAge(60)).toBe('1 min 0 s');
    expect(formatAge(3599)).toBe('59 min 59 s');
    expect(formatAge(3725)).toBe('1 h 2 min');
    expect(formatAge(86_399)).toBe('23 h 59 min');
    expect(formatAge(90_000)).toBe('1 d 1 h');
  });
});
