import { describe, expect, it } from 'vitest';
import { InflightBodyBudget } from './InflightBodyBudget.js';

describe('InflightBodyBudget', () => {
  it('reserves up to its limit, refuses beyond it and takes more once bytes are released', () => {
    const budget = new InflightBodyBudget(100);
    expect(budget.tryReserve(60)).toBe(true);
    expect(budget.tryReserve(41)).toBe(false);
    expect(budget.used).toBe(60);
    expect(budget.tryReserve(40)).toBe(true);
    budget.release(60);
    expect(budget.used).toBe(40);
    expect(budget.tryReserve(60)).toBe(true);
  });

  it('refuses a limit that is not a positive whole number', () => {
    expect(() => new InflightBodyBudget(0)).toThrow(RangeError);
  });
});

describe('InflightBodyBudget limits', () => {
  it('takes a reservation that fills the budget exactly, and never counts below zero', () => {
    const budget = new InflightBodyBudget(1);
    expect(budget.limit).toBe(1);
    expect(budget.tryReserve(1)).toBe(true);
    expect(budget.tryReserve(1)).toBe(false);
    budget.release(5);
    expect(budget.used).toBe(0);
    expect(budget.tryReserve(1)).toBe(true);
  });

  it.each([0, -1, 1.5, Number.NaN, 2 ** 53])('refuses the limit %s with a message naming it', (limit) => {
    expect(() => new InflightBodyBudget(limit)).toThrow(
      `the in-flight body limit must be a whole number of bytes >= 1, got ${limit}`,
    );
  });
});
