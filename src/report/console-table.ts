import { checksCell, isFailure, verdictMessage } from './verdicts.js';
import { METRIC_CATALOGUE, metricRange, type MetricName, type ValueRange } from '../metrics/catalogue.js';
import { clampToRange, type Estimate } from '../results/aggregate.js';
import type { RunSummary, StrategySummary } from '../results/summary.js';
import { precisionLines, precisionRows, replicationsText } from './precision.js';

/**
 * The console summary (one column per strategy, one row per headline
 * figure), plus the value formatting and plain-text table layout that the
 * Markdown summary and `sim compare` share.
 *
 * Formatting is deterministic (no locale): thousands separated by commas,
 * times in µs/ms/s/m, fractions as percentages.
 */

/** "1,234,567" for integers; up to `digits` decimals otherwise. */
export function formatNumber(x: number, digits = 1): string {
  if (!Number.isFinite(x)) return String(x);
  const rounded = Number.isInteger(x) ? x : Number(x.toFixed(digits));
  const [whole, fraction] = String(Math.abs(rounded)).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${rounded < 0 ? '-' : ''}${grouped}${fraction ? `.${fraction}` : ''}`;
}

/** A time in µs, for reading (3 significant digits, lossy): "850µs", "12.3ms", "1.23s", "2m05s". */
export function formatMicros(us: number): string {
  if (!Number.isFinite(us)) return String(us);
  const sign = us < 0 ? '-' : '';
  const a = Math.abs(us);
  // Each unit is chosen by the value as it will print, not as it is: 999.7ms
  // rounds to 1000 in ms, so it reads "1s" (and 59.97s "1m00s").
  if (Math.round(a) < 1_000) return `${sign}${Math.round(a)}µs`;
  const ms = Number((a / 1_000).toPrecision(3));
  if (ms < 1_000) return `${sign}${ms}ms`;
  const seconds = Number((a / 1_000_000).toPrecision(3));
  if (seconds < 60) return `${sign}${seconds}s`;
  const totalSeconds = Math.round(a / 1_000_000);
  const m = Math.floor(totalSeconds / 60);
  const s = totalSeconds % 60;
  return `${sign}${m}m${String(s).padStart(2, '0')}s`;
}

/** A fraction as a percentage with 3 significant digits: 0.98765 → "98.8%". */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return String(fraction);
  if (fraction === 0) return '0%';
  return `${Number((fraction * 100).toPrecision(3))}%`;
}

/** Whether a metric's values read as percentages (rates and fractions). */
export function isPercentMetric(metric: string): boolean {
  const info = (METRIC_CATALOGUE as Record<string, { kind: string; unit: string } | undefined>)[metric];
  return info?.kind === 'rate' || info?.unit === 'fraction';
}

/** How a metric's value (in its internal unit: µs for times, a fraction 0–1 for rates) reads: by the catalogue's unit and kind; "—" for null. */
export function formatMetricValue(metric: string, value: number | null): string {
  if (value === null || value === undefined) return '—';
  const info = (METRIC_CATALOGUE as Record<string, { kind: string; unit: string } | undefined>)[metric];
  if (info?.unit === 'µs') return formatMicros(value);
  if (isPercentMetric(metric)) return formatPercent(value);
  if (info?.unit === 'probability') return value.toFixed(3);
  if (info?.kind === 'count') return formatNumber(value, 1);
  return formatNumber(value, Math.abs(value) >= 100 ? 0 : 2);
}

/**
 * A half-width beside its mean: percentages and times as any value (three
 * significant digits); other figures with no more decimals than the mean
 * shows ("1,007 ± 54", not "± 53.91"), but never rounded to nothing: a
 * spread that would print as 0 gets two significant digits ("± 0.000072").
 */
export function formatSpread(metric: string, halfWidth: number, mean: number): string {
  const info = (METRIC_CATALOGUE as Record<string, { kind: string; unit: string } | undefined>)[metric];
  if (info?.unit === 'µs' || isPercentMetric(metric)) return formatMetricValue(metric, halfWidth);
  const digits = info?.unit === 'probability' ? 3 : info?.kind === 'count' ? 1 : Math.abs(mean) >= 100 ? 0 : 2;
  const text = info?.unit === 'probability' ? halfWidth.toFixed(digits) : formatNumber(Number(halfWidth.toFixed(digits)), digits);
  if (halfWidth > 0 && Number(halfWidth.toFixed(digits)) === 0) return String(Number(halfWidth.toPrecision(2)));
  return text;
}

/** `x` to `digits` significant digits, as a plain number ("0.99997"). */
function plainPrecise(x: number, digits: number): string {
  return String(Number(x.toPrecision(digits)));
}

/**
 * A metric's value to `digits` significant digits in the unit it reads in:
 * percentages for rates and fractions ("99.996%"), µs for times, a plain
 * number otherwise.
 * For telling apart the ends of an interval that {@link formatMetricValue}
 * rounds to the same text.
 */
export function formatMetricPrecisely(metric: string, x: number, digits: number): string {
  if (isPercentMetric(metric)) return `${plainPrecise(x * 100, digits)}%`;
  const unit = (METRIC_CATALOGUE as Record<string, { unit: string } | undefined>)[metric]?.unit;
  return unit === 'µs' ? `${plainPrecise(x, digits)}µs` : plainPrecise(x, digits);
}

/**
 * The confidence interval of a mean, for reading: " ± halfWidth" when the
 * interval lies within what the figure can be; " [low, high]" when it is
 * cut at a bound of `range` (a rate at 0 or 100%, a count at 0), since
 * "99.7% ± 0.444%" would claim a hit ratio of up to 100.1%. Empty without
 * spread. The ends are worked out from the mean and half-width, so that a
 * summary written before intervals were cut reads the same.
 *
 * @param precise the ends to `digits` significant digits, in the same unit
 *   as `format` (default: plain numbers), for ends that `format` rounds alike.
 */
export function formatInterval(
  mean: number,
  halfWidth: number | null,
  range: ValueRange,
  format: (x: number) => string,
  spread: (halfWidth: number) => string = format,
  precise: (x: number, digits: number) => string = plainPrecise,
): string {
  if (halfWidth === null || !(halfWidth > 0)) return '';
  const low = clampToRange(mean - halfWidth, range)!;
  const high = clampToRange(mean + halfWidth, range)!;
  if (low === mean - halfWidth && high === mean + halfWidth) return ` ± ${spread(halfWidth)}`;
  // An interval narrower than the format's resolution ("[1.000, 1.000]") gets the digits that tell its ends apart.
  for (let digits = 2; format(low) === format(high) && digits <= 6; digits++) {
    const a = precise(low, digits);
    const b = precise(high, digits);
    if (a !== b) return ` [${a}, ${b}]`;
  }
  return ` [${format(low)}, ${format(high)}]`;
}

/** The note that explains {@link formatInterval}'s bracketed form. */
export const CUT_INTERVAL_NOTE = '[low, high]: the 95% CI where it stops at 0 or 100%';

/**
 * With replications, a latency percentile is not a mean: it is the
 * percentile of every replication's samples together (what thresholds
 * check, as k6 does), and its ± is the spread of the per-replication
 * percentiles. Said wherever such a figure is shown, so that an interval
 * that is not centred on the per-replication mean does not surprise.
 */
export const POOLED_PERCENTILE_NOTE =
  "latency percentiles: of all replications' samples together (as thresholds check them), ± the 95% CI of the per-replication percentile";

/**
 * "mean ± halfWidth", or "mean [low, high]" when the interval is cut at
 * the metric's range (just the mean with one replication), "—" when
 * unmeasured. `range` defaults to the catalogue metric's.
 */
export function formatEstimate(metric: string, e: Estimate | undefined, range: ValueRange = metricRange(metric)): string {
  if (!e || e.mean === null) return '—';
  const mean = formatMetricValue(metric, e.mean);
  const m = e.mean;
  const ci = formatInterval(
    m,
    e.halfWidth,
    range,
    (x) => formatMetricValue(metric, x),
    (hw) => formatSpread(metric, hw, m),
    (x, digits) => formatMetricPrecisely(metric, x, digits),
  );
  const missing = e.missing ? ` (${e.n}/${e.n + e.missing} reps)` : '';
  return `${mean}${ci}${missing}`;
}

/** Column alignment; by default the first column is left-aligned, the rest right. */
export type Align = 'left' | 'right';

/** Lays out rows as aligned plain text: two spaces between columns, a dashed rule under the header. */
export function renderTextTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, align?: readonly Align[]): string {
  const width = header.map((h, j) => Math.max(length(h), ...rows.map((r) => length(r[j] ?? ''))));
  const pad = (cell: string, j: number): string => {
    const gap = ' '.repeat(width[j] - length(cell));
    return (align?.[j] ?? (j === 0 ? 'left' : 'right')) === 'left' ? cell + gap : gap + cell;
  };
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, j) => pad(c, j))
      .join('  ')
      .trimEnd();
  return [line(header), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(header.map((_, j) => r[j] ?? '')))].join('\n');
}

/** Display length (code points; the µ and ± used here are single-width). */
function length(s: string): number {
  // eslint-disable-next-line no-control-regex -- ESC starts the ANSI colour codes being stripped.
  return [...s.replace(/\x1b\[[0-9;]*m/g, '')].length;
}

/** One headline row of the summary tables. */
export interface HeadlineRow {
  /** The row's name in the first column. */
  label: string;
  /** The formatted cell of one strategy. */
  cell: (s: StrategySummary) => string;
}

const metric = (s: StrategySummary, name: MetricName): string => formatEstimate(name, s.aggregate.metrics[name]);

function latencyCell(s: StrategySummary, kind: 'page' | 'order', p: 'p99'): string {
  const l = s.aggregate.latency[kind];
  if (!l || l.count === 0) return '—';
  return `${formatMicros(l[p])}${formatInterval(l[p], l.p99Estimate.halfWidth, { min: 0 }, formatMicros)}`;
}

function sellOut(s: StrategySummary): string {
  const e = s.aggregate.metrics.sell_out_time;
  if (!e) return '—';
  if (e.mean === null) return 'not sold out';
  return formatEstimate('sell_out_time', e);
}

/** "pass (6)", "pass (4), caught 2" (declared violations that happened), or "FAIL 2/6" (the failing names are spelled out under the table). */
export function invariantsCell(s: StrategySummary): string {
  return checksCell(s.invariants);
}

/** "none", "pass (3)", "pass (2), caught 1", or "FAIL 1/3". */
export function thresholdsCell(s: StrategySummary): string {
  return checksCell(s.thresholds, 'none');
}

/**
 * The headline figures, in display order, each named by its catalogue
 * metric (the name a threshold uses). Origin utilisation and the page
 * error rate sit beside the origin's peak rate: a saturated origin that
 * refuses most pages shows a *lower* peak than a healthy one.
 */
export const HEADLINE_ROWS: readonly HeadlineRow[] = [
  { label: 'orders_created', cell: (s) => metric(s, 'orders_created') },
  { label: 'oversell', cell: (s) => metric(s, 'oversell') },
  { label: 'sell_out_time (after T0)', cell: sellOut },
  { label: 'page_latency p99', cell: (s) => latencyCell(s, 'page', 'p99') },
  { label: 'order_latency p99', cell: (s) => latencyCell(s, 'order', 'p99') },
  { label: 'cdn_hit_ratio', cell: (s) => metric(s, 'cdn_hit_ratio') },
  { label: 'origin_peak_rps', cell: (s) => metric(s, 'origin_peak_rps') },
  { label: 'origin_utilisation', cell: (s) => metric(s, 'origin_utilisation') },
  { label: 'page_error_rate', cell: (s) => metric(s, 'page_error_rate') },
  { label: 'bot_share', cell: (s) => metric(s, 'bot_share') },
  { label: 'invariants', cell: invariantsCell },
  { label: 'thresholds', cell: thresholdsCell },
];

/**
 * The rows of what each strategy's capacity costs (per hour, and per 1,000
 * users told "won"), when the scenario prices it in a plan: block; none otherwise.
 */
export function costRows(summary: RunSummary): string[][] {
  if (!summary.strategies.some((s) => s.cost)) return [];
  const money = (x: number | null | undefined, currency: string | undefined): string =>
    x === null || x === undefined ? '—' : `${x.toFixed(2)} ${currency ?? ''}`.trimEnd();
  return [
    ['cost per hour', ...summary.strategies.map((s) => money(s.cost?.perHour, s.cost?.currency))],
    ['cost per 1,000 orders', ...summary.strategies.map((s) => money(s.cost?.per1000Orders, s.cost?.currency))],
  ];
}

/**
 * Where a summary is shown: `run` (by `sim run`, whose exit code is the
 * verdict's) or `report` (rebuilt later by `sim report`, which exits 0 when
 * it rebuilt the files: the code is the original run's).
 */
export type VerdictContext = 'run' | 'report';

/** The verdict line: what passed, what failed, the declared violations caught or missed, and the exit code it means. */
export function verdictLine(summary: RunSummary, context: VerdictContext = 'run'): string {
  const { invariantsPassed, thresholdsPassed, expected, exitCode } = summary.verdict;
  const parts = [
    invariantsPassed ? 'invariants hold' : 'INVARIANT VIOLATED',
    summary.strategies.every((s) => s.thresholds.length === 0)
      ? 'no thresholds'
      : thresholdsPassed
        ? 'thresholds pass'
        : 'THRESHOLD FAILED',
  ];
  if (expected.declared > 0) {
    parts.push(
      expected.missed > 0
        ? `${expected.missed} of ${expected.declared} EXPECTED VIOLATIONS NOT CAUGHT`
        : `${expected.caught} expected violation${expected.caught === 1 ? '' : 's'} caught`,
    );
  }
  return `${summary.scenario.name}: ${parts.join(', ')} (${context === 'run' ? 'exit' : 'the run exited'} ${exitCode})`;
}

/** The checks of every strategy, each with the words that name it ("invariant no-oversell"). */
function namedChecks(summary: RunSummary) {
  return summary.strategies.flatMap((s) => [
    ...s.invariants.map((check) => ({ strategy: s.name, check, what: `invariant ${check.name}` })),
    ...s.thresholds.map((check) => ({ strategy: s.name, check, what: `threshold ${check.metric} ${check.expression}` })),
  ]);
}

/** The failures spelled out, one per line ("  naive: invariant no-oversell: …"), declared violations that did not happen included; none when everything came out as declared. */
export function failureLines(summary: RunSummary): string[] {
  return namedChecks(summary)
    .filter(({ check }) => isFailure(check.verdict))
    .map(({ strategy, check, what }) => `  ${strategy}: ${what}: ${verdictMessage(check)}`);
}

/** The declared violations that happened (the audit working), one per line. */
export function caughtLines(summary: RunSummary): string[] {
  return namedChecks(summary)
    .filter(({ check }) => check.verdict === 'caught')
    .map(({ strategy, check, what }) => `  ${strategy}: ${what}: ${check.message}`);
}

/** The end of the console summary: the failures (if any) and the verdict line. What `sim run -q` still prints when a run fails. */
export function renderVerdict(summary: RunSummary, context: VerdictContext = 'run'): string {
  const failures = failureLines(summary);
  return `${[...(failures.length > 0 ? ['failures:', ...failures, ''] : []), verdictLine(summary, context)].join('\n')}\n`;
}

/** The console summary: a header line, the headline table, the failures spelled out, the verdict. */
export function renderConsoleSummary(summary: RunSummary, context: VerdictContext = 'run'): string {
  const reps = summary.replications;
  const title = `${summary.scenario.name} (${summary.scenario.file}) — seed ${summary.seed}, ${replicationsText(summary)}${
    reps > 1 ? ', mean ± 95% CI' : ''
  }`;
  const header = ['', ...summary.strategies.map((s) => s.name)];
  const rows = [...HEADLINE_ROWS.map((r) => [r.label, ...summary.strategies.map(r.cell)]), ...costRows(summary), ...precisionRows(summary)];
  const lines = [title, '', renderTextTable(header, rows)];
  if (rows.some((r) => r.some((cell) => / \[.*\]/.test(cell)))) lines.push(CUT_INTERVAL_NOTE);
  if (reps > 1) lines.push(POOLED_PERCENTILE_NOTE);
  const precision = precisionLines(summary);
  if (precision.length > 0) lines.push('', ...precision);
  const caught = caughtLines(summary);
  if (caught.length > 0) lines.push('', 'expected violations (declared in expect.violates), caught:', ...caught);
  return `${lines.join('\n')}\n\n${renderVerdict(summary, context)}`;
}
