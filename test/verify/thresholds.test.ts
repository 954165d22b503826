import { describe, expect, test } from 'vitest';
import { evaluateThreshold, evaluateThresholds } from '../../src/verify/thresholds.js';
import { parseThreshold } from '../../src/metrics/thresholds.js';
import { latencyOf, validResult } from '../helpers/run-result.js';
import type { RunResult } from '../../src/results/result.js';

describe('evaluating thresholds on a run', () => {
  const result = validResult();

  test('latency metrics come from result.latency, others from result.metrics', () => {
    expect(
      evaluateThresholds(result, {
        order_latency: ['p(99)<500ms', 'p(50)<=51ms', 'avg<50ms', 'max<100ms', 'min>1ms', 'count==100'],
        page_error_rate: ['rate<1%'],
        oversell: ['count==0'],
        cdn_hit_ratio: ['rate>=0.95'],
        sell_out_time: ['value<100ms'],
      }),
    ).toEqual([
      { metric: 'order_latency', expression: 'p(99)<500ms', passed: true, actual: result.latency.order.p99, limit: 500_000 },
      { metric: 'order_latency', expression: 'p(50)<=51ms', passed: true, actual: result.latency.order.p50, limit: 51_000 },
      { metric: 'order_latency', expression: 'avg<50ms', passed: false, actual: 50_500, limit: 50_000 },
      { metric: 'order_latency', expression: 'max<100ms', passed: false, actual: 100_000, limit: 100_000 },
      { metric: 'order_latency', expression: 'min>1ms', passed: false, actual: 1_000, limit: 1_000 },
      { metric: 'order_latency', expression: 'count==100', passed: true, actual: 100, limit: 100 },
      { metric: 'page_error_rate', expression: 'rate<1%', passed: true, actual: 0.002, limit: 0.01 },
      { metric: 'oversell', expression: 'count==0', passed: true, actual: 0, limit: 0 },
      { metric: 'cdn_hit_ratio', expression: 'rate>=0.95', passed: true, actual: 0.95, limit: 0.95 },
      { metric: 'sell_out_time', expression: 'value<100ms', passed: false, actual: 500_000, limit: 100_000 },
    ]);
  });

  test('each latency name maps to its summary', () => {
    const r = validResult();
    r.latency.page = latencyOf([1_000]);
    r.latency.script = latencyOf([2_000]);
    r.latency.order = latencyOf([3_000]);
    r.latency.main_site = latencyOf([4_000]);
    expect(
      ['page_latency', 'script_latency', 'order_latency', 'main_site_latency'].map(
        (m) => evaluateThreshold(r, parseThreshold(m, 'max<1s')).actual,
      ),
    ).toEqual([1_000, 2_000, 3_000, 4_000]);
  });

  test('other percentiles come from the encoded histogram', () => {
    const p95 = evaluateThreshold(result, parseThreshold('order_latency', 'p(95)<96ms'));
    expect(p95.actual).toBeGreaterThanOrEqual(94_900);
    expect(p95.actual).toBeLessThanOrEqual(95_100);
    expect(p95.passed).toBe(true);
  });

  test('no samples or no value: the threshold fails with actual null (count of samples still works)', () => {
    expect(evaluateThreshold(result, parseThreshold('main_site_latency', 'p(99)<1s'))).toEqual({
      metric: 'main_site_latency',
      expression: 'p(99)<1s',
      passed: false,
      actual: null,
      limit: 1_000_000,
    });
    expect(evaluateThreshold(result, parseThreshold('main_site_latency', 'count==0')).passed).toBe(true);
    const r = validResult();
    r.metrics.sell_out_time = null;
    delete (r.metrics as Partial<RunResult['metrics']>).bot_share;
    expect(evaluateThreshold(r, parseThreshold('sell_out_time', 'value<30s'))).toMatchObject({ passed: false, actual: null });
    expect(evaluateThreshold(r, parseThreshold('bot_share', 'rate<10%'))).toMatchObject({ passed: false, actual: null });
  });
});

describe('boundaries of thresholds', () => {
  test('p(100) and rate<=100% are the inclusive ends of their ranges and parse', () => {
    // Kills `percentile < 100` and `limit >= 1` in parseThreshold: the documented ranges include 100 and 1.
    expect(parseThreshold('order_latency', 'p(100)<1s')).toMatchObject({ percentile: 100, limit: 1_000_000 });
    expect(parseThreshold('page_error_rate', 'rate<=100%')).toMatchObject({ limit: 1 });
  });

  test('p(100) is the max, p(99.9) the p999, med the p50 of the latency summary', () => {
    // Kills reading another field of the summary for these aggregations: with
    // latencies of 1..2000 ms, max, p999, p99, p90 and p50 all differ.
    const r = validResult();
    r.latency.order = latencyOf(Array.from({ length: 2000 }, (_, i) => (i + 1) * 1_000));
    const order = r.latency.order;
    expect(new Set([order.max, order.p999, order.p99, order.p90, order.p50]).size).toBe(5);
    const actual = (expression: string) => evaluateThreshold(r, parseThreshold('order_latency', expression)).actual;
    expect(actual('p(100)<1s')).toBe(order.max);
    expect(actual('p(99.9)<1s')).toBe(order.p999);
    expect(actual('med<1s')).toBe(order.p50);
  });

  test('<= passes at the limit itself; != fails at it and passes elsewhere', () => {
    // Kills `<=` read as `<` and `!=` read as `==` in compare.
    const r = validResult();
    const passed = (metric: string, expression: string) => evaluateThreshold(r, parseThreshold(metric, expression)).passed;
    expect(passed('order_latency', 'max<=100ms')).toBe(true); // max is exactly 100 ms
    expect(passed('oversell', 'count!=0')).toBe(false); // oversell is 0
    expect(passed('oversell', 'count!=1')).toBe(true);
  });

  test('a metric that is NaN or infinite has no value: every threshold on it fails, even !=', () => {
    // Kills dropping the finiteness check: NaN !== 0 is true, and Infinity > 1 passes,
    // so a broken metric would pass a criterion it cannot meet.
    const r = validResult();
    r.metrics.amplification = Number.NaN;
    r.metrics.attempts_per_order = Number.POSITIVE_INFINITY;
    expect(evaluateThreshold(r, parseThreshold('amplification', 'value!=0'))).toMatchObject({ passed: false, actual: null });
    expect(evaluateThreshold(r, parseThreshold('attempts_per_order', 'value>1'))).toMatchObject({ passed: false, actual: null });
  });
});
