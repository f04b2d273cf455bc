// SENDER_MAX_RUN_SECONDS, up front: the least time a run's own schedule takes. Starts are spaced by
// `rate` (the first goes at once, so n deliveries take (n - 1) / rate seconds to start) and a
// delivery that fails waits out the whole retry schedule inside the run, so the last one may add
// its sum. A run whose schedule alone exceeds the limit could never finish: it is refused before it
// starts. What the receiver decides (answer times, Retry-After) is not known up front: the limit
// stops such a run while it goes.
import { HttpError } from '@webhook-contracts/http-kit';

export interface RunSchedule {
  /** Deliveries the run makes, when known up front (a replay's depend on its source). */
  deliveries?: number | undefined;
  /** Starts per second, when the request limits them. */
  rate?: number | undefined;
  /** Seconds before each retry. */
  retrySchedule: readonly number[];
}

/**
 * The least seconds the schedule takes, and what each part contributes.
 *
 * @example
 * scheduleSeconds({ deliveries: 101, rate: 10, retrySchedule: [10, 20] }); // { starts: 10, retries: 30, total: 40 }
 */
export function scheduleSeconds(schedule: RunSchedule): { starts: number; retries: number; total: number } {
  const { deliveries, rate, retrySchedule } = schedule;
  const starts = deliveries === undefined || rate === undefined ? 0 : Math.max(0, deliveries - 1) / rate;
  const retries = retrySchedule.reduce((sum, seconds) => sum + seconds, 0);
  return { starts, retries, total: starts + retries };
}

const seconds = (n: number) => `${Number(n.toFixed(3))} s`;

/**
 * Throws 400 `run_too_long` when the schedule cannot fit in `maxRunSeconds`, naming the setting and
 * the fields to change.
 *
 * @example
 * refuseOverlongSchedule({ deliveries: 100, rate: 0.001, retrySchedule: [] }, 3600); // throws
 */
export function refuseOverlongSchedule(schedule: RunSchedule, maxRunSeconds: number): void {
  const { starts, retries, total } = scheduleSeconds(schedule);
  if (total <= maxRunSeconds) return;
  const details: Array<{ field: string; message: string }> = [];
  if (starts > 0)
    details.push({
      field: 'rate',
      message: `${schedule.deliveries} deliveries at ${schedule.rate} a second take ${seconds(starts)} to start`,
    });
  if (retries > 0)
    details.push({ field: 'retrySchedule', message: `the retry waits add up to ${seconds(retries)}` });
  throw new HttpError(
    400,
    'run_too_long',
    `this run's schedule takes at least ${seconds(total)}, more than SENDER_MAX_RUN_SECONDS (${maxRunSeconds} s): ` +
      'send fewer events, raise rate or shorten retrySchedule, or ask the operator to raise SENDER_MAX_RUN_SECONDS',
    { details },
  );
}
