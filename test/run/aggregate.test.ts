import { describe, expect, it } from 'vitest';
import { aggregateByStrategy, aggregateStrategy, averageTimeseries, estimate, mergeLatency } from '../../src/run/aggregate.js';
import { latency, makeResult } from '../report/make-result.js';

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

  it('counts unmeasured replications as missing and estimates over the others', () => {
    expect(estimate([null, 4, 6])).toMatchObject({ n: 2, mean: 5, missing: 1 });
    expect(estimate([null, null])).toMatchObject({ n: 0, mean: null, missing: 2 });
  });
});

describe('mergeLatency', () => {
  it('takes percentiles over all samples of all replications', () => {
    const a = latency([1000, 1000, 1000, 1000]);
    const b = latency([9000, 9000, 9000, 9000]);
    const m = mergeLatency([a, b]);
    expect(m.count).toBe(8);
    expect(m.min).toBe(1000);
    expect(m.max).toBe(9000);
    expect(m.mean).toBe(5000);
    expect(m.p99).toBeGreaterThanOrEqual(8990);
    expect(m.p99Estimate.n).toBe(2);
    expect(m.p99Estimate.mean).toBeCloseTo(5000, -1);
  });

  it('handles empty histograms', () => {
    const m = mergeLatency([latency([]), latency([])]);
    expect(m.count).toBe(0);
    expect(m.p99).toBe(0);
    expect(m.p99Estimate).toMatchObject({ n: 0, mean: null, missing: 2 });
  });
});

describe('averageTimeseries', () => {
  it('averages cell by cell, over the replications that have the interval', () => {
    const avg = averageTimeseries([
      { intervalUs: 10, columns: ['a', 'b'], rows: [[1, 2], [3, 4]] },
      { intervalUs: 10, columns: ['a', 'b'], rows: [[3, 6]] },
    ]);
    expect(avg).toEqual({ intervalUs: 10, columns: ['a', 'b'], rows: [[2, 4], [3, 4]] });
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

describe('aggregateByStrategy', () => {
  it('groups results in first-seen order', () => {
    const aggs = aggregateByStrategy([
      makeResult({ strategy: 'z', replication: 0 }),
      makeResult({ strategy: 'z', replication: 1 }),
      makeResult({ strategy: 'a', replication: 0 }),
    ]);
    expect(aggs.map((a) => [a.strategy, a.replications])).toEqual([
      ['z', 2],
      ['a', 1],
    ]);
  });
});
