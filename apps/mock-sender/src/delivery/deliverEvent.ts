// Delivers one event to one endpoint the way the upstream sender does: sign each attempt afresh
// (same webhook-id, new timestamp and signature), retry any non-2xx, timeout or connection error on
// the schedule, honour Retry-After on 429/503, and give up for good on 410 Gone.
import type { HttpClient } from './httpClient.js';
import { parseRetryAfter } from './retryAfter.js';

export type FinalStatus = number | 'timeout' | 'connection_error' | 'endpoint_gone';

export interface AttemptRecord {
  /** HTTP status, or 'timeout' / 'connection_error'. */
  status: number | 'timeout' | 'connection_error';
  latencyMs: number;
  /** ISO time the attempt started. */
  at: string;
  /** The delay asked for before the next attempt, if there is one. */
  delayMs?: number;
}

export interface DeliveryResult {
  id: string;
  delivered: boolean;
  status: FinalStatus;
  attempts: AttemptRecord[];
  /** True when this delivery saw 410 Gone: the endpoint must get nothing more. */
  gone: boolean;
}

export interface DeliverOptions {
  client: HttpClient;
  url: URL;
  webhookId: string;
  body: Buffer;
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
}

const isSuccess = (status: number) => status >= 200 && status < 300;

/**
 * Delivers one signed event with retries and returns its final fate (never throws for HTTP trouble).
 *
 * @example
 * const result = await deliverEvent({ client, url, webhookId: 'msg_1', body, sign, retrySchedule: [10, 20, 40],
 *   timeoutMs: 15_000, userAgent: 'x', maxRetryAfterMs: 300_000, now: Date.now, sleep, isEndpointGone: () => false });
 */
export async function deliverEvent(options: DeliverOptions): Promise<DeliveryResult> {
  const { client, url, webhookId, body, retrySchedule } = options;
  const attempts: AttemptRecord[] = [];
  let status: FinalStatus = 'endpoint_gone';

  for (let attempt = 0; attempt <= retrySchedule.length; attempt++) {
    if (options.isEndpointGone()) {
      return { id: webhookId, delivered: false, status: 'endpoint_gone', attempts, gone: false };
    }
    const startedAt = options.now();
    const timestamp = Math.floor(startedAt / 1000);
    const outcome = await client.post({
      url,
      body,
      timeoutMs: options.timeoutMs,
      headers: [
        'content-type',
        'application/json',
        'user-agent',
        options.userAgent,
        'webhook-id',
        webhookId,
        'webhook-timestamp',
        String(timestamp),
        'webhook-signature',
        options.sign(webhookId, timestamp, body),
      ],
    });
    status = outcome.kind === 'response' ? outcome.status : outcome.kind;
    const record: AttemptRecord = {
      status,
      latencyMs: outcome.latencyMs,
      at: new Date(startedAt).toISOString(),
    };
    attempts.push(record);

    if (typeof status === 'number' && isSuccess(status)) {
      options.onAttempt?.(record);
      return { id: webhookId, delivered: true, status, attempts, gone: false };
    }
    if (status === 410) {
      options.onAttempt?.(record);
      return { id: webhookId, delivered: false, status, attempts, gone: true };
    }
    const scheduled = retrySchedule[attempt];
    if (scheduled === undefined) {
      options.onAttempt?.(record);
      break;
    }
    let delayMs = scheduled * 1000;
    if (outcome.kind === 'response' && (status === 429 || status === 503)) {
      const asked = parseRetryAfter(outcome.retryAfter, options.now());
      if (asked !== undefined) delayMs = Math.max(delayMs, Math.min(asked, options.maxRetryAfterMs));
    }
    record.delayMs = delayMs;
    options.onAttempt?.(record);
    await options.sleep(delayMs);
  }
  return { id: webhookId, delivered: false, status, attempts, gone: false };
}
