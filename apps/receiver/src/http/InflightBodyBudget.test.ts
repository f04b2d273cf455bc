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
