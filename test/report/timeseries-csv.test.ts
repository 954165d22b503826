import { describe, expect, it } from 'vitest';
import { csvField, renderTimeseriesCsv } from '../../src/report/timeseries-csv.js';
import { TIMESERIES_COLUMNS } from '../../src/model/series-columns.js';
import { twoStrategies } from '../helpers/summary.js';

describe('timeseries.csv', () => {
  it('is long format: strategy, replication, interval start in seconds, then the columns', () => {
    const csv = renderTimeseriesCsv(twoStrategies());
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe(['strategy', 'replication', 'interval_start_s', ...TIMESERIES_COLUMNS].join(','));
    expect(lines).toHaveLength(1 + 2 * 2 * 3);
    expect(lines[1].startsWith('seed-design,0,0,0,1,2,')).toBe(true);
    expect(lines[2].startsWith('seed-design,0,1,10,')).toBe(true);
    expect(lines[4].startsWith('seed-design,1,0,1,')).toBe(true);
    for (const l of lines) expect(l.split(',')).toHaveLength(3 + TIMESERIES_COLUMNS.length);
  });

  it('quotes fields per RFC 4180', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(1.5)).toBe('1.5');
    expect(csvField(NaN)).toBe('');
  });
});
