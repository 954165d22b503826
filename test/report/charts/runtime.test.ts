import { Chart } from 'chart.js';
import { describe, expect, it } from 'vitest';
import { installChartRuntime } from '../../../src/report/charts/runtime.js';

describe('chart runtime', () => {
  it('is self-contained: its source, evaluated alone (as report.html does), hydrates a config', () => {
    const registered: Array<{ id: string }> = [];
    const fakeChart = {
      registry: { plugins: { get: (id: string) => registered.find((p) => p.id === id) } },
      register: (p: { id: string }) => registered.push(p),
      defaults: {
        font: { family: 'sans-serif' },
        plugins: {
          legend: {
            labels: {
              generateLabels: (chart: { data: { datasets: unknown[] } }) => chart.data.datasets.map((_, i) => ({ datasetIndex: i })),
            },
          },
        },
      },
    };
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- evaluates the runtime as report.html does: from its source text.
    const install = new Function(`return (${installChartRuntime.toString()});`)() as typeof installChartRuntime;
    const hydrate = install(fakeChart);
    expect(registered.map((p) => p.id)).toEqual(['flashsimBackground', 'flashsimMarkers', 'flashsimErrorBars', 'flashsimBarLabels']);
    const config = hydrate({
      type: 'line',
      data: { datasets: [] },
      options: {
        scales: {
          x: { type: 'linear', ticks: { flashsimFormat: 'seconds' } },
          y: { type: 'logarithmic', ticks: { flashsimFormat: 'ms' } },
          p: { type: 'linear', ticks: { flashsimFormat: 'nines' }, flashsimTicks: [0, 1, 2] },
        },
      },
    });
    const x = config.options.scales.x.ticks.callback;
    expect([x(0, 0, []), x(-30, 0, []), x(12.5, 0, [])]).toEqual(['T0', '−30 s', '+12.5 s']);
    const y = config.options.scales.y.ticks.callback;
    const ticks = [1, 2, 5, 10, 20, 30, 100, 1000, 2000].map((value) => ({ value }));
    expect(ticks.map((t) => y(t.value, 0, ticks))).toEqual(['1 ms', '', '', '10 ms', '', '', '100 ms', '1 s', '']);
    const p = config.options.scales.p.ticks.callback;
    expect([p(0, 0, []), p(1, 0, []), p(3, 0, [])]).toEqual(['0%', '90%', '99.9%']);
    const axis = { min: 0, max: 1.5, ticks: [] as Array<{ value: number }> };
    config.options.scales.p.afterBuildTicks(axis);
    expect(axis.ticks).toEqual([{ value: 0 }, { value: 1 }]);
    const legendFilter = config.options.plugins.legend.labels.filter;
    expect(legendFilter({ datasetIndex: 1 }, { datasets: [{}, { flashsimBand: true }] })).toBe(false);
    expect(legendFilter({ datasetIndex: 0 }, { datasets: [{}, { flashsimBand: true }] })).toBe(true);
    // A dashed line's legend entry is dashed (chart.js would take the point's solid look).
    const labels = config.options.plugins.legend.labels.generateLabels({ data: { datasets: [{ borderDash: [7, 4] }, {}] } });
    expect(labels).toEqual([{ datasetIndex: 0, lineDash: [7, 4] }, { datasetIndex: 1 }]);
  });

  it('registers its plugins once on the real chart.js', () => {
    installChartRuntime(Chart);
    installChartRuntime(Chart);
    expect(Chart.registry.plugins.get('flashsimMarkers')).toBeDefined();
  });
});
