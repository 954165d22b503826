import { describe, expect, test } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import type { SourceMap } from '../../src/scenario/positions.js';
import { thresholdIssues } from '../../src/scenario/thresholds.js';

describe('thresholdIssues', () => {
  /** A source map that only knows how to make an issue (no positions needed here). */
  const source = { written: () => undefined, issue: (path: unknown[], message: string) => ({ path, message }) } as unknown as SourceMap;

  test('an expression whose path the schema already flagged is not reported again', () => {
    // Kills ignoring `skip`: a malformed expression would be reported twice, once by the schema and once here.
    const thresholds = { order_latency: ['p99<1s', 'rate<0.01'] };
    const all = thresholdIssues(thresholds, source);
    expect(all.map((i) => i.path)).toEqual([
      ['thresholds', 'order_latency', 0],
      ['thresholds', 'order_latency', 1],
    ]);
    const skipped = thresholdIssues(thresholds, source, (path) => path[2] === 0);
    expect(skipped.map((i) => i.path)).toEqual([['thresholds', 'order_latency', 1]]);
  });
});

describe('thresholds of a shipped scenario', () => {
  test('flash-sale.yaml has valid thresholds (loadScenario already checks them)', () => {
    const loaded = loadScenario('scenarios/flash-sale.yaml');
    expect(thresholdIssues(loaded.scenario.thresholds as Record<string, unknown>, loaded.source)).toEqual([]);
  });
});
