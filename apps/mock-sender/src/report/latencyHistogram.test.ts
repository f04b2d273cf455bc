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

  it('estimates the percentiles of a long-tailed sample within 1% of the exact values', () => {
    // Shaped like a recorded run against a local receiver: most answers in a few ms, a tail of
    // slow ones two orders of magnitude later.
    let seed = 7;
    const random = () => {
      seed = (seed * 16_807) % 2_147_483_647;
      return seed / 2_147_483_647;
    };
    const sample = Array.from({ length: 5_000 }, () => {
      const r = random();
      return r < 0.7 ? 0.4 + random() : r < 0.97 ? 1 + random() * 8 : 20 + random() * 200;
    });
    const histogram = new LatencyHistogram();
    for (const ms of sample) histogram.record(ms);
    const sorted = [...sample].sort((a, b) => a - b);
    for (const p of [50, 90, 95, 99, 99.9]) {
      const exact = sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
      expect(Math.abs(histogram.percentile(p)! - exact) / exact, `p${p}`).toBeLessThan(0.01);
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
