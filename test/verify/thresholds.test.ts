import { describe, expect, test } from 'vitest';
import { loadScenario } from '../../src/scenario/index.js';
import { evaluateThreshold, evaluateThresholds, parseThreshold, ThresholdError, validateThresholds } from '../../src/verify/index.js';
import { latencyOf, validResult } from './run-result.js';

describe('parseThreshold', () => {
  test.each([
    ['order_latency', 'p(99)<500ms', { aggregation: 'p', percentile: 99, op: '<', limit: 500_000 }],
    ['order_latency', 'p(99.9)<=1s', { aggregation: 'p', percentile: 99.9, op: '<=', limit: 1_000_000 }],
    ['page_latency', ' avg < 200ms ', { aggregation: 'avg', op: '<', limit: 200_000 }],
    ['page_latency', 'med<1.5s', { aggregation: 'med', op: '<', limit: 1_500_000 }],
    ['script_latency', 'min>=250us', { aggregation: 'min', op: '>=', limit: 250 }],
    ['script_latency', 'max<2m', { aggregation: 'max', op: '<', limit: 120_000_000 }],
    ['order_latency', 'count>0', { aggregation: 'count', op: '>', limit: 0 }],
    ['oversell', 'count==0', { aggregation: 'count', op: '==', limit: 0 }],
    ['page_error_rate', 'rate<0.01', { aggregation: 'rate', op: '<', limit: 0.01 }],
    ['page_error_rate', 'rate<1%', { aggregation: 'rate', op: '<', limit: 0.01 }],
    ['cdn_hit_ratio', 'rate!=0', { aggregation: 'rate', op: '!=', limit: 0 }],
    ['origin_utilisation', 'value>=0.95', { aggregation: 'value', op: '>=', limit: 0.95 }],
    ['origin_utilisation', 'value<80%', { aggregation: 'value', op: '<', limit: 0.8 }],
    ['sell_out_time', 'value<30s', { aggregation: 'value', op: '<', limit: 30_000_000 }],
    ['amplification', 'value<=25', { aggregation: 'value', op: '<=', limit: 25 }],
  ])('%s: %s', (metric, expression, expected) => {
    expect(parseThreshold(metric, expression)).toEqual({ metric, expression, ...expected });
  });

  test.each([
    ['order_latency', 'rate<0.01', 'rate does not apply to order_latency, a latency metric: use p(N), avg, med, min, max or count'],
    ['order_latency', 'value<1s', 'value does not apply to order_latency, a latency metric: use p(N), avg, med, min, max or count'],
    ['page_error_rate', 'p(95)<1s', 'p(N) does not apply to page_error_rate, a rate metric: use rate'],
    ['page_error_rate', 'count==0', 'count does not apply to page_error_rate, a rate metric: use rate'],
    ['oversell', 'rate<0.1', 'rate does not apply to oversell, a count metric: use count'],
    ['sell_out_time', 'avg<1s', 'avg does not apply to sell_out_time, a value metric: use value'],
    ['order_latency', 'p(99)<500', 'the limit of order_latency is a duration and needs a unit, e.g. 500ms or 500s'],
    ['order_latency', 'p(99)<5%', 'the limit of order_latency is a duration and needs a unit, e.g. 5ms or 5s'],
    ['sell_out_time', 'value<30', 'the limit of sell_out_time is a duration and needs a unit, e.g. 30ms or 30s'],
    ['oversell', 'count<1%', 'oversell is not a fraction: write its limit without %'],
    ['page_error_rate', 'rate<5ms', 'page_error_rate is not a duration: write its limit without a unit'],
    ['page_error_rate', 'rate<1.5', 'page_error_rate is a fraction from 0 to 1: the limit must be at most 1 (or 100%)'],
    ['order_latency', 'p(0)<1s', 'the percentile must be above 0 and at most 100'],
    ['order_latency', 'p(101)<1s', 'the percentile must be above 0 and at most 100'],
    ['order_latency', 'p99<1s', 'must look like p(99)<500ms, avg<200ms, rate<0.01, count==0 or value>=0.95'],
    ['order_latency', 'p(99)<1.2.3s', '"1.2.3" is not a number'],
    ['order_latencyy', 'p(99)<1s', 'unknown metric "order_latencyy"'],
  ])('%s: %s is refused', (metric, expression, message) => {
    expect(() => parseThreshold(metric, expression)).toThrow(ThresholdError);
    expect(() => parseThreshold(metric, expression)).toThrow(message);
  });
});

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
      ['page_latency', 'script_latency', 'order_latency', 'main_site_latency'].map((m) => evaluateThreshold(r, parseThreshold(m, 'max<1s')).actual),
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
    delete r.metrics.bot_share;
    expect(evaluateThreshold(r, parseThreshold('sell_out_time', 'value<30s'))).toMatchObject({ passed: false, actual: null });
    expect(evaluateThreshold(r, parseThreshold('bot_share', 'rate<10%'))).toMatchObject({ passed: false, actual: null });
  });
});

describe('validateThresholds', () => {
  test('a loaded scenario has valid thresholds (loadScenario already checks them)', () => {
    expect(validateThresholds(loadScenario('scenarios/flash-sale.yaml'))).toEqual([]);
  });
});
