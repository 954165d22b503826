import type { Comparison, CompareRow } from '../compare.js';
import { MARKER_COLOR, strategyColor, withAlpha } from '../palette.js';
import { renderChartPng } from './render.js';
import { CHART_HEIGHT, CHART_WIDTH, type ChartSpec, type DatasetData } from './types.js';

/**
 * `sim compare --chart`: the relative change (%) of the headline metrics
 * between two runs, as grouped horizontal bars (one group per metric, one
 * bar per strategy present in both runs), with a zero line. A strategy
 * keeps its colour of the baseline run's strategy order.
 *
 * A change from a baseline of 0 is ±∞: its bar is drawn to the axis end and
 * named in the subtitle. Unmeasured values leave no bar.
 */

/** The figures charted (as `CompareRow.figure`), in this order. */
export const COMPARE_CHART_FIGURES = [
  'page_latency p99',
  'order_latency p99',
  'orders_created',
  'oversell',
  'cdn_hit_ratio',
  'origin_peak_rps',
  'bot_share',
  'page_error_rate',
  'order_reject_rate',
  'attempts_per_order',
] as const;

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** The chart spec: `strategyOrder` is the baseline run's strategy list (for the colours). */
export function buildCompareChart(comparison: Comparison, strategyOrder: readonly string[] = []): ChartSpec {
  // In the baseline run's order (legend and colours as in its own charts).
  const rank = (name: string): number => (strategyOrder.includes(name) ? strategyOrder.indexOf(name) : strategyOrder.length);
  const strategies = [...new Set(comparison.rows.map((r) => r.strategy))].sort((x, y) => rank(x) - rank(y));
  const byKey = new Map<string, CompareRow>(comparison.rows.map((r) => [`${r.strategy}\u0000${r.figure}`, r]));
  const figures = COMPARE_CHART_FIGURES.filter((f) => comparison.rows.some((r) => r.figure === f));
  const arrow = (f: string): string => {
    const row = comparison.rows.find((r) => r.figure === f);
    return row?.direction === 'higher-is-better' ? ' ↑' : row?.direction === 'lower-is-better' ? ' ↓' : '';
  };

  const finite = comparison.rows
    .filter((r) => (figures as readonly string[]).includes(r.figure) && r.relative !== null && Number.isFinite(r.relative))
    .map((r) => Math.abs(r.relative! * 100));
  const largest = Math.max(10, ...finite);
  const infinities: string[] = [];
  const datasets: DatasetData[] = strategies.map((name) => {
    const position = strategyOrder.indexOf(name);
    const color = strategyColor(position >= 0 ? position : strategies.indexOf(name));
    const infinite: boolean[] = [];
    const data = figures.map((f) => {
      const r = byKey.get(`${name}\u0000${f}`);
      if (!r || r.relative === null) {
        infinite.push(false);
        return null;
      }
      if (!Number.isFinite(r.relative)) {
        infinite.push(true);
        infinities.push(`${strategies.length > 1 ? `${name} ` : ''}${f} ${r.relative > 0 ? '+∞' : '−∞'} (from 0)`);
        return r.relative > 0 ? round(largest * 1.1) : -round(largest * 1.1);
      }
      infinite.push(false);
      return round(r.relative * 100);
    });
    // A ±∞ bar is pale with a solid outline: its length is not a value.
    const backgroundColor = data.map((_, i) => (infinite[i] ? withAlpha(color, 0.3) : color));
    return {
      label: name,
      data,
      backgroundColor,
      borderColor: color,
      borderWidth: data.map((_, i) => (infinite[i] ? 2 : 0)),
      barPercentage: 0.9,
      categoryPercentage: 0.8,
    };
  });

  const title = `Change from ${comparison.baseline.label} to ${comparison.candidate.label}`;
  const notes = [
    `relative change of each metric: (candidate − baseline) / |baseline|`,
    '↓ lower is better, ↑ higher is better',
    'no bar: unchanged or not measured',
    ...(infinities.length ? [`pale bars, drawn to the axis end: ${infinities.join(', ')}`] : []),
  ];
  return {
    id: 'compare',
    title,
    caption: 'Bars right of zero: the metric went up in the candidate; arrows say which way is better.',
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    config: {
      type: 'bar',
      data: { labels: figures.map((f) => `${f}${arrow(f)}`), datasets },
      options: {
        indexAxis: 'y',
        layout: { padding: { left: 8, right: 20, top: 4, bottom: 4 } },
        interaction: { mode: 'index', intersect: false },
        plugins: {
          title: { display: true, text: title, color: '#111111', font: { size: 17, weight: 'bold' }, padding: { top: 6, bottom: 2 } },
          subtitle: {
            display: true,
            text: notes.join(' · ').length <= 125 ? notes.join(' · ') : notes,
            color: '#555555',
            font: { size: 12 },
            padding: { bottom: 6 },
          },
          legend: {
            display: true,
            position: 'top',
            labels: { boxWidth: 28, boxHeight: 10, padding: 14, font: { size: 12 }, color: '#222222' },
          },
          flashsimMarkers: { lines: [{ x: 0, color: MARKER_COLOR, width: 1.5 }] },
        },
        scales: {
          x: {
            type: 'linear',
            title: { display: true, text: 'change from baseline (%)', font: { size: 13 }, color: '#333333' },
            ticks: { flashsimFormat: 'percent', color: '#444444', font: { size: 12 } },
            grid: { color: '#e6e6e6' },
            grace: '5%',
          },
          y: {
            type: 'category',
            title: { display: true, text: 'metric (latencies at p99)', font: { size: 13 }, color: '#333333' },
            ticks: { color: '#444444', font: { size: 12 } },
            grid: { color: '#e6e6e6' },
          },
        },
      },
    },
  };
}

/** The comparison chart as PNG bytes. */
export function renderCompareChartPng(comparison: Comparison, strategyOrder: readonly string[] = []): Buffer {
  return renderChartPng(buildCompareChart(comparison, strategyOrder));
}
