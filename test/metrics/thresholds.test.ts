import { describe, expect, test } from 'vitest';
import { parseThreshold, ThresholdError } from '../../src/metrics/thresholds.js';

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
    // sell_out_time is negative when the stock sold out before T0.
    ['sell_out_time', 'value>-1.5s', { aggregation: 'value', op: '>', limit: -1_500_000 }],
    ['sell_out_time', 'value>=-0s', { aggregation: 'value', op: '>=', limit: 0 }],
    ['order_latency', 'max<1h', { aggregation: 'max', op: '<', limit: 3_600_000_000 }],
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
    ['order_latency', 'p(99)<-1s', 'order_latency is never negative: the limit must be at least 0'],
    ['oversell', 'count>-1', 'oversell is never negative: the limit must be at least 0'],
    ['page_error_rate', 'rate>-1%', 'page_error_rate is never negative: the limit must be at least 0'],
  ])('%s: %s is refused', (metric, expression, message) => {
    expect(() => parseThreshold(metric, expression)).toThrow(ThresholdError);
    expect(() => parseThreshold(metric, expression)).toThrow(message);
  });
});
