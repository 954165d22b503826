import { describe, expect, it } from 'vitest';
import { runOnce } from '../../src/model/run-once.js';
import { METRIC_COMPUTE } from '../../src/model/metric-compute.js';
import { METRIC_CATALOGUE, METRIC_NAMES, VALUE_METRIC_NAMES } from '../../src/metrics/catalogue.js';
import { evaluateThresholds } from '../../src/verify/thresholds.js';
import { configOf, merge, SMALL } from '../helpers/flash-config.js';

/**
 * Rates whose denominator is order activity are unmeasured (null) when
 * there was none, so that their thresholds fail (as for sell_out_time)
 * instead of passing on a site where nobody could order. They used to read
 * answered_within_2s 100%, order_reject_rate 0% and bot_share 0%: the best
 * possible figures, as scenarios/cdn-stampede.yaml's no-coalescing strategy
 * showed for a run in which all 200,000 users gave up and nothing sold.
 */
describe('metrics of a run in which nobody reached the order step', () => {
  // The button script never comes within patience: every user gives up
  // before seeing the buy button.
  const NO_BUTTON = { system: { origin: { scriptService: '1h' } }, users: { bots: { share: '0%' } } };
  const r = runOnce(configOf(merge(SMALL, NO_BUTTON)), { strategy: 's', replication: 0, seed: 1 }).result;

  it('made no order attempt and sold nothing', () => {
    expect(r.counters.orderAttempts).toBe(0);
    expect(r.ledger).toHaveLength(0);
  });

  it('has no answered_within_2s, order_reject_rate or bot_share', () => {
    expect(r.metrics).toMatchObject({ answered_within_2s: null, order_reject_rate: null, bot_share: null });
    // The bots' share chart reads this one: no bar rather than a 0% one.
    expect(r.bots.shareOfStock).toBeNull();
  });

  it('fails thresholds on them rather than passing them', () => {
    const results = evaluateThresholds(r, { answered_within_2s: ['rate>95%'], order_reject_rate: ['rate<5%'], bot_share: ['rate<10%'] });
    expect(results.map((t) => [t.metric, t.passed, t.actual])).toEqual([
      ['answered_within_2s', false, null],
      ['order_reject_rate', false, null],
      ['bot_share', false, null],
    ]);
  });
});

describe('metrics of a run with orders', () => {
  it('keeps the rates as numbers', () => {
    const r = runOnce(configOf(SMALL), { strategy: 's', replication: 0, seed: 1 }).result;
    expect(r.counters.orderAttempts).toBeGreaterThan(0);
    for (const name of ['answered_within_2s', 'order_reject_rate', 'bot_share'] as const) expect(typeof r.metrics[name]).toBe('number');
  });
});

describe('every catalogue metric is computed', () => {
  const r = runOnce(configOf(SMALL), { strategy: 's', replication: 0, seed: 1 }).result;

  it('a run carries every non-latency catalogue metric, in catalogue order, each a finite number or null', () => {
    expect(Object.keys(r.metrics)).toEqual([...VALUE_METRIC_NAMES]);
    for (const name of VALUE_METRIC_NAMES) {
      const value = r.metrics[name];
      expect(value === null || Number.isFinite(value), name).toBe(true);
    }
  });

  it('and a distribution for every latency metric', () => {
    const latencyMetrics = METRIC_NAMES.filter((name) => METRIC_CATALOGUE[name].kind === 'latency');
    expect(Object.keys(r.latency).map((kind) => `${kind}_latency`)).toEqual(latencyMetrics);
  });

  it('the computations are keyed by exactly the non-latency catalogue names', () => {
    expect(Object.keys(METRIC_COMPUTE).sort()).toEqual([...VALUE_METRIC_NAMES].sort());
  });
});
