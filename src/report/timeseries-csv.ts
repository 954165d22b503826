import type { RunSummary } from '../results/summary.js';

/**
 * timeseries.csv, long format: one row per (strategy, replication,
 * interval), columns `strategy,replication,interval_start_s` then every
 * time-series column of the results (see SERIES_COLUMNS in
 * src/model/series-columns.ts). Counts are per interval (divide by the interval for a
 * rate). Numbers are written in JavaScript's shortest round-trip form, so
 * the file is deterministic; text fields are quoted as RFC 4180 requires.
 */

/** Quotes a CSV field when it holds a comma, quote, CR or LF (RFC 4180); a non-finite number is an empty field. */
export function csvField(value: string | number): string {
  const s = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** timeseries.csv's text; `interval_start_s` in seconds, other columns in each column's unit per interval. */
export function renderTimeseriesCsv(summary: RunSummary): string {
  const columns: string[] = [];
  for (const s of summary.strategies) {
    for (const r of s.runs) for (const c of r.timeseries.columns) if (!columns.includes(c)) columns.push(c);
  }
  const lines = [['strategy', 'replication', 'interval_start_s', ...columns].map(csvField).join(',')];
  for (const s of summary.strategies) {
    for (const run of s.runs) {
      const { intervalUs, rows } = run.timeseries;
      const index = columns.map((c) => run.timeseries.columns.indexOf(c));
      rows.forEach((row, i) => {
        const cells: Array<string | number> = [s.name, run.replication, (i * intervalUs) / 1e6];
        for (const j of index) cells.push(j < 0 ? '' : row[j]);
        lines.push(cells.map(csvField).join(','));
      });
    }
  }
  return `${lines.join('\n')}\n`;
}
