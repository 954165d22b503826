/**
 * A chart as plain data: a chart.js configuration (JSON only — no
 * functions; see runtime.ts for the `flashsim*` hints that stand in for
 * callbacks) plus what the renderer and the report need around it.
 */
export interface ChartSpec {
  /** Stable identifier, also the PNG's base name: `charts/<id>.png`. */
  id: string;
  /** The chart's title (also drawn in the chart). */
  title: string;
  /** One sentence for the reader: what to look at. */
  caption: string;
  /** Pixel size of the PNG (at device pixel ratio 1). */
  width: number;
  /** See `width`. */
  height: number;
  /** A chart.js configuration: `{ type, data, options }`, JSON-serialisable. */
  config: ChartConfigData;
}

/** A chart.js configuration as JSON data. */
export interface ChartConfigData {
  /** The chart.js chart type. */
  type: 'line' | 'bar';
  /** Category labels (bar charts) and the datasets. */
  data: { labels?: Array<string | number>; datasets: DatasetData[] };
  /** chart.js options, JSON only. */
  options: Record<string, unknown>;
}

/** A chart.js dataset as JSON data (chart.js options plus flashsim hints). */
export interface DatasetData {
  /** Legend text. */
  label: string;
  /** The values: per label (bars) or {x, y} points (lines). */
  data: Array<number | null | { x: number; y: number | null }>;
  /** A confidence band (left out of legend and tooltip). */
  flashsimBand?: boolean;
  /** Per bar: [low, high] of a confidence interval, or null. */
  flashsimErrors?: Array<[number, number] | null>;
  [option: string]: unknown;
}

/** Default PNG size: readable on a laptop screen and in a pull request. */
export const CHART_WIDTH = 1000;
/** Default PNG height, pixels. */
export const CHART_HEIGHT = 560;

/** Where a chart's PNG goes, relative to the run directory. */
export function chartPath(spec: Pick<ChartSpec, 'id'>): string {
  return `charts/${spec.id}.png`;
}
