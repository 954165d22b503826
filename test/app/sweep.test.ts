import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { formatSweepEstimate, renderSweepCsv, renderSweepMarkdown, renderSweepTable, sweepChartData } from '../../src/report/sweep.js';
import { buildSweep, prepareSweep } from '../../src/app/sweep.js';
import { DEFAULT_SWEEP_METRICS, metricValue, parseSweepMetric } from '../../src/results/sweep.js';
import { makeResult } from '../helpers/run-result.js';
import { ROOT } from '../cli/build.js';

/** The sweep's planning and data, without simulating (results are made up). */

const PASS = join(ROOT, 'test/cli/fixtures/pass.yaml');

describe('parseSweepMetric', () => {
  it('takes latency statistics and the other catalogue metrics', () => {
    expect(parseSweepMetric('order_latency.p99')).toMatchObject({ name: 'order_latency.p99', metric: 'order_latency', unit: 'µs' });
    expect(parseSweepMetric('cdn_hit_ratio')).toMatchObject({ name: 'cdn_hit_ratio', unit: 'fraction' });
    expect(DEFAULT_SWEEP_METRICS.map(parseSweepMetric)).toHaveLength(DEFAULT_SWEEP_METRICS.length);
  });

  it.each(['order_latency', 'order_latency.p42', 'sell_out_time.p99', 'nope', 'a.b.c'])('refuses %s with a UsageError', (name) => {
    expect(() => parseSweepMetric(name)).toThrow(UsageError);
  });

  it('reads a run: latency statistic in µs, null when nothing was measured', () => {
    const run = makeResult();
    expect(metricValue(parseSweepMetric('order_latency.p99'), run)).toBe(run.latency.order.p99);
    const empty = { ...run, latency: { ...run.latency, order: { ...run.latency.order, count: 0 } } };
    expect(metricValue(parseSweepMetric('order_latency.p99'), empty)).toBeNull();
    expect(metricValue(parseSweepMetric('sell_out_time'), { ...run, metrics: { ...run.metrics, sell_out_time: null } })).toBeNull();
  });
});

describe('formatSweepEstimate', () => {
  it("gives the ends of a cut interval that read alike at three digits in the metric's unit (percent), not as fractions", () => {
    const e = { n: 3, mean: 0.9999, sd: 0.0001, halfWidth: 0.0003, low: 0.9996, high: 1 };
    expect(formatSweepEstimate(parseSweepMetric('origin_utilisation'), e)).toBe('100% [99.96%, 100%]');
  });
});

describe('prepareSweep', () => {
  it('plans the grid point-major, re-indexes the tasks and applies each point after --set', () => {
    const sweep = prepareSweep(PASS, {
      params: ['system.orderServers.servers=1,3', 'system.cdn.ttl=1s,10s,60s'],
      set: ['system.orderServers.servers=9'],
      replications: 2,
      strategies: ['seed-design'],
    });
    expect(sweep.axes).toEqual([
      { path: 'system.orderServers.servers', values: ['1', '3'] },
      { path: 'system.cdn.ttl', values: ['1s', '10s', '60s'] },
    ]);
    expect(sweep.points).toHaveLength(6);
    expect(sweep.plan.tasks.map((t) => t.index)).toEqual([...Array(12).keys()]);
    expect(sweep.points.map((p) => [p.first, p.count])).toEqual([
      [0, 2],
      [2, 2],
      [4, 2],
      [6, 2],
      [8, 2],
      [10, 2],
    ]);
    const last = sweep.plan.tasks[11].config;
    expect(last.system.orderServers.servers).toBe(3);
    expect(last.system.cdn.ttl).toBe(60_000_000);
    // Same seed everywhere: every point sees the same users.
    expect(new Set(sweep.plan.tasks.map((t) => t.seed)).size).toBe(1);
  });

  it('refuses values spelled differently that mean the same, which would run the same point twice', () => {
    expect(() => prepareSweep(PASS, { params: ['system.cdn.ttl=1s,1000ms'], strategies: ['seed-design'] })).toThrow(UsageError);
    expect(() => prepareSweep(PASS, { params: ['system.cdn.ttl=1s,1000ms'], strategies: ['seed-design'] })).toThrow(
      /system\.cdn\.ttl=1s and system\.cdn\.ttl=1000ms give the same configuration/,
    );
    expect(() =>
      prepareSweep(PASS, { params: ['system.orderServers.servers=1,2', 'system.orders.service=5ms,5000us'], strategies: ['seed-design'] }),
    ).toThrow(/system\.orders\.service=5ms and system\.orders\.service=5000us/);
    // Different values are fine.
    expect(prepareSweep(PASS, { params: ['system.cdn.ttl=1s,1001ms'], strategies: ['seed-design'] }).points).toHaveLength(2);
  });

  it('needs a parameter and refuses a metric given twice', () => {
    expect(() => prepareSweep(PASS, { params: [] })).toThrow(/at least one --param/);
    expect(() => prepareSweep(PASS, { params: ['system.orderServers.servers=1,2'], metrics: ['sell_out_time', 'sell_out_time'] })).toThrow(
      /twice/,
    );
    // An empty --metric named no metric: the sweep had no columns and its chart failed.
    expect(() => prepareSweep(PASS, { params: ['system.orderServers.servers=1,2'], metrics: [''] })).toThrow(UsageError);
    expect(() => prepareSweep(PASS, { params: ['system.orderServers.servers=1,2'], metrics: [' , '] })).toThrow(
      /--metric: no metric named/,
    );
  });
});

