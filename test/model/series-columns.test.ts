import { describe, expect, it } from 'vitest';
import { runOnce } from '../../src/model/run-once.js';
import { SERIES_COLUMNS, seriesIndex, TIMESERIES_COLUMNS } from '../../src/model/series-columns.js';
import { renderTimeseriesCsv } from '../../src/report/timeseries-csv.js';
import { configOf, SMALL } from '../helpers/flash-config.js';
import { makeStrategy, makeSummary } from '../helpers/summary.js';

describe('the series table', () => {
  const r = runOnce(configOf(SMALL), { strategy: 's', replication: 0, seed: 1 }).result;

  it('names each column once, and the column list is its names in order', () => {
    const names = SERIES_COLUMNS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(TIMESERIES_COLUMNS).toEqual(names);
    names.forEach((name, j) => expect(seriesIndex(name)).toBe(j));
  });

  it("a run's series and its timeseries.csv header list the table's columns, in order", () => {
    expect(r.timeseries.columns).toEqual(SERIES_COLUMNS.map((c) => c.name));
    for (const row of r.timeseries.rows) expect(row).toHaveLength(SERIES_COLUMNS.length);
    const csv = renderTimeseriesCsv(makeSummary([makeStrategy({ name: 's', results: [r] })]));
    const [header, first] = csv.split('\n');
    expect(header).toBe(['strategy', 'replication', 'interval_start_s', ...SERIES_COLUMNS.map((c) => c.name)].join(','));
    expect(first.split(',').slice(3).map(Number)).toEqual(r.timeseries.rows[0]);
  });

  it('samples each column as its entry says: busy fractions in [0, 1], counts whole and at least 0, the level the stock', () => {
    SERIES_COLUMNS.forEach((column, j) => {
      const values = r.timeseries.rows.map((row) => row[j]);
      if (column.sampling === 'busy') for (const x of values) expect(x >= 0 && x <= 1, column.name).toBe(true);
      if (column.sampling === 'count') for (const x of values) expect(Number.isInteger(x) && x >= 0, column.name).toBe(true);
    });
    const stock = r.timeseries.rows.map((row) => row[seriesIndex('stock')]);
    expect(stock[0]).toBe(r.config.sale.stock);
    expect(stock[stock.length - 1]).toBe(r.stock.remaining);
  });
});
