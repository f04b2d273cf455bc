import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { capturingLogger } from '../test-support/capturingLogger.js';
import { RateLimitedLog } from './RateLimitedLog.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('RateLimitedLog', () => {
  it('writes the first lines of a kind, counts the rest, and says how many when the interval ends', () => {
    const { logger, lines } = capturingLogger();
    const log = new RateLimitedLog(logger, { linesPerInterval: 3, intervalMs: 1000 });
    const written = Array.from({ length: 2000 }, (_, i) =>
      log.log('rejected_signature', 'warn', { i }, 'refused'),
    );
    expect(written.filter(Boolean)).toHaveLength(3);
    expect(lines).toEqual([
      { level: 'warn', i: 0, msg: 'refused' },
      { level: 'warn', i: 1, msg: 'refused' },
      { level: 'warn', i: 2, msg: 'refused' },
    ]);
    vi.advanceTimersByTime(999);
    expect(lines).toHaveLength(3);
    vi.advanceTimersByTime(1);
    expect(lines.slice(3)).toEqual([
      {
        level: 'warn',
        kind: 'rejected_signature',
        suppressed: 1997,
        intervalSeconds: 1,
        msg: 'suppressed 1997 more "rejected_signature" log lines (at most 3 per 1 s are written)',
      },
    ]);
    // A new interval writes lines again.
    expect(log.log('rejected_signature', 'warn', undefined, 'again')).toBe(true);
    expect(lines.at(-1)).toEqual({ level: 'warn', msg: 'again' });
  });

  it('limits each kind on its own', () => {
    const { logger, lines } = capturingLogger();
    const log = new RateLimitedLog(logger, { linesPerInterval: 1, intervalMs: 1000 });
    log.log('too_large', 'info', undefined, 'a');
    log.log('too_large', 'info', undefined, 'b');
    log.log('overloaded', 'warn', undefined, 'c');
    expect(lines.map((l) => l.msg)).toEqual(['a', 'c']);
    vi.advanceTimersByTime(1000);
    expect(lines.slice(2)).toMatchObject([{ level: 'info', kind: 'too_large', suppressed: 1 }]);
  });

  it('writes no suppressed line for an interval that dropped nothing, and sets no timer for it', () => {
    const { logger, lines } = capturingLogger();
    const log = new RateLimitedLog(logger, { linesPerInterval: 2, intervalMs: 1000 });
    log.log('k', 'warn', undefined, 'one');
    log.log('k', 'warn', undefined, 'two');
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5000);
    log.log('k', 'warn', undefined, 'three');
    expect(lines.map((l) => l.msg)).toEqual(['one', 'two', 'three']);
  });

  it('writes the count of the interval that ended before a line of the next one', () => {
    const { logger, lines } = capturingLogger();
    const log = new RateLimitedLog(logger, { linesPerInterval: 1, intervalMs: 1000 });
    log.log('k', 'warn', undefined, 'first');
    log.log('k', 'warn', undefined, 'dropped');
    vi.setSystemTime(Date.now() + 1500);
    log.log('k', 'warn', undefined, 'next interval');
    expect(lines.map((l) => l.msg)).toEqual([
      'first',
      'suppressed 1 more "k" log lines (at most 1 per 1 s are written)',
      'next interval',
    ]);
    // The ended interval's timer is gone with it: no second count.
    vi.advanceTimersByTime(5000);
    expect(lines).toHaveLength(3);
  });

  it('flush() writes the pending counts at once', () => {
    const { logger, lines } = capturingLogger();
    const log = new RateLimitedLog(logger, { linesPerInterval: 1, intervalMs: 60_000 });
    log.log('k', 'error', undefined, 'first');
    log.log('k', 'error', undefined, 'dropped');
    log.flush();
    expect(lines.at(-1)).toMatchObject({ level: 'error', kind: 'k', suppressed: 1 });
    vi.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(2);
  });

  it('tracks a bounded number of kinds: further kinds share one', () => {
    const { logger, lines } = capturingLogger();
    const log = new RateLimitedLog(logger, { linesPerInterval: 1, intervalMs: 1000, maxKinds: 3 });
    for (const kind of ['a', 'b', 'c', 'd', 'e']) log.log(kind, 'warn', undefined, kind);
    // a and b have kinds of their own; c, d and e share `other`, which writes one line.
    expect(lines.map((l) => l.msg)).toEqual(['a', 'b', 'c']);
    vi.advanceTimersByTime(1000);
    expect(lines.at(-1)).toMatchObject({ kind: 'other', suppressed: 2 });
  });

  it('uses 10 lines per 5 s by default and refuses bounds that are not positive whole numbers', () => {
    const { logger } = capturingLogger();
    expect(new RateLimitedLog(logger)).toMatchObject({ linesPerInterval: 10, intervalMs: 5000 });
    expect(() => new RateLimitedLog(logger, { linesPerInterval: 0 })).toThrow(
      'RateLimitedLog linesPerInterval must be a whole number >= 1, got 0',
    );
    expect(() => new RateLimitedLog(logger, { intervalMs: 0.5 })).toThrow(
      'RateLimitedLog intervalMs must be a whole number >= 1, got 0.5',
    );
  });
});
