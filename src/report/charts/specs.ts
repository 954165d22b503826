import type { LatencyName } from '../../results/result.js';
import { FLOW_COLORS, MARKER_COLOR, OUTCOME_COLORS, strategyColor, withAlpha } from '../palette.js';
import type { RunSummary, StrategySummary } from '../../results/summary.js';
import {
  binFor,
  coincide,
  intervalSeries,
  latencyOverTimeSeries,
  MAX_NINES,
  meanBand,
  ninesOf,
  percentileCurve,
  round,
  runSpan,
  sellOut,
  stockCurve,
  type BandPoint,
  type IntervalValue,
} from './series.js';
import { CHART_HEIGHT, CHART_WIDTH, type ChartSpec, type DatasetData } from './types.js';

/**
 * One function per chart, from a run's summary to a {@link ChartSpec}
 * (chart.js configuration as plain data). Conventions shared by all:
 *
 * - a strategy's colour is {@link strategyColor} of its position in
 *   `summary.strategies`, in every chart;
 * - time axes are in seconds from T0 (the sale's start), labelled "T0",
 *   "+30 s", "−30 s"; the storm charts (origin, script, orders) are zoomed
 *   to T0−60 s … T0+120 s when the run is longer, and say so in the title;
 * - with several replications a line is the mean across replications and
 *   the shaded band its 95% confidence interval (Student t); bars carry
 *   error bars;
 * - rates are per second (interval counts divided by the interval).
 */

/** Seconds before and after T0 shown by the storm charts. */
export const STORM_BEFORE_S = 60;
/** Seconds after T0 shown by the storm charts. */
export const STORM_AFTER_S = 120;

/** Most points a time series chart draws per line (longer runs are averaged over bins of intervals). */
export const MAX_POINTS = 300;

/** Swept values up to this many get a tick each; more get chart.js's own ticks. */
const MAX_SWEEP_TICKS = 20;

/** A spread of peaks (largest / smallest) above which a rate axis turns logarithmic. */
export const LOG_SPREAD = 100;

interface Axis {
  type: 'linear' | 'logarithmic' | 'category';
  title: string;
  format?: 'compact' | 'percent' | 'ms' | 'seconds' | 'nines';
  min?: number;
  max?: number;
  stacked?: boolean;
  ticks?: number[];
  beginAtZero?: boolean;
  /** Room added beyond the data (chart.js `grace`), e.g. '5%'. */
  grace?: string;
  /** Half a category of room at both ends (category axes of line charts: first and last labels stay inside). */
  offset?: boolean;
  /** The axis reaches at least this far (room for error bars). */
  suggestedMax?: number;
}

function axis(a: Axis): Record<string, unknown> {
  const scale: Record<string, unknown> = {
    type: a.type,
    title: { display: true, text: a.title, font: { size: 13 }, color: '#333333' },
    ticks: { ...(a.format ? { flashsimFormat: a.format } : {}), color: '#444444', font: { size: 12 } },
    grid: { color: '#e6e6e6' },
  };
  if (a.min !== undefined) scale.min = a.min;
  if (a.max !== undefined) scale.max = a.max;
  if (a.stacked) scale.stacked = true;
  if (a.ticks) scale.flashsimTicks = a.ticks;
  if (a.beginAtZero) scale.beginAtZero = true;
  if (a.grace) scale.grace = a.grace;
  if (a.offset) scale.offset = true;
  if (a.suggestedMax !== undefined) scale.suggestedMax = a.suggestedMax;
  return scale;
}

interface MarkerLine {
  x?: number;
  y?: number;
  label?: string;
  color?: string;
  dash?: number[];
  width?: number;
  /** Where the label of a horizontal line goes (default: left end). */
  align?: 'left' | 'right';
}

interface SpecInput {
  id: string;
  title: string;
  subtitle?: string;
  caption: string;
  type: 'line' | 'bar';
  labels?: Array<string | string[]>;
  datasets: DatasetData[];
  x: Axis;
  y: Axis;
  markers?: MarkerLine[];
  legend?: boolean;
  horizontal?: boolean;
  /** Values written on the bars: above each bar (`end`) or inside stacked segments wide enough (`inside`). */
  barLabels?: { format: 'percent' | 'ms' | 'compact'; position: 'end' | 'inside' };
}

function spec(input: SpecInput): ChartSpec {
  const options: Record<string, unknown> = {
    layout: { padding: { left: 8, right: 20, top: 4, bottom: 4 } },
    interaction: input.type === 'line' ? { mode: 'nearest', intersect: false, axis: 'x' } : { mode: 'index', intersect: false },
    plugins: {
      title: {
        display: true,
        text: input.title,
        color: '#111111',
        font: { size: 17, weight: 'bold' },
        padding: { top: 6, bottom: input.subtitle ? 2 : 8 },
      },
      subtitle: {
        display: Boolean(input.subtitle),
        text: wrapNotes(input.subtitle ?? ''),
        color: '#555555',
        font: { size: 12 },
        padding: { bottom: 6 },
      },
      legend: {
        display: input.legend !== false,
        position: 'top',
        // Lines show as a short line in the legend (dashes included), bars as a box.
        labels: {
          boxWidth: 28,
          boxHeight: 10,
          padding: 14,
          font: { size: 12 },
          color: '#222222',
          ...(input.type === 'line'
            ? {
                usePointStyle: true,
                ...(input.datasets.every((d) => d.pointStyle === 'line' || d.flashsimBand) ? { pointStyleWidth: 28 } : {}),
              }
            : {}),
        },
      },
      ...(input.markers && input.markers.length ? { flashsimMarkers: { lines: input.markers } } : {}),
      ...(input.barLabels ? { flashsimBarLabels: { display: true, ...input.barLabels } } : {}),
    },
    scales: { x: axis(input.x), y: axis(input.y) },
    elements: { point: { radius: 0, hitRadius: 6, hoverRadius: 4 }, line: { borderWidth: 2 } },
  };
  if (input.horizontal) options.indexAxis = 'y';
  return {
    id: input.id,
    title: input.title,
    caption: input.caption,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    config: {
      type: input.type,
      data: { ...(input.labels ? { labels: input.labels as Array<string | number> } : {}), datasets: input.datasets },
      options,
    },
  };
}

