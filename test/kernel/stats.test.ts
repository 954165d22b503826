import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import {
  HISTOGRAM_MAX_US,
  LatencyHistogram,
  TimeSeries,
  TimeWeightedGauge,
  studentTCdf,
  studentTQuantile,
  summarize,
} from '../../src/kernel/stats/index.js';

describe('TimeWeightedGauge', () => {
  it('integrates the level over time', () => {
    const g = new TimeWeightedGauge();
    g.set(0, 2); // 2 on [0, 10)
    g.add(10, 3); // 5 on [10, 20)
    g.add(20, -5); // 0 on [20, 40)
    expect(g.level).toBe(0);
    expect(g.max).toBe(5);
    expect(g.mean(20)).toBe((2 * 10 + 5 * 10) / 20);
    expect(g.mean(40)).toBe(70 / 40);
    expect(g.integral(40)).toBe(70);
  });

  it('averages from its start time, and from the warm-up cut after resetAt', () => {
    const g = new TimeWeightedGauge(100);
    g.set(100, 4);
    g.set(150, 1);
    expect(g.mean(200)).toBe((4 * 50 + 1 * 50) / 100);
    g.resetAt(200);
    expect(g.max).toBe(1); // restarts at the current level
    expect(g.mean(200)).toBe(1); // no time elapsed: the current level
    g.set(300, 3);
    expect(g.mean(400)).toBe((1 * 100 + 3 * 100) / 200);
    expect(g.max).toBe(3);
  });

  it('utilisation is mean / capacity', () => {
    const busy = new TimeWeightedGauge();
    busy.set(0, 8);
    busy.set(500, 4);
    expect(busy.mean(1000) / 10).toBeCloseTo(0.6, 12);
  });
});

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

  it('counts values exactly as hdr-histogram-js would (the local fast path is layout-compatible)', () => {
    // Values across every bucket boundary below and above 2^31 µs (the fast
    // path's limit), recorded in several batches with reads in between.
    const values = fc.sample(
      fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 2 ** 31 + 10 }), fc.integer({ min: 0, max: HISTOGRAM_MAX_US }).map((v) => Math.floor(v / 2 ** (v % 32)))),
      { numRuns: 20_000, seed: 7 },
    );
    for (let b = 11; b < 32; b++) values.push(2 ** b - 1, 2 ** b, 2 ** b + 1, 2 ** b + 2 ** (b - 10));
    const reference = build({ useWebAssembly: false, bitBucketSize: 64, autoResize: false, lowestDiscernibleValue: 1, highestTrackableValue: HISTOGRAM_MAX_US, numberOfSignificantValueDigits: 3 });
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

