import { describe, expect, it } from 'vitest';
import { METRIC_CATALOGUE, METRIC_NAMES } from '../../src/run/metric-catalogue.js';
import { LATENCY_NAMES, latencyNameOf } from '../../src/run/result.js';

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
});
