import { describe, expect, it } from 'vitest';
import { byLabel, parsePrometheus } from './prometheus.ts';

const text = `# HELP webhook_deliveries_total POST /webhooks requests by outcome
# TYPE webhook_deliveries_total counter
webhook_deliveries_total{outcome="accepted"} 11
webhook_deliveries_total{outcome="quarantined"} 1
webhook_duplicate_deliveries_total 3
http_request_duration_seconds_bucket{le="0.5",method="GET",route="/events",status="200"} 4
weird{label="a \\"quoted\\" value"} 2
`;

describe('parsePrometheus', () => {
  it('reads names, labels and values, skipping comments', () => {
    const samples = parsePrometheus(text);
    expect(samples).toHaveLength(5);
    expect(samples[0]).toEqual({
      name: 'webhook_deliveries_total',
      labels: { outcome: 'accepted' },
      value: 11,
    });
    expect(samples[2]).toEqual({ name: 'webhook_duplicate_deliveries_total', labels: {}, value: 3 });
    expect(samples[3]!.labels).toEqual({ le: '0.5', method: 'GET', route: '/events', status: '200' });
    expect(samples[4]!.labels['label']).toBe('a "quoted" value');
  });

  it('groups one metric by a label', () => {
    const outcomes = byLabel(parsePrometheus(text), 'webhook_deliveries_total', 'outcome');
    expect([...outcomes]).toEqual([
      ['accepted', 11],
      ['quarantined', 1],
    ]);
  });
});
