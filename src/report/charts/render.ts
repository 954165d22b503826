import { createCanvas, GlobalFonts, type Canvas } from '@napi-rs/canvas';
import { Chart, registerables, type ChartConfiguration, type ChartItem } from 'chart.js';
import type { RunSummary } from '../../results/summary.js';
import { installChartRuntime } from './runtime.js';
import { buildCharts } from './specs.js';
import { chartPath, type ChartSpec } from './types.js';

export { chartPath };

/**
 * PNG rendering of chart specs: chart.js drawing on an @napi-rs/canvas
 * canvas (Skia), synchronously, with animation and responsiveness off.
 * The same spec, serialised, is what report.html draws in the browser.
 */

let hydrate: ((config: unknown) => unknown) | undefined;

/** The font family the PNGs use: the first of these that the system has, else the canvas default. */
const FONT_CANDIDATES = ['DejaVu Sans', 'Liberation Sans', 'Noto Sans', 'Arial', 'Helvetica'];

function setup(): (config: unknown) => unknown {
  if (hydrate) return hydrate;
  Chart.register(...registerables);
  const families = new Set(GlobalFonts.families.map((f) => f.family));
  const family = FONT_CANDIDATES.find((f) => families.has(f));
  if (family) Chart.defaults.font.family = `'${family}', sans-serif`;
  Chart.defaults.color = '#333333';
  hydrate = installChartRuntime(Chart);
  return hydrate;
}

/** How a chart is rasterised. */
export interface RenderOptions {
  /** Device pixel ratio: 1 gives width × height pixels, 2 doubles both (sharper, 3–4× the bytes). */
  pixelRatio?: number;
}

/** Draws a spec on a new canvas; the caller encodes the canvas and then destroys the chart. */
function draw(spec: ChartSpec, ratio: number): { canvas: Canvas; chart: Chart } {
  const h = setup();
  const canvas = createCanvas(Math.round(spec.width * ratio), Math.round(spec.height * ratio));
  // A deep copy: hydration adds callbacks, and chart.js mutates what it is given.
  const config = h(JSON.parse(JSON.stringify(spec.config))) as { options: Record<string, unknown> };
  config.options = {
    ...config.options,
    animation: false,
    responsive: false,
    maintainAspectRatio: false,
    devicePixelRatio: ratio,
    events: [],
  };
  // chart.js takes a 2D context and finds the canvas through its `canvas` property.
  // The canvas's 2D context is @napi-rs/canvas's, not the DOM's type chart.js declares; the config is hydrated JSON.
  const chart = new Chart(canvas.getContext('2d') as unknown as ChartItem, config as unknown as ChartConfiguration);
  // Lay out at the logical size (chart.js scales the backing store by devicePixelRatio).
  chart.resize(spec.width, spec.height);
  chart.draw();
  return { canvas, chart };
}

/** Renders one chart spec to PNG bytes (synchronously). */
export function renderChartPng(spec: ChartSpec, options: RenderOptions = {}): Buffer {
  const { canvas, chart } = draw(spec, options.pixelRatio ?? 1);
  try {
    return canvas.toBuffer('image/png');
  } finally {
    chart.destroy();
  }
}

/**
 * The PNG files of a run's charts, by path relative to the run directory
 * (`charts/<id>.png`). PNG encoding (the slower half) runs on libuv's
 * thread pool while the next chart is drawn.
 */
export async function renderChartFilesAsync(
  summary: RunSummary,
  options: RenderOptions & { charts?: ChartSpec[] } = {},
): Promise<Map<string, Buffer>> {
  const specs = options.charts ?? buildCharts(summary);
  const pending = specs.map((spec) => {
    const { canvas, chart } = draw(spec, options.pixelRatio ?? 1);
    return canvas.encode('png').finally(() => chart.destroy());
  });
  const buffers = await Promise.all(pending);
  return new Map(specs.map((spec, i) => [chartPath(spec), buffers[i]]));
}
