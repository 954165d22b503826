import { describe, expect, it } from 'vitest';
import { IntervalLatency, LatencyHistogram } from '../../../src/kernel/stats/latency-histogram.js';

describe('IntervalLatency', () => {
  it('counts what the tapped histogram records, percentiles within a bucket (1.6%) above the exact ones', () => {
    const h = new LatencyHistogram();
    const interval = new IntervalLatency();
    h.tapInto(interval);
    for (let v = 1; v <= 10_000; v++) h.record(v * 100);
    expect(interval.count).toBe(10_000);
    const [p50, p90, p99] = interval.percentiles([50, 90, 99]);
    for (const [got, exact] of [
      [p50, 500_000],
      [p90, 900_000],
      [p99, 990_000],
    ]) {
      expect(got).toBeGreaterThanOrEqual(exact);
      expect(got).toBeLessThanOrEqual(exact * 1.016);
    }
  });

  it('starts again empty after clear, and an untapped histogram no longer feeds it', () => {
    const h = new LatencyHistogram();
    const interval = new IntervalLatency();
    h.tapInto(interval);
    h.record(5_000);
    interval.clear();
    expect(interval.count).toBe(0);
    expect(interval.percentiles([50])[0]).toBeNaN();
    h.record(70);
    expect(interval.percentiles([50, 99])).toEqual([79, 79]);
    h.tapInto(null);
    h.record(1_000_000);
    expect(interval.count).toBe(1);
  });
});