describe('TimeSeries', () => {
  it('sums into buckets, keeps last levels (carried forward) and maxima', () => {
    const ts = new TimeSeries(1000, 4500, ['views', 'stock', 'peak']);
    const views = ts.columnIndex('views');
    const stock = ts.columnIndex('stock');
    const peak = ts.columnIndex('peak');
    expect(ts.rowCount).toBe(5);
    ts.add(views, 0);
    ts.add(views, 999, 2);
    ts.add(views, 1000);
    ts.set(stock, 0, 100);
    ts.set(stock, 500, 90);
    ts.set(stock, 3200, 40);
    ts.max(peak, 10, 3);
    ts.max(peak, 20, 7);
    ts.max(peak, 30, 5);
    ts.add(views, 4500); // the instant the run ends: last bucket
    ts.add(views, 4501); // outside: dropped
    ts.add(views, -1);
    expect(ts.dropped).toBe(2);
    const json = ts.toJSON();
    expect(json).toEqual({
      intervalUs: 1000,
      columns: ['views', 'stock', 'peak'],
      rows: [
        [3, 90, 7],
        [1, 90, 0],
        [0, 90, 0],
        [0, 40, 0],
        [1, 40, 0],
      ],
    });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it('refuses mixing add/set/max on one column and unknown columns', () => {
    const ts = new TimeSeries(10, 100, ['a']);
    ts.add(0, 5);
    expect(() => ts.set(0, 5, 1)).toThrow();
    expect(() => ts.add(1, 5)).toThrow(RangeError);
    expect(() => ts.columnIndex('b')).toThrow(RangeError);
  });
});

describe('Student t quantile', () => {
  it('matches table values for p = 0.975 to 1e-3 relative (and to half a unit of the 4th decimal)', () => {
    const table: Array<[number, number]> = [
      [1, 12.7062],
      [2, 4.3027],
      [5, 2.5706],
      [10, 2.2281],
      [30, 2.0423],
      [120, 1.9799],
    ];
    for (const [df, t] of table) {
      expect(Math.abs(studentTQuantile(0.975, df) - t) / t).toBeLessThan(1e-3);
      expect(Math.abs(studentTQuantile(0.975, df) - t)).toBeLessThanOrEqual(0.00005);
    }
  });

  it('matches 9-digit reference values (R qt(0.975, df))', () => {
    const reference: Array<[number, number]> = [
      [1, 12.70620474],
      [2, 4.30265273],
      [5, 2.57058184],
      [10, 2.22813885],
      [24, 2.06389856],
      [30, 2.04227246],
      [120, 1.97993041],
    ];
    for (const [df, t] of reference) expect(Math.abs(studentTQuantile(0.975, df) - t) / t).toBeLessThan(1e-8);
  });

  it('matches more table values (other p) and is antisymmetric', () => {
    // t(0.995, 24) = 2.7969, t(0.95, 4) = 2.1318, t(0.9, 60) = 1.2958, t(0.9995, 3) = 12.924
    expect(studentTQuantile(0.995, 24)).toBeCloseTo(2.7969, 4);
    expect(studentTQuantile(0.95, 4)).toBeCloseTo(2.1318, 4);
    expect(studentTQuantile(0.9, 60)).toBeCloseTo(1.2958, 4);
    expect(studentTQuantile(0.9995, 3)).toBeCloseTo(12.924, 3);
    expect(studentTQuantile(0.025, 7)).toBeCloseTo(-studentTQuantile(0.975, 7), 12);
    expect(studentTQuantile(0.5, 3)).toBe(0);
    expect(studentTQuantile(0.975, 1e9)).toBeCloseTo(1.959964, 6);
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.959966, 6);
    expect(studentTQuantile(0, 3)).toBe(-Infinity);
    expect(studentTQuantile(1, 3)).toBe(Infinity);
    expect(studentTQuantile(1.5, 3)).toBeNaN();
    expect(studentTQuantile(0.9, 0)).toBeNaN();
  });

  it('inverts its CDF (closed forms for df 1 and 2, bisection otherwise)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }), fc.double({ min: 0.5, max: 500, noNaN: true }), (p, df) => {
        const t = studentTQuantile(p, df);
        expect(Math.abs(studentTCdf(t, df) - p)).toBeLessThan(1e-9 * Math.max(1, p / (1 - p)));
      }),
    );
    for (const df of [1, 2]) {
      for (const p of [0.6, 0.9, 0.975, 0.999]) {
        expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 12);
      }
    }
    expect(studentTCdf(0, 4)).toBeCloseTo(0.5, 14);
    // df = 1 is Cauchy: P(T ≤ 1) = 3/4.
    expect(studentTCdf(1, 1)).toBeCloseTo(0.75, 12);
  });
});

describe('summarize', () => {
  it('gives mean, sample sd and the Student-t interval', () => {
    const s = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(s.n).toBe(8);
    expect(s.mean).toBe(5);
    const sd = Math.sqrt(32 / 7);
    expect(s.sd).toBeCloseTo(sd, 12);
    const hw = (studentTQuantile(0.975, 7) * sd) / Math.sqrt(8);
    expect(s.halfWidth).toBeCloseTo(hw, 12);
    expect(s.halfWidth).toBeCloseTo((2.3646 * sd) / Math.sqrt(8), 3);
    expect(s.low).toBeCloseTo(5 - hw, 12);
    expect(s.high).toBeCloseTo(5 + hw, 12);
    const s90 = summarize([2, 4, 4, 4, 5, 5, 7, 9], 0.9);
    expect(s90.halfWidth).toBeLessThan(s.halfWidth);
  });

  it('n = 0 gives NaN; n = 1 gives the value with a NaN interval', () => {
    const s0 = summarize([]);
    expect(s0.n).toBe(0);
    expect(s0.mean).toBeNaN();
    expect(s0.halfWidth).toBeNaN();
    const s1 = summarize([3]);
    expect(s1.mean).toBe(3);
    expect(s1.sd).toBeNaN();
    expect(s1.halfWidth).toBeNaN();
    expect(s1.low).toBeNaN();
    expect(() => summarize([1, 2], 1)).toThrow(RangeError);
  });
});