/**
 * Appends a mean line and, when the points carry bounds, its confidence
 * band (two hidden-from-legend datasets, the upper one filled down to the lower).
 */
function pushLine(
  datasets: DatasetData[],
  label: string,
  color: string,
  points: readonly BandPoint[],
  opts: {
    stepped?: boolean;
    log?: boolean;
    logFloor?: number;
    pointRadius?: number;
    dash?: number[];
    floor?: number;
    ceiling?: number;
  } = {},
): void {
  const clean = (v: number | null): number | null => (v === null || (opts.log && v <= 0) ? null : round(v));
  // A band never reaches below what the quantity can be (a rate below 0 is noise of the t interval).
  const floored = (v: number | null): number | null => (v === null || opts.floor === undefined ? v : Math.max(opts.floor, v));
  // On a log axis an interval reaching 0 runs down to the axis floor: a gap
  // would hide the band exactly where the estimate is least certain.
  const low = (v: number | null): number | null => {
    const f = floored(v);
    return opts.log && opts.logFloor !== undefined && f !== null && f <= opts.logFloor ? opts.logFloor : clean(f);
  };
  const high = (v: number | null): number | null => clean(v === null || opts.ceiling === undefined ? v : Math.min(opts.ceiling, v));
  // 'before': the value of point i holds until point i + 1 (a point is the start of its interval).
  const common = { stepped: opts.stepped ? 'before' : false, spanGaps: false, tension: 0 };
  datasets.push({
    label,
    data: points.map((p) => ({ x: p.x, y: clean(p.y) })),
    borderColor: color,
    backgroundColor: color,
    pointRadius: opts.pointRadius ?? 0,
    pointStyle: opts.pointRadius ? 'circle' : 'line',
    borderWidth: 2,
    fill: false,
    order: 0,
    ...(opts.dash ? { borderDash: opts.dash } : {}),
    ...common,
  });
  if (!points.some((p) => p.low !== null && p.high !== null)) return;
  const lowIndex = datasets.length;
  const band = { borderWidth: 0, pointRadius: 0, pointHitRadius: 0, flashsimBand: true, order: 1, borderColor: 'rgba(0,0,0,0)', ...common };
  datasets.push({ label: `${label} (95% CI low)`, data: points.map((p) => ({ x: p.x, y: low(p.low) })), fill: false, ...band });
  datasets.push({
    label: `${label} (95% CI high)`,
    data: points.map((p) => ({ x: p.x, y: high(p.high) })),
    fill: { target: lowIndex },
    backgroundColor: withAlpha(color, 0.18),
    ...band,
  });
}

/** Notes joined by " · ", packed into lines of at most `width` characters (chart.js draws an array as lines). */
export function wrapNotes(text: string, width = 125): string | string[] {
  if (text.length <= width) return text;
  const lines: string[] = [];
  for (const note of text.split(' · ')) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 3 + note.length <= width) lines[last] += ` · ${note}`;
    else lines.push(note);
  }
  return lines;
}

/**
 * Legend labels that say when a strategy's line coincides with an earlier
 * strategy's (which is drawn over it), so that a line hidden under another
 * does not look missing: `static-url (≈ seed-design)`.
 */
function coincidingLabels(
  names: readonly string[],
  series: ReadonlyArray<readonly BandPoint[]>,
  relative = false,
  refs: readonly string[] = names,
): { labels: string[]; note: string } {
  let any = false;
  const labels = names.map((name, i) => {
    for (let j = 0; j < i; j++) {
      if (series[i].length > 0 && coincide(series[j], series[i], 0.01, relative)) {
        any = true;
        return `${name} (≈ ${refs[j]})`;
      }
    }
    return name;
  });
  return { labels, note: any ? '(≈ x): the same curve as x, drawn under it' : '' };
}

function replicationNote(summary: RunSummary): string {
  return summary.replications > 1 ? `mean of ${summary.replications} replications; shaded: 95% confidence interval` : '';
}

function joinNotes(...notes: Array<string | false | undefined>): string {
  return notes.filter((n): n is string => Boolean(n)).join(' · ');
}

/** "−60 s", "+120 s", "T0" for titles. */
function t0Offset(seconds: number): string {
  if (Math.abs(seconds) < 1e-9) return 'T0';
  const v = Math.round(Math.abs(seconds) * 100) / 100;
  return `T0${seconds < 0 ? '−' : '+'}${v} s`;
}

/** A round step for about `parts` divisions of `span`: 1, 2 or 5 × 10^k. */
function niceStep(span: number, parts = 8): number {
  const raw = span / parts;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const m = raw / power;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
}

/** [from, to] widened to multiples of a round step (so the axis starts and ends on a tick), then clamped to [min, max]. */
export function niceWindow(from: number, to: number, min = -Infinity, max = Infinity): [number, number] {
  const step = niceStep(Math.max(to - from, 1e-6));
  return [round(Math.max(min, Math.floor(from / step + 1e-9) * step)), round(Math.min(max, Math.ceil(to / step - 1e-9) * step))];
}

/** The time window of the storm charts, in seconds from T0, and whether it cuts the run. */
export function stormWindow(summary: RunSummary): { from: number; to: number; zoomed: boolean; note: string } {
  const spans = summary.strategies.flatMap((s) => s.runs.map(runSpan));
  const start = Math.min(...spans.map((s) => s[0]));
  const end = Math.max(...spans.map((s) => s[1]));
  const from = Math.max(start, -STORM_BEFORE_S);
  const to = Math.min(end, STORM_AFTER_S);
  const zoomed = from > start + 1e-9 || to < end - 1e-9;
  return { from, to, zoomed, note: zoomed ? ` (${t0Offset(from)} … ${t0Offset(to)})` : '' };
}

