/**
 * A sweep's files: sweep.json (the data, deterministic), sweep.csv (one row
 * per point and strategy, raw catalogue units), sweep.md and the console
 * table (formatted, mean ± 95% CI half-width), and the chart data for
 * sweep.png (a metric against a swept parameter).
 */
import { formatInterval, formatMetricPrecisely, formatMetricValue, formatSpread, renderTextTable, type Align } from './console-table.js';
import { metricRange } from '../metrics/catalogue.js';
import type { Estimate } from '../results/aggregate.js';
import type { SweepMetric, SweepResult } from '../results/sweep.js';

/** sweep.json: the result, indented, with a final newline. */
export function renderSweepJson(sweep: SweepResult): string {
  return `${JSON.stringify(sweep, null, 2)}\n`;
}

function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One row per (point, strategy): parameters, strategy, checks, then mean, low, high and n of each metric. */
export function renderSweepCsv(sweep: SweepResult): string {
  const header = [
    'point',
    ...sweep.parameters.map((p) => p.path),
    'strategy',
    'invariants_passed',
    'thresholds_passed',
    ...sweep.metrics.flatMap((m) => [`${m.name}.mean`, `${m.name}.low`, `${m.name}.high`, `${m.name}.n`]),
  ];
  const lines = [header.map(csvCell).join(',')];
  for (const point of sweep.points) {
    for (const cell of point.strategies) {
      const row = [
        point.index,
        ...sweep.parameters.map((p) => point.parameters[p.path]),
        cell.strategy,
        cell.invariantsPassed,
        cell.thresholdsPassed,
        ...sweep.metrics.flatMap((m) => {
          const e = cell.metrics[m.name];
          return [e?.mean, e?.low, e?.high, e?.n];
        }),
      ];
      lines.push(row.map(csvCell).join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** "mean ± half-width" (or "mean [low, high]" when cut at 0 or 100%) in the metric's unit; "—" when no replication measured it. */
export function formatSweepEstimate(metric: SweepMetric, e: Estimate | undefined): string {
  if (!e || e.mean === null) return '—';
  const value = (x: number): string => formatMetricValue(metric.metric, x);
  const mean = e.mean;
  // A latency statistic reads in µs like its metric; others by the catalogue's rules.
  const spread = (hw: number): string => (metric.unit === 'µs' ? value(hw) : formatSpread(metric.metric, hw, mean));
  const ci = formatInterval(e.mean, e.halfWidth, metricRange(metric.metric), value, spread, (x, digits) =>
    formatMetricPrecisely(metric.metric, x, digits),
  );
  const missing = e.missing ? ` (${e.n}/${e.n + e.missing})` : '';
  return `${value(e.mean)}${ci}${missing}`;
}

/** A parameter path as a column header: without the leading `system.`. */
function shortPath(path: string): string {
  return path.replace(/^system\./, '');
}

function checks(cell: SweepResult['points'][number]['strategies'][number]): string {
  if (cell.invariantsPassed && cell.thresholdsPassed) return 'pass';
  return [cell.invariantsPassed ? '' : 'invariant', cell.thresholdsPassed ? '' : 'threshold'].filter(Boolean).join('+') + ' FAIL';
}

/** The table (header and rows) shared by the console and Markdown renderings. */
function table(sweep: SweepResult): { header: string[]; rows: string[][]; align: Align[] } {
  const strategies = new Set(sweep.points.flatMap((p) => p.strategies.map((s) => s.strategy)));
  const showStrategy = strategies.size > 1;
  const header = [
    ...sweep.parameters.map((p) => shortPath(p.path)),
    ...(showStrategy ? ['strategy'] : []),
    ...sweep.metrics.map((m) => m.name),
    'checks',
  ];
  const rows: string[][] = [];
  for (const point of sweep.points) {
    for (const cell of point.strategies) {
      rows.push([
        ...sweep.parameters.map((p) => point.parameters[p.path]),
        ...(showStrategy ? [cell.strategy] : []),
        ...sweep.metrics.map((m) => formatSweepEstimate(m, cell.metrics[m.name])),
        checks(cell),
      ]);
    }
  }
  const align: Align[] = header.map((_, j) => (j < sweep.parameters.length + (showStrategy ? 1 : 0) ? 'left' : 'right'));
  return { header, rows, align };
}

function describe(sweep: SweepResult): string {
  const reps = sweep.replications;
  const strategies = [...new Set(sweep.points.flatMap((p) => p.strategies.map((s) => s.strategy)))];
  const grid = sweep.parameters.map((p) => `${p.path} ∈ {${p.values.join(', ')}}`).join(' × ');
  return `${sweep.scenario.name} (${sweep.scenario.file}) — seed ${sweep.seed}, ${reps} replication${reps === 1 ? '' : 's'} per point, strategy ${strategies.join(', ')}; ${sweep.points.length} point${sweep.points.length === 1 ? '' : 's'}: ${grid}`;
}

/** The console table, with a heading line and a note on the figures. */
export function renderSweepTable(sweep: SweepResult): string {
  const { header, rows, align } = table(sweep);
  const note =
    sweep.replications > 1
      ? 'figures: mean ± half-width of the 95% confidence interval across replications, or mean [low, high] where the interval stops at 0 or 100%; "—": not measured (e.g. stock left)'
      : 'figures: one replication (use --replications for confidence intervals); "—": not measured (e.g. stock left)';
  return `${describe(sweep)}\n\n${renderTextTable(header, rows, align)}\n\n${note}\n`;
}

function mdCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** sweep.md: the table as Markdown, with what was swept and the failed checks. */
export function renderSweepMarkdown(sweep: SweepResult): string {
  const { header, rows, align } = table(sweep);
  const lines = [
    `# Sweep: ${sweep.scenario.name}`,
    '',
    describe(sweep).replace(/^[^—]*— /, ''),
    '',
    `| ${header.map(mdCell).join(' | ')} |`,
    `| ${align.map((a) => (a === 'left' ? ':---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`),
    '',
    sweep.replications > 1
      ? 'Figures: mean ± half-width of the 95% confidence interval across replications, or mean [low, high] where the interval stops at 0 or 100% (a rate cannot go below 0 or above 100%). "—": not measured (e.g. stock left, so no sell-out time).'
      : 'Figures: one replication per point. "—": not measured.',
    '',
    'Metrics:',
    '',
    ...sweep.metrics.map((m) => `- \`${m.name}\` (${m.unit}): ${m.description}`),
  ];
  const failures = sweep.points.flatMap((p) =>
    p.strategies.flatMap((s) =>
      s.failures.map(
        (f) =>
          `- ${Object.entries(p.parameters)
            .map(([k, v]) => `${shortPath(k)}=${v}`)
            .join(', ')}, ${s.strategy}: ${f}`,
      ),
    ),
  );
  if (failures.length > 0) lines.push('', 'Failed checks:', '', ...failures);
  return `${lines.join('\n')}\n`;
}

/** The data shape of the sweep chart (src/report/charts/specs.ts `SweepChartData`). */
export interface SweepChartInput {
  /** The swept parameter's path (the x axis). */
  param: string;
  /** Its values, in grid order. */
  values: Array<number | string>;
  /** One line per strategy and combination of the other parameters' values; y scaled by {@link chartScale}, null where unmeasured. */
  series: Array<{ label: string; points: Array<{ x: number | string; y: number | null; low?: number | null; high?: number | null }> }>;
}

/** How a metric's values are drawn: latencies and times in ms, rates in percent. */
export function chartScale(metric: SweepMetric): { format: 'ms' | 'percent' | 'compact'; factor: number; label: string } {
  const info = metric.unit;
  if (info === 'µs') return { format: 'ms', factor: 1e-3, label: metric.name };
  if (metric.unit === 'fraction') return { format: 'percent', factor: 100, label: metric.name };
  return { format: 'compact', factor: 1, label: `${metric.name} (${metric.unit})` };
}

/**
 * `metric` against one swept parameter (the first whose values are all
 * numbers, else the first): one series per combination of the other
 * parameters and the strategy, with the 95% CI as bounds.
 */
export function sweepChartData(sweep: SweepResult, metric: SweepMetric): SweepChartInput {
  const numeric = (v: string): boolean => v.trim() !== '' && Number.isFinite(Number(v));
  const axis = sweep.parameters.find((p) => p.values.every(numeric)) ?? sweep.parameters[0];
  const asX = (v: string): number | string => (axis.values.every(numeric) ? Number(v) : v);
  const { factor } = chartScale(metric);
  const scale = (x: number | null): number | null => (x === null ? null : x * factor);
  const series = new Map<string, SweepChartInput['series'][number]>();
  const multiStrategy = new Set(sweep.points.flatMap((p) => p.strategies.map((s) => s.strategy))).size > 1;
  for (const point of sweep.points) {
    const others = sweep.parameters.filter((p) => p.path !== axis.path).map((p) => `${shortPath(p.path)}=${point.parameters[p.path]}`);
    for (const cell of point.strategies) {
      const label = [...others, ...(multiStrategy || others.length === 0 ? [cell.strategy] : [])].join(', ');
      const e = cell.metrics[metric.name];
      let s = series.get(label);
      if (!s) series.set(label, (s = { label, points: [] }));
      s.points.push({
        x: asX(point.parameters[axis.path]),
        y: scale(e?.mean ?? null),
        low: scale(e?.low ?? null),
        high: scale(e?.high ?? null),
      });
    }
  }
  return { param: axis.path, values: axis.values.map(asX), series: [...series.values()] };
}
