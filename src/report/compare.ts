import { METRIC_CATALOGUE, METRIC_NAMES, type Direction, type MetricName } from '../metrics/catalogue.js';
import { latencyNameOf, measuredLatency, measuredMetric, type SummaryRun } from '../results/result.js';
import { testDifference, type DifferenceTest } from '../kernel/stats/difference-test.js';
import { formatMetricValue, formatPercent, isPercentMetric, renderTextTable } from './console-table.js';
import { mdTable } from './summary-md.js';
import { configDifferences, valueAt } from './config-diff.js';
import type { RunSummary, StrategySummary } from '../results/summary.js';

/**
 * `sim compare`: the metric deltas between a baseline run and a candidate
 * run, per strategy (matched by name), and a regression gate.
 *
 * Which way is worse, per metric (the documented rule, held as each
 * METRIC_CATALOGUE entry's `direction`):
 * - lower is better: every latency, oversell, undersell, duplicate, early
 *   and lost orders, every error and reject rate, bots' share, origin peak
 *   rps, origin and link utilisation, stock operations and utilisation,
 *   attempts per order, amplification —
 *   more of these is worse;
 * - higher is better: orders created, CDN hit ratio, answered and decided within 2 s,
 *   fairness click order — less of these is worse;
 * - neutral: sell-out time (selling out faster is not better or worse in
 *   itself). Shown, never gated.
 *
 * A change is measured relative to the baseline: (candidate − baseline) /
 * |baseline|. From a baseline of 0 any worsening is an infinite regression
 * (e.g. oversell 0 → 1 always fails the gate). Latency metrics are compared
 * at p50 and p99 of the merged histograms; other metrics by their mean
 * across replications. Unmeasured values (null) are shown, never gated.
 *
 * Noise: when both runs have at least two replications, each difference is
 * tested at 95% (two-sided) on the per-replication values — paired by
 * replication when both runs measured the figure in the same replications,
 * each with the same seed (replication r of either run drew the same random
 * numbers, so most of the noise cancels), else Welch's t-test. A difference
 * that is not significant, or whose tested per-replication difference goes
 * the other way (latency percentiles are shown pooled but tested per
 * replication), is shown as "worse (noise)" or "better (noise)" and is not
 * gated. With one replication there is nothing to test against, and every
 * difference counts.
 */

/** Confidence level of the noise test. */
export const COMPARE_CONFIDENCE = 0.95;

/** Which way a metric gets worse: each catalogue entry's `direction`. */
export type { Direction } from '../metrics/catalogue.js';

/** A row's judgement; 'n/a' for neutral metrics and unmeasured values. */
export type Verdict = 'worse' | 'better' | 'same' | 'n/a';

/** One figure of one strategy in both runs. */
export interface CompareRow {
  /** The strategy's name (present in both runs). */
  strategy: string;
  /** Metric name, with " p50"/" p99" for latency metrics. */
  figure: string;
  /** The catalogue metric. */
  metric: MetricName;
  /** Which way is worse. */
  direction: Direction;
  /** The baseline's value in the metric's internal unit (µs for latencies), null if unmeasured. */
  baseline: number | null;
  /** The candidate's value, same unit. */
  candidate: number | null;
  /** candidate − baseline (null if either is null). */
  delta: number | null;
  /** delta / |baseline| (±Infinity from a zero baseline; null if not comparable). */
  relative: number | null;
  /** Worse, better or the same by the metric's direction. */
  verdict: Verdict;
  /** How much worse, as a fraction (0 unless verdict is worse and not noise; Infinity from a zero baseline). */
  regression: number;
  /**
   * The noise test of a difference (see the file comment): null when it was
   * not tested (fewer than two replications a side, no difference, or an
   * unmeasured value); a difference that is not significant, or significant
   * in the other direction ({@link isNoise}), is never gated.
   */
  test: DifferenceTest | null;
}

