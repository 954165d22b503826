import { describe, expect, it } from 'vitest';
import { attachRunDetail, renderReplicationsJsonl } from '../../src/report/replications-jsonl.js';
import { attachRunTimeseries, renderTimeseriesCsv } from '../../src/report/timeseries-csv.js';
import { parseSummaryJson, renderSummaryJson } from '../../src/results/summary.js';
import { twoStrategies } from '../helpers/summary.js';

describe('replications.jsonl', () => {
  it("holds each run's histograms, latency over time and acceptance, which summary.json leaves out", () => {
    const summary = twoStrategies();
    const disk = JSON.parse(renderSummaryJson(summary));
    const run = disk.strategies[0].runs[0];
    expect(run.detail).toEqual({ file: 'replications.jsonl' });
    expect(run.metrics.order_latency.p99).toBe(summary.strategies[0].runs[0].latency.order.p99);
    expect(run.metrics.order_latency.histogram).toBeUndefined();
    expect(run.acceptance).toBeUndefined();
    expect(run.latencyOverTime).toBeUndefined();
    // The run's config is the strategy's: summary.json keeps one copy.
    expect(run.config).toBeUndefined();
    // The aggregate keeps its merged histograms.
    expect(typeof disk.strategies[0].aggregate.metrics.order_latency.histogram).toBe('string');

    const text = renderReplicationsJsonl(summary);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(summary.strategies.reduce((n, s) => n + s.runs.length, 0));
    expect(JSON.parse(lines[0])).toMatchObject({
      strategy: summary.strategies[0].name,
      replication: 0,
      histograms: { order_latency: summary.strategies[0].runs[0].latency.order.histogram },
      acceptance: summary.strategies[0].runs[0].acceptance,
    });
  });

  it('gives summary.json its runs back, and says what is wrong with a damaged file', () => {
    const summary = twoStrategies();
    const bare = attachRunTimeseries(
      parseSummaryJson(renderSummaryJson(summary), 'r/summary.json'),
      renderTimeseriesCsv(summary),
      'r/t.csv',
    );
    expect(bare.strategies[0].runs[0].latency.order.histogram).toBe('');
    const text = renderReplicationsJsonl(summary);
    expect(attachRunDetail(bare, text, 'r/replications.jsonl')).toEqual(JSON.parse(JSON.stringify(summary)));
    const attach = (t: string | undefined) => () => attachRunDetail(bare, t, 'r/replications.jsonl');
    expect(attach(undefined)).toThrow("r/replications.jsonl: missing (it holds the replications' histograms that summary.json refers to)");
    const lines = text.trimEnd().split('\n');
    expect(attach(lines.slice(0, -1).join('\n'))).toThrow(
      `r/replications.jsonl: no line for strategy ${summary.strategies[1].name} replication ${summary.strategies[1].runs.at(-1)!.replication}, which summary.json refers to`,
    );
    expect(attach(['{', ...lines.slice(1)].join('\n'))).toThrow(/^r\/replications.jsonl:1: not valid JSON/);
    const noAcceptance = lines.map((l, i) => (i === 1 ? JSON.stringify({ ...JSON.parse(l), acceptance: 3 }) : l));
    expect(attach(noAcceptance.join('\n'))).toThrow(/^r\/replications.jsonl:2: acceptance: expected object/);
    const noHistogram = lines.map((l) => {
      const line = JSON.parse(l);
      delete line.histograms.page_latency;
      return JSON.stringify(line);
    });
    expect(attach(noHistogram.join('\n'))).toThrow(/has no page_latency histogram$/);
  });

  it('is not needed for a summary of schema 4, which holds the runs inline', () => {
    const summary = twoStrategies();
    const v4 = JSON.parse(renderSummaryJson(summary));
    v4.schemaVersion = 4;
    for (const s of summary.strategies.keys()) {
      v4.strategies[s].runs = v4.strategies[s].runs.map((run: Record<string, unknown>, r: number) => {
        const inMemory = summary.strategies[s].runs[r];
        const { detail: _detail, ...rest } = run;
        const metrics = { ...(rest.metrics as Record<string, Record<string, unknown>>) };
        for (const stage of ['page', 'script', 'order', 'decision', 'main_site'] as const)
          if (metrics[`${stage}_latency`])
            metrics[`${stage}_latency`] = { ...metrics[`${stage}_latency`], histogram: inMemory.latency[stage].histogram };
        return { ...rest, config: inMemory.config, metrics, latencyOverTime: inMemory.latencyOverTime, acceptance: inMemory.acceptance };
      });
    }
    const back = parseSummaryJson(JSON.stringify(v4), 'old/summary.json');
    expect(attachRunDetail(back, undefined, 'old/replications.jsonl')).toBe(back);
    expect(back.strategies[0].runs[0].latency.order.histogram).toBe(summary.strategies[0].runs[0].latency.order.histogram);
  });
});
