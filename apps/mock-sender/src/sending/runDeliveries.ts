// The run loop shared by `send` and `replay`: a bounded pool of signed deliveries with retries, an
// optional start rate, the summary, `--report` lines and the progress bar. It knows nothing of where
// the events came from; it takes them as a stream and sends each as it is.

import { setTimeout as delay } from 'node:timers/promises';
import type { SecretInput } from '@webhook-contracts/webhooks';
import { createSigner } from '@webhook-contracts/webhooks/signer';
import { ProgressBar, type ProgressStream } from '../report/progressBar.js';
import { ReportWriter } from '../report/reportWriter.js';
import { type SendSummary, SummaryBuilder } from '../report/summary.js';
import { userAgent as defaultUserAgent } from '../version.js';
import {
  type AttemptRecord,
  type DeliveryOptions,
  type DeliveryResult,
  type DeliverySettings,
  deliverEvent,
  type RetryNotice,
} from './deliverEvent.js';
import { createRateLimiter, runPool } from './pool.js';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_MAX_RETRY_AFTER_SECONDS,
  DEFAULT_RETRY_SCHEDULE,
  DEFAULT_TIMEOUT_MS,
} from './runDefaults.js';
import { createHttpClient } from './transport/httpClient.js';

export { DEFAULT_CONCURRENCY, DEFAULT_MAX_RETRY_AFTER_SECONDS, DEFAULT_RETRY_SCHEDULE, DEFAULT_TIMEOUT_MS };

const REFUSAL_IS_FINAL: DeliveryOptions = { refusalIsFinal: true };
const NO_OPTIONS: DeliveryOptions = {};

/** One delivery to make: the exact bytes and the webhook-id they are signed with. */
export interface Outgoing {
  webhookId: string;
  type: string;
  body: Buffer;
  /** False for a duplicate copy of the previous event (it does not count as a new event). */
  first: boolean;
  /** Sent to be refused (an invalid example): a 4xx answer is final, not retried. */
  refusalIsFinal?: boolean;
}

export interface DeliveryRecord extends DeliveryResult {
  type: string;
  to: string;
}

export interface RunSettings {
  url: URL;
  secret: SecretInput | readonly SecretInput[];
  /** Printed in the summary (how to reproduce the run). */
  seed: string;
  /** Deliveries the run will make, when known (the progress bar's total and `summary.planned`). */
  planned?: number | undefined;
  concurrency?: number | undefined;
  rate?: number | undefined;
  timeoutMs?: number | undefined;
  retrySchedule?: readonly number[] | undefined;
  maxRetryAfterSeconds?: number | undefined;
  /** Answer statuses (`quarantined`, …) that fail the run: counted in the summary's `failOn`. */
  failOn?: readonly string[] | undefined;
  report?: string | undefined;
  progress?: ProgressStream | undefined;
  onDelivery?: ((delivery: DeliveryRecord) => void) | undefined;
  onRetry?: ((retry: RetryNotice) => void) | undefined;
  userAgent: string;
  now?: (() => number) | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
  signal?: AbortSignal | undefined;
  /** Called once everything is open (the report file), just before the first delivery. */
  onStart?: (() => void) | undefined;
}

/** What a send and a replay pass on to their run unchanged, from their options. */
export type SharedRunOptions = Pick<
  RunSettings,
  | 'secret'
  | 'concurrency'
  | 'rate'
  | 'timeoutMs'
  | 'retrySchedule'
  | 'maxRetryAfterSeconds'
  | 'failOn'
  | 'report'
  | 'progress'
  | 'onDelivery'
  | 'onRetry'
  | 'now'
  | 'signal'
> & { userAgent?: string | undefined };

/** The run settings of a send or a replay to `url`: its options, the run's seed and planned count. */
export function runSettingsFrom(
  options: SharedRunOptions,
  url: URL,
  seed: string,
  planned: number | undefined,
): RunSettings {
  return {
    url,
    secret: options.secret,
    seed,
    planned,
    concurrency: options.concurrency,
    rate: options.rate,
    timeoutMs: options.timeoutMs,
    retrySchedule: options.retrySchedule,
    maxRetryAfterSeconds: options.maxRetryAfterSeconds,
    failOn: options.failOn,
    report: options.report,
    progress: options.progress,
    onDelivery: options.onDelivery,
    onRetry: options.onRetry,
    userAgent: options.userAgent ?? defaultUserAgent,
    now: options.now,
    signal: options.signal,
  };
}

/**
 * A sleep that ends early (resolves) when the run is aborted. One abort listener serves every
 * pending wait, so a wide pool does not pile listeners on the signal.
 */
