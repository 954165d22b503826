import { describe, expect, it } from 'vitest';
import { TimeSeries } from '../../../src/kernel/stats/time-series.js';

describe('TimeSeries', () => {
  it('sums into buckets, keeps last levels (carried forward) and maxima', () => {
    const ts = new TimeSeries(1000, 4500, ['views', 'stock', 'peak']);
    const views = ts.columnIndex('views');
    const stock = ts.columnIndex('stock');
    const peak = ts.columnIndex('peak');
    expect(ts.rowCount).toBe(5);
    ts.add(views, 0);
    ts.add(views, 999, 2);
    ts.add(views, 1000);
    ts.set(stock, 0, 100);
    ts.set(stock, 500, 90);
    ts.set(stock, 3200, 40);
    ts.max(peak, 10, 3);
    ts.max(peak, 20, 7);
    ts.max(peak, 30, 5);
    ts.add(views, 4500); // the instant the run ends: last bucket
    ts.add(views, 4501); // outside: dropped
    ts.add(views, -1);
    expect(ts.dropped).toBe(2);
    const json = ts.toJSON();
    expect(json).toEqual({
      intervalUs: 1000,
      columns: ['views', 'stock', 'peak'],
      rows: [
        [3, 90, 7],
        [1, 90, 0],
        [0, 90, 0],
        [0, 40, 0],
        [1, 40, 0],
      ],
    });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it('refuses mixing add/set/max on one column and unknown columns', () => {
    const ts = new TimeSeries(10, 100, ['a']);
    ts.add(0, 5);
    expect(() => ts.set(0, 5, 1)).toThrow();
    expect(() => ts.add(1, 5)).toThrow(RangeError);
    expect(() => ts.columnIndex('b')).toThrow(RangeError);
  });
});