const TIME_AXIS_TITLE = 'seconds from T0 (the sale opens at T0)';

function timeAxis(from: number, to: number): Axis {
  return { type: 'linear', title: TIME_AXIS_TITLE, format: 'seconds', min: round(from), max: round(to) };
}

/** T0, unlabelled: the time axis names it (tick "T0", title "the sale opens at T0"). */
const T0_MARKER: MarkerLine = { x: 0, color: MARKER_COLOR, dash: [6, 4], width: 1.5 };

/** Peak of a mean series. */
function peak(points: readonly BandPoint[]): number {
  return points.reduce((m, p) => (p.y !== null && p.y > m ? p.y : m), 0);
}

/**
 * The bottom of a log axis: the decade at or below the smallest positive
 * mean or band end, so that a band whose interval reaches 0 can run down
 * to it (undefined when nothing is positive).
 */
export function logAxisFloor(
  series: ReadonlyArray<ReadonlyArray<{ y: number | null; low?: number | null; high?: number | null }>>,
): number | undefined {
  const positive = series
    .flatMap((points) => points.flatMap((p) => [p.y, p.low ?? null, p.high ?? null]))
    .filter((v): v is number => v !== null && v > 0);
  if (positive.length === 0) return undefined;
  return Math.pow(10, Math.floor(Math.log10(Math.min(...positive)) + 1e-9));
}

/** Whether the strategies' peaks are so far apart that a linear axis would flatten the smaller ones. */
function needsLog(series: ReadonlyArray<readonly BandPoint[]>): boolean {
  const peaks = series.map(peak).filter((p) => p > 0);
  return peaks.length > 1 && Math.max(...peaks) / Math.min(...peaks) > LOG_SPREAD;
}

/** A per-second rate over time, one line per strategy. */
function rateOverTime(
  summary: RunSummary,
  o: {
    id: string;
    title: string;
    yTitle: string;
    caption: string;
    value: IntervalValue;
    from: number;
    to: number;
    note: string;
    log?: 'auto' | 'never';
  },
): ChartSpec {
  const intervalUs = summary.strategies[0].runs[0]?.timeseries.intervalUs ?? 1e6;
  const bin = binFor(o.to - o.from, intervalUs, MAX_POINTS);
  const series = summary.strategies.map((s) => intervalSeries(s, o.value, o.from, o.to, bin));
  const log = o.log !== 'never' && needsLog(series);
  const { labels, note } = coincidingLabels(
    summary.strategies.map((s) => s.name),
    series,
  );
  const datasets: DatasetData[] = [];
  const logFloor = log ? logAxisFloor(series) : undefined;
  series.forEach((points, i) => pushLine(datasets, labels[i], strategyColor(i), points, { stepped: true, log, logFloor, floor: 0 }));
  return spec({
    id: o.id,
    title: `${o.title}${o.note}`,
    subtitle: joinNotes(
      bin > 1 && `averaged over ${round((bin * intervalUs) / 1e6)} s`,
      log && `log scale: peaks differ more than ${LOG_SPREAD}×; zero intervals are gaps`,
      note,
      replicationNote(summary),
    ),
    caption: o.caption,
    type: 'line',
    datasets,
    x: timeAxis(o.from, o.to),
    y: log
      ? { type: 'logarithmic', title: o.yTitle, format: 'compact', min: logFloor }
      : { type: 'linear', title: o.yTitle, format: 'compact', beginAtZero: true, grace: '5%' },
    markers: [T0_MARKER],
  });
}

const originRate: IntervalValue = (get, dt) => (get('origin_page_requests') + get('origin_script_requests')) / dt;

/** Origin requests per second (product page and button script) around T0, per strategy. */
export function originRequestsChart(summary: RunSummary): ChartSpec {
  const w = stormWindow(summary);
  return rateOverTime(summary, {
    id: 'origin-requests',
    title: 'Origin requests per second',
    yTitle: 'origin requests/s (page + button script)',
    caption:
      'What reaches the origin servers: page misses and refreshes from the CDN plus every button-script fetch. The button script comes from the origin unless served by the CDN (it must say whether the sale has started), so the herd at T0 shows here even when the CDN absorbs every page view; what matters is whether the origin answers it or queues, errs and sets off a retry storm.',
    value: originRate,
    ...w,
  });
}

/** Origin requests per second over the whole run (TTL expiries, stampedes); only worth drawing when the storm chart is zoomed. */
export function originRequestsFullRunChart(summary: RunSummary): ChartSpec {
  const spans = summary.strategies.flatMap((s) => s.runs.map(runSpan));
  return rateOverTime(summary, {
    id: 'origin-requests-full-run',
    title: 'Origin requests per second, whole run',
    yTitle: 'origin requests/s (page + button script)',
    caption:
      'The same series over the whole run: the arrival ramp before T0, and a spike at every CDN TTL expiry when edges do not coalesce.',
    value: originRate,
    from: Math.min(...spans.map((s) => s[0])),
    to: Math.max(...spans.map((s) => s[1])),
    note: '',
  });
}

/** Fewer page views than this in a bin say nothing about a hit ratio: the bin is left out. */
const MIN_VIEWS = 10;

