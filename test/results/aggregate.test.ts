import { describe, expect, it } from 'vitest';
import { aggregateStrategy, averageTimeseries, estimate, mergeLatency } from '../../src/results/aggregate.js';
import { latencyOf, makeResult } from '../helpers/run-result.js';
import type { RunResult } from '../../src/results/result.js';

describe('estimate', () => {
  it('gives the mean and a Student-t 95% interval across replications', () => {
    const e = estimate([10, 12, 14]);
    expect(e.n).toBe(3);
    expect(e.mean).toBe(12);
    expect(e.sd).toBeCloseTo(2, 12);
    // t(0.975, 2) = 4.302652729749464
    expect(e.halfWidth).toBeCloseTo((4.302652729749464 * 2) / Math.sqrt(3), 9);
    expect(e.low! + e.halfWidth!).toBeCloseTo(12, 12);
    expect(e.missing).toBeUndefined();
  });

  it('has no spread with one replication, and nulls rather than NaN (JSON round trip is exact)', () => {
    const e = estimate([7]);
    expect(e).toEqual({ n: 1, mean: 7, sd: null, halfWidth: null, low: null, high: null });
    expect(JSON.parse(JSON.stringify(e))).toEqual(e);
  });

  it('cuts the interval to the range the figure can take, keeping the t half-width', () => {
    // A reject rate of 0, 0, 0.094%: the t interval reaches -0.036%.
    const rate = estimate([0, 0, 0.00094], { min: 0, max: 1 });
    expect(rate.mean! - rate.halfWidth!).toBeLessThan(0);
    expect(rate.low).toBe(0);
    expect(rate.high).toBeCloseTo(rate.mean! + rate.halfWidth!, 12);
    // A hit ratio just under 1: the t interval reaches above 100%.
    const hits = estimate([0.994, 0.998, 0.9975], { min: 0, max: 1 });
    expect(hits.mean! + hits.halfWidth!).toBeGreaterThan(1);
    expect(hits.high).toBe(1);
    expect(hits.low).toBeCloseTo(hits.mean! - hits.halfWidth!, 12);
    // Unbounded without a range.
    expect(estimate([0, 0, 0.00094]).low!).toBeLessThan(0);
  });

  it('counts unmeasured replications as missing and estimates over the others', () => {
    expect(estimate([null, 4, 6])).toMatchObject({ n: 2, mean: 5, missing: 1 });
    expect(estimate([null, null])).toMatchObject({ n: 0, mean: null, missing: 2 });
  });
});

describe('mergeLatency', () => {
  it('takes percentiles over all samples of all replications', () => {
    const a = latencyOf([1000, 1000, 1000, 1000]);
    const b = latencyOf([9000, 9000, 9000, 9000]);
    const m = mergeLatency([a, b]);
    expect(m.count).toBe(8);
    expect(m.min).toBe(1000);
    expect(m.max).toBe(9000);
    expect(m.mean).toBe(5000);
    expect(m.p99).toBeGreaterThanOrEqual(8990);
    expect(m.p99Estimate.n).toBe(2);
    expect(m.p99Estimate.mean).toBeCloseTo(5000, -1);
  });

  // Guards leaving empty replications out of the per-replication percentile estimates: their
  // p50/p99 of 0 is "not measured", not a latency of 0 µs.
  it('per-replication p50/p99 estimates skip replications with no samples', () => {
    const m = mergeLatency([latencyOf([4000, 4000]), latencyOf([]), latencyOf([6000, 6000])]);
    expect(m.p50Estimate).toMatchObject({ n: 2, mean: 5000, missing: 1 });
    expect(m.p99Estimate).toMatchObject({ n: 2, mean: 5000, missing: 1 });
  });

  it('handles empty histograms', () => {
    const m = mergeLatency([latencyOf([]), latencyOf([])]);
    expect(m.count).toBe(0);
    expect(m.p99).toBe(0);
    expect(m.p99Estimate).toMatchObject({ n: 0, mean: null, missing: 2 });
  });
});

describe('aggregateStrategy: intervals within what a figure can be', () => {
  it('rates and fractions in [0, 1], counts at least 0, sell_out_time unbounded', () => {
    const results = [0.994, 0.998, 0.9975].map((hitRatio, replication) => {
      const r = makeResult({ replication, hitRatio, sellOutUs: [-10_000, 0, 5_000][replication] });
      return {
        ...r,
        metrics: { ...r.metrics, order_reject_rate: [0, 0, 0.001][replication], early_orders: [0, 0, 1][replication] },
        bots: { ...r.bots, count: [0, 0, 3][replication], shareOfStock: [0, 0, 0.2][replication] },
      };
    });
    const a = aggregateStrategy(results);
    expect(a.metrics.cdn_hit_ratio.high).toBe(1);
    expect(a.metrics.order_reject_rate.low).toBe(0);
    expect(a.metrics.early_orders.low).toBe(0);
    expect(a.bots.count.low).toBe(0);
    expect(a.bots.shareOfStock.low).toBe(0);
    expect(a.metrics.sell_out_time.low!).toBeLessThan(-10_000);
    for (const e of Object.values(a.metrics)) if (e.low !== null && e.high !== null) expect(e.low).toBeLessThanOrEqual(e.high);
  });
});

