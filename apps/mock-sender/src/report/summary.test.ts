import { describe, expect, it } from 'vitest';
import { formatSummary, SummaryBuilder } from './summary.js';

describe('SummaryBuilder', () => {
  it('counts deliveries, distinct events, attempts by status and planned-but-unsent events', () => {
    const builder = new SummaryBuilder();
    builder.recordStart(true);
    builder.recordStart(false);
    builder.recordAttempt({ status: 500, latencyMs: 4, at: '', reason: 'error code boom' });
    builder.recordAttempt({ status: 500, latencyMs: 4, at: '', reason: 'error code later' });
    builder.recordAttempt({ status: 200, latencyMs: 2, at: '' });
    builder.recordAttempt({ status: 'timeout', latencyMs: 100, at: '' });
    builder.recordResult({ id: 'a', delivered: true, status: 200, attempts: [], gone: false });
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