/** Share of page views served from a CDN edge's cache, per interval, over the whole run. */
export function cdnHitRatioChart(summary: RunSummary): ChartSpec {
  const spans = summary.strategies.flatMap((s) => s.runs.map(runSpan));
  const from = Math.min(...spans.map((s) => s[0]));
  const to = Math.max(...spans.map((s) => s[1]));
  const intervalUs = summary.strategies[0].runs[0]?.timeseries.intervalUs ?? 1e6;
  const bin = binFor(to - from, intervalUs, MAX_POINTS / 2);
  const series = summary.strategies.map((s) =>
    intervalSeries(s, (get) => (get('page_views') >= MIN_VIEWS ? (100 * get('cdn_hits')) / get('page_views') : null), from, to, bin),
  );
  const { labels, note } = coincidingLabels(
    summary.strategies.map((s) => (s.config.system.cdn.edges === 0 ? `${s.name} (no CDN)` : s.name)),
    series,
  );
  const datasets: DatasetData[] = [];
  summary.strategies.forEach((_, i) =>
    pushLine(datasets, labels[i], strategyColor(i), series[i], { stepped: true, floor: 0, ceiling: 100 }),
  );
  return spec({
    id: 'cdn-hit-ratio',
    title: 'CDN hit ratio over time',
    subtitle: joinNotes(
      `page views served from an edge cache ÷ all page views, per ${round((bin * intervalUs) / 1e6)} s`,
      `gaps: fewer than ${MIN_VIEWS} page views`,
      note,
      replicationNote(summary),
    ),
    caption: 'Dips are cache misses going to the origin: a cold start, and every TTL expiry. A strategy without a CDN sits at 0%.',
    type: 'line',
    datasets,
    x: timeAxis(from, to),
    // A little room beyond 0% and 100%, so that lines there do not vanish into the frame.
    y: {
      type: 'linear',
      title: 'CDN hit ratio (%)',
      format: 'percent',
      min: -3,
      max: 103,
      ticks: [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
    },
    markers: [T0_MARKER],
  });
}

/** Requests per second reaching the button-script server around T0. */
export function scriptLoadChart(summary: RunSummary): ChartSpec {
  const w = stormWindow(summary);
  return rateOverTime(summary, {
    id: 'script-requests',
    title: 'Button-script server load',
    yTitle: 'button-script requests/s',
    caption:
      'Every page view also fetches the small never-cached script that enables the buy button, so its server sees the full refresh rate.',
    value: (get, dt) => get('script_requests') / dt,
    ...w,
  });
}

/** The window of the order charts: where any strategy saw order attempts, at least T0−5 s … T0+15 s, inside the storm window. */
export function orderWindow(summary: RunSummary): { from: number; to: number; note: string } {
  const storm = stormWindow(summary);
  let first = Infinity;
  let last = -Infinity;
  for (const s of summary.strategies) {
    for (const p of intervalSeries(s, (get) => get('order_attempts'), storm.from, storm.to)) {
      if (p.y !== null && p.y > 0) {
        first = Math.min(first, p.x);
        last = Math.max(last, p.x);
      }
    }
  }
  const [from, to] = niceWindow(
    Math.min(-5, Number.isFinite(first) ? first - 2 : -5),
    Math.max(15, Number.isFinite(last) ? last + 3 : 15),
    storm.from,
    storm.to,
  );
  const zoomed = storm.zoomed || from > storm.from + 1e-9 || to < storm.to - 1e-9;
  return { from, to, note: zoomed ? ` (${t0Offset(from)} … ${t0Offset(to)})` : '' };
}

/** File-name-safe form of a strategy name. */
export function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'strategy'
  );
}

/** Order attempts, admitted and rejected per second for one strategy (one chart per strategy). */
export function orderFlowChart(summary: RunSummary, index: number, id = `orders-${slug(summary.strategies[index].name)}`): ChartSpec {
  const s = summary.strategies[index];
  const w = orderWindow(summary);
  const datasets: DatasetData[] = [];
  const series: Array<[string, string, string]> = [
    ['order_attempts', 'attempts (clicks reaching the order servers)', FLOW_COLORS.attempts],
    ['order_admitted', 'admitted (got an order-server slot)', FLOW_COLORS.admitted],
    ['order_rejected', 'rejected (servers full: "sale ended")', FLOW_COLORS.rejected],
  ];
  const curves = series.map(([column]) => intervalSeries(s, (get, dt) => get(column) / dt, w.from, w.to));
  const { labels, note } = coincidingLabels(
    series.map(([, label]) => label),
    curves,
    false,
    ['attempts', 'admitted', 'rejected'],
  );
  series.forEach(([, , color], k) => pushLine(datasets, labels[k], color, curves[k], { stepped: true, floor: 0 }));
  const out = sellOut(s);
  const markers: MarkerLine[] = [T0_MARKER];
  if (out.seconds !== null) markers.push({ x: round(out.seconds), color: strategyColor(index), dash: [3, 3] });
  return spec({
    id,
    title: `Order flow: ${s.name}${w.note}`,
    subtitle: joinNotes(
      'per second; attempts neither admitted nor rejected were told "sold out" at once (or queued)',
      out.seconds === null ? 'stock did not sell out' : `dotted line: stock sold out at ${t0Offset(out.seconds)}${soldOutIn(out)}`,
      note,
      replicationNote(summary),
    ),
    caption: `What the order servers did with the clicks of strategy ${s.name}: admitted into a slot, turned away with "sale ended" when all slots were busy, or told "sold out" at once after the stock ran out.`,
    type: 'line',
    datasets,
    x: timeAxis(w.from, w.to),
    y: { type: 'linear', title: 'order requests/s', format: 'compact', beginAtZero: true },
    markers,
  });
}

function soldOutIn(out: { soldOut: number; runs: number }): string {
  return out.soldOut < out.runs ? ` (in ${out.soldOut} of ${out.runs} replications)` : '';
}

