import { beforeAll, describe, expect, it } from 'vitest';
import { chartPath, renderChartFilesAsync, renderChartPng } from '../../../src/report/charts/render.js';
import { buildCharts, stockChart } from '../../../src/report/charts/specs.js';
import type { RunSummary } from '../../../src/results/summary.js';
import { pngSize } from '../../helpers/png-size.js';
import { smokeSummary } from './smoke-summary.js';

let summary: RunSummary;

beforeAll(async () => {
  summary = await smokeSummary();
});

describe('PNG rendering', () => {
  it('every chart of a real run renders to a valid PNG of the spec size', async () => {
    const charts = buildCharts(summary);
    const files = await renderChartFilesAsync(summary, { charts });
    expect([...files.keys()]).toEqual(charts.map(chartPath));
    for (const c of charts) {
      const png = files.get(chartPath(c))!;
      expect(pngSize(png), c.id).toEqual({ width: c.width, height: c.height });
      expect(png.length, c.id).toBeGreaterThan(10_000); // not a blank canvas
    }
  });

  it('renders at device pixel ratio 2 and draws the same bytes twice (deterministic)', () => {
    const spec = stockChart(summary);
    expect(pngSize(renderChartPng(spec, { pixelRatio: 2 }))).toEqual({ width: 2000, height: 1120 });
    expect(renderChartPng(spec).equals(renderChartPng(spec))).toBe(true);
  });
});
