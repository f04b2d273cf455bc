import { describe, expect, it } from 'vitest';
import { compactCounts, countBy } from './counts.ts';

describe('compactCounts', () => {
  it('names the largest counts first, ties by name, and sums the rest', () => {
    const counts = { 'b.x': 1, 'a.x': 1, 'lesson.done': 9, 'pay.ok': 3, 'c.x': 1, 'd.x': 2 };
    expect(compactCounts(counts, 3)).toEqual({
      shown: [
        ['lesson.done', 9],
        ['pay.ok', 3],
        ['d.x', 2],
      ],
      rest: { keys: 3, total: 3 },
    });
  });

  it('leaves nothing over when every key is named', () => {
    expect(compactCounts({ accepted: 6, quarantined: 1 })).toEqual({
      shown: [
        ['accepted', 6],
        ['quarantined', 1],
      ],
      rest: { keys: 0, total: 0 },
    });
  });
});

describe('countBy', () => {
  it('counts items by a key', () => {
    const stored = [{ type: 'a' }, { type: 'b' }, { type: 'a' }];
    expect(countBy(stored, (s) => s.type)).toEqual({ a: 2, b: 1 });
  });
});