export function abortableSleep(
  sleep: (ms: number) => Promise<void>,
  signal: AbortSignal,
): (ms: number) => Promise<void> {
  const waiting = new Set<() => void>();
  signal.addEventListener(
    'abort',
    () => {
      for (const wake of waiting) wake();
      waiting.clear();
    },
    { once: true },
  );
  return (ms) => {
    if (signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const wake = () => {
        waiting.delete(wake);
        resolve();
      };
      waiting.add(wake);
      sleep(ms).then(wake, (error: unknown) => {
        waiting.delete(wake);
        reject(error);
      });
    });
  };
}

/** The run's sleep: the injected one (or a timer), cut short when the run is aborted. */
export function runSleep(settings: Pick<RunSettings, 'sleep' | 'signal'>): (ms: number) => Promise<void> {
  const base = settings.sleep ?? ((ms: number) => delay(ms));
  return settings.signal === undefined ? base : abortableSleep(base, settings.signal);
}

/**
 * Delivers every item of `stream` and resolves with the run's summary. HTTP failures never throw:
 * they are counted. `sleep` must be the run's (see `runSleep`) so that aborting ends its waits.
 */
export async function runDeliveries(
  stream: Iterator<Outgoing> | AsyncIterator<Outgoing>,
  settings: RunSettings,
  sleep: (ms: number) => Promise<void>,
): Promise<SendSummary> {
  const { url, signal } = settings;
  // Refuses a whpk_ public key here, once, rather than on every attempt's signing.
  const sign = createSigner(settings.secret);
  const now = settings.now ?? Date.now;
  const concurrency = settings.concurrency ?? DEFAULT_CONCURRENCY;
  const client = createHttpClient({ concurrency });
  const summary = new SummaryBuilder(settings.failOn);
  const report = settings.report === undefined ? undefined : await ReportWriter.open(settings.report);
  const progress =
    settings.progress === undefined ? undefined : new ProgressBar(settings.progress, settings.planned);
  const limiter = settings.rate === undefined ? undefined : createRateLimiter(settings.rate, now, sleep);
  let gone = false;
  // Destroying the client's sockets ends the attempts in flight (as connection errors); the
  // aborted signal then stops their retries and keeps the pool from starting more.
  const stop = () => client.close();
  signal?.addEventListener('abort', stop, { once: true });
  const stopped = () => gone || signal?.aborted === true;
  const deliverySettings: DeliverySettings = {
    client,
    url,
    sign,
    retrySchedule: settings.retrySchedule ?? DEFAULT_RETRY_SCHEDULE,
    timeoutMs: settings.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    userAgent: settings.userAgent,
    maxRetryAfterMs: (settings.maxRetryAfterSeconds ?? DEFAULT_MAX_RETRY_AFTER_SECONDS) * 1000,
    now,
    sleep,
    isEndpointGone: stopped,
    onAttempt: (attempt: AttemptRecord) => summary.recordAttempt(attempt),
    ...(settings.onRetry !== undefined ? { onRetry: settings.onRetry } : {}),
    // Only `onDelivery` ever sees an attempt's start time.
    recordStartTimes: settings.onDelivery !== undefined,
  };
  settings.onStart?.();
  const started = performance.now();

  try {
    await runPool(stream, {
      concurrency,
      shouldStop: stopped,
      ...(limiter === undefined ? {} : { beforeEach: limiter }),
      worker: async (item) => {
        summary.recordStart(item.first, item.type);
        const result = await deliverEvent(
          deliverySettings,
          item.webhookId,
          item.body,
          item.refusalIsFinal === true ? REFUSAL_IS_FINAL : NO_OPTIONS,
        );
        if (result.gone) gone = true;
        summary.recordResult(result);
        if (progress?.enabled === true) progress.update(summary.progress);
        settings.onDelivery?.({ ...result, type: item.type, to: url.href });
        if (report !== undefined) {
          await report.write({
            id: item.webhookId,
            type: item.type,
            status: result.status,
            ...(result.answer === undefined ? {} : { answer: result.answer }),
            attempts: result.attempts.length,
            delivered: result.delivered,
          });
        }
      },
    });
  } finally {
    signal?.removeEventListener('abort', stop);
    client.close();
    progress?.update(summary.progress, true);
    progress?.finish();
    await report?.close();
  }
  return summary.build({
    to: url.href,
    seed: settings.seed,
    durationMs: performance.now() - started,
    ...(settings.planned === undefined ? {} : { planned: settings.planned }),
  });
}