/** Stock remaining over time per strategy, with T0 and each strategy's sell-out moment marked. */
export function stockChart(summary: RunSummary): ChartSpec {
  const storm = stormWindow(summary);
  let earliest = Infinity;
  let latest = 0;
  for (const s of summary.strategies) {
    for (const run of s.runs) {
      const t0 = run.config.sale.start;
      // The curve keeps the first and last acceptance exactly.
      for (const acceptedUs of run.acceptance.timesUs) {
        const x = (acceptedUs - t0) / 1e6;
        if (x < earliest) earliest = x;
        if (x > latest) latest = x;
      }
      if (run.stock.soldOutAtUs !== null) latest = Math.max(latest, (run.stock.soldOutAtUs - t0) / 1e6);
    }
  }
  const end = Math.min(Math.max(storm.to, 1), Math.max(1, latest * 1.15));
  const start = Number.isFinite(earliest) ? Math.min(earliest, 0) : 0;
  const [from, to] = niceWindow(Math.min(-0.15 * end, start - 0.05 * (end - start)), end, storm.from, Math.max(storm.to, 1));
  const datasets: DatasetData[] = [];
  const markers: MarkerLine[] = [T0_MARKER];
  const curves = summary.strategies.map((s) => stockCurve(s, from, to));
  const oversold = curves.some((points) => points.some((p) => p.y !== null && p.y < 0));
  const { labels, note } = coincidingLabels(
    summary.strategies.map((s) => s.name),
    curves,
  );
  summary.strategies.forEach((s, i) => {
    const out = sellOut(s);
    const oversell = s.runs.reduce((sum, r) => sum + r.stock.oversell, 0) / Math.max(1, s.runs.length);
    const label =
      out.seconds !== null
        ? `${labels[i]} (sold out ${t0Offset(out.seconds)}${soldOutIn(out)}${oversell > 0 ? `, oversold by ${Math.round(oversell)}` : ''})`
        : oversell > 0
          ? `${labels[i]} (oversold by ${Math.round(oversell)})`
          : `${labels[i]} (not sold out)`;
    // The band stays within what the level can be: never above the initial
    // stock, and not below 0 unless the primitive can oversell (a band
    // dipping under the "oversold" line would accuse an atomic counter).
    const canOversell = s.runs.some(
      (r) => r.config.system.stock.primitive === 'check-then-decrement' || r.stock.oversell > 0 || r.acceptance.count > r.stock.initial,
    );
    const ceiling = s.runs.length ? Math.max(...s.runs.map((r) => r.stock.initial)) : undefined;
    pushLine(datasets, label, strategyColor(i), curves[i], {
      stepped: true,
      ...(ceiling !== undefined ? { ceiling } : {}),
      ...(canOversell ? {} : { floor: 0 }),
    });
    if (out.seconds !== null) markers.push({ x: round(out.seconds), color: strategyColor(i), dash: [3, 3] });
  });
  if (oversold) markers.push({ y: 0, label: 'below 0: oversold', color: '#c0392b', dash: [2, 2], width: 1 });
  const initial = summary.strategies[0]?.runs[0]?.stock.initial ?? 0;
  return spec({
    id: 'stock',
    title: `Stock remaining (${t0Offset(from)} … ${t0Offset(to)})`,
    subtitle: joinNotes(
      `initial stock ${initial}; a unit is gone once an order server accepted its order (from the ledger); dotted lines: sell-out moments`,
      note,
      replicationNote(summary),
    ),
    caption: 'How fast the stock went, and whether anything was sold before T0 (bots at a static URL) or below zero (oversell).',
    type: 'line',
    datasets,
    x: timeAxis(from, to),
    y: { type: 'linear', title: 'units in stock', format: 'compact', grace: '6%', ...(oversold ? {} : { min: 0 }) },
    markers,
  });
}

const LATENCY_TITLE: Record<LatencyName, string> = {
  page: 'Page latency by percentile',
  order: 'Order latency by percentile',
  script: 'Button-script latency by percentile',
  decision: 'Time to a definite answer by percentile',
  main_site: 'Main-site latency by percentile',
};

const LATENCY_CAPTION: Record<LatencyName, string> = {
  page: 'Time to get the product page, measured from when the user meant to send the request (so queueing counts). Read the tail on the right.',
  order: 'Time from the click to the answer (order, sold out, sale ended), measured from the intended send time.',
  script: 'Time to fetch the button script.',
  decision:
    'Per buyer, from the first click to the first definite answer (won, sold out, sale ended, blocked), retries included: how long people wait to learn where they stand. Buyers who never got one are not in it (see decided_within_2s).',
  main_site: "Latency of the main site's own traffic.",
};

/** Latency against percentile (HDR style: 50%, 90%, 99%, 99.9% spaced evenly), one line per strategy, log latency axis. */
export function latencyChart(summary: RunSummary, kind: LatencyName): ChartSpec {
  const datasets: DatasetData[] = [];
  const curves = summary.strategies.map((s) => percentileCurve(s, kind));
  const top = Math.max(0, ...curves.map((points) => (points.length ? points[points.length - 1].x : 0)));
  const { labels, note } = coincidingLabels(
    summary.strategies.map((s) => s.name),
    curves,
    true,
  );
  summary.strategies.forEach((s, i) => {
    pushLine(datasets, curves[i].length ? labels[i] : `${s.name} (no samples)`, strategyColor(i), curves[i], { log: true });
  });
  const max = Math.max(1, Math.ceil(top - 1e-9));
  return spec({
    id: `latency-${kind.replace('_', '-')}`,
    title: LATENCY_TITLE[kind],
    subtitle: joinNotes(
      `${kind === 'decision' ? 'one sample per buyer who got a definite answer' : 'all requests of the run'}; log scales: each step right is one more nine`,
      note,
      summary.replications > 1 ? `mean of the ${summary.replications} replications' curves; shaded: 95% CI` : '',
    ),
    caption: LATENCY_CAPTION[kind],
    type: 'line',
    datasets,
    x: {
      type: 'linear',
      title: 'percentile',
      format: 'nines',
      min: 0,
      max: Math.min(MAX_NINES, max),
      ticks: [0, round(ninesOf(50)), 1, 2, 3, 4, 5],
    },
    y: { type: 'logarithmic', title: 'latency (log scale)', format: 'ms' },
  });
}

/** Dash patterns of the percentiles of {@link latencyOverTimeChart}: p99 solid, p90 dashed, p50 dotted. */
const PERCENTILE_DASH: Record<'p50' | 'p90' | 'p99', number[] | undefined> = { p99: undefined, p90: [7, 4], p50: [2, 3] };

