import { beforeAll, describe, expect, it } from 'vitest';
import { renderChartPng } from '../../../src/report/charts/render.js';
import { coincide, intervalSeries, percentileCurve, stockCurve } from '../../../src/report/charts/series.js';
import {
  buildCharts,
  niceWindow,
  originRequestsChart,
  stockChart,
  stormWindow,
  sweepChart,
  wrapNotes,
} from '../../../src/report/charts/specs.js';
import type { ChartSpec, DatasetData } from '../../../src/report/charts/types.js';
import { strategyColor, withAlpha } from '../../../src/report/palette.js';
import type { RunSummary } from '../../../src/results/summary.js';
import { pngSize } from '../../helpers/png-size.js';
import { makeResult } from '../../helpers/run-result.js';
import { makeStrategy, makeSummary } from '../../helpers/summary.js';
import { smokeSummary } from './smoke-summary.js';

let summary: RunSummary;

beforeAll(async () => {
  summary = await smokeSummary();
});

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

const meanDatasets = (spec: ChartSpec): DatasetData[] => spec.config.data.datasets.filter((d) => !d.flashsimBand);

describe('chart specs', () => {
  it('the decision chart says its samples are buyers, not requests', () => {
    const byId = new Map(buildCharts(summary).map((c) => [c.id, c]));
    expect(JSON.stringify(byId.get('latency-decision'))).toContain('one sample per buyer who got a definite answer');
    expect(JSON.stringify(byId.get('latency-order'))).toContain('all requests of the run');
  });

  it('a run gives every chart, with unique ids, as pure JSON data', () => {
    const charts = buildCharts(summary);
    expect(charts.map((c) => c.id)).toEqual([
      'origin-requests',
      'cdn-hit-ratio',
      'script-requests',
      'stock',
      'orders-seed-design',
      'orders-naive',
      'latency-order-over-time',
      'latency-page-over-time',
      'latency-page',
      'latency-order',
      'latency-decision',
      'outcomes',
      'fairness',
      'bot-share',
      'main-site-p99',
    ]);
    for (const c of charts) {
      // No functions, undefined, NaN or Infinity: the HTML report serialises exactly this.
      expect(JSON.parse(JSON.stringify(c))).toEqual(c);
      expect(c.title.length).toBeGreaterThan(0);
      expect(c.caption.length).toBeGreaterThan(0);
      const scales = c.config.options.scales as Record<string, { title: { text: string } }>;
      expect(scales.x.title.text.length).toBeGreaterThan(0);
      expect(scales.y.title.text.length).toBeGreaterThan(0);
    }
  });

  it('a strategy has the same colour in every chart', () => {
    for (const c of buildCharts(summary)) {
      for (const ds of meanDatasets(c)) {
        const i = summary.strategies.findIndex((s) => ds.label === s.name || ds.label.startsWith(`${s.name} (`));
        if (i >= 0) expect(ds.borderColor, `${c.id}: ${ds.label}`).toBe(strategyColor(i));
      }
      if (c.id === 'bot-share' || c.id === 'main-site-p99') {
        expect(c.config.data.datasets[0].backgroundColor).toEqual(summary.strategies.map((_, i) => strategyColor(i)));
      }
    }
  });

  it('time axes are in seconds from T0, with T0 marked', () => {
    const origin = originRequestsChart(summary);
    const x = (origin.config.options.scales as Record<string, Record<string, unknown>>).x;
    expect(x).toMatchObject({ type: 'linear', min: -60, max: 60, title: { text: 'seconds from T0 (the sale opens at T0)' } });
    const lines = (origin.config.options.plugins as { flashsimMarkers: { lines: Array<{ x?: number }> } }).flashsimMarkers.lines;
    expect(lines.some((l) => l.x === 0)).toBe(true);
  });

  it('with replications, lines carry a 95% band that stays inside what the quantity can be', () => {
    const origin = originRequestsChart(summary);
    const bands = origin.config.data.datasets.filter((d) => d.flashsimBand);
    expect(bands).toHaveLength(2 * summary.strategies.length);
    const high = bands.find((d) => d.fill && typeof d.fill === 'object')!;
    expect(high.backgroundColor).toBe(withAlpha(strategyColor(0), 0.18));
    for (const b of bands) for (const p of b.data as Array<{ y: number | null }>) if (p.y !== null) expect(p.y).toBeGreaterThanOrEqual(0);
  });

  it('the stock chart marks each sell-out moment and its curve starts at the initial stock', () => {
    const stock = stockChart(summary);
    const lines = (stock.config.options.plugins as { flashsimMarkers: { lines: Array<{ x?: number; color?: string }> } }).flashsimMarkers
      .lines;
    summary.strategies.forEach((s, i) => {
      const times = s.runs.filter((r) => r.stock.soldOutAtUs !== null).map((r) => (r.stock.soldOutAtUs! - r.config.sale.start) / 1e6);
      if (times.length === 0) return;
      const mean = times.reduce((a, b) => a + b, 0) / times.length;
      expect(lines.some((l) => l.color === strategyColor(i) && Math.abs((l.x ?? NaN) - mean) < 1e-6)).toBe(true);
    });
    const curve = stockCurve(summary.strategies[0], -10, 10, 20);
    expect(curve[0].y).toBe(summary.strategies[0].runs[0].stock.initial);
  });

  it('origin requests turn to a log axis when the strategies’ peaks are more than 100x apart', () => {
    expect((originRequestsChart(summary).config.options.scales as Record<string, { type: string }>).y.type).toBe('linear');
    const skewed = clone(summary);
    for (const run of skewed.strategies[1].runs) {
      const j = run.timeseries.columns.indexOf('origin_script_requests');
      for (const row of run.timeseries.rows) row[j] = row[j] * 1000 + 1;
    }
    expect((originRequestsChart(skewed).config.options.scales as Record<string, { type: string }>).y.type).toBe('logarithmic');
  });

  it('long runs are zoomed around T0 (and say so), with a whole-run chart added', () => {
    expect(stormWindow(summary)).toMatchObject({ from: -60, to: 60, zoomed: false, note: '' });
    const long = clone(summary);
    for (const s of long.strategies) for (const r of s.runs) r.config.duration = 300_000_000;
    expect(stormWindow(long)).toMatchObject({ from: -60, to: 120, zoomed: true, note: ' (T0−60 s … T0+120 s)' });
    expect(originRequestsChart(long).title).toBe('Origin requests per second (T0−60 s … T0+120 s)');
    expect(buildCharts(long).map((c) => c.id)).toContain('origin-requests-full-run');
  });

  it('series helpers: interval bins, percentile curves, coinciding lines, round windows, wrapped notes', () => {
    const s = summary.strategies[0];
    const perSecond = intervalSeries(s, (get, dt) => get('page_views') / dt);
    const binned = intervalSeries(s, (get, dt) => get('page_views') / dt, -Infinity, Infinity, 10);
    expect(binned.length).toBe(Math.ceil((perSecond.length - 1) / 10) + 1);
    expect(binned[0].y).toBeCloseTo(perSecond.slice(0, 10).reduce((a, p) => a + (p.y ?? 0), 0) / 10, 6);
    const curve = percentileCurve(s, 'page');
    expect(curve[0].x).toBe(0);
    for (let i = 1; i < curve.length; i++) expect(curve[i].y!).toBeGreaterThanOrEqual(curve[i - 1].y! * 0.999);
    expect(coincide(curve, curve)).toBe(true);
    expect(
      coincide(
        curve,
        curve.map((p) => ({ ...p, y: p.y! * 2 })),
        0.01,
        true,
      ),
    ).toBe(false);
    expect(
      coincide(
        curve,
        curve.map((p) => ({ ...p, y: p.y! * 1.001 })),
        0.01,
        true,
      ),
    ).toBe(true);
    expect(niceWindow(-4.26, 1.47)).toEqual([-5, 2]);
    expect(niceWindow(-0.2, 0.83)).toEqual([-0.2, 1]);
    expect(niceWindow(-7, 40, -5)).toEqual([-5, 40]);
    expect(wrapNotes('short')).toBe('short');
    expect(wrapNotes(`${'a'.repeat(80)} · ${'b'.repeat(80)}`)).toEqual(['a'.repeat(80), 'b'.repeat(80)]);
  });

  it('a sweep chart: numeric parameter values on a linear axis, names on a category axis, bands from low/high', () => {
    const numeric = sweepChart(
      {
        param: 'system.orderServers.servers',
        values: [2, 4, 8],
        series: [
          {
            label: 'slots=10',
            points: [
              { x: 2, y: 300, low: 250, high: 350 },
              { x: 4, y: 200, low: 180, high: 220 },
              { x: 8, y: 120, low: 110, high: 130 },
            ],
          },
          {
            label: 'slots=20',
            points: [
              { x: 2, y: 250 },
              { x: 4, y: 150 },
              { x: 8, y: 90 },
            ],
          },
        ],
      },
      { metric: 'p99 order latency', format: 'ms' },
    );
    expect(numeric.id).toBe('sweep-system-orderservers-servers');
    const scales = numeric.config.options.scales as Record<string, { type: string; title: { text: string } }>;
    expect(scales.x).toMatchObject({ type: 'linear', title: { text: 'system.orderServers.servers' } });
    expect((scales.x as unknown as { flashsimTicks: number[] }).flashsimTicks).toEqual([2, 4, 8]);
    expect(meanDatasets(numeric).map((d) => d.label)).toEqual(['slots=10', 'slots=20']);
    expect(numeric.config.data.datasets.filter((d) => d.flashsimBand)).toHaveLength(2);
    const named = sweepChart(
      {
        param: 'system.stock.primitive',
        values: ['atomic', 'lock'],
        series: [
          {
            label: 'all',
            points: [
              { x: 'lock', y: 5 },
              { x: 'atomic', y: 1 },
            ],
          },
        ],
      },
      { metric: 'sell-out time (s)' },
    );
    expect(named.config.data.labels).toEqual(['atomic', 'lock']);
    expect(named.config.data.datasets[0].data).toEqual([1, 5]);
    expect(pngSize(renderChartPng(numeric))).toEqual({ width: 1000, height: 560 });
  });

  it('the stock band stays within what the stock can be: at most the initial stock, and at least 0 with a primitive that cannot oversell', () => {
    // Replications that sold 3, 0, 0 (and 10, 0, 0) units: the t interval of the mean level reaches above the initial 10 (and below 0).
    const make = (name: string, sold: number[]) =>
      makeStrategy({
        name,
        results: sold.map((orders, replication) => ({
          ...makeResult({ strategy: name, replication, orders }),
          stock: { ...makeResult({ orders }).stock, initial: 10 },
        })),
      });
    const chart = stockChart(makeSummary([make('atomic-a', [3, 0, 0]), make('atomic-b', [10, 0, 0])]));
    const bands = chart.config.data.datasets.filter((d) => d.flashsimBand) as Array<{ data: Array<{ x: number; y: number | null }> }>;
    expect(bands).toHaveLength(4);
    const ys = (d: { data: Array<{ y: number | null }> }): number[] => d.data.map((p) => p.y).filter((y): y is number => y !== null);
    for (const band of bands) {
      expect(Math.max(...ys(band))).toBeLessThanOrEqual(10);
      expect(Math.min(...ys(band))).toBeGreaterThanOrEqual(0);
    }
    // The interval did reach past both (so the test tests something).
    const lowB = bands[2];
    expect(ys(lowB)).toContain(0);
    expect(ys(bands[1])).toContain(10);
  });

  it('a log-scale sweep chart keeps the band of a point whose interval reaches 0: down to the axis floor, not a gap', () => {
    // The README's sweep: reject rate 29%, 2.5%, 0.55% … 0.031% [0%, 0.099%] — the least certain point lost its band.
    const chart = sweepChart(
      {
        param: 'system.orderServers.servers',
        values: [1, 2, 4],
        series: [
          {
            label: 'slots=1',
            points: [
              { x: 1, y: 29, low: 22.3, high: 35.7 },
              { x: 2, y: 14.1, low: 9.26, high: 18.9 },
              { x: 4, y: 7.04, low: 5.5, high: 8.58 },
            ],
          },
          {
            label: 'slots=5',
            points: [
              { x: 1, y: 2.52, low: 0.55, high: 4.49 },
              { x: 2, y: 0.546, low: 0.109, high: 0.983 },
              { x: 4, y: 0.0313, low: 0, high: 0.0986 },
            ],
          },
        ],
      },
      { metric: 'order_reject_rate', format: 'percent' },
    );
    const y = (chart.config.options.scales as Record<string, { type: string; min?: number }>).y;
    expect(y.type).toBe('logarithmic');
    const [, , low, high] = chart.config.data.datasets.filter((d) => d.flashsimBand) as Array<{
      data: Array<{ x: number; y: number | null }>;
    }>;
    expect(high.data[2].y).toBeCloseTo(0.0986, 4);
    expect(low.data[2].y).not.toBeNull();
    expect(y.min).toBeDefined();
    expect(low.data[2].y).toBe(y.min);
    expect(y.min!).toBeGreaterThan(0);
    expect(y.min!).toBeLessThanOrEqual(0.0313);
  });
});
