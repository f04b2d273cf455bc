import { describe, expect, it } from 'vitest';
import { Random } from '../generators/random.js';
import { shuffleWithin, withDuplicates } from './faults.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('withDuplicates', () => {
  it('repeats each item K times in a row', () => {
    expect([...withDuplicates(['a', 'b'][Symbol.iterator](), 3)]).toEqual(['a', 'a', 'a', 'b', 'b', 'b']);
  });
});

describe('shuffleWithin', () => {
  it('is a permutation that moves no item back by more than the window', () => {
    const out = [...shuffleWithin(range(200)[Symbol.iterator](), 8, new Random('s'))];
    expect([...out].sort((a, b) => a - b)).toEqual(range(200));
    expect(out).not.toEqual(range(200));
    // An item can only be emitted once it has been read, i.e. at most window-1 places early.
    out.forEach((item, position) => {
      expect(item).toBeLessThanOrEqual(position + 7);
    });
  });

  it('is deterministic for a seed', () => {
    const a = [...shuffleWithin(range(50)[Symbol.iterator](), 5, new Random('x'))];
    const b = [...shuffleWithin(range(50)[Symbol.iterator](), 5, new Random('x'))];
    expect(a).toEqual(b);
  });
});
