import { METRIC_CATALOGUE, METRIC_NAMES } from '../metrics/catalogue.js';
import { LATENCY_NAMES, latencyNameOf } from '../results/result.js';
import type { Estimate } from '../results/aggregate.js';
import type { RunSummary, StrategySummary } from '../results/summary.js';
import { formatEstimate, formatMetricValue, formatMicros, formatNumber } from './console-table.js';
import { formatTarget, STOP_LABEL } from './precision.js';

/**
 * The full statistics of a run as plain tables (every metric, latency
 * percentiles per stage, user outcomes, counters): one model that
 * summary.md and report.html both render, so that the two cannot show
 * different figures.
 */

/** One table: a heading, a header row and body rows of formatted cells. */
export interface StatsTable {
  /** Stable identifier (an HTML anchor). */
  id: string;
  /** The table's heading. */
  title: string;
  /** Heading level below the section: 0 for a section, 1 for a sub-table. */
  level: 0 | 1;
  /** Column headers; the first column names the row. */
  header: string[];
  /** Formatted cells, one array per row. */
  rows: string[][];
  /** Per row, an explanation of the row's name (a metric's catalogue description), or undefined. */
  rowNotes?: Array<string | undefined>;
}

/** One row per name that any strategy has in `pick(strategy)` (counts, never below 0), one column per strategy. */
function countsTable(
  summary: RunSummary,
  id: string,
  title: string,
  label: string,
  pick: (s: StrategySummary) => Record<string, Estimate>,
): StatsTable {
  const rowNames = [...new Set(summary.strategies.flatMap((s) => Object.keys(pick(s))))];
  return {
    id,
    title,
    level: 0,
    header: [label, ...summary.strategies.map((s) => s.name)],
    rows: rowNames.map((name) => [name, ...summary.strategies.map((s) => formatEstimate('', pick(s)[name], { min: 0 }))]),
  };
}

/** Every catalogue metric, by the name thresholds use (a latency metric by its p99), one column per strategy. */
export function metricsTable(summary: RunSummary): StatsTable {
  const rows: string[][] = [];
  const rowNotes: Array<string | undefined> = [];
  for (const name of METRIC_NAMES) {
    const info = METRIC_CATALOGUE[name];
    rowNotes.push(info.description);
    if (info.kind === 'latency') {
      const kind = latencyNameOf(name)!;
      rows.push([
        `${name} p99`,
        ...summary.strategies.map((s) => {
          const l = s.aggregate.latency[kind];
          return l && l.count > 0 ? formatMicros(l.p99) : '—';
        }),
      ]);
    } else {
      rows.push([name, ...summary.strategies.map((s) => formatEstimate(name, s.aggregate.metrics[name]))]);
    }
  }
  return { id: 'metrics', title: 'Metrics', level: 0, header: ['metric', ...summary.strategies.map((s) => s.name)], rows, rowNotes };
}

/** Latency statistics per stage: one table per latency, one row per strategy. */
export function latencyTables(summary: RunSummary): StatsTable[] {
  return LATENCY_NAMES.map((kind) => ({
    id: `latency-${kind.replace('_', '-')}`,
    title: `${kind.replace('_', ' ')} (${kind}_latency)`,
    level: 1 as const,
    header: ['strategy', 'count', 'mean', 'p50', 'p90', 'p99', 'p99.9', 'max'],
    rows: summary.strategies.map((s) => {
      const l = s.aggregate.latency[kind];
      if (!l || l.count === 0) return [s.name, '0', '—', '—', '—', '—', '—', '—'];
      return [s.name, formatNumber(l.count), ...[l.mean, l.p50, l.p90, l.p99, l.p999, l.max].map(formatMicros)];
    }),
  }));
}

/** The heading above {@link latencyTables}. */
export const LATENCY_SECTION_TITLE = 'Latency (all replications merged)';

/** User outcomes: one row per outcome, one column per strategy. */
export function outcomesTable(summary: RunSummary): StatsTable {
  return countsTable(summary, 'outcomes', 'User outcomes', 'outcome', (s) => s.aggregate.outcomes);
}

/**
 * Every raw counter of the run (summary.json's `counters`), so that a
 * scenario's "what to look at" can name one and find it here.
 */
export function countersTable(summary: RunSummary): StatsTable {
  return countsTable(summary, 'counters', 'Counters', 'counter', (s) => s.aggregate.counters);
}

/**
 * The precision rule's table (`sim run --precision`): per strategy, the
 * replications it got, why it stopped, and each threshold's mean, 95%
 * interval, half-width as a share of the mean and status then; a strategy
 * without thresholds has one row of dashes. Undefined without the rule.
 */
export function precisionTable(summary: RunSummary): StatsTable | undefined {
  if (!summary.options.precision) return undefined;
  const rows: string[][] = [];
  for (const s of summary.strategies) {
    const p = s.precision;
    if (!p) continue;
    if (p.thresholds.length === 0) rows.push([s.name, String(p.replications), STOP_LABEL[p.stopped], '—', '—', '—', '—', '—']);
    for (const t of p.thresholds) {
      const metric = t.id.split(' ')[0];
      const f = (x: number | null): string => (x === null ? '—' : formatMetricValue(metric, x));
      rows.push([
        s.name,
        String(p.replications),
        STOP_LABEL[p.stopped],
        t.id,
        f(t.mean),
        t.low === null || t.high === null ? '—' : `[${f(t.low)}, ${f(t.high)}]`,
        t.relativeHalfWidth === null ? '—' : `±${formatTarget(t.relativeHalfWidth)}`,
        t.status,
      ]);
    }
  }
  return {
    id: 'precision',
    title: 'Precision',
    level: 0,
    header: ['strategy', 'replications', 'stopped', 'threshold', 'mean', '95% CI', '± of mean', 'status'],
    rows,
  };
}
