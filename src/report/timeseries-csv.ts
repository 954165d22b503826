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

/**
 * Splits CSV text into records of fields (RFC 4180: quoted fields may hold
 * commas, doubled quotes and line breaks). Records are separated by LF or CRLF.
 */
function csvRecords(text: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let field = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' && field === '') {
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) throw new Error('an unterminated quoted field');
        if (text[q + 1] === '"') {
          field += text.slice(j, q + 1);
          j = q + 2;
        } else {
          field += text.slice(j, q);
          i = q + 1;
          break;
        }
      }
      continue;
    }
    if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      fields.push(field);
      records.push(fields);
      fields = [];
      field = '';
      if (c === '\r') i++;
    } else field += c;
    i++;
  }
  if (field !== '' || fields.length > 0) records.push([...fields, field]);
  return records;
}

/**
 * A summary with every run's time-series rows read back from timeseries.csv
 * (summary.json keeps only each run's columns and row count; see
 * `TimeseriesReference` in src/results/summary.ts). A run whose series
 * already has its rows is kept as it is. An empty field is null, as a
 * non-finite value is in summary.json.
 *
 * @param where how to name the CSV file in messages.
 * @throws {Error} with a one-line message when the file does not hold the rows summary.json announces.
 */
export function attachRunTimeseries(summary: RunSummary, csvText: string | undefined, where: string): RunSummary {
  const pending = summary.strategies.some((s) => s.runs.some((r) => 'rowCount' in r.timeseries));
  if (!pending) return summary;
  if (csvText === undefined) throw new Error(`${where}: missing (it holds the runs' time series that summary.json refers to)`);
  let records: string[][];
  try {
    records = csvRecords(csvText);
  } catch (error) {
    throw new Error(`${where}: not a timeseries.csv (${(error as Error).message})`, { cause: error });
  }
  const header = records[0] ?? [];
  if (header[0] !== 'strategy' || header[1] !== 'replication' || header[2] !== 'interval_start_s')
    throw new Error(`${where}: not a timeseries.csv (expected the header strategy,replication,interval_start_s,…)`);
  const byRun = new Map<string, Array<{ line: number; record: string[] }>>();
  for (let i = 1; i < records.length; i++) {
    const record = records[i];
    const key = `${record[0]}\u0000${record[1]}`;
    let rows = byRun.get(key);
    if (!rows) byRun.set(key, (rows = []));
    rows.push({ line: i + 1, record });
  }
  const strategies = summary.strategies.map((s) => ({
    ...s,
    runs: s.runs.map((run) => {
      const series = run.timeseries as RunSummary['strategies'][number]['runs'][number]['timeseries'] & { rowCount?: number };
      if (series.rowCount === undefined) return run;
      const records = byRun.get(`${s.name}\u0000${run.replication}`) ?? [];
      if (records.length !== series.rowCount)
        throw new Error(
          `${where}: ${records.length} rows for strategy ${s.name} replication ${run.replication}, where summary.json says ${series.rowCount}`,
        );
      const index = series.columns.map((c) => header.indexOf(c));
      const missing = series.columns.filter((_, j) => index[j] < 0);
      if (missing.length > 0) throw new Error(`${where}: no column ${missing.join(', ')}`);
      const rows = records.map(({ line, record }) =>
        index.map((k) => {
          const cell = record[k] ?? '';
          if (cell === '') return null as unknown as number;
          const value = Number(cell);
          if (Number.isNaN(value)) throw new Error(`${where}:${line}: ${header[k]}: not a number (${JSON.stringify(cell.slice(0, 40))})`);
          return value;
        }),
      );
      return { ...run, timeseries: { intervalUs: series.intervalUs, columns: series.columns, rows } };
    }),
  }));
  return { ...summary, strategies };
}
