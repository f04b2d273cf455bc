import { describe, expect, it } from 'vitest';
import {
  formatSummary,
  formatTypes,
  MAX_TALLY_KEYS,
  noveltyOf,
  runFailed,
  SummaryBuilder,
} from './summary.js';

describe('SummaryBuilder', () => {
  it('counts deliveries, distinct events, attempts by status and planned-but-unsent events', () => {
    const builder = new SummaryBuilder();
    builder.recordStart(true, 'payment.succeeded');
    builder.recordStart(false, 'payment.succeeded');
    builder.recordAttempt({ status: 500, latencyMs: 4, at: '', reason: 'error code boom' });
    builder.recordAttempt({ status: 500, latencyMs: 4, at: '', reason: 'error code later' });
    builder.recordAttempt({ status: 200, latencyMs: 2, at: '' });
    builder.recordAttempt({ status: 'timeout', latencyMs: 100, at: '' });
    builder.recordResult({
      id: 'a',
      delivered: true,
      status: 200,
      answer: 'accepted',
      attempts: [],
      gone: false,
    });
    builder.recordResult({ id: 'a', delivered: false, status: 410, attempts: [], gone: true });
    const summary = builder.build({ to: 'http://x/', seed: '1', durationMs: 12.4, planned: 5 });
    expect(summary).toEqual({
      to: 'http://x/',
      seed: '1',
      sent: 2,
      events: 1,
      delivered: 1,
      failed: 1,
      attempts: 4,
      byStatus: { '500': 2, '200': 1, timeout: 1 },
      reasons: { '500': 'error code boom' },
      answers: { accepted: 1 },
      byType: { 'payment.succeeded': 2 },
      latencyMs: { p50: 4, p95: 4, p99: 4 },
      endpointGone: true,
      notSent: 3,
      durationMs: 12,
    });
    expect(formatSummary(summary)).toContain(
      'attempts:  4 (200=1 500=2 timeout=1)\n           500: error code boom\n',
    );
    expect(formatSummary(summary)).toContain('410 Gone: stopped sending (3 events not sent)');
  });
});

describe('the answers and types of a summary', () => {
  it('keeps at most MAX_TALLY_KEYS keys, the rest counted as other, and takes any key as data', () => {
    const builder = new SummaryBuilder();
    for (let i = 0; i < MAX_TALLY_KEYS + 10; i++) builder.recordStart(true, `type.${i}`);
    builder.recordStart(true, 'type.0');
    const answers = ['__proto__', 'constructor', 'accepted'];
    for (const answer of answers)
      builder.recordResult({ id: 'a', delivered: true, status: 200, answer, attempts: [], gone: false });
    const summary = builder.build({ to: 'http://x/', seed: '1', durationMs: 1 });
    expect(Object.keys(summary.byType)).toHaveLength(MAX_TALLY_KEYS);
    expect(summary.byType['type.0']).toBe(2);
    expect(summary.byType['other']).toBe(11);
    expect(Object.entries(summary.answers)).toEqual([
      ['__proto__', 1],
      ['constructor', 1],
      ['accepted', 1],
    ]);
  });

  it('shows a few types by name and sums up the rest on one line', () => {
    expect(formatTypes({})).toBe('none');
    expect(formatTypes({ 'payment.succeeded': 2 })).toBe('1 type: payment.succeeded=2');
    const many: Record<string, number> = { 'course_lesson_interaction.completed': 213 };
    for (let i = 0; i < 44; i++) many[`type.${String(i).padStart(2, '0')}`] = 1;
    expect(formatTypes(many)).toBe(
      '45 types: course_lesson_interaction.completed=213 type.00=1 type.01=1 type.02=1 and 41 more (1 each)',
    );
    expect(formatTypes({ a: 5, b: 4, c: 3, d: 2, e: 2, f: 1 })).toBe(
      '6 types: a=5 b=4 c=3 d=2 and 2 more (3 in all)',
    );
  });

  it('fails a run on a failed or unsent delivery or a failOn answer', () => {
    const built = (failOn: string[] | undefined, answer: string) => {
      const builder = new SummaryBuilder(failOn);
      builder.recordResult({ id: 'a', delivered: true, status: 200, answer, attempts: [], gone: false });
      return builder.build({ to: 'http://x/', seed: '1', durationMs: 1 });
    };
    expect(runFailed(built(undefined, 'quarantined'))).toBe(false);
    expect(runFailed(built(['quarantined'], 'accepted'))).toBe(false);
    expect(runFailed(built(['quarantined', 'unhandled'], 'unhandled'))).toBe(true);
    expect(built(['quarantined'], 'quarantined').failOn).toEqual({ statuses: ['quarantined'], matched: 1 });
    expect(runFailed({ ...built(undefined, 'accepted'), notSent: 1 })).toBe(true);
  });

  it('tells a replay target’s new events from its duplicates by the answers', () => {
    expect(noveltyOf({ accepted: 3, unhandled: 1, quarantined: 1, duplicate: 4, none: 2, ok: 1 })).toEqual({
      new: 5,
      duplicate: 4,
      untold: 3,
    });
  });
});
