import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './latencyHistogram.js';

describe('LatencyHistogram', () => {
  it('returns undefined before anything is recorded', () => {
    expect(new LatencyHistogram().percentile(50)).toBeUndefined();
  });

  it('estimates percentiles within 2% of the exact values', () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 1000; ms++) histogram.record(ms);
    expect(histogram.count).toBe(1000);
    for (const [p, exact] of [
      [50, 500],
      [95, 950],
      [99, 990],
    ] as const) {
      const estimate = histogram.percentile(p)!;
      expect(Math.abs(estimate - exact) / exact).toBeLessThan(0.02);
    }
  });

  it('never reports beyond the observed minimum and maximum', () => {
    const histogram = new LatencyHistogram();
    histogram.record(3);
    histogram.record(3);
    expect(histogram.percentile(1)).toBe(3);
    expect(histogram.percentile(100)).toBe(3);
  });
});
