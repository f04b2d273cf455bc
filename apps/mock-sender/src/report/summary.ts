// Tallies a send run into the summary printed at the end (and returned by `send()`).
import type { AttemptRecord, DeliveryResult } from '../sending/deliverEvent.js';
import { LatencyHistogram } from './latencyHistogram.js';

export interface SendSummary {
  to: string;
  seed: string;
  /** Deliveries started (events × duplicates). */
  sent: number;
  /** Distinct events (webhook-ids) among them. */
  events: number;
  delivered: number;
  failed: number;
  attempts: number;
  /** Attempts by HTTP status code, 'timeout' or 'connection_error'. */
  byStatus: Record<string, number>;
  /** Why attempts failed: the first reason seen for each failing key of `byStatus`. */
  reasons: Record<string, string>;
  /** Per-attempt latency of answered requests, in ms (null when none answered). */
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  /** True when the endpoint answered 410 Gone and sending stopped. */
  endpointGone: boolean;
  /** Events planned but never sent because the endpoint is gone. */
  notSent: number;
  durationMs: number;
}

const round = (value: number | undefined) => (value === undefined ? null : Math.round(value * 100) / 100);

export class SummaryBuilder {
  private readonly latency = new LatencyHistogram();
  private readonly byStatus: Record<string, number> = {};
  private readonly reasons: Record<string, string> = {};
  private sent = 0;
  private delivered = 0;
  private failed = 0;
  private attempts = 0;
  private events = 0;
  private endpointGone = false;

  recordAttempt(attempt: AttemptRecord): void {
    this.attempts++;
    const key = String(attempt.status);
    this.byStatus[key] = (this.byStatus[key] ?? 0) + 1;
    if (attempt.reason !== undefined && this.reasons[key] === undefined) this.reasons[key] = attempt.reason;
    if (typeof attempt.status === 'number') this.latency.record(attempt.latencyMs);
  }

  recordStart(firstCopy: boolean): void {
    this.sent++;
    if (firstCopy) this.events++;
  }

  recordResult(result: DeliveryResult): void {
    if (result.delivered) this.delivered++;
    else this.failed++;
    if (result.gone) this.endpointGone = true;
  }

  get progress(): { done: number; delivered: number; failed: number } {
    return { done: this.delivered + this.failed, delivered: this.delivered, failed: this.failed };
  }

  build(meta: { to: string; seed: string; durationMs: number; planned?: number }): SendSummary {
    return {
      to: meta.to,
      seed: meta.seed,
      sent: this.sent,
      events: this.events,
      delivered: this.delivered,
      failed: this.failed,
      attempts: this.attempts,
      byStatus: { ...this.byStatus },
      reasons: { ...this.reasons },
      latencyMs: {
        p50: round(this.latency.percentile(50)),
        p95: round(this.latency.percentile(95)),
        p99: round(this.latency.percentile(99)),
      },
      endpointGone: this.endpointGone,
      notSent: meta.planned === undefined ? 0 : Math.max(0, meta.planned - this.sent),
      durationMs: Math.round(meta.durationMs),
    };
  }
}

/** The human-readable summary printed by `mock-sender send` without `--json`. */
export function formatSummary(summary: SendSummary): string {
  const statuses = Object.entries(summary.byStatus)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, count]) => `${status}=${count}`)
    .join(' ');
  const ms = (value: number | null) => (value === null ? '-' : `${value} ms`);
  const lines = [
    `to:        ${summary.to}`,
    `seed:      ${summary.seed}`,
    `sent:      ${summary.sent} (${summary.events} distinct events)`,
    `delivered: ${summary.delivered}`,
    `failed:    ${summary.failed}`,
    `attempts:  ${summary.attempts} (${statuses || 'none'})`,
    ...Object.entries(summary.reasons)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([status, reason]) => `           ${status}: ${reason}`),
    `latency:   p50 ${ms(summary.latencyMs.p50)}, p95 ${ms(summary.latencyMs.p95)}, p99 ${ms(summary.latencyMs.p99)}`,
    `duration:  ${summary.durationMs} ms`,
  ];
  if (summary.endpointGone) {
    lines.push(`endpoint answered 410 Gone: stopped sending (${summary.notSent} events not sent)`);
  }
  return lines.join('\n');
}