describe('averageTimeseries', () => {
  it('averages cell by cell, over the replications that have the interval', () => {
    const avg = averageTimeseries([
      {
        intervalUs: 10,
        columns: ['a', 'b'],
        rows: [
          [1, 2],
          [3, 4],
        ],
      },
      { intervalUs: 10, columns: ['a', 'b'], rows: [[3, 6]] },
    ]);
    expect(avg).toEqual({
      intervalUs: 10,
      columns: ['a', 'b'],
      rows: [
        [2, 4],
        [3, 4],
      ],
    });
  });

  it('refuses series of different shapes', () => {
    expect(() =>
      averageTimeseries([
        { intervalUs: 10, columns: ['a'], rows: [] },
        { intervalUs: 20, columns: ['a'], rows: [] },
      ]),
    ).toThrow(/different intervals/);
  });
});

describe('aggregateStrategy', () => {
  it('estimates every named metric, outcome, counter and stock figure, in catalogue order', () => {
    const results = [makeResult({ replication: 0, orders: 10 }), makeResult({ replication: 1, orders: 8, sellOutUs: null })];
    const agg = aggregateStrategy(results);
    expect(agg.replications).toBe(2);
    expect(Object.keys(agg.metrics)[0]).toBe('orders_created');
    expect(agg.metrics.orders_created).toMatchObject({ n: 2, mean: 9 });
    expect(agg.metrics.sell_out_time).toMatchObject({ n: 1, mean: 1_500_000, missing: 1 });
    expect(agg.outcomes.won.mean).toBe(9);
    expect(agg.counters['tokenRejected.forged'].mean).toBe(0);
    expect(agg.stock.sold.mean).toBe(9);
    expect(agg.latency.order.count).toBe(6);
    expect(agg.timeseries.rows[0][0]).toBe(0.5);
  });

  // Guards the per-section ranges: bots.shareOfStock and mainSite.errorRate are fractions
  // (cut at 1), other bot and main-site figures only at 0.
  it('cuts bots.shareOfStock and mainSite.errorRate at 1, other bot figures only at 0', () => {
    const results = [0.994, 0.998, 0.9975].map((share, replication) => {
      const r = makeResult({ replication });
      return {
        ...r,
        bots: { ...r.bots, shareOfStock: share, won: [994, 998, 997.5][replication] },
        mainSite: { requests: 1000, errors: share * 1000, errorRate: share },
      };
    });
    const a = aggregateStrategy(results);
    expect(a.bots.shareOfStock.mean! + a.bots.shareOfStock.halfWidth!).toBeGreaterThan(1);
    expect(a.bots.shareOfStock.high).toBe(1);
    expect(a.mainSite.errorRate.high).toBe(1);
    expect(a.bots.won.high!).toBeGreaterThan(998);
    expect(a.mainSite.errors.high!).toBeGreaterThan(998);
  });

  // Guards listing catalogue metrics only when some replication has them: a metric no
  // replication carries is absent, not an estimate of nothing.
  it('leaves out catalogue metrics that no replication carries', () => {
    const results = [0, 1].map((replication) => {
      const r = makeResult({ replication });
      const { amplification: _dropped, ...metrics } = r.metrics;
      // As read from a summary written before the metric existed.
      return { ...r, metrics: metrics as RunResult['metrics'] };
    });
    const agg = aggregateStrategy(results);
    expect('amplification' in agg.metrics).toBe(false);
    expect(agg.metrics.orders_created.n).toBe(2);
  });

  it('is deterministic and JSON-stable', () => {
    const results = [makeResult({ replication: 0 }), makeResult({ replication: 1, orders: 7 })];
    const a = JSON.stringify(aggregateStrategy(results));
    const b = JSON.stringify(aggregateStrategy(results.map((r) => JSON.parse(JSON.stringify(r)))));
    expect(a).toBe(b);
    expect(JSON.parse(a)).toEqual(aggregateStrategy(results));
  });

  it('refuses to mix strategies', () => {
    expect(() => aggregateStrategy([makeResult({ strategy: 'a' }), makeResult({ strategy: 'b' })])).toThrow(/different strategies/);
  });
});
