import { LatencyHistogram } from '../../kernel/stats/latency-histogram.js';
import { upperBound } from '../../kernel/sorted.js';
import { summarize } from '../../kernel/stats/summary.js';
import { acceptanceRank, type LatencyName, type SummaryRun } from '../../results/result.js';
import type { StrategySummary } from '../../results/summary.js';

/**
 * Series extraction for the charts: per-interval values of each
 * replication, on a time axis in seconds from T0, reduced to the mean and
 * a 95% confidence band across replications.
 */

/** A point of a mean curve with its 95% confidence interval (null bounds with one replication). */
export interface BandPoint {
  /** The x value (e.g. seconds from T0). */
  x: number;
  /** The mean, null where no replication has a value. */
  y: number | null;
  /** Lower end of the interval. */
  low: number | null;
  /** Upper end of the interval. */
  high: number | null;
}

/** Seconds from T0 (the strategy's own `sale.start`) of a time in µs. */
export function secondsFromT0(us: number, run: Pick<SummaryRun, 'config'>): number {
  return (us - run.config.sale.start) / 1e6;
}

/** Mean and 95% CI of the finite numbers in `values` (nulls skipped). */
export function meanBand(values: ReadonlyArray<number | null>): { y: number | null; low: number | null; high: number | null } {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (present.length === 0) return { y: null, low: null, high: null };
  const s = summarize(present);
  return {
    y: s.mean,
    low: Number.isFinite(s.low) ? s.low : null,
    high: Number.isFinite(s.high) ? s.high : null,
  };
}

/**
 * A value per interval: `value(get, intervalSeconds)` where `get(column)` is
 * the interval's count of that column. Returns null to leave a gap.
 */
export type IntervalValue = (get: (column: string) => number, intervalSeconds: number) => number | null;

/**
 * The per-interval mean (and CI band) of `value` across a strategy's
 * replications, x = start of the interval in seconds from T0, keeping
 * intervals that overlap [from, to] (seconds from T0). A closing point at
 * the end of the last interval is added so that a stepped line covers it.
 *
 * With `bin` > 1, consecutive intervals are merged first (`get` returns
 * the sum of the counts over the bin, and the interval length passed to
 * `value` is the bin's), so long runs give a readable number of points.
 */
export function intervalSeries(s: StrategySummary, value: IntervalValue, from = -Infinity, to = Infinity, bin = 1): BandPoint[] {
  const runs = s.runs;
  if (runs.length === 0) return [];
  const first = runs[0];
  const intervalUs = first.timeseries.intervalUs;
  const binSeconds = (intervalUs * bin) / 1e6;
  const length = Math.max(...runs.map((r) => r.timeseries.rows.length));
  const getters = runs.map((run) => {
    const index = new Map(run.timeseries.columns.map((c, j) => [c, j]));
    return (i: number): ((column: string) => number) | null => {
      const rows = run.timeseries.rows.slice(i, i + bin);
      if (rows.length === 0) return null;
      return (column: string) => {
        const j = index.get(column);
        if (j === undefined) throw new RangeError(`time series has no column ${column}`);
        let sum = 0;
        for (const row of rows) sum += row[j];
        return sum;
      };
    };
  });
  const points: BandPoint[] = [];
  let last = -1;
  for (let i = 0; i < length; i += bin) {
    const x = secondsFromT0(i * intervalUs, first);
    if (x + binSeconds <= from || x >= to) continue;
    const values = getters.map((g) => {
      const get = g(i);
      return get ? value(get, binSeconds) : null;
    });
    points.push({ x: round(x), ...meanBand(values) });
    last = Math.min(length, i + bin);
  }
  if (last >= 0) {
    const end = points[points.length - 1];
    points.push({ ...end, x: round(secondsFromT0(last * intervalUs, first)) });
  }
  return points;
}

/** Intervals per bin so that `span` seconds of `intervalUs` intervals give at most `points` points. */
export function binFor(spanSeconds: number, intervalUs: number, points: number): number {
  return Math.max(1, Math.ceil((spanSeconds * 1e6) / intervalUs / points));
}

/**
 * Whether two mean curves would look the same: at every shared x within
 * `tolerance` of the axis — of the larger peak of the two on a linear axis,
 * or, with `log`, of the decades the two span. Nulls must match. Used to
 * tell the reader that a line is hidden under another rather than missing.
 */
export function coincide(a: readonly BandPoint[], b: readonly BandPoint[], tolerance = 0.01, log = false): boolean {
  if (a.length === 0 || b.length === 0) return a.length === b.length;
  const byX = new Map(b.map((p) => [p.x, p.y]));
  const values = [...a, ...b].map((p) => p.y).filter((y): y is number => y !== null && (!log || y > 0));
  const f = (y: number): number => (log ? Math.log10(y) : y);
  const mapped = values.map(f);
  const range = log ? Math.max(...mapped) - Math.min(...mapped) : Math.max(...values.map(Math.abs));
  let shared = 0;
  for (const p of a) {
    if (!byX.has(p.x)) continue;
    shared++;
    const q = byX.get(p.x) ?? null;
    if ((p.y === null) !== (q === null)) return false;
    if (p.y === null || q === null) continue;
    if (log && (p.y <= 0 || q <= 0)) {
      if (p.y !== q) return false;
      continue;
    }
    if (Math.abs(f(p.y) - f(q)) > tolerance * range) return false;
  }
  return shared > 0;
}

