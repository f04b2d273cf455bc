// Tallies a send run into the summary printed at the end (and returned by `send()`).
import type { AttemptRecord, DeliveryResult } from '../sending/deliverEvent.js';
import { OTHER_ANSWER_STATUS } from '../sending/transport/answerStatus.js';
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
  /**
   * Delivered events by what the 2xx answer's `status` field said (`accepted`, `quarantined`,
   * `duplicate`, …; `none` when it said nothing). At most MAX_TALLY_KEYS keys, the rest `other`.
   */
  answers: Record<string, number>;
  /** Deliveries started by event type (the payload's `type`), at most MAX_TALLY_KEYS keys, the rest `other`. */
  byType: Record<string, number>;
  /** With `failOn`: the answer statuses that fail the run, and how many deliveries got one. */
  failOn?: { statuses: string[]; matched: number };
  /**
   * A replay's deliveries by what the target said of them (from `answers`): stored as new
   * (accepted, unhandled, quarantined), already seen (duplicate), or not told (any other answer).
   */
  novelty?: { new: number; duplicate: number; untold: number };
  /** Per-attempt latency of answered requests, in ms (null when none answered). */
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  /** True when the endpoint answered 410 Gone and sending stopped. */
  endpointGone: boolean;
  /** Events planned but never sent because the endpoint is gone. */
  notSent: number;
  durationMs: number;
}

/** Keys a tally keeps: a receiver or a payload file must not grow a summary without bound. */
export const MAX_TALLY_KEYS = 64;

/** Counts `key`; a Map, since a key comes from a payload or a receiver (`__proto__`, say). */
function tally(counts: Map<string, number>, key: string): void {
  const slot = counts.has(key) || counts.size < MAX_TALLY_KEYS - 1 ? key : OTHER_ANSWER_STATUS;
  counts.set(slot, (counts.get(slot) ?? 0) + 1);
}

const NEW_ANSWERS: ReadonlySet<string> = new Set(['accepted', 'unhandled', 'quarantined']);

/** How many 2xx answers said new, duplicate, or neither (see `SendSummary.novelty`). */
export function noveltyOf(answers: Record<string, number>): NonNullable<SendSummary['novelty']> {
  const novelty = { new: 0, duplicate: 0, untold: 0 };
  for (const [answer, count] of Object.entries(answers)) {
    if (NEW_ANSWERS.has(answer)) novelty.new += count;
    else if (answer === 'duplicate') novelty.duplicate += count;
    else novelty.untold += count;
  }
  return novelty;
}

/** True when a summary's run should fail a CI job: a delivery failed, was not sent or got a `failOn` answer. */
export function runFailed(summary: SendSummary): boolean {
  return summary.failed > 0 || summary.notSent > 0 || (summary.failOn?.matched ?? 0) > 0;
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
  private readonly answers = new Map<string, number>();
  private readonly byType = new Map<string, number>();
  private readonly failOn: ReadonlySet<string> | undefined;
  private failOnMatched = 0;

  /** `failOn`: answer statuses that fail the run (counted in `failOn.matched`). */
  constructor(failOn?: readonly string[]) {
    this.failOn = failOn === undefined || failOn.length === 0 ? undefined : new Set(failOn);
  }

  recordAttempt(attempt: AttemptRecord): void {
    this.attempts++;
    const key = String(attempt.status);
    this.byStatus[key] = (this.byStatus[key] ?? 0) + 1;
    if (attempt.reason !== undefined && this.reasons[key] === undefined) this.reasons[key] = attempt.reason;
    if (typeof attempt.status === 'number') this.latency.record(attempt.latencyMs);
  }

  recordStart(firstCopy: boolean, type?: string): void {
    this.sent++;
    if (firstCopy) this.events++;
    if (type !== undefined) tally(this.byType, type);
  }

  recordResult(result: DeliveryResult): void {
    if (result.delivered) this.delivered++;
    else this.failed++;
    if (result.gone) this.endpointGone = true;
    if (result.answer !== undefined) {
      tally(this.answers, result.answer);
      if (this.failOn?.has(result.answer) === true) this.failOnMatched++;
    }
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
      answers: Object.fromEntries(this.answers),
      byType: Object.fromEntries(this.byType),
      ...(this.failOn === undefined
        ? {}
        : { failOn: { statuses: [...this.failOn], matched: this.failOnMatched } }),
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

const counts = (record: Record<string, number>) =>
  Object.entries(record)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, count]) => `${key}=${count}`)
    .join(' ');

/** Types shown by name in the text summary; `--json` has them all. */
const TYPES_SHOWN = 4;

/** `46 types: course_lesson_interaction.completed=213 payment.succeeded=2 … and 42 more (1 each)`. */
export function formatTypes(byType: Record<string, number>): string {
  const entries = Object.entries(byType).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  if (entries.length === 0) return 'none';
  const shown = entries.slice(0, TYPES_SHOWN).map(([type, count]) => `${type}=${count}`);
  const rest = entries.slice(TYPES_SHOWN).map(([, count]) => count);
  const restCounts =
    rest.length === 0
      ? ''
      : Math.min(...rest) === Math.max(...rest)
        ? ` and ${rest.length} more (${rest[0]} each)`
        : ` and ${rest.length} more (${rest.reduce((a, b) => a + b, 0)} in all)`;
  const label = entries.length === 1 ? '1 type' : `${entries.length} types`;
  return `${label}: ${shown.join(' ')}${restCounts}`;
}

/** The human-readable summary printed by `mock-sender send` without `--json`. */
export function formatSummary(summary: SendSummary): string {
  const statuses = counts(summary.byStatus);
  const ms = (value: number | null) => (value === null ? '-' : `${value} ms`);
  const lines = [
    `to:        ${summary.to}`,
    `seed:      ${summary.seed}`,
    `sent:      ${summary.sent} (${summary.events} distinct events)`,
    `delivered: ${summary.delivered}`,
    `failed:    ${summary.failed}`,
    `answers:   ${counts(summary.answers) || 'none'}`,
    `types:     ${formatTypes(summary.byType)}`,
    ...(summary.novelty === undefined
      ? []
      : [
          `target:    ${summary.novelty.new} stored as new, ${summary.novelty.duplicate} duplicates` +
            (summary.novelty.untold > 0 ? `, ${summary.novelty.untold} answered without saying which` : ''),
        ]),
    `attempts:  ${summary.attempts} (${statuses || 'none'})`,
    ...Object.entries(summary.reasons)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([status, reason]) => `           ${status}: ${reason}`),
    `latency:   p50 ${ms(summary.latencyMs.p50)}, p95 ${ms(summary.latencyMs.p95)}, p99 ${ms(summary.latencyMs.p99)}`,
    `duration:  ${summary.durationMs} ms`,
  ];
  if (summary.failOn !== undefined && summary.failOn.matched > 0) {
    lines.push(
      `fail-on:   ${summary.failOn.matched} deliveries answered ${summary.failOn.statuses.join(' or ')}: the run fails`,
    );
  }
  if (summary.endpointGone) {
    lines.push(`endpoint answered 410 Gone: stopped sending (${summary.notSent} events not sent)`);
  }
  return lines.join('\n');
}
