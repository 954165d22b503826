import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { HISTOGRAM_MAX_US, LatencyHistogram } from '../../../src/kernel/stats/latency-histogram.js';

describe('LatencyHistogram', () => {
  it('keeps exact count, mean, min and max; percentiles within 0.1%', () => {
    const h = new LatencyHistogram();
    for (let v = 1; v <= 100_000; v++) h.record(v);
    expect(h.count).toBe(100_000);
    expect(h.mean).toBe(50_000.5);
    expect(h.min).toBe(1);
    expect(h.max).toBe(100_000);
    for (const p of [1, 10, 50, 90, 99, 99.9]) {
      const exact = (p / 100) * 100_000;
      expect(Math.abs(h.percentile(p) - exact) / exact).toBeLessThan(1e-3);
    }
    expect(h.percentile(100)).toBe(100_000); // clamped into [min, max]
    expect(h.percentile(0)).toBe(1);
  });

  it('is NaN when empty, and rejects bad input', () => {
    const h = new LatencyHistogram();
    expect(h.count).toBe(0);
    expect(h.mean).toBeNaN();
    expect(h.min).toBeNaN();
    expect(h.max).toBeNaN();
    expect(h.percentile(50)).toBeNaN();
    expect(() => h.record(-1)).toThrow(RangeError);
    expect(() => h.record(NaN)).toThrow(RangeError);
    expect(() => h.percentile(101)).toThrow(RangeError);
  });

  it('records 0 µs and rounds to whole µs', () => {
    const h = new LatencyHistogram();
    h.record(0);
    h.record(0.4);
    h.record(2.6);
    expect(h.min).toBe(0);
    expect(h.max).toBe(3);
    expect(h.mean).toBe(1);
    expect(h.percentile(50)).toBe(0);
  });

  it('clamps values above one hour to the top and counts them', () => {
    const h = new LatencyHistogram();
    h.record(1000);
    h.record(HISTOGRAM_MAX_US * 5);
    h.record(HISTOGRAM_MAX_US);
    expect(h.clamped).toBe(1);
    expect(h.count).toBe(3);
    expect(h.max).toBe(HISTOGRAM_MAX_US);
    expect(h.percentile(99)).toBe(HISTOGRAM_MAX_US);
  });

  it('merges, and encode/decode round-trips through a plain string', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    const all = new LatencyHistogram();
    for (let i = 0; i < 5000; i++) {
      const v = Math.round(1000 * Math.exp((i % 97) / 10));
      (i % 3 === 0 ? a : b).record(v);
      all.record(v);
    }
    b.record(HISTOGRAM_MAX_US * 2);
    all.record(HISTOGRAM_MAX_US * 2);
    const encodedA = a.encode();
    const encodedB = b.encode();
    expect(typeof encodedA).toBe('string');
    expect(structuredClone(encodedA)).toBe(encodedA);
    const merged = LatencyHistogram.decode(encodedA);
    merged.merge(LatencyHistogram.decode(encodedB));
    const direct = new LatencyHistogram();
    direct.merge(b);
    direct.merge(a);
    for (const h of [merged, direct]) {
      expect(h.count).toBe(all.count);
      expect(h.mean).toBe(all.mean);
      expect(h.min).toBe(all.min);
      expect(h.max).toBe(all.max);
      expect(h.clamped).toBe(1);
      for (const p of [0, 25, 50, 90, 99, 99.99, 100]) expect(h.percentile(p)).toBe(all.percentile(p));
    }
    expect(merged.encode()).toBe(all.encode());
    const empty = LatencyHistogram.decode(new LatencyHistogram().encode());
    expect(empty.count).toBe(0);
    expect(() => LatencyHistogram.decode('garbage')).toThrow();
  });

  it('reset forgets everything', () => {
    const h = new LatencyHistogram();
    h.record(5);
    h.record(HISTOGRAM_MAX_US + 1);
    h.reset();
    expect(h.count).toBe(0);
    expect(h.clamped).toBe(0);
    expect(h.mean).toBeNaN();
    h.record(7);
    expect(h.min).toBe(7);
    expect(h.percentile(50)).toBe(7);
  });

  // Guards reset() clearing the fast path's pending counts too: a value recorded before the
  // cut and not yet read must not come back in the next percentile.
  it('reset forgets values recorded on the fast path and never read', () => {
    const h = new LatencyHistogram();
    h.record(500);
    h.reset();
    h.record(100);
    h.record(1000);
    expect(h.percentile(50)).toBe(100);
    expect(LatencyHistogram.decode(h.encode()).percentile(50)).toBe(100);
  });

  it('counts values exactly as hdr-histogram-js would (the local fast path is layout-compatible)', () => {
    // Values across every bucket boundary below and above 2^31 µs (the fast
    // path's limit), recorded in several batches with reads in between.
    const values = fc.sample(
      fc.oneof(
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 2 ** 31 + 10 }),
        fc.integer({ min: 0, max: HISTOGRAM_MAX_US }).map((v) => Math.floor(v / 2 ** (v % 32))),
      ),
      { numRuns: 20_000, seed: 7 },
    );
    for (let b = 11; b < 32; b++) values.push(2 ** b - 1, 2 ** b, 2 ** b + 1, 2 ** b + 2 ** (b - 10));
    const reference = build({
      useWebAssembly: false,
      bitBucketSize: 64,
      autoResize: false,
      lowestDiscernibleValue: 1,
      highestTrackableValue: HISTOGRAM_MAX_US,
      numberOfSignificantValueDigits: 3,
    });
    const h = new LatencyHistogram();
    values.forEach((v, i) => {
      reference.recordValue(v);
      h.record(v);
      if (i % 5000 === 0) expect(h.percentile(99)).toBeGreaterThanOrEqual(0);
    });
    expect(h.encode().split(';')[6]).toBe(encodeIntoCompressedBase64(reference));
    for (const p of [0, 1, 25, 50, 90, 99, 99.9, 99.99, 100]) {
      const v = reference.getValueAtPercentile(p);
      expect(h.percentile(p)).toBe(Math.min(Math.max(v, h.min), h.max));
    }
  });
});
