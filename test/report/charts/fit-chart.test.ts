import { describe, expect, it } from 'vitest';
import { samplerOf } from '../../../src/kernel/distributions.js';
import { RandomSource } from '../../../src/kernel/random.js';
import { fitSamples } from '../../../src/fit/fit.js';
import { buildFitCharts, renderFitChartFiles } from '../../../src/report/charts/fit-chart.js';
import { pngSize } from '../../helpers/png-size.js';

describe('fit charts', () => {
  const sampler = samplerOf({ kind: 'gamma', shape: 2.5, scale: 6_000 });
  const stream = new RandomSource(1, 0).stream('fit-chart-test');
  const sorted = Float64Array.from({ length: 500 }, (_, i) => sampler(stream.uniform(0, i))).sort();
  const report = fitSamples(sorted, { bootstrap: 0 });

  it('the CDF chart draws the samples and the four best fits, the best first; the QQ chart the best fit and the diagonal', () => {
    const [cdf, qq] = buildFitCharts(report, sorted, 'g.csv');
    expect(cdf.id).toBe('fit-cdf');
    const labels = cdf.config.data.datasets.map((d) => d.label);
    expect(labels[0]).toBe('samples (500)');
    expect(labels[1]).toBe(`best: ${report.best.value}`);
    expect(labels).toHaveLength(5);
    // CDF values are probabilities, non-decreasing along x.
    const best = cdf.config.data.datasets[1].data as Array<{ x: number; y: number }>;
    best.forEach((p, i) => i > 0 && expect(p.y).toBeGreaterThanOrEqual(best[i - 1].y));
    expect(qq.id).toBe('fit-qq');
    expect(qq.title).toContain(report.best.value);
    // Sample quantiles against fitted quantiles, in ms: near the diagonal for the right family.
    const points = qq.config.data.datasets[0].data as Array<{ x: number; y: number }>;
    const mid = points[points.length >> 1];
    expect(mid.y / mid.x).toBeGreaterThan(0.9);
    expect(mid.y / mid.x).toBeLessThan(1.1);
  });

  it('renders both as PNGs', () => {
    const files = renderFitChartFiles(report, sorted, 'g.csv');
    expect([...files.keys()]).toEqual(['fit-cdf.png', 'fit-qq.png']);
    for (const png of files.values()) expect(pngSize(png)).toEqual({ width: 1000, height: 560 });
  });
});
