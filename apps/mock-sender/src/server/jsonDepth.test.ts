import { describe, expect, it } from 'vitest';
import { jsonTooDeep, MAX_JSON_DEPTH } from './jsonDepth.js';

describe('jsonTooDeep', () => {
  it('counts arrays and objects inside one another', () => {
    const nested = (depth: number) => `${'[{"a":'.repeat(depth / 2)}1${'}]'.repeat(depth / 2)}`;
    expect(jsonTooDeep(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(jsonTooDeep(nested(MAX_JSON_DEPTH + 2))).toBe(true);
    expect(jsonTooDeep('[[1],[2],[3]]', 2)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonTooDeep(`{"a":"${'['.repeat(1000)}"}`)).toBe(false);
    expect(jsonTooDeep(`{"a":"\\"${'{'.repeat(1000)}"}`)).toBe(false);
    expect(jsonTooDeep(`{"a":"\\\\"${'['.repeat(100)}`)).toBe(true);
  });

  it('measures a megabyte of brackets without recursion', () => {
    expect(jsonTooDeep('['.repeat(1024 * 1024))).toBe(true);
  });
});
