import { describe, expect, it } from 'vitest';
import { METRIC_CATALOGUE, METRIC_NAMES, VALUE_METRIC_NAMES, metricRange } from '../../src/metrics/catalogue.js';

describe('metric catalogue', () => {
  it('ranges: rates, fractions and probabilities lie in [0, 1]; every other metric but sell_out_time is at least 0', () => {
    for (const name of METRIC_NAMES) {
      const info = METRIC_CATALOGUE[name];
      const fraction = info.kind === 'rate' || info.unit === 'fraction' || info.unit === 'probability';
      expect(metricRange(name), name).toEqual(fraction ? { min: 0, max: 1 } : name === 'sell_out_time' ? {} : { min: 0 });
    }
    expect(metricRange('not_a_metric')).toEqual({});
  });

  it('metricRange hands out a copy: changing it changes no later answer', () => {
    metricRange('cdn_hit_ratio').max = 2;
    expect(metricRange('cdn_hit_ratio')).toEqual({ min: 0, max: 1 });
  });

  it('neutral metrics are the two the design under test does not set: sell-out time and cancelled orders', () => {
    expect(METRIC_NAMES.filter((name) => METRIC_CATALOGUE[name].direction === 'neutral')).toEqual(['orders_cancelled', 'sell_out_time']);
  });

  it('VALUE_METRIC_NAMES are the non-latency metrics, catalogue order', () => {
    expect(VALUE_METRIC_NAMES).toEqual(METRIC_NAMES.filter((name) => METRIC_CATALOGUE[name].kind !== 'latency'));
    expect(VALUE_METRIC_NAMES).not.toContain('page_latency');
  });
});