/** What {@link compareSummaries} found. */
export interface Comparison {
  /** The baseline run's label and identity. */
  baseline: { label: string; scenario: string; seed: number | string; replications: number };
  /** The candidate run's label and identity. */
  candidate: { label: string; scenario: string; seed: number | string; replications: number };
  /** Strategy-major, figures in catalogue order. */
  rows: CompareRow[];
  /** Strategies the candidate lacks (not compared). */
  onlyInBaseline: string[];
  /** Strategies the baseline lacks (not compared). */
  onlyInCandidate: string[];
  /** Compared strategies with fewer than two replications on a side: their differences are not tested for noise. */
  untested: string[];
  /** What differs between the two runs besides the results, one line each ("users: 20,000 → 50,000"); empty when nothing does. */
  differences: string[];
  /** Why the deltas may not mean what they seem (different scenario, population, duration, no strategy in common); empty when comparable. */
  warnings: string[];
}

/** Config paths that change what is simulated so much that the runs do not measure the same sale. */
const INCOMPARABLE_PATHS = ['users.count', 'duration', 'sale.start', 'sale.stock'];

/** Most differing config paths listed per strategy. */
const MAX_PATHS = 8;

function show(value: unknown): string {
  return value === undefined || value === null ? '(unset)' : typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * What differs between two runs apart from their results: scenario, seed,
 * replications, `--users`, `--set`, tool version, and the resolved config
 * paths of each strategy both have; and warnings when the runs do not
 * measure the same sale.
 */
export function runDifferences(baseline: RunSummary, candidate: RunSummary): { differences: string[]; warnings: string[] } {
  const differences: string[] = [];
  const warnings: string[] = [];
  const pair = (what: string, a: unknown, b: unknown): void => {
    if (JSON.stringify(a) !== JSON.stringify(b)) differences.push(`${what}: ${show(a)} → ${show(b)}`);
  };
  pair('scenario', baseline.scenario.name, candidate.scenario.name);
  pair('scenario file', baseline.scenario.file, candidate.scenario.file);
  pair('seed', baseline.seed, candidate.seed);
  pair('replications', baseline.replications, candidate.replications);
  pair('--users', baseline.options.users, candidate.options.users);
  pair('--set', baseline.options.set.join(' ') || '(none)', candidate.options.set.join(' ') || '(none)');
  pair('flashsim', baseline.tool.version, candidate.tool.version);
  if (baseline.scenario.name !== candidate.scenario.name)
    warnings.push(`different scenarios (${baseline.scenario.name}, ${candidate.scenario.name})`);
  const candidates = new Map(candidate.strategies.map((s) => [s.name, s]));
  const incomparable = new Set<string>();
  for (const a of baseline.strategies) {
    const b = candidates.get(a.name);
    if (!b) continue;
    const paths = configDifferences(a.config, b.config);
    if (paths.length === 0) continue;
    const listed = paths.slice(0, MAX_PATHS).map((p) => `${p} ${show(valueAt(a.config, p))} → ${show(valueAt(b.config, p))}`);
    differences.push(`${a.name} config: ${listed.join(', ')}${paths.length > MAX_PATHS ? `, and ${paths.length - MAX_PATHS} more` : ''}`);
    for (const p of paths) if (INCOMPARABLE_PATHS.some((q) => p === q || p.startsWith(`${q}.`))) incomparable.add(p);
  }
  if (incomparable.size > 0) {
    warnings.push(
      `${[...incomparable].join(', ')} ${incomparable.size === 1 ? 'differs' : 'differ'}: the runs simulate different sales, so counts and rates are not like for like`,
    );
  }
  if (!baseline.strategies.some((s) => candidates.has(s.name))) warnings.push('no strategy in common (strategies are matched by name)');
  return { differences, warnings };
}

/** One figure of a strategy: its value, and how to read it from each replication's result. */
interface Figure {
  figure: string;
  metric: MetricName;
  value: number | null;
  /** The figure in one replication (null if unmeasured there). */
  of: (run: SummaryRun) => number | null;
}

function figures(s: StrategySummary): Figure[] {
  const out: Figure[] = [];
  for (const metric of METRIC_NAMES) {
    if (METRIC_CATALOGUE[metric].kind === 'latency') {
      const kind = latencyNameOf(metric)!;
      const l = s.aggregate.latency[kind];
      const has = !!l && l.count > 0;
      for (const p of ['p50', 'p99'] as const) {
        out.push({ figure: `${metric} ${p}`, metric, value: has ? l[p] : null, of: (run) => measuredLatency(run, kind, p) });
      }
    } else {
      out.push({ figure: metric, metric, value: s.aggregate.metrics[metric]?.mean ?? null, of: (run) => measuredMetric(run, metric) });
    }
  }
  return out;
}

/**
 * The noise test of one figure between two strategies' replications, on the
 * replications that measured it. Paired only when both sides measured it in
 * the same replications, each run with the same seed (streams are keyed by
 * String(seed) and the replication, so then replication r drew the same
 * random numbers on both sides): a test on common replications alone would
 * leave out some of the values the table's mean is made of, and could find
 * a significant change that is not the one shown. Otherwise Welch's test on
 * every measured value.
 */
function noiseTest(of: Figure['of'], a: StrategySummary, b: StrategySummary): DifferenceTest | null {
  const values = (s: StrategySummary): Map<number, { value: number; seed: string }> => {
    const m = new Map<number, { value: number; seed: string }>();
    for (const run of s.runs) {
      const v = of(run);
      if (v !== null) m.set(run.replication, { value: v, seed: String(run.seed) });
    }
    return m;
  };
  const va = values(a);
  const vb = values(b);
  const paired = va.size === vb.size && [...va].every(([r, x]) => vb.get(r)?.seed === x.seed);
  const replications = [...va.keys()];
  return paired
    ? testDifference(
        replications.map((r) => va.get(r)!.value),
        replications.map((r) => vb.get(r)!.value),
        true,
        COMPARE_CONFIDENCE,
      )
    : testDifference(
        [...va.values()].map((x) => x.value),
        [...vb.values()].map((x) => x.value),
        false,
        COMPARE_CONFIDENCE,
      );
}

function judge(
  direction: Direction,
  a: number | null,
  b: number | null,
): Pick<CompareRow, 'delta' | 'relative' | 'verdict' | 'regression'> {
  if (a === null || b === null) return { delta: null, relative: null, verdict: 'n/a', regression: 0 };
  const delta = b - a;
  const relative = delta === 0 ? 0 : a === 0 ? (delta > 0 ? Infinity : -Infinity) : delta / Math.abs(a);
  if (direction === 'neutral') return { delta, relative, verdict: 'n/a', regression: 0 };
  if (delta === 0) return { delta, relative, verdict: 'same', regression: 0 };
  const worse = direction === 'lower-is-better' ? delta > 0 : delta < 0;
  return { delta, relative, verdict: worse ? 'worse' : 'better', regression: worse ? Math.abs(relative) : 0 };
}

/**
 * Whether a row's difference was tested and not confirmed: not significant,
 * or significant the other way. The table shows latency percentiles of all
 * replications' samples pooled, the test compares per-replication
 * percentiles, and these can move in opposite directions (a replication
 * with many more samples than the others dominates the pooled one): a
 * pooled p99 that got worse while every replication's p99 got better is
 * not a regression the test supports.
 */
export function isNoise(row: Pick<CompareRow, 'delta' | 'test'>): boolean {
  if (row.test === null || row.delta === null) return false;
  return !row.test.significant || Math.sign(row.test.difference) !== Math.sign(row.delta);
}

/** Compares two summaries (baseline first), strategy by strategy. */
export function compareSummaries(baseline: RunSummary, candidate: RunSummary, labels: [string, string] = ['A', 'B']): Comparison {
  const rows: CompareRow[] = [];
  const untested: string[] = [];
  const candidates = new Map(candidate.strategies.map((s) => [s.name, s]));
  for (const a of baseline.strategies) {
    const b = candidates.get(a.name);
    if (!b) continue;
    if (Math.min(a.runs.length, b.runs.length) < 2) untested.push(a.name);
    const fb = new Map(figures(b).map((f) => [f.figure, f.value]));
    for (const f of figures(a)) {
      const direction = METRIC_CATALOGUE[f.metric].direction;
      const value = fb.get(f.figure) ?? null;
      const judged = judge(direction, f.value, value);
      const test = judged.delta === null || judged.delta === 0 ? null : noiseTest(f.of, a, b);
      const row: CompareRow = {
        strategy: a.name,
        figure: f.figure,
        metric: f.metric,
        direction,
        baseline: f.value,
        candidate: value,
        ...judged,
        test,
      };
      // Not distinguishable from noise: shown, never gated.
      if (isNoise(row)) row.regression = 0;
      rows.push(row);
    }
  }
  const inBaseline = new Set(baseline.strategies.map((s) => s.name));
  const describe = (s: RunSummary, label: string) => ({ label, scenario: s.scenario.name, seed: s.seed, replications: s.replications });
  return {
    baseline: describe(baseline, labels[0]),
    candidate: describe(candidate, labels[1]),
    rows,
    onlyInBaseline: baseline.strategies.filter((s) => !candidates.has(s.name)).map((s) => s.name),
    onlyInCandidate: candidate.strategies.filter((s) => !inBaseline.has(s.name)).map((s) => s.name),
    untested,
    ...runDifferences(baseline, candidate),
  };
}

/** Rows that got worse by more than `maxRegression` (a fraction: 0.1 = 10%). */
export function regressions(comparison: Comparison, maxRegression: number): CompareRow[] {
  return comparison.rows.filter((r) => r.verdict === 'worse' && r.regression > maxRegression);
}

function formatRelative(relative: number | null): string {
  if (relative === null) return '—';
  if (relative === Infinity) return '+∞';
  if (relative === -Infinity) return '-∞';
  if (relative === 0) return '0%';
  return `${relative > 0 ? '+' : ''}${formatPercent(relative)}`;
}

function formatDelta(metric: MetricName, delta: number | null): string {
  if (delta === null) return '—';
  if (delta === 0) return '0';
  const sign = delta > 0 ? '+' : '-';
  // A difference of two percentages is in percentage points: "+13.3%" next
  // to a relative change of "+100%" would read as a second relative change.
  if (isPercentMetric(metric)) return `${sign}${Number((Math.abs(delta) * 100).toPrecision(3))} pp`;
  const text = formatMetricValue(metric, Math.abs(delta));
  // A change too small for the metric's format would print as "-0".
  if (/^0(\.0*)?$/.test(text)) return `${sign}${Number(Math.abs(delta).toPrecision(2))}`;
  return `${sign}${text}`;
}

function tableRows(comparison: Comparison, gate?: number): string[][] {
  return comparison.rows.map((r) => {
    const failing = gate !== undefined && r.verdict === 'worse' && r.regression > gate;
    return [
      r.strategy,
      r.figure,
      formatMetricValue(r.metric, r.baseline),
      formatMetricValue(r.metric, r.candidate),
      formatDelta(r.metric, r.delta),
      formatRelative(r.relative),
      failing
        ? 'WORSE (gate)'
        : r.verdict === 'n/a' && r.direction === 'neutral' && r.delta !== null
          ? 'neutral'
          : isNoise(r) && (r.verdict === 'worse' || r.verdict === 'better')
            ? `${r.verdict} (noise)`
            : r.verdict,
    ];
  });
}

function headerLines(c: Comparison): string[] {
  const line = (side: Comparison['baseline'], role: string): string =>
    `${role} ${side.label}: ${side.scenario}, seed ${side.seed}, ${side.replications} replication${side.replications === 1 ? '' : 's'}`;
  const lines = [line(c.baseline, 'baseline'), line(c.candidate, 'candidate')];
  for (const w of c.warnings) lines.push(`WARNING: not comparable: ${w}`);
  lines.push(
    c.differences.length ? 'what differs:' : 'what differs: nothing but the results (same scenario, options, configuration and version)',
  );
  for (const d of c.differences) lines.push(`  ${d}`);
  lines.push(noiseLine(c));
  if (c.onlyInBaseline.length) lines.push(`only in baseline: ${c.onlyInBaseline.join(', ')}`);
  if (c.onlyInCandidate.length) lines.push(`only in candidate: ${c.onlyInCandidate.join(', ')}`);
  return lines;
}

/** How differences were told from noise (see the file comment). */
function noiseLine(c: Comparison): string {
  if (Math.min(c.baseline.replications, c.candidate.replications) < 2) {
    return 'noise: not tested (a run with one replication has no spread to test against); every difference counts';
  }
  const level = formatPercent(COMPARE_CONFIDENCE);
  const sameSeed = String(c.baseline.seed) === String(c.candidate.seed);
  // As the rows were tested (a strategy's seed or measured replications may differ from the run's).
  const methods = new Set(c.rows.flatMap((r) => (r.test ? [r.test.method] : [])));
  const paired = methods.has('paired') || (methods.size === 0 && sameSeed);
  const welch = methods.has('welch') || (methods.size === 0 && !sameSeed);
  const how =
    paired && welch
      ? 'paired t-test per replication where both runs measured a figure in the same replications with the same seed, else Welch t-test'
      : paired
        ? 'paired t-test per replication (same seed)'
        : sameSeed
          ? 'Welch t-test (the runs measured different replications)'
          : 'Welch t-test (different seeds)';
  // A strategy with one replication beside others with more (summary.json is read as given): its rows carry no test, and are gated.
  const alone = c.untested.length ? `; not tested (one replication): ${c.untested.join(', ')}` : '';
  return `noise: ${how}, ${level} two-sided; "(noise)" differences are not gated${alone}`;
}

function gateLine(c: Comparison, gate: number): string {
  const bad = regressions(c, gate);
  // A baseline strategy the candidate lacks was not gated: say so on the verdict line.
  const skipped = c.onlyInBaseline.length ? `; not compared: ${c.onlyInBaseline.join(', ')} (not in the candidate)` : '';
  const name = (r: CompareRow): string => `${r.strategy} ${r.figure} ${formatRelative(r.relative)}`;
  // Rows shown worse by more than the limit but let off as noise: without naming them, "no metric worse by
  // more than 10%" under a row reading "+50%  worse (noise)" reads as false.
  const noisy = c.rows.filter((r) => r.verdict === 'worse' && isNoise(r) && r.relative !== null && Math.abs(r.relative) > gate);
  const noise = noisy.length ? ` (not gated, within noise: ${noisy.map(name).join(', ')})` : '';
  if (bad.length === 0) return `gate: no metric ${noise ? 'confirmed ' : ''}worse by more than ${formatPercent(gate)}${noise}${skipped}`;
  return `gate: ${bad.length} metric${bad.length === 1 ? '' : 's'} worse by more than ${formatPercent(gate)}: ${bad.map(name).join(', ')}${noise}${skipped}`;
}

const HEADER = ['strategy', 'metric', 'baseline', 'candidate', 'delta', 'change', 'verdict'];

/** The comparison as a terminal table. */
export function renderCompareText(c: Comparison, gate?: number): string {
  const lines = [...headerLines(c), ''];
  lines.push(
    c.rows.length
      ? renderTextTable(HEADER, tableRows(c, gate), ['left', 'left', 'right', 'right', 'right', 'right', 'left'])
      : 'no strategy in common',
  );
  if (gate !== undefined) lines.push('', gateLine(c, gate));
  return `${lines.join('\n')}\n`;
}

/** The comparison as Markdown (for a pull-request comment). */
export function renderCompareMarkdown(c: Comparison, gate?: number): string {
  const lines = ['## flashsim compare', '', ...headerLines(c).map((l) => (l.startsWith('  ') ? `  - ${l.trim()}` : `- ${l}`)), ''];
  lines.push(c.rows.length ? mdTable(HEADER, tableRows(c, gate)) : 'No strategy in common.');
  if (gate !== undefined) lines.push('', `**${gateLine(c, gate)}**`);
  return `${lines.join('\n')}\n`;
}

const AGGREGATIONS: Record<string, string> = {
  latency: '`p(N)` `avg` `med` `min` `max` `count`',
  rate: '`rate`',
  count: '`count`',
  value: '`value`',
};

const WORSE_WHEN: Record<Direction, string> = {
  'lower-is-better': 'up',
  'higher-is-better': 'down',
  neutral: '— (not gated)',
};

/**
 * The metric names table of the README, generated from METRIC_CATALOGUE,
 * directions included (a test keeps the README in sync with it).
 */
export function metricTableMarkdown(): string {
  return mdTable(
    ['metric', 'kind', 'unit', 'thresholds', 'worse when', 'description'],
    METRIC_NAMES.map((name) => {
      const info = METRIC_CATALOGUE[name];
      return [`\`${name}\``, info.kind, info.unit, AGGREGATIONS[info.kind], WORSE_WHEN[info.direction], info.description];
    }),
    true,
  );
}
