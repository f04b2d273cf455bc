import { describe, expect, it } from 'vitest';
import { boundLogValue, logFieldMaxChars, truncateForLog } from './truncateForLog.js';

describe('truncateForLog', () => {
  it('keeps a value of up to the bound whole and cuts a longer one with its length', () => {
    expect(truncateForLog('x'.repeat(10), 10)).toBe('x'.repeat(10));
    expect(truncateForLog('x'.repeat(11), 10)).toBe(`${'x'.repeat(10)}…[truncated, 11 chars]`);
    expect(logFieldMaxChars).toBe(200);
    expect(truncateForLog('t'.repeat(200_000))).toBe(`${'t'.repeat(200)}…[truncated, 200000 chars]`);
  });
});

describe('boundLogValue', () => {
  it('cuts strings and keys to maxChars', () => {
    expect(boundLogValue({ s: 'abcdef', abcdefgh: 'ab', n: 1, none: null }, { maxChars: 4 })).toEqual({
      s: 'abcd…[truncated, 6 chars]',
      'abcd…[truncated, 8 chars]': 'ab',
      n: 1,
      none: null,
    });
  });

  it('keeps maxItems of an array or object and says how many more there were', () => {
    const options = { maxItems: 3 };
    expect(boundLogValue([1, 2, 3, 4, 5], options)).toEqual([1, 2, 3, '…[2 more items]']);
    expect(boundLogValue({ k1: 1, k2: 2, k3: 3, k4: 4 }, options)).toEqual({
      k1: 1,
      k2: 2,
      k3: 3,
      '…': '[1 more keys]',
    });
  });

  it('stops at maxDepth and leaves errors and class instances to the serializers', () => {
    const error = new Error('kept for the serializer');
    const date = new Date(0);
    expect(boundLogValue({ a: { b: { c: 'deep' } }, list: [[1]], error, date }, { maxDepth: 1 })).toEqual({
      a: '[object]',
      list: '[array of 1]',
      error,
      date,
    });
  });

  it('returns a copy: the input is never changed', () => {
    const input = { s: 'x'.repeat(10), list: ['y'.repeat(10)] };
    boundLogValue(input, { maxChars: 2 });
    expect(input).toEqual({ s: 'x'.repeat(10), list: ['y'.repeat(10)] });
  });
});