/**
 * Order or page latency percentiles (p50, p90, p99) per interval around T0,
 * one colour per strategy and one dash per percentile, log latency axis:
 * the moment the run-level histogram hides. Null when the summary keeps no
 * per-interval latency or nothing was measured in the window.
 */
export function latencyOverTimeChart(summary: RunSummary, kind: 'order' | 'page'): ChartSpec | null {
  const w = kind === 'order' ? orderWindow(summary) : stormWindow(summary);
  const datasets: DatasetData[] = [];
  const all: BandPoint[][] = [];
  summary.strategies.forEach((s, i) => {
    for (const p of ['p99', 'p90', 'p50'] as const) {
      const points = latencyOverTimeSeries(s, kind, p, w.from, w.to);
      if (!points.some((q) => q.y !== null)) continue;
      all.push(points);
      pushLine(datasets, `${s.name} ${p}`, strategyColor(i), points, { stepped: true, log: true, dash: PERCENTILE_DASH[p] });
    }
  });
  if (datasets.length === 0) return null;
  const intervalUs = summary.strategies.find((s) => s.runs[0]?.latencyOverTime)?.runs[0].latencyOverTime?.intervalUs ?? 1e6;
  const what = kind === 'order' ? 'Order latency' : 'Page latency';
  return spec({
    id: `latency-${kind}-over-time`,
    title: `${what} over time${w.note}`,
    subtitle: joinNotes(
      `p99 solid, p90 dashed, p50 dotted, per ${round(intervalUs / 1e6)} s interval, by when the answer came; gaps: no answers`,
      'log scale',
      summary.replications > 1 ? `mean of the replications' percentiles; shaded: 95% CI` : '',
    ),
    caption:
      kind === 'order'
        ? 'Click-to-answer time of the order requests answered in each interval: how long buyers waited at the moment that matters (the run-level percentiles mix the rush with the calm).'
        : 'Time to get the product page, per interval of the storm window: when the origin or the CDN started to queue, and when it recovered.',
    type: 'line',
    datasets,
    x: timeAxis(w.from, w.to),
    y: { type: 'logarithmic', title: `${kind} latency (log scale)`, format: 'ms', min: logAxisFloor(all) },
    markers: [T0_MARKER],
  });
}

const OUTCOMES: ReadonlyArray<[key: string, label: string]> = [
  ['won', 'won (got an order)'],
  ['soldOut', 'told "sold out"'],
  ['saleEnded', 'told "sale ended" (servers full)'],
  ['blocked', 'blocked by the token gate'],
  ['gaveUp', 'gave up (no answer in time)'],
  ['pending', 'still waiting at the end'],
];

/** What became of every user, per strategy, as shares of the population (stacked horizontal bars). */
export function outcomesChart(summary: RunSummary): ChartSpec {
  const share = (s: StrategySummary, key: string): number | null => {
    const values = s.runs.map((r) => {
      const total = (Object.values(r.outcomes) as number[]).reduce((a, b) => a + b, 0);
      return total > 0 ? (100 * ((r.outcomes as unknown as Record<string, number | undefined>)[key] ?? 0)) / total : null;
    });
    const present = values.filter((v): v is number => v !== null);
    return present.length ? round(present.reduce((a, b) => a + b, 0) / present.length) : null;
  };
  const datasets: DatasetData[] = OUTCOMES.filter(([key]) => key === 'won' || summary.strategies.some((s) => (share(s, key) ?? 0) > 0)).map(
    ([key, label]) => ({
      label,
      data: summary.strategies.map((s) => share(s, key)),
      backgroundColor: OUTCOME_COLORS[key],
      borderColor: '#ffffff',
      borderWidth: 1,
      maxBarThickness: 80,
    }),
  );
  return spec({
    id: 'outcomes',
    title: 'What became of the users',
    subtitle: joinNotes(
      'share of all users (bots included), each user counted once by final outcome',
      summary.replications > 1 && `mean of ${summary.replications} replications`,
    ),
    caption:
      'Most users cannot win a small stock; what matters is that they get a definite, fast answer ("sold out") rather than a timeout.',
    type: 'bar',
    horizontal: true,
    // The winners' share is usually too thin a segment to carry its own label: it goes under the name.
    labels: summary.strategies.map((s) => {
      const won = share(s, 'won');
      return won === null ? s.name : [s.name, `${won < 0.1 && won > 0 ? '<0.1' : round(Math.round(won * 10) / 10)}% won`];
    }),
    datasets,
    x: { type: 'linear', title: 'share of users (%)', format: 'percent', min: 0, max: 100, stacked: true },
    y: { type: 'category', title: 'strategy', stacked: true },
    barLabels: { format: 'percent', position: 'inside' },
  });
}

function ordinal(n: number): string {
  const suffix = n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th';
  return `${n}${suffix}`;
}

