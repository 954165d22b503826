import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { prepareRun } from '../../src/app/prepare.js';
import { precisionThresholds, stopRule } from '../../src/app/precision.js';
import { runScenario } from '../../src/app/run.js';
import { ScenarioError, UsageError } from '../../src/errors.js';
import { parseThreshold } from '../../src/metrics/thresholds.js';
import { parseSummaryJson, renderSummaryJson } from '../../src/results/summary.js';
import { scenarioFile } from '../helpers/scenario-files.js';

/*
 * `sim run --precision` through the library, on the fixture's Erlang-B
 * sale (see its header): five servers straddle `rate<12%` (spread ~6% of
 * the mean), eight decide at once.
 */

const FIXTURE = 'test/cli/fixtures/precision.yaml';

const counts = (summary: Awaited<ReturnType<typeof runScenario>>['summary']) =>
  Object.fromEntries(summary.strategies.map((s) => [s.name, s.runs.map((r) => r.replication)]));

describe('sim run --precision (library)', () => {
  it('stops early: each strategy gets the batches its own intervals need, and replication k is the fixed run’s replication k', async () => {
    const { summary } = await runScenario(FIXTURE, { precision: 0.05, workers: 1 });
    const [five, eight] = summary.strategies;
    expect(eight.precision).toMatchObject({ replications: 3, stopped: 'decided' });
    // Three batches of 3: at 6 the interval is ±6.5% of the mean, at 9 within 5%, still straddling 12%.
    expect(five.precision).toMatchObject({ replications: 9, stopped: 'precise' });
    expect(five.precision!.thresholds[0]).toMatchObject({ id: 'order_reject_rate rate<12%', n: 9, holds: null, status: 'precise' });
    expect(five.precision!.thresholds[0].relativeHalfWidth).toBeLessThanOrEqual(0.05);
    expect(five.precision!.reason).toBe("every threshold's 95% CI decided or within ±5% of its mean after 9 replications");
    expect(counts(summary)).toEqual({ five: [0, 1, 2, 3, 4, 5, 6, 7, 8], eight: [0, 1, 2] });
    expect(summary.replications).toBe(9);
    expect(five.aggregate.replications).toBe(9);
    expect(summary.options.precision).toEqual({ target: 0.05, batch: 3, maxReplications: 12 });

    // The resolved configuration says the replications each strategy ran, not the first batch.
    expect(five.config.replications).toBe(9);
    expect(eight.config.replications).toBe(3);
    for (const s of summary.strategies) for (const run of s.runs) expect(run.config).toEqual(s.config);

    // The same replications run in one batch give the same results: batches do not change what a replication is,
    // and the strategy reads as that fixed run, configuration and all.
    const fixed = await runScenario(FIXTURE, { replications: 9, strategies: ['five'], workers: 1 });
    expect(JSON.stringify(fixed.summary.strategies[0].runs) === JSON.stringify(five.runs)).toBe(true);
    expect(fixed.summary.strategies[0].config).toEqual(five.config);

    // A summary written before this held the first batch there; it is still read, its counts from its runs.
    const old = JSON.parse(renderSummaryJson(summary)) as { strategies: Array<{ config: { replications: number } }> };
    for (const s of old.strategies) s.config.replications = 3;
    const reread = parseSummaryJson(JSON.stringify(old), 'old summary.json');
    expect(reread.strategies.map((s) => [s.runs.length, s.precision?.replications])).toEqual([
      [9, 9],
      [3, 3],
    ]);
  });

  it('runs to the limit when the target is out of reach, and says which interval is still open', async () => {
    const { summary } = await runScenario(FIXTURE, { precision: 0.01, maxReplications: 6, strategies: ['five'], workers: 1 });
    const five = summary.strategies[0];
    expect(five.precision).toMatchObject({ replications: 6, stopped: 'max-replications' });
    expect(five.precision!.reason).toMatch(
      /^stopped at the limit of 6 replications, still open: order_reject_rate rate<12%: 95% CI \[[\d.]+%, [\d.]+%\] straddles the limit, ±[\d.]+% of the mean$/,
    );
    expect(five.runs).toHaveLength(6);
  });

  it('refuses bad values: a target outside (0, 100%], a limit below the first batch or without a target', () => {
    expect(() => prepareRun(FIXTURE, { precision: 0 })).toThrow(UsageError);
    expect(() => prepareRun(FIXTURE, { precision: -0.05 })).toThrow('--precision: must be more than 0% and at most 100%');
    expect(() => prepareRun(FIXTURE, { precision: 1.5 })).toThrow('--precision: must be more than 0% and at most 100% (got 150%)');
    expect(() => prepareRun(FIXTURE, { precision: 0.05, maxReplications: 2 })).toThrow(
      "--max-replications: must be at least 3: the run starts with 3 replications (the scenario's replications) (got 2)",
    );
    expect(() => prepareRun(FIXTURE, { precision: 0.05, replications: 20, maxReplications: 12 })).toThrow(
      '--max-replications: must be at least 20: the run starts with 20 replications (--replications) (got 12)',
    );
    expect(() => prepareRun(FIXTURE, { maxReplications: 6 })).toThrow('--max-replications: goes with --precision');
    // One replication has no interval: the first batch has two.
    expect(prepareRun(FIXTURE, { precision: 0.05, replications: 1 }).precision).toEqual({ target: 0.05, batch: 2, maxReplications: 12 });
  });

  it('without a limit given: max(12, 4 × the first batch), at most 1,000, so a first batch above 12 runs', () => {
    expect(prepareRun(FIXTURE, { precision: 0.05 }).precision!.maxReplications).toBe(12);
    expect(prepareRun(FIXTURE, { precision: 0.05, replications: 4 }).precision!.maxReplications).toBe(16);
    expect(prepareRun(FIXTURE, { precision: 0.05, replications: 20 }).precision).toEqual({ target: 0.05, batch: 20, maxReplications: 80 });
    expect(prepareRun(FIXTURE, { precision: 0.05, replications: 400 }).precision!.maxReplications).toBe(1000);
    // The scenario's own replications above 12: the case a fixed default of 12 refused.
    const file = scenarioFile(readFileSync(FIXTURE, 'utf8').replace('replications: 3\n', 'replications: 15\n'));
    expect(prepareRun(file, { precision: 0.05 }).precision).toEqual({ target: 0.05, batch: 15, maxReplications: 60 });
  });

  it("the scenario's maxReplications is the limit, and one below the first batch is reported at its line", () => {
    const text = readFileSync(FIXTURE, 'utf8').replace('replications: 3\n', 'replications: 3\nmaxReplications: 5\n');
    const file = scenarioFile(text);
    expect(prepareRun(file, { precision: 0.05 }).precision).toEqual({ target: 0.05, batch: 3, maxReplications: 5 });
    expect(prepareRun(file, { precision: 0.05, maxReplications: 8 }).precision!.maxReplications).toBe(8);
    const error = (() => {
      try {
        prepareRun(file, { precision: 0.05, replications: 6 });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as Error).message).toMatch(
      /:12:18 maxReplications: must be at least 6 for --precision: the run starts with 6 replications \(--replications\) \(got 5\)$/,
    );
  });
});

describe('the stopping rule', () => {
  const rule = { target: 0.05, batch: 2, maxReplications: 4 };
  const lt = parseThreshold('order_reject_rate', 'rate<10%');
  const eq = parseThreshold('oversell', 'count==0');

  it('== decides at once; an interval on one side decides; a straddling one is precise or open by its relative half-width', () => {
    expect(precisionThresholds([eq], [[0, 0]], 0.05)[0]).toMatchObject({ status: 'decided', holds: true, relativeHalfWidth: 0 });
    expect(precisionThresholds([lt], [[0.02, 0.021]], 0.05)[0]).toMatchObject({ status: 'decided', holds: true });
    // Mean 0.1, sd 0.0014: half-width 12.7 × 0.001 = 0.0127, 12.7% of the mean.
    const wide = precisionThresholds([lt], [[0.099, 0.101]], 0.05)[0];
    expect(wide).toMatchObject({ status: 'open', holds: null });
    expect(wide.relativeHalfWidth).toBeCloseTo(0.127, 3);
    expect(precisionThresholds([lt], [[0.099, 0.101]], 0.2)[0].status).toBe('precise');
    // One value: no interval yet, however precise the target.
    expect(precisionThresholds([lt], [[0.1]], 1)[0]).toMatchObject({ status: 'open', halfWidth: null });
  });

  it('goes on while one is open, stops at the limit, and stops at once without thresholds', () => {
    const open = precisionThresholds([lt], [[0.099, 0.101]], 0.05);
    expect(stopRule([lt], open, 2, rule)).toBeUndefined();
    expect(stopRule([lt], open, 4, rule)).toMatchObject({ stopped: 'max-replications', replications: 4 });
    expect(stopRule([], [], 2, rule)).toMatchObject({ stopped: 'no-thresholds', replications: 2 });
    const decided = precisionThresholds(
      [lt, eq],
      [
        [0.02, 0.021],
        [0, 0],
      ],
      0.05,
    );
    expect(stopRule([lt, eq], decided, 2, rule)).toMatchObject({ stopped: 'decided' });
  });
});
