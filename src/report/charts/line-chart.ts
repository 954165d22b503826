import { CHART_HEIGHT, CHART_WIDTH, type ChartSpec, type DatasetData } from './types.js';

/**
 * The line chart shell of the PNG charts outside a run's report (`sim fit`'s
 * CDF and QQ plots, `sim calibrate`'s measured against predicted
 * throughput): the same axis, title, legend and padding, so they look alike.
 */

/** Tick formats of src/report/charts/runtime.ts that these charts use. */
export type AxisFormat = 'ms' | 'compact';

/**
 * One axis: linear unless `extra` says otherwise (`{ type: 'logarithmic' }`), a title, ticks formatted by `format`.
 *
 * @param extra more chart.js scale options (min, max, type…), merged last.
 */
export function chartAxis(title: string, format: AxisFormat, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'linear',
    title: { display: true, text: title, font: { size: 13 }, color: '#333333' },
    ticks: { flashsimFormat: format, color: '#444444', font: { size: 12 } },
    grid: { color: '#e6e6e6' },
    ...extra,
  };
}

/** A line chart of `datasets` on axes `x` and `y` ({@link chartAxis}), with a title, a subtitle and the legend on top. */
export function lineChartSpec(
  id: string,
  title: string,
  subtitle: string,
  caption: string,
  datasets: DatasetData[],
  x: object,
  y: object,
): ChartSpec {
  return {
    id,
    title,
    caption,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    config: {
      type: 'line',
      data: { datasets },
      options: {
        layout: { padding: { left: 8, right: 20, top: 4, bottom: 4 } },
        interaction: { mode: 'nearest', intersect: false, axis: 'x' },
        plugins: {
          title: { display: true, text: title, color: '#111111', font: { size: 17, weight: 'bold' }, padding: { top: 6, bottom: 2 } },
          subtitle: { display: true, text: subtitle, color: '#555555', font: { size: 12 }, padding: { bottom: 6 } },
          legend: {
            display: true,
            position: 'top',
            labels: { boxWidth: 28, boxHeight: 2, padding: 14, font: { size: 12 }, color: '#222222' },
          },
        },
        scales: { x, y },
      },
    },
  };
}
