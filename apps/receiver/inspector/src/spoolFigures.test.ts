import { describe, expect, it } from 'vitest';
import { parsePrometheus } from './prometheus.ts';
import { formatBytes, spoolFigures } from './spoolFigures.ts';

describe('spoolFigures', () => {
  it('reads the spool gauges from /metrics', () => {
    const samples = parsePrometheus(
      [
        '# TYPE webhook_spool_depth gauge',
        'webhook_spool_depth 42',
        'webhook_spool_bytes 65536',
        'webhook_spool_max_bytes 1073741824',
        'webhook_spool_oldest_age_seconds 12.5',
      ].join('\n'),
    );
    expect(spoolFigures(samples)).toEqual({
      depth: 42,
      bytes: 65536,
      maxBytes: 1073741824,
      oldestAgeSeconds: 12.5,
    });
  });

  it('is null for a receiver without a spool', () => {
    expect(spoolFigures(parsePrometheus('webhook_deliveries_total{outcome="accepted"} 3'))).toBeNull();
  });

  it('formats bytes in binary units', () => {
    expect([formatBytes(512), formatBytes(65536), formatBytes(1073741824)]).toEqual([
      '512 B',
      '64.0 KiB',
      '1.0 GiB',
    ]);
  });
});
