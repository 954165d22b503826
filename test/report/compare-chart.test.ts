import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt, ROOT } from '../cli/build.js';
import { type Comparison, type CompareRow } from '../../src/report/compare.js';
import { buildCompareChart, COMPARE_CHART_FIGURES, renderCompareChartPng } from '../../src/report/charts/compare-chart.js';
import { CHART_HEIGHT, CHART_WIDTH } from '../../src/report/charts/types.js';
import { strategyColor } from '../../src/report/palette.js';

const run = promisify(execFile);

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(buf: Buffer): { width: number; height: number } {
  expect(buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  expect(buf.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

function row(strategy: string, figure: string, baseline: number | null, candidate: number | null): CompareRow {
  const delta = baseline === null || candidate === null ? null : candidate - baseline;
  const relative =
    delta === null ? null : delta === 0 ? 0 : baseline === 0 ? (delta > 0 ? Infinity : -Infinity) : delta / Math.abs(baseline!);
  const metric = figure.replace(/ p\d+$/, '') as CompareRow['metric'];
  const direction = metric === 'orders_created' || metric === 'cdn_hit_ratio' ? 'higher-is-better' : 'lower-is-better';
  return { strategy, figure, metric, direction, baseline, candidate, delta, relative, verdict: 'n/a', regression: 0, test: null };
}

function handMade(): Comparison {
  const side = (label: string) => ({ label, scenario: 'hand-made', seed: 42, replications: 1 });
  return {
    baseline: side('runs/base'),
    candidate: side('runs/small'),
    differences: [],
    warnings: [],
    rows: [
      row('naive', 'page_latency p99', 1000, 1200),
      row('naive', 'orders_created', 60, 30),
      row('naive', 'oversell', 0, 3),
      row('naive', 'script_latency p99', 10, 20),
      row('seed-design', 'page_latency p99', 100, 90),
      row('seed-design', 'orders_created', 50, 25),
      row('seed-design', 'oversell', 0, 0),
      row('seed-design', 'cdn_hit_ratio', null, 0.5),
    ],
    onlyInBaseline: [],
    onlyInCandidate: [],
    untested: [],
  };
}

describe('compare chart', () => {
  it("charts the headline figures present, one dataset per strategy in the run's colours, with a zero line", () => {
    const spec = buildCompareChart(handMade(), ['seed-design', 'naive']);
    expect(spec.title).toBe('Change from runs/base to runs/small');
    expect([spec.width, spec.height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
    const labels = spec.config.data.labels as string[];
    expect(labels).toEqual(['page_latency p99 ↓', 'orders_created ↑', 'oversell ↓', 'cdn_hit_ratio ↑']);
    expect(labels.length).toBeLessThanOrEqual(COMPARE_CHART_FIGURES.length);
    const [seed, naive] = spec.config.data.datasets;
    expect(naive).toMatchObject({ label: 'naive', borderColor: strategyColor(1) });
    expect((naive.backgroundColor as string[])[0]).toBe(strategyColor(1));
    expect(seed).toMatchObject({ label: 'seed-design', borderColor: strategyColor(0), data: [-10, -50, 0, null] });
    // 0 → 3 is +∞: drawn past the largest finite change, and named in the subtitle.
    expect(naive.data.slice(0, 2)).toEqual([20, -50]);
    expect(naive.data[2] as number).toBeGreaterThan(50);
    expect(JSON.stringify(spec.config.options)).toContain('naive oversell +∞ (from 0)');
    const options = spec.config.options as {
      indexAxis: string;
      plugins: { flashsimMarkers: { lines: Array<{ x: number }> } };
      scales: { x: { title: { text: string } } };
    };
    expect(options.indexAxis).toBe('y');
    expect(options.plugins.flashsimMarkers.lines[0].x).toBe(0);
    expect(options.scales.x.title.text).toBe('change from baseline (%)');
  });

  it('renders a PNG of the chart size', () => {
    expect(pngSize(renderCompareChartPng(handMade(), ['seed-design', 'naive']))).toEqual({ width: CHART_WIDTH, height: CHART_HEIGHT });
  });

  it('renders with no strategy in common', () => {
    const empty: Comparison = { ...handMade(), rows: [] };
    expect(pngSize(renderCompareChartPng(empty)).width).toBe(CHART_WIDTH);
  });
});

describe('sim compare --chart', () => {
  const work = mkdtempSync(join(tmpdir(), 'flashsim-compare-chart-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('writes the PNG atomically next to the table', async () => {
    ensureBuilt();
    const sim = (args: string[]) => run(process.execPath, [CLI, ...args], { cwd: ROOT }).catch((e: { code: number; stdout: string }) => e);
    const base = join(work, 'base');
    const small = join(work, 'small');
    await sim(['run', 'scenarios/smoke.yaml', '--strategy', 'seed-design', '--out', base, '--quiet']);
    await sim(['run', 'scenarios/smoke.yaml', '--strategy', 'seed-design', '--out', small, '--quiet', '--set', 'sale.stock=25']);
    const file = join(work, 'out', 'x.png');
    const r = await sim(['compare', base, small, '--chart', file]);
    expect(r.stdout).toMatch(/seed-design {2}orders_created .* worse\n/);
    expect(pngSize(readFileSync(file))).toEqual({ width: CHART_WIDTH, height: CHART_HEIGHT });
    expect(readdirSync(join(work, 'out'))).toEqual(['x.png']);
    const bad = await sim(['compare', base, small, '--chart', join(work, 'x.jpg')]);
    expect((bad as { code: number }).code).toBe(2);
  }, 120_000);
});
