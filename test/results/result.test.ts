import { describe, expect, it } from 'vitest';
import { METRIC_CATALOGUE, METRIC_NAMES } from '../../src/metrics/catalogue.js';
import {
  LATENCY_NAMES,
  latencyNameOf,
  measuredLatency,
  measuredMetric,
  type LatencySummary,
  type RunResult,
} from '../../src/results/result.js';

describe('latency names', () => {
  it('LATENCY_NAMES are the catalogue latency metrics, in catalogue order', () => {
    const latencyMetrics = METRIC_NAMES.filter((m) => METRIC_CATALOGUE[m].kind === 'latency');
    expect(LATENCY_NAMES.map((n) => `${n}_latency`)).toEqual(latencyMetrics);
  });

  it('latencyNameOf maps a latency metric to its distribution and anything else to undefined', () => {
    expect(latencyNameOf('main_site_latency')).toBe('main_site');
    expect(latencyNameOf('decision_latency')).toBe('decision');
    expect(latencyNameOf('order_latency')).toBe('order');
    expect(latencyNameOf('oversell')).toBeUndefined();
    expect(latencyNameOf('bogus_latency')).toBeUndefined();
    expect(latencyNameOf('_latency')).toBeUndefined();
  });

  it('measuredLatency: a statistic of a distribution with samples; null with none, or none recorded (an older summary)', () => {
    const summary = (count: number): LatencySummary => ({
      count,
      mean: 5,
      min: 1,
      p50: 4,
      p90: 8,
      p99: 9,
      p999: 10,
      max: 11,
      histogram: '',
    });
    const run = { latency: { page: summary(3), script: summary(0), order: summary(3), main_site: summary(3) } } as unknown as Pick<
      RunResult,
      'latency'
    >;
    expect(measuredLatency(run, 'page', 'p99')).toBe(9);
    expect(measuredLatency(run, 'page', 'min')).toBe(1);
    expect(measuredLatency(run, 'script', 'p99')).toBeNull();
    expect(measuredLatency(run, 'decision', 'p99')).toBeNull();
  });

  it('measuredMetric: a finite value; null when null, absent or not finite', () => {
    const run = { metrics: { a: 0.5, b: null, c: Number.NaN, d: Infinity } } as unknown as Pick<RunResult, 'metrics'>;
    expect(measuredMetric(run, 'a')).toBe(0.5);
    for (const name of ['b', 'c', 'd', 'missing']) expect(measuredMetric(run, name)).toBeNull();
  });
});
