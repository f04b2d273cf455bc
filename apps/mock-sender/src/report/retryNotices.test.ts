import { describe, expect, it } from 'vitest';
import { RetryNotices } from './retryNotices.js';

const notice = (id: string) => ({
  id,
  attempt: { status: 503, latencyMs: 1, at: '', delayMs: 10_000, reason: 'error code store_unavailable' },
  retry: 1,
  retries: 3,
});

describe('RetryNotices', () => {
  it('prints the first retry at once with its status, reason and wait', () => {
    const lines: string[] = [];
    new RetryNotices(
      (line) => lines.push(line),
      1000,
      () => 0,
    ).notice(notice('msg_a'));
    expect(lines).toEqual(['retry 1/3 of msg_a in 10 s: got 503 (error code store_unavailable)\n']);
  });

  it('prints at most one line per interval and counts the ones held back', () => {
    const lines: string[] = [];
    let now = 0;
    const notices = new RetryNotices(
      (line) => lines.push(line),
      1000,
      () => now,
    );
    notices.notice(notice('msg_a'));
    now = 500;
    notices.notice(notice('msg_b'));
    notices.notice(notice('msg_c'));
    now = 1000;
    notices.notice(notice('msg_d'));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(
      'retry 1/3 of msg_d in 10 s: got 503 (error code store_unavailable) (and 2 more retries scheduled since the last line)\n',
    );
  });
});