/** Win rate of human clickers by click-rank decile (earliest tenth first), one line per strategy. */
export function fairnessChart(summary: RunSummary): ChartSpec {
  const deciles = Math.max(10, ...summary.strategies.flatMap((s) => s.runs.map((r) => r.fairness.winRateByDecile.length)));
  const labels = Array.from({ length: deciles }, (_, d) =>
    d === 0 ? ['1st tenth', '(earliest)'] : d === deciles - 1 ? [`${ordinal(d + 1)} tenth`, '(latest)'] : `${ordinal(d + 1)} tenth`,
  );
  const curves = summary.strategies.map((s) =>
    Array.from({ length: deciles }, (_, d): BandPoint => {
      const values = s.runs.map((r) => (d < r.fairness.winRateByDecile.length ? 100 * r.fairness.winRateByDecile[d] : null));
      return { x: d, ...meanBand(values) };
    }),
  );
  const names = coincidingLabels(
    summary.strategies.map((s) => s.name),
    curves,
  );
  const datasets: DatasetData[] = [];
  summary.strategies.forEach((_, i) => {
    const before = datasets.length;
    const empty = curves[i].every((p) => p.y === null);
    pushLine(datasets, empty ? `${names.labels[i]} (no human clicked buy)` : names.labels[i], strategyColor(i), curves[i], {
      pointRadius: 4,
      floor: 0,
      ceiling: 100,
    });
    // Category axis: plain values, not {x, y}.
    for (const ds of datasets.slice(before)) ds.data = (ds.data as Array<{ x: number; y: number | null }>).map((p) => p.y);
  });
  return spec({
    id: 'fairness',
    title: 'Fairness: win rate by click order',
    subtitle: joinNotes(
      'human users ranked by the moment they clicked buy, in tenths; bots excluded',
      names.note,
      replicationNote(summary),
    ),
    caption:
      'A fair sale gives the earliest clickers the stock: a line falling from left to right. A flat or rising line means clicking early did not help.',
    type: 'line',
    labels,
    datasets,
    x: { type: 'category', title: 'click rank (tenths of the human clickers, earliest first)', offset: true },
    y: { type: 'linear', title: 'win rate (%)', format: 'percent', min: 0, beginAtZero: true },
  });
}

/** The highest end of any error bar (so the value axis shows them whole). */
function errorTop(errors: ReadonlyArray<[number, number] | null>): number | undefined {
  const tops = errors.filter((e): e is [number, number] => e !== null).map((e) => e[1]);
  return tops.length ? round(Math.max(...tops)) : undefined;
}

function errorBar(e: { low: number | null; high: number | null } | undefined, scale: number): [number, number] | null {
  return e && e.low !== null && e.high !== null ? [round(e.low * scale), round(e.high * scale)] : null;
}

/** Bots' share of the sold stock per strategy, against their share of the population. */
export function botShareChart(summary: RunSummary): ChartSpec {
  const values = summary.strategies.map((s) => s.aggregate.bots.shareOfStock?.mean ?? null);
  const errors = summary.strategies.map((s) => errorBar(s.aggregate.bots.shareOfStock, 100));
  const populationShares = [...new Set(summary.strategies.map((s) => s.config.users.bots.share))];
  const markers: MarkerLine[] = [];
  if (populationShares.length === 1 && populationShares[0] > 0) {
    const p = 100 * populationShares[0];
    markers.push({ y: round(p), color: MARKER_COLOR, dash: [6, 4] });
  }
  const fair = markers.length ? `dashed line: bots' share of the users (${round(100 * populationShares[0])}%), a fair share` : '';
  return spec({
    id: 'bot-share',
    title: "Bots' share of the stock",
    subtitle: joinNotes('units bought by bots ÷ units sold', fair, summary.replications > 1 && 'mean and 95% CI over replications'),
    caption:
      'Bots refresh faster and click in milliseconds; with a static order URL they can order before T0. Above the dashed line they beat humans.',
    type: 'bar',
    labels: summary.strategies.map((s) => s.name),
    datasets: [
      strategyBars(
        summary,
        "bots' share of units sold",
        values.map((v) => (v === null ? null : round(100 * v))),
        errors,
      ),
    ],
    legend: false,
    x: { type: 'category', title: 'strategy' },
    y: {
      type: 'linear',
      title: "bots' share of units sold (%)",
      format: 'percent',
      min: 0,
      beginAtZero: true,
      grace: '8%',
      suggestedMax: errorTop(errors),
    },
    markers,
    barLabels: { format: 'percent', position: 'end' },
  });
}

/** One bar per strategy in its colour, with 95% CI error bars where there are any. */
function strategyBars(summary: RunSummary, label: string, data: Array<number | null>, errors: Array<[number, number] | null>): DatasetData {
  return {
    label,
    data,
    backgroundColor: summary.strategies.map((_, i) => strategyColor(i)),
    maxBarThickness: 90,
    ...(errors.some((e) => e !== null) ? { flashsimErrors: errors } : {}),
  };
}

/** The main site's p99 latency per strategy (all of its requests over the run). */
export function mainSiteChart(summary: RunSummary): ChartSpec {
  const values = summary.strategies.map((s) => {
    const l = s.aggregate.latency.main_site;
    return l && l.count > 0 ? round(l.p99 / 1000) : null;
  });
  const errors = summary.strategies.map((s) => errorBar(s.aggregate.latency.main_site?.p99Estimate, 1 / 1000));
  const errorRates = summary.strategies.map((s) => s.aggregate.mainSite.errorRate?.mean ?? null);
  return spec({
    id: 'main-site-p99',
    title: 'Main-site p99 latency',
    subtitle: joinNotes(
      "the shop's regular traffic during the sale; label: deployment and error rate",
      summary.replications > 1 && 'p99 of all replications merged; error bars: 95% CI of the per-replication p99',
    ),
    caption: 'Independent deployment keeps the flash sale from hurting the main site; a shared origin lets the storm through.',
    type: 'bar',
    labels: summary.strategies.map((s, i) => [
      s.name,
      `(${s.config.system.mainSite.deployment}, ${errorRates[i] === null ? 'no requests' : `${round(100 * errorRates[i])}% errors`})`,
    ]),
    datasets: [strategyBars(summary, 'main-site p99 latency', values, errors)],
    legend: false,
    x: { type: 'category', title: 'strategy' },
    y: { type: 'linear', title: 'p99 latency', format: 'ms', min: 0, beginAtZero: true, grace: '8%', suggestedMax: errorTop(errors) },
    barLabels: { format: 'ms', position: 'end' },
  });
}

/** A metric against a swept parameter: the shape `sim sweep` hands over. */
export interface SweepChartData {
  /** The swept parameter's path, e.g. `system.orderServers.servers`. */
  param: string;
  /** The parameter's values, in sweep order (numbers give a numeric axis). */
  values: Array<number | string>;
  /** One line per value of the other swept parameters (or per strategy). */
  series: Array<{ label: string; points: Array<{ x: number | string; y: number | null; low?: number | null; high?: number | null }> }>;
}

