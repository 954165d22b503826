import { describe, expect, it } from 'vitest';
import { parseSummaryJson, renderSummaryJson, toolVersion } from '../../src/results/summary.js';
import { twoStrategies } from '../helpers/summary.js';
import { compareSummaries } from '../../src/report/compare.js';
import { renderSummaryMarkdown } from '../../src/report/summary-md.js';
import { buildCharts } from '../../src/report/charts/specs.js';

describe('summary.json', () => {
  it('round-trips and refuses unknown schema versions', () => {
    const s = twoStrategies();
    const text = renderSummaryJson(s);
    expect(text.endsWith('}\n')).toBe(true);
    expect(parseSummaryJson(text, 'x/summary.json')).toEqual(JSON.parse(text));
    expect(() => parseSummaryJson('{"schemaVersion": 99}', 'x/summary.json')).toThrow(
      'x/summary.json: unsupported summary schemaVersion 99 (this flashsim reads version 3)',
    );
    expect(() => parseSummaryJson('{', 'x/summary.json')).toThrow(/^x\/summary.json: not valid JSON/);
  });

  it('reads a summary written before the decision latency, which then shows as unmeasured', () => {
    const old = JSON.parse(renderSummaryJson(twoStrategies()));
    for (const s of old.strategies) {
      delete s.aggregate.latency.decision;
      delete s.aggregate.metrics.decided_within_2s;
      for (const r of s.runs) {
        delete r.latency.decision;
        delete r.metrics.decided_within_2s;
      }
    }
    const summary = parseSummaryJson(JSON.stringify(old), 'old/summary.json');
    const row = compareSummaries(summary, summary).rows.find((r) => r.figure === 'decision_latency p99')!;
    expect(row).toMatchObject({ baseline: null, candidate: null, verdict: 'n/a' });
    expect(renderSummaryMarkdown(summary)).toMatch(/\| decision_latency p99 \| — \| — \|/);
    expect(buildCharts(summary).find((c) => c.id === 'latency-decision')).toBeDefined();
  });

  it('knows the tool version from package.json', () => {
    expect(toolVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
