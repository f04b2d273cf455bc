import { afterEach, describe, expect, it, vi } from 'vitest';
import { MinBodyRate } from './MinBodyRate.js';

/** A MinBodyRate on a clock the test moves; `check()` is called by hand. */
function rateAt(bytesPerSecond: number, windowMs: number) {
  let now = 1_000_000;
  const rate = new MinBodyRate({ bytesPerSecond, windowMs, now: () => now });
  return {
    rate,
    /** Moves the clock by `ms` and checks. */
    advance(ms: number) {
      now += ms;
      rate.check();
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('MinBodyRate', () => {
  it('leaves a body alone during its first window, then cuts it if the window brought too little', () => {
    const { rate, advance } = rateAt(100, 1000);
    const cut: string[] = [];
    const watch = rate.watch(() => cut.push('slow'));
    watch.received(99);
    advance(999);
    expect(cut).toEqual([]);
    advance(1);
    // 99 bytes in the first 1000 ms: one short of 100 bytes/s.
    expect(cut).toEqual(['slow']);
    expect(rate.size).toBe(0);
  });

  it('keeps a body that brings exactly the rate in every window', () => {
    const { rate, advance } = rateAt(100, 1000);
    const cut: string[] = [];
    const watch = rate.watch(() => cut.push('slow'));
    for (let i = 0; i < 20; i++) {
      watch.received(25);
      advance(250);
    }
    expect(cut).toEqual([]);
    expect(rate.size).toBe(1);
    watch.stop();
    expect(rate.size).toBe(0);
  });

  it('judges each window on its own bytes: a fast start does not buy a stall', () => {
    const { rate, advance } = rateAt(100, 1000);
    const cut: number[] = [];
    let elapsed = 0;
    const watch = rate.watch(() => cut.push(elapsed));
    // 100 KB at once, then nothing: the average since the start would stay above the rate for
    // 1000 s, but the window after the burst brings 0 bytes.
    watch.received(100_000);
    while (elapsed < 3000 && cut.length === 0) {
      elapsed += 250;
      advance(250);
    }
    // The burst is in the sample at 0 ms; the window ending at 1250 ms starts after it.
    expect(cut).toEqual([1250]);
  });

  it('calls back only the slow bodies, once each', () => {
    const { rate, advance } = rateAt(1000, 500);
    const cut: string[] = [];
    const fast = rate.watch(() => cut.push('fast'));
    rate.watch(() => cut.push('stalled'));
    for (let i = 0; i < 8; i++) {
      fast.received(200);
      advance(125);
    }
    expect(cut).toEqual(['stalled']);
    expect(rate.size).toBe(1);
    fast.stop();
    fast.stop();
    expect(rate.size).toBe(0);
  });

  it('needs the rate times the window, rounded up, per window', () => {
    expect(new MinBodyRate({ bytesPerSecond: 1024, windowMs: 5000 }).bytesPerWindow).toBe(5120);
    expect(new MinBodyRate({ bytesPerSecond: 3, windowMs: 500 }).bytesPerWindow).toBe(2);
  });

  it('checks on its own timer every quarter window, and stops the timer when nothing is watched', () => {
    vi.useFakeTimers();
    const rate = new MinBodyRate({ bytesPerSecond: 10, windowMs: 2000 });
    const cut: number[] = [];
    const started = Date.now();
    rate.watch(() => cut.push(Date.now() - started));
    vi.advanceTimersByTime(1999);
    expect(cut).toEqual([]);
    vi.advanceTimersByTime(1000);
    // The first check at or after 2000 ms, on a 500 ms tick.
    expect(cut).toEqual([2000]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each([
    [
      { bytesPerSecond: 0, windowMs: 1000 },
      'the minimum body rate must be a whole number of bytes >= 1, got 0',
    ],
    [
      { bytesPerSecond: 1.5, windowMs: 1000 },
      'the minimum body rate must be a whole number of bytes >= 1, got 1.5',
    ],
    [{ bytesPerSecond: 1, windowMs: 0 }, 'the body rate window must be a whole number of ms >= 1, got 0'],
  ])('refuses %j with a message naming the value', (options, message) => {
    expect(() => new MinBodyRate(options)).toThrow(message);
  });
});