/** Labels and scale of {@link sweepChart}. */
export interface SweepChartOptions {
  /** What the y axis shows, with its unit, e.g. `p99 order latency`. */
  metric: string;
  /** Tick format of the metric: `ms` expects milliseconds, `percent` 0–100. */
  format?: 'compact' | 'percent' | 'ms';
  /** The chart's title. */
  title?: string;
  /** One sentence under the chart. */
  caption?: string;
  /** Force a log y axis (default: when the values span more than 100×). */
  logY?: boolean;
  /** The chart's id and PNG base name. */
  id?: string;
}

/** A metric against a swept parameter, one line per series, with CI bands when the points have bounds. */
export function sweepChart(data: SweepChartData, options: SweepChartOptions): ChartSpec {
  const numeric = data.values.every((v) => typeof v === 'number');
  const position = (x: number | string): number => (numeric ? Number(x) : data.values.indexOf(x));
  const all = data.series.flatMap((s) => s.points.map((p) => p.y)).filter((y): y is number => y !== null && y > 0);
  const logY = options.logY ?? (all.length > 1 && Math.max(...all) / Math.min(...all) > LOG_SPREAD);
  const nums = data.values.filter((v): v is number => typeof v === 'number' && v > 0);
  const logX = numeric && nums.length === data.values.length && nums.length > 2 && Math.max(...nums) / Math.min(...nums) > LOG_SPREAD;
  const datasets: DatasetData[] = [];
  const logFloor = logY ? logAxisFloor(data.series.map((s) => s.points)) : undefined;
  const sorted = data.series.map((s) =>
    s.points
      .map((p) => ({ x: position(p.x), y: p.y, low: p.low ?? null, high: p.high ?? null }))
      .filter((p) => p.x >= 0 || numeric)
      .sort((a, b) => a.x - b.x),
  );
  // A series on top of an earlier one says so in its legend and is drawn dashed with larger hollow-looking
  // markers, so that both stay visible where they coincide.
  const { labels, note } = coincidingLabels(
    data.series.map((s) => s.label),
    sorted,
    logY,
  );
  data.series.forEach((s, i) => {
    const points = sorted[i];
    const before = datasets.length;
    const hidden = labels[i] !== s.label;
    pushLine(datasets, labels[i], strategyColor(i), points, {
      log: logY,
      logFloor,
      pointRadius: hidden ? 7 : 4,
      ...(hidden ? { dash: [6, 4] } : {}),
    });
    if (!numeric)
      for (const ds of datasets.slice(before))
        ds.data = valuesByIndex(ds.data as Array<{ x: number; y: number | null }>, data.values.length);
  });
  const title = options.title ?? `${options.metric} against ${data.param}`;
  return spec({
    id: options.id ?? `sweep-${slug(data.param)}`,
    title,
    subtitle: joinNotes(
      logY && 'log scale',
      note && `${note} (dashed, larger markers)`,
      datasets.some((d) => d.flashsimBand) && 'shaded: 95% confidence interval',
    ),
    caption: options.caption ?? `${options.metric} for each value of ${data.param}, one line per series.`,
    type: 'line',
    ...(numeric ? {} : { labels: data.values.map(String) }),
    datasets,
    // Ticks at the swept values (a few of them): an axis of 1, 2, 4 servers
    // should not offer 1.5 servers.
    x: numeric
      ? {
          type: logX ? 'logarithmic' : 'linear',
          title: data.param,
          format: 'compact',
          ...(data.values.length <= MAX_SWEEP_TICKS ? { ticks: [...new Set(data.values as number[])].sort((a, b) => a - b) } : {}),
        }
      : { type: 'category', title: data.param, offset: true },
    y: logY
      ? { type: 'logarithmic', title: options.metric, format: options.format ?? 'compact', min: logFloor }
      : { type: 'linear', title: options.metric, format: options.format ?? 'compact', beginAtZero: true },
  });
}

function valuesByIndex(points: ReadonlyArray<{ x: number; y: number | null }>, length: number): Array<number | null> {
  const out: Array<number | null> = Array.from({ length }, () => null);
  for (const p of points) if (p.x >= 0 && p.x < length) out[p.x] = p.y;
  return out;
}

/** Whether any strategy's main site saw requests. */
function hasMainSite(summary: RunSummary): boolean {
  return summary.strategies.some((s) => (s.aggregate.latency.main_site?.count ?? 0) > 0);
}

/** Every chart of a run, in reading order. */
export function buildCharts(summary: RunSummary): ChartSpec[] {
  if (summary.strategies.length === 0) return [];
  const charts: ChartSpec[] = [originRequestsChart(summary)];
  if (stormWindow(summary).zoomed) charts.push(originRequestsFullRunChart(summary));
  charts.push(cdnHitRatioChart(summary), scriptLoadChart(summary), stockChart(summary));
  const ids = new Set<string>();
  summary.strategies.forEach((s, i) => {
    let id = `orders-${slug(s.name)}`;
    for (let n = 2; ids.has(id); n++) id = `orders-${slug(s.name)}-${n}`;
    ids.add(id);
    charts.push(orderFlowChart(summary, i, id));
  });
  for (const kind of ['order', 'page'] as const) {
    const chart = latencyOverTimeChart(summary, kind);
    if (chart) charts.push(chart);
  }
  charts.push(
    latencyChart(summary, 'page'),
    latencyChart(summary, 'order'),
    latencyChart(summary, 'decision'),
    outcomesChart(summary),
    fairnessChart(summary),
    botShareChart(summary),
  );
  if (hasMainSite(summary)) charts.push(mainSiteChart(summary));
  return charts;
}

/** The shared chart layout, for charts built outside this module (plan reports). */
export { spec as chartSpec, type SpecInput as ChartSpecInput };
