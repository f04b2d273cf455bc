import { type BearerFailure, bearerFailures } from '@webhook-contracts/http-kit';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

type Child<T> = T extends { labels(...args: never[]): infer C } ? C : never;

/**
 * How a POST /webhooks request ends: the values of `webhook_deliveries_total{outcome}`. A value, not
 * only a type, so the inspector page's counters list is generated from it (`npm run generate`).
 */
export const deliveryOutcomes = [
  'accepted',
  'duplicate',
  'quarantined',
  'unhandled',
  'rejected_signature',
  'rejected_contract',
  'too_large',
  'bad_request',
  'unstorable',
  'overloaded',
  'store_unavailable',
  'body_too_slow',
] as const;

/** How a POST /webhooks request ended. */
export type DeliveryOutcome = (typeof deliveryOutcomes)[number];

/**
 * Prometheus metrics for one receiver, in its own Registry (two receivers in one process, as in
 * tests, never share counters).
 *
 * @example
 * const metrics = new ReceiverMetrics();
 * metrics.deliveries.inc({ outcome: 'accepted' });
 * res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
 */
export class ReceiverMetrics {
  readonly registry = new Registry();
  readonly deliveries = new Counter({
    name: 'webhook_deliveries_total',
    help: 'POST /webhooks requests by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly duplicatesSeen = new Counter({
    name: 'webhook_duplicate_deliveries_total',
    help: 'Deliveries of a webhook-id that was already stored (not processed again)',
    registers: [this.registry],
  });
  readonly processed = new Counter({
    name: 'webhook_events_settled_total',
    help: 'Events the processor settled, by resulting status',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  readonly handlerInvocations = new Counter({
    name: 'webhook_handler_invocations_total',
    help: 'Calls of an event handler, by event type (each is one run of the business logic)',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  readonly processingFailures = new Counter({
    name: 'webhook_processing_failures_total',
    help: 'Handler or store failures while processing an event',
    registers: [this.registry],
  });
  /** Where webhook_store_insert_commits_total reads its value (see watchStoreCommits). */
  private storeCommits: (() => number) | undefined;
  readonly storeInsertCommits: Counter = new Counter({
    name: 'webhook_store_insert_commits_total',
    help: 'Insert transactions the event store committed (each holds one group-committed batch of deliveries)',
    registers: [this.registry],
    collect: () => {
      const count = this.storeCommits?.();
      if (count === undefined) return;
      this.storeInsertCommits.reset();
      this.storeInsertCommits.inc(count);
    },
  });
  readonly readApiAuthFailures = new Counter({
    name: 'webhook_read_api_auth_failures_total',
    help: 'Read API requests refused 401, by reason: missing (no Authorization header), malformed (not "Bearer <token>"), wrong (another token)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  /** Where webhook_inflight_body_bytes reads its value (see watchInflightBodyBytes). */
  private inflightBodyBytes: (() => number) | undefined;
  readonly inflightBodyBytesGauge: Gauge = new Gauge({
    name: 'webhook_inflight_body_bytes',
    help: 'Request body bytes buffered right now by POST /webhooks (bounded by MAX_INFLIGHT_BODY_BYTES)',
    registers: [this.registry],
    collect: () => {
      const bytes = this.inflightBodyBytes?.();
      if (bytes !== undefined) this.inflightBodyBytesGauge.set(bytes);
    },
  });
  readonly signatureSchemes = new Gauge({
    name: 'webhook_signature_schemes',
    help: 'Signature schemes WEBHOOK_SECRET verifies, 1 when trusted: v1 (HMAC secrets), v1a (ed25519 whpk_ keys)',
    labelNames: ['scheme'] as const,
    registers: [this.registry],
  });
  readonly requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  // Label children bound once and reused: prom-client otherwise hashes the label set on every call,
  // which showed up on the request path (tens of thousands of observations a second under load).
  private readonly deliveryChildren = new Map<DeliveryOutcome, Child<Counter<'outcome'>>>();
  private readonly settledChildren = new Map<string, Child<Counter<'status'>>>();
  private readonly invocationChildren = new Map<string, Child<Counter<'type'>>>();
  private readonly durationChildren = new Map<string, Child<Histogram<'method' | 'route' | 'status'>>>();

  constructor() {
    // Every reason shows from the first scrape, so a rate or an alert has a series before the first failure.
    for (const reason of bearerFailures) this.readApiAuthFailures.inc({ reason }, 0);
  }

  /** Sets webhook_signature_schemes: both series always present, 1 for each scheme in `schemes`. */
  setSignatureSchemes(schemes: readonly string[]): void {
    for (const scheme of ['v1', 'v1a'])
      this.signatureSchemes.set({ scheme }, schemes.includes(scheme) ? 1 : 0);
  }

  /** Counts one refused read-API login (the same series as `readApiAuthFailures.inc({ reason })`). */
  countReadApiAuthFailure(reason: BearerFailure): void {
    this.readApiAuthFailures.inc({ reason });
  }

  /** Counts one POST /webhooks outcome (the same series as `deliveries.inc({ outcome })`). */
  countDelivery(outcome: DeliveryOutcome): void {
    let child = this.deliveryChildren.get(outcome);
    if (child === undefined) {
      child = this.deliveries.labels(outcome);
      this.deliveryChildren.set(outcome, child);
    }
    child.inc();
  }

  /** Counts one settled event (the same series as `processed.inc({ status })`). */
  countSettled(status: string): void {
    let child = this.settledChildren.get(status);
    if (child === undefined) {
      child = this.processed.labels(status);
      this.settledChildren.set(status, child);
    }
    child.inc();
  }

  /** Counts one event handler call (the same series as `handlerInvocations.inc({ type })`). */
  countHandlerInvocation(type: string): void {
    let child = this.invocationChildren.get(type);
    if (child === undefined) {
      child = this.handlerInvocations.labels(type);
      this.invocationChildren.set(type, child);
    }
    child.inc();
  }

  /**
   * Reports the store's own count of insert commits at each scrape: deliveries accepted divided by
   * it is the group commit's batch size.
   */
  watchStoreCommits(count: () => number): void {
    this.storeCommits = count;
  }

  /** Reports the webhook route's in-flight body bytes at each scrape. */
  watchInflightBodyBytes(bytes: () => number): void {
    this.inflightBodyBytes = bytes;
  }

  /** Records one request's latency (the same series as `requestDuration.observe(labels, seconds)`). */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    let child = this.durationChildren.get(key);
    if (child === undefined) {
      child = this.requestDuration.labels(method, route, String(status));
      this.durationChildren.set(key, child);
    }
    child.observe(seconds);
  }
}
