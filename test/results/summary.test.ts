import { describe, expect, it } from 'vitest';
import { parseSummaryJson, renderSummaryJson, toolVersion } from '../../src/results/summary.js';
import { twoStrategies } from '../helpers/summary.js';
import { attachRunTimeseries, renderTimeseriesCsv } from '../../src/report/timeseries-csv.js';
import { attachRunDetail, renderReplicationsJsonl } from '../../src/report/replications-jsonl.js';
import { compareSummaries } from '../../src/report/compare.js';
import { renderSummaryMarkdown } from '../../src/report/summary-md.js';
import { buildCharts } from '../../src/report/charts/specs.js';

describe('summary.json', () => {
  it('round-trips and refuses unknown schema versions', () => {
    const s = twoStrategies();
    const text = renderSummaryJson(s);
    expect(text.endsWith('}\n')).toBe(true);
    const bare = parseSummaryJson(text, 'x/summary.json');
    const back = attachRunDetail(
      attachRunTimeseries(bare, renderTimeseriesCsv(s), 'x/timeseries.csv'),
      renderReplicationsJsonl(s),
      'x/replications.jsonl',
    );
    expect(back).toEqual(JSON.parse(JSON.stringify(s)));
    expect(renderSummaryJson(back)).toBe(text);
    expect(() => parseSummaryJson('{"schemaVersion": 99}', 'x/summary.json')).toThrow(
      'x/summary.json: unsupported summary schemaVersion 99 (this flashsim reads versions 4 and 5)',
    );
    expect(() => parseSummaryJson('{', 'x/summary.json')).toThrow(/^x\/summary.json: not valid JSON/);
  });

  it('reads a summary written before the decision latency, which then shows as unmeasured', () => {
    const old = JSON.parse(renderSummaryJson(twoStrategies()));
    for (const s of old.strategies) {
      delete s.aggregate.metrics.decision_latency;
      delete s.aggregate.metrics.decided_within_2s;
      for (const r of s.runs) {
        delete r.metrics.decision_latency;
        delete r.metrics.decided_within_2s;
      }
    }
    const summary = attachRunDetail(
      parseSummaryJson(JSON.stringify(old), 'old/summary.json'),
      renderReplicationsJsonl(twoStrategies()),
      'old/replications.jsonl',
    );
    const row = compareSummaries(summary, summary).rows.find((r) => r.figure === 'decision_latency p99')!;
    expect(row).toMatchObject({ baseline: null, candidate: null, verdict: 'n/a' });
    expect(renderSummaryMarkdown(summary)).toMatch(/\| decision_latency p99 \| — \| — \|/);
    expect(buildCharts(summary).find((c) => c.id === 'latency-decision')).toBeDefined();
  });

  it('keeps every metric a threshold can name at metrics.<name>, latency distributions included, in catalogue order', () => {
    const s = twoStrategies();
    const disk = JSON.parse(renderSummaryJson(s));
    for (const holder of [disk.strategies[0].aggregate, disk.strategies[0].runs[0]]) {
      expect(holder.latency).toBeUndefined();
      expect(Object.keys(holder.metrics).slice(0, 5)).toEqual([
        'page_latency',
        'script_latency',
        'order_latency',
        'decision_latency',
        'main_site_latency',
      ]);
    }
    expect(disk.strategies[0].aggregate.metrics.order_latency.p99).toBe(s.strategies[0].aggregate.latency.order.p99);
    expect(disk.strategies[0].aggregate.metrics.oversell).toEqual(s.strategies[0].aggregate.metrics.oversell);
    // A damaged distribution is named by its place in the file.
    delete disk.strategies[1].aggregate.metrics.page_latency;
    expect(() => parseSummaryJson(JSON.stringify(disk), 'x/summary.json')).toThrow(
      'x/summary.json: strategies[1].aggregate.metrics.page_latency is missing',
    );
  });

  it('knows the tool version from package.json', () => {
    expect(toolVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
