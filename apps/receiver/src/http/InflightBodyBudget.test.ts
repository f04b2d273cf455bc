import { describe, expect, it } from 'vitest';
import { CountingBodyBudget } from '../test-support/CountingBodyBudget.js';
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

describe('InflightBodyBudget holds', () => {
  /** A budget on a clock the test moves, and the holds it cut, by name. */
  function budgetAt(limit: number, evictAfterMs: number) {
    let now = 0;
    const budget = new CountingBodyBudget(limit, { evictAfterMs, now: () => now });
    const cut: string[] = [];
    const hold = (name: string) => {
      const h = budget.hold(() => {
        cut.push(name);
        h.release();
      });
      return h;
    };
    return { budget, cut, hold, wait: (ms: number) => (now += ms) };
  }

  it('charges what each body takes and gives all of it back on release', () => {
    const { budget, hold } = budgetAt(100, 1000);
    const a = hold('a');
    expect(a.take(30)).toBe(true);
    expect(a.take(20)).toBe(true);
    expect(a.bytes).toBe(50);
    expect(budget.used).toBe(50);
    a.release();
    a.release();
    expect(budget.used).toBe(0);
    expect(a.bytes).toBe(0);
  });

  it('cuts the largest bodies held longer than evictAfterMs to make room, and no more than needed', () => {
    const { budget, cut, hold, wait } = budgetAt(100, 1000);
    const small = hold('small');
    small.take(5);
    const a = hold('a');
    a.take(40);
    const b = hold('b');
    b.take(45);
    wait(1000);
    const young = hold('young');
    young.take(5);
    const c = hold('c');
    // 5 bytes left: 40 need one body cut, and b is the largest old enough.
    expect(c.take(40)).toBe(true);
    expect(cut).toEqual(['b']);
    expect(budget.used).toBe(90);
    expect(budget.evicted).toBe(1);
    // 10 left: 55 need two more cuts; the young one and c itself are never cut, so a then small.
    expect(c.take(55)).toBe(true);
    expect(cut).toEqual(['b', 'a', 'small']);
    expect(budget.used).toBe(100);
    expect(young.bytes).toBe(5);
  });

  it('cuts no body younger than evictAfterMs, and then refuses', () => {
    const { budget, cut, hold, wait } = budgetAt(100, 1000);
    const a = hold('a');
    a.take(90);
    wait(999);
    const b = hold('b');
    expect(b.take(20)).toBe(false);
    expect(cut).toEqual([]);
    expect(budget.used).toBe(90);
    wait(1);
    expect(b.take(20)).toBe(true);
    expect(cut).toEqual(['a']);
  });

  it('cuts nothing when all the old bodies together would not make the room', () => {
    const { budget, cut, hold, wait } = budgetAt(100, 1000);
    for (const name of ['a', 'b', 'c']) hold(name).take(1);
    wait(1000);
    hold('young').take(90);
    // 7 left: 11 would need the young one too.
    expect(hold('d').take(11)).toBe(false);
    expect(cut).toEqual([]);
    expect(budget.used).toBe(93);
    // 10 need the three old bytes: all three are cut.
    expect(hold('e').take(10)).toBe(true);
    expect(cut).toEqual(['a', 'b', 'c']);
    expect(budget.used).toBe(100);
  });

  it('never cuts the body asking for room, nor raw reservations', () => {
    const { budget, cut, hold, wait } = budgetAt(100, 1000);
    expect(budget.tryReserve(50)).toBe(true);
    const a = hold('a');
    a.take(40);
    wait(5000);
    expect(a.take(20)).toBe(false);
    expect(cut).toEqual([]);
    expect(budget.used).toBe(90);
  });

  it('uses a one-second eviction age by default', () => {
    expect(new InflightBodyBudget(10).evictAfterMs).toBe(1000);
  });
});
