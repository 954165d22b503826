import { describe, expect, it } from 'vitest';
import { attachRunTimeseries, csvField, renderTimeseriesCsv } from '../../src/report/timeseries-csv.js';
import { attachRunDetail, renderReplicationsJsonl } from '../../src/report/replications-jsonl.js';
import { parseSummaryJson, renderSummaryJson } from '../../src/results/summary.js';
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

  it("gives summary.json its runs' rows back, and says what is wrong with a damaged file", () => {
    const summary = twoStrategies();
    summary.strategies[1].name = 'odd, "quoted"';
    const csv = renderTimeseriesCsv(summary);
    const bare = parseSummaryJson(renderSummaryJson(summary), 'r/summary.json');
    expect(bare.strategies[0].runs[0].timeseries.rows).toEqual([]);
    const detail = renderReplicationsJsonl(summary);
    expect(attachRunDetail(attachRunTimeseries(bare, csv, 'r/timeseries.csv'), detail, 'r/replications.jsonl')).toEqual(
      JSON.parse(JSON.stringify(summary)),
    );
    const attach = (text: string | undefined) => () => attachRunTimeseries(bare, text, 'r/timeseries.csv');
    expect(attach(undefined)).toThrow("r/timeseries.csv: missing (it holds the runs' time series that summary.json refers to)");
    expect(attach('x,y\n')).toThrow('r/timeseries.csv: not a timeseries.csv (expected the header');
    const lines = csv.trimEnd().split('\n');
    expect(attach(lines.slice(0, -1).join('\n'))).toThrow(/rows for strategy odd, "quoted" replication 1, where summary.json says 3$/);
    const bad = [...lines];
    bad[2] = bad[2].replace(/,10,/, ',ten,');
    expect(attach(bad.join('\n'))).toThrow(/^r\/timeseries.csv:3: \w+: not a number \("ten"\)$/);
    expect(attach(lines.map((l) => l.split(',').slice(0, 5).join(',')).join('\n'))).toThrow(/^r\/timeseries.csv: no column /);
  });
});