/** Rounds to 6 decimals (keeps the serialised configs small and stable). */
export function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** The run's simulated span in seconds from T0: [start, end]. */
export function runSpan(run: SummaryRun): [number, number] {
  return [secondsFromT0(0, run), secondsFromT0(run.config.duration, run)];
}

/** Position on a percentile axis: −log10(1 − p), so 90% → 1, 99% → 2, 99.9% → 3. */
export function ninesOf(percentile: number): number {
  return -Math.log10(1 - percentile / 100);
}

/** The percentile at a position of the percentile axis. */
export function percentileAtNines(x: number): number {
  return 100 * (1 - Math.pow(10, -x));
}

/** Highest percentile-axis position drawn (99.999%). */
export const MAX_NINES = 5;
const NINES_STEP = 0.05;

/**
 * Latency (ms) against percentile of a strategy's `kind` latency: from the
 * merged histogram with one replication, otherwise the mean of the
 * replications' curves with a 95% band, up to the percentile the smallest
 * replication still resolves (p = 1 − 1/count).
 */
export function percentileCurve(s: StrategySummary, kind: LatencyName): BandPoint[] {
  const histograms = s.runs
    .map((r) => r.latency[kind])
    .filter((l) => l && l.count > 0)
    .map((l) => LatencyHistogram.decode(l.histogram));
  if (histograms.length === 0) return [];
  const count = Math.min(...histograms.map((h) => h.count));
  const top = Math.min(MAX_NINES, Math.log10(count));
  const points: BandPoint[] = [];
  for (let k = 0; ; k++) {
    const x = Math.min(k * NINES_STEP, top);
    const p = Math.min(100, percentileAtNines(x));
    points.push({ x: round(x), ...meanBand(histograms.map((h) => h.percentile(p) / 1000)) });
    if (x >= top) break;
  }
  return points;
}

/**
 * Stock left over time, from the order ledger's acceptance times (the
 * run's bounded `acceptance` curve): the initial stock minus the orders
 * whose order-server acceptance (the stock step follows it at once) came
 * at or before t. Sampled on `steps` points over [from, to] seconds from
 * T0, mean and band across replications. It goes below zero when the stock
 * was oversold. Exact up to ACCEPTANCE_POINTS orders a run; beyond, within
 * orders/ACCEPTANCE_POINTS of the ledger's count.
 */
export function stockCurve(s: StrategySummary, from: number, to: number, steps = 400): BandPoint[] {
  const perRun = s.runs.map((run) => ({
    initial: run.stock.initial,
    curve: run.acceptance,
    times: run.acceptance.timesUs.map((t) => secondsFromT0(t, run)),
  }));
  const accepted = (curve: SummaryRun['acceptance'], times: number[], x: number): number => {
    const n = upperBound(times, x);
    return n === 0 ? 0 : acceptanceRank(curve, n - 1) + 1;
  };
  const points: BandPoint[] = [];
  for (let k = 0; k <= steps; k++) {
    const x = from + ((to - from) * k) / steps;
    const values = perRun.map(({ initial, curve, times }) => initial - accepted(curve, times, x));
    points.push({ x: round(x), ...meanBand(values) });
  }
  return points;
}

/** The moment a strategy's stock ran out, seconds from T0 (mean over the replications that sold out). */
export function sellOut(s: StrategySummary): { seconds: number | null; soldOut: number; runs: number } {
  const times = s.runs.filter((r) => r.stock.soldOutAtUs !== null).map((r) => secondsFromT0(r.stock.soldOutAtUs as number, r));
  return { seconds: times.length ? times.reduce((a, b) => a + b, 0) / times.length : null, soldOut: times.length, runs: s.runs.length };
}

/**
 * A latency percentile (ms) per time-series interval of a strategy's `kind`
 * latency (runs[].latencyOverTime), x = start of the interval in seconds
 * from T0, keeping intervals that overlap [from, to]: the mean across the
 * replications that had samples in the interval, with a 95% band. Empty
 * when the summary keeps no such series (written before they were kept).
 */
export function latencyOverTimeSeries(
  s: StrategySummary,
  kind: 'order' | 'page',
  percentile: 'p50' | 'p90' | 'p99',
  from = -Infinity,
  to = Infinity,
): BandPoint[] {
  const perRun = s.runs.map((run) => {
    const data = run.latencyOverTime;
    const rows = data?.[kind];
    if (!data || !rows) return null;
    const j = data.columns.indexOf(percentile);
    const byInterval = new Map<number, number>();
    for (const row of rows) byInterval.set(row[0], row[j] / 1000);
    return { run, intervalUs: data.intervalUs, byInterval };
  });
  const present = perRun.filter((r): r is NonNullable<typeof r> => r !== null);
  if (present.length === 0) return [];
  const { run: first, intervalUs } = present[0];
  const intervals = [...new Set(present.flatMap((r) => [...r.byInterval.keys()]))].sort((a, b) => a - b);
  const points: BandPoint[] = [];
  let previous = -2;
  for (const i of intervals) {
    const x = secondsFromT0(i * intervalUs, first);
    if (x + intervalUs / 1e6 <= from || x >= to) continue;
    // An interval without samples between two with samples is a gap, not a line across it.
    if (previous >= 0 && i > previous + 1)
      points.push({ x: round(secondsFromT0((previous + 1) * intervalUs, first)), y: null, low: null, high: null });
    points.push({ x: round(x), ...meanBand(present.map((r) => r.byInterval.get(i) ?? null)) });
    previous = i;
  }
  if (previous >= 0) points.push({ ...points[points.length - 1], x: round(secondsFromT0((previous + 1) * intervalUs, first)) });
  return points;
}
