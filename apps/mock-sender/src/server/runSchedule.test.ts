import { HttpError } from '@webhook-contracts/http-kit';
import { describe, expect, it } from 'vitest';
import { refuseOverlongSchedule, scheduleSeconds } from './runSchedule.js';

describe('a run schedule', () => {
  it('takes (deliveries - 1) / rate to start, plus the retry waits', () => {
    expect(scheduleSeconds({ deliveries: 101, rate: 10, retrySchedule: [10, 20] })).toEqual({
      starts: 10,
      retries: 30,
      total: 40,
    });
    expect(scheduleSeconds({ deliveries: 1, rate: 0.001, retrySchedule: [] }).total).toBe(0);
    expect(scheduleSeconds({ rate: 1, retrySchedule: [5] }).total).toBe(5);
  });

  it('fits at exactly the limit and is refused just past it, naming the setting and the fields', () => {
    expect(() => refuseOverlongSchedule({ deliveries: 11, rate: 1, retrySchedule: [2] }, 12)).not.toThrow();
    let error: unknown;
    try {
      refuseOverlongSchedule({ deliveries: 100, rate: 0.001, retrySchedule: [10, 20, 40] }, 3600);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(HttpError);
    const refusal = error as HttpError;
    expect(refusal.status).toBe(400);
    expect(refusal.code).toBe('run_too_long');
    expect(refusal.message).toMatch(
      /^this run's schedule takes at least 99070 s, more than SENDER_MAX_RUN_SECONDS \(3600 s\): /,
    );
    expect(refusal.details).toEqual([
      { field: 'rate', message: '100 deliveries at 0.001 a second take 99000 s to start' },
      { field: 'retrySchedule', message: 'the retry waits add up to 70 s' },
    ]);
  });
});
