// Delivers one event to one endpoint the way the upstream sender does: sign each attempt afresh
// (same webhook-id, new timestamp and signature), retry any non-2xx, timeout or connection error on
// the schedule, honour Retry-After on 429/503, and give up for good on 410 Gone. An event sent to
// be refused (an `invalid.*` example) takes a 4xx answer as final: a retry cannot change it.

import { parseRetryAfter } from './retryAfter.js';
import { answerStatus } from './transport/answerStatus.js';
import type { HttpClient } from './transport/attemptOutcome.js';
import { failureReason } from './transport/failureReason.js';

export type FinalStatus = number | 'timeout' | 'connection_error' | 'endpoint_gone';

export interface AttemptRecord {
  /** HTTP status, or 'timeout' / 'connection_error'. */
  status: number | 'timeout' | 'connection_error';
  latencyMs: number;
  /** ISO time the attempt started ('' in a run that does not record them: see `recordStartTimes`). */
  at: string;
  /** The delay asked for before the next attempt, if there is one. */
  delayMs?: number;
  /** Why an attempt that got no 2xx failed, in one line (see failureReason). */
  reason?: string;
}

export interface RetryNotice {
  id: string;
  /** The attempt that failed, with its `reason` and the `delayMs` before the next one. */
  attempt: AttemptRecord;
  /** Which retry comes next (1-based), of `retries`. */
  retry: number;
  retries: number;
}

export interface DeliveryResult {
  id: string;
  delivered: boolean;
  status: FinalStatus;
  /** What the 2xx answer said it did (its `status` field, see `answerStatus`); absent without a 2xx. */
  answer?: string;
  attempts: AttemptRecord[];
  /** True when this delivery saw 410 Gone: the endpoint must get nothing more. */
  gone: boolean;
}

/** How one delivery differs from the run's. */
export interface DeliveryOptions {
  /**
   * The event breaks the contract on purpose: a 4xx answer (but 408 and 429, which say "later")
   * is the refusal it was sent for, final, and not retried.
   */
  refusalIsFinal?: boolean;
}

/** A 4xx that judges the request itself; 408 and 429 ask for another try. */
const isRefusal = (status: number) => status >= 400 && status < 500 && status !== 408 && status !== 429;

/** What every delivery of a run shares; built once per run, not per delivery. */
export interface DeliverySettings {
  client: HttpClient;
  url: URL;
  /** Signs one attempt: returns the `webhook-signature` value. */
  sign: (id: string, timestamp: number, body: Buffer) => string;
  /** Seconds to wait before each retry; its length is the number of retries. */
  retrySchedule: readonly number[];
  timeoutMs: number;
  userAgent: string;
  /** Upper bound on a Retry-After wait, in ms. */
  maxRetryAfterMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Checked before each attempt: another delivery may have seen 410 meanwhile. */
  isEndpointGone: () => boolean;
  onAttempt?: (attempt: AttemptRecord) => void;
  /** Called when a retry is scheduled, before waiting `attempt.delayMs`. */
  onRetry?: (retry: RetryNotice) => void;
  /**
   * Fill each attempt's `at` (its start as an ISO string). Formatting a date per attempt is a
   * measurable share of a fast run, so a caller that never looks at attempts can skip it (`at` is
   * then ''). Default true.
   */
  recordStartTimes?: boolean;
}

const isSuccess = (status: number) => status >= 200 && status < 300;

/**
 * Delivers one signed event with retries and returns its final fate (never throws for HTTP trouble).
 *
 * @example
 * const settings = { client, url, sign, retrySchedule: [10, 20, 40], timeoutMs: 15_000, userAgent: 'x',
 *   maxRetryAfterMs: 300_000, now: Date.now, sleep, isEndpointGone: () => false };
 * const result = await deliverEvent(settings, 'msg_1', body);
 */
export async function deliverEvent(
  settings: DeliverySettings,
  webhookId: string,
  body: Buffer,
  options: DeliveryOptions = {},
): Promise<DeliveryResult> {
  const { client, url, retrySchedule } = settings;
  const recordStartTimes = settings.recordStartTimes !== false;
  const attempts: AttemptRecord[] = [];
  let status: FinalStatus = 'endpoint_gone';

  for (let attempt = 0; attempt <= retrySchedule.length; attempt++) {
    if (settings.isEndpointGone()) {
      return { id: webhookId, delivered: false, status: 'endpoint_gone', attempts, gone: false };
    }
    const startedAt = settings.now();
    const timestamp = Math.floor(startedAt / 1000);
    const outcome = await client.post({
      url,
      body,
      timeoutMs: settings.timeoutMs,
      headers: [
        'content-type',
        'application/json',
        'user-agent',
        settings.userAgent,
        'webhook-id',
        webhookId,
        'webhook-timestamp',
        String(timestamp),
        'webhook-signature',
        settings.sign(webhookId, timestamp, body),
      ],
    });
    status = outcome.kind === 'response' ? outcome.status : outcome.kind;
    const record: AttemptRecord = {
      status,
      latencyMs: outcome.latencyMs,
      at: recordStartTimes ? new Date(startedAt).toISOString() : '',
    };
    attempts.push(record);

    if (outcome.kind === 'response' && isSuccess(outcome.status)) {
      settings.onAttempt?.(record);
      const answer = answerStatus(outcome.body);
      return { id: webhookId, delivered: true, status: outcome.status, answer, attempts, gone: false };
    }
    record.reason = failureReason(outcome);
    if (status === 410) {
      settings.onAttempt?.(record);
      return { id: webhookId, delivered: false, status, attempts, gone: true };
    }
    const scheduled = retrySchedule[attempt];
    if (
      scheduled === undefined ||
      (options.refusalIsFinal === true && typeof status === 'number' && isRefusal(status))
    ) {
      settings.onAttempt?.(record);
      break;
    }
    let delayMs = scheduled * 1000;
    if (outcome.kind === 'response' && (status === 429 || status === 503)) {
      const asked = parseRetryAfter(outcome.retryAfter, settings.now());
      if (asked !== undefined) delayMs = Math.max(delayMs, Math.min(asked, settings.maxRetryAfterMs));
    }
    record.delayMs = delayMs;
    settings.onAttempt?.(record);
    settings.onRetry?.({ id: webhookId, attempt: record, retry: attempt + 1, retries: retrySchedule.length });
    await settings.sleep(delayMs);
  }
  return { id: webhookId, delivered: false, status, attempts, gone: false };
}