describe('buildSweep and its renderings', () => {
  const sweep = prepareSweep(PASS, {
    params: ['system.orderServers.servers=1,2', 'system.cdn.ttl=1s,60s'],
    replications: 2,
    metrics: ['orders_created', 'order_latency.p99'],
  });
  // Made-up results: orders_created = servers × 10 + replication.
  const results = sweep.plan.tasks.map((t) => {
    const r = makeResult({ strategy: t.strategy, replication: t.replication });
    return { ...r, metrics: { ...r.metrics, orders_created: t.config.system.orderServers.servers * 10 + t.replication } };
  });
  const result = buildSweep(sweep, results);

  it('estimates each metric per point and strategy across replications', () => {
    expect(result.points).toHaveLength(4);
    const cell = result.points[2].strategies[1];
    expect(result.points[2].parameters).toEqual({ 'system.orderServers.servers': '2', 'system.cdn.ttl': '1s' });
    expect(cell.strategy).toBe('more-servers');
    expect(cell.metrics['orders_created']).toMatchObject({ n: 2, mean: 20.5 });
    expect(cell.metrics['orders_created'].low!).toBeLessThan(20.5);
  });

  it('a rate near 0: the interval stops at 0 in sweep.json, sweep.csv and the table', () => {
    const rateSweep = prepareSweep(PASS, {
      params: ['system.orderServers.servers=1,2'],
      replications: 3,
      strategies: ['seed-design'],
      metrics: ['order_reject_rate'],
    });
    const rateResults = rateSweep.plan.tasks.map((t) => {
      const r = makeResult({ strategy: t.strategy, replication: t.replication });
      return { ...r, metrics: { ...r.metrics, order_reject_rate: [0, 0, 0.00094][t.replication] } };
    });
    const swept = buildSweep(rateSweep, rateResults);
    const e = swept.points[0].strategies[0].metrics['order_reject_rate'];
    expect(e.mean! - e.halfWidth!).toBeLessThan(0);
    expect(e.low).toBe(0);
    expect(renderSweepCsv(swept).split('\n')[1]).toMatch(/,0\.0003133333333333333,0,0\.00166\d*,3$/);
    expect(renderSweepTable(swept)).toContain('0.0313% [0%, 0.166%]');
    expect(renderSweepTable(swept)).not.toMatch(/± 0\.13/);
    expect(renderSweepMarkdown(swept)).toContain('0.0313% [0%, 0.166%]');
  });

  it('CSV: one row per point and strategy, quoted when needed', () => {
    const lines = renderSweepCsv(result).trim().split('\n');
    expect(lines).toHaveLength(1 + 4 * 2);
    expect(lines[1]).toMatch(/^0,1,1s,seed-design,/);
  });

  it('chart data: the numeric parameter on x, a series per other value and strategy, latencies in ms', () => {
    const data = sweepChartData(result, result.metrics[1]);
    expect(data.param).toBe('system.orderServers.servers');
    expect(data.values).toEqual([1, 2]);
    expect(data.series.map((s) => s.label)).toEqual([
      'cdn.ttl=1s, seed-design',
      'cdn.ttl=1s, more-servers',
      'cdn.ttl=60s, seed-design',
      'cdn.ttl=60s, more-servers',
    ]);
    const p99 = results[0].latency.order.p99;
    expect(data.series[0].points[0]).toMatchObject({ x: 1, y: p99 / 1000 });
  });
});
