import { describe, expect, it } from 'vitest';
import { compareSummaries, regressions, renderCompareMarkdown, renderCompareText } from '../../src/report/compare.js';
import { METRIC_CATALOGUE, METRIC_NAMES } from '../../src/metrics/catalogue.js';
import { makeResult } from '../helpers/run-result.js';
import { makeStrategy, makeSummary } from '../helpers/summary.js';
import { aggregateStrategy } from '../../src/results/aggregate.js';

const summary = (opts: Parameters<typeof makeResult>[0], names = ['seed-design']) =>
  makeSummary(names.map((name) => makeStrategy({ name, results: [makeResult({ ...opts, strategy: name })] })));

/** One strategy with one replication per entry of `orders` (orders_created of that replication), under `seed`. */
const replicated = (orders: number[], seed: number | string = 42) => ({
  ...makeSummary([
    makeStrategy({
      name: 'seed-design',
      results: orders.map((n, replication) => ({ ...makeResult({ strategy: 'seed-design', replication, orders: n }), seed })),
    }),
  ]),
  seed,
});

describe('compare', () => {
  it("judges every figure by its catalogue entry's direction", () => {
    const c = compareSummaries(summary({}), summary({}));
    for (const row of c.rows) expect(row.direction).toBe(METRIC_CATALOGUE[row.metric].direction);
    expect(new Set(c.rows.map((r) => r.metric))).toEqual(new Set(METRIC_NAMES));
  });

  it('identical runs: every delta 0, no regression', () => {
    const c = compareSummaries(summary({}), summary({}));
    expect(c.rows.length).toBeGreaterThan(METRIC_NAMES.length);
    expect(c.rows.every((r) => r.verdict === 'same' || r.verdict === 'n/a')).toBe(true);
    expect(regressions(c, 0)).toEqual([]);
  });

  it('latency up and orders down are worse; hit ratio up is better; oversell from 0 is an infinite regression', () => {
    const a = summary({ orderLatencies: [10_000, 20_000, 30_000], orders: 10, hitRatio: 0.8 });
    const b = summary({ orderLatencies: [10_000, 20_000, 36_000], orders: 9, hitRatio: 0.9, oversell: 1 });
    const c = compareSummaries(a, b);
    const row = (figure: string) => c.rows.find((r) => r.figure === figure)!;
    expect(row('order_latency p99')).toMatchObject({ verdict: 'worse', delta: 6000 });
    expect(row('order_latency p99').regression).toBeCloseTo(0.2, 2);
    expect(row('orders_created')).toMatchObject({ verdict: 'worse', relative: -0.1 });
    expect(row('orders_created').regression).toBeCloseTo(0.1, 12);
    expect(row('cdn_hit_ratio').verdict).toBe('better');
    expect(row('oversell')).toMatchObject({ verdict: 'worse', relative: Infinity, regression: Infinity });
    expect(
      regressions(c, 0.15)
        .map((r) => r.figure)
        .sort(),
    ).toEqual(['order_latency p99', 'oversell']);
    expect(
      regressions(c, 0.05)
        .map((r) => r.figure)
        .sort(),
    ).toEqual(['order_latency p99', 'orders_created', 'oversell']);
  });

  it('sell-out time is neutral and never gated', () => {
    const c = compareSummaries(summary({ sellOutUs: 1_000_000 }), summary({ sellOutUs: 9_000_000 }));
    expect(c.rows.find((r) => r.figure === 'sell_out_time')).toMatchObject({ verdict: 'n/a', regression: 0, delta: 8_000_000 });
    expect(regressions(c, 0)).toEqual([]);
  });

  it('lists strategies present on one side only', () => {
    const c = compareSummaries(summary({}, ['a', 'b']), summary({}, ['b', 'c']));
    expect(new Set(c.rows.map((r) => r.strategy))).toEqual(new Set(['b']));
    expect(c.onlyInBaseline).toEqual(['a']);
    expect(c.onlyInCandidate).toEqual(['c']);
  });

  it('renders a terminal table and Markdown with the gate verdict', () => {
    const c = compareSummaries(summary({ orders: 10 }), summary({ orders: 8 }), ['runs/a', 'runs/b']);
    const text = renderCompareText(c, 0.1);
    expect(text).toContain('baseline runs/a: hand-made, seed 42, 1 replication');
    expect(text).toMatch(/seed-design\s+orders_created\s+10\s+8\s+-2\s+-20%\s+WORSE \(gate\)/);
    expect(text).toContain('gate: 1 metric worse by more than 10%: seed-design orders_created -20%');
    const md = renderCompareMarkdown(c, 0.1);
    expect(md).toContain('| seed-design | orders_created | 10 | 8 | -2 | -20% | WORSE (gate) |');
    expect(md).toContain('**gate: 1 metric worse by more than 10%');
    expect(renderCompareText(c)).not.toContain('gate');
  });

  it('a change smaller than the format shows its digits rather than "-0"', () => {
    const a = makeSummary([makeStrategy({ name: 'seed-design', results: [makeResult({ strategy: 'seed-design' })] })]);
    const b = makeSummary([makeStrategy({ name: 'seed-design', results: [makeResult({ strategy: 'seed-design' })] })]);
    b.strategies[0].aggregate.metrics.fairness_click_order.mean = a.strategies[0].aggregate.metrics.fairness_click_order.mean! - 0.00002;
    expect(renderCompareText(compareSummaries(a, b))).toMatch(/seed-design\s+fairness_click_order\s+0\.800\s+0\.800\s+-0\.00002\s/);
  });

  it('a difference of two percentages reads in percentage points, next to its relative change', () => {
    const c = compareSummaries(summary({ hitRatio: 0.8 }), summary({ hitRatio: 0.9 }));
    expect(renderCompareText(c)).toMatch(/seed-design\s+cdn_hit_ratio\s+80%\s+90%\s+\+10 pp\s+\+12\.5%\s+better/);
  });

  describe('noise', () => {
    const ordersRow = (c: ReturnType<typeof compareSummaries>) => c.rows.find((r) => r.figure === 'orders_created')!;

    it('same seed: replications are paired, so a small consistent drop is significant and gated', () => {
      // Spread between replications is large (80–120), the per-replication drop is 2 every time.
      const c = compareSummaries(replicated([100, 80, 120]), replicated([98, 78, 118]));
      expect(ordersRow(c).test).toMatchObject({ method: 'paired', n: 3, p: 0, significant: true });
      expect(regressions(c, 0.01).map((r) => r.figure)).toContain('orders_created');
      expect(renderCompareText(c, 0.01)).toContain('noise: paired t-test per replication (same seed), 95% two-sided');
    });

    it('different seeds: Welch; the same drop is lost in the spread, shown as "(noise)" and not gated', () => {
      const c = compareSummaries(replicated([100, 80, 120], 1), replicated([98, 78, 118], 2));
      const row = ordersRow(c);
      expect(row.test).toMatchObject({ method: 'welch', significant: false });
      expect(row.verdict).toBe('worse');
      expect(row.regression).toBe(0);
      expect(regressions(c, 0.01).map((r) => r.figure)).not.toContain('orders_created');
      const text = renderCompareText(c, 0.01);
      expect(text).toMatch(/orders_created .* worse \(noise\)/);
      expect(text).toContain('noise: Welch t-test (different seeds)');
    });

    it('the gate line names differences beyond the limit that were let off as noise, instead of claiming none', () => {
      const c = compareSummaries(replicated([100, 80, 120], 1), replicated([90, 60, 110], 2)); // -13.3%, lost in the spread
      expect(ordersRow(c).test).toMatchObject({ method: 'welch', significant: false });
      expect(regressions(c, 0.1)).toEqual([]);
      expect(renderCompareText(c, 0.1)).toContain(
        'gate: no metric confirmed worse by more than 10% (not gated, within noise: seed-design orders_created -13.3%)',
      );
      expect(renderCompareMarkdown(c, 0.1)).toContain(
        '**gate: no metric confirmed worse by more than 10% (not gated, within noise: seed-design orders_created -13.3%)**',
      );
      // Below the limit, or nothing worse: the plain line.
      expect(renderCompareText(c, 0.2)).toContain('gate: no metric worse by more than 20%\n');
    });

    it('a paired difference that changes sign between replications is noise', () => {
      const c = compareSummaries(replicated([100, 80, 120]), replicated([103, 77, 121]));
      expect(ordersRow(c).test).toMatchObject({ method: 'paired', significant: false });
      expect(regressions(c, 0)).toEqual([]);
    });

    it('a strategy with one replication inside runs with more is named as not tested; its rows are gated', () => {
      const mixed = (orders: number[], single: number) =>
        makeSummary([
          makeStrategy({
            name: 'seed-design',
            results: orders.map((n, replication) => makeResult({ strategy: 'seed-design', replication, orders: n })),
          }),
          makeStrategy({ name: 'naive', results: [makeResult({ strategy: 'naive', replication: 0, orders: single })] }),
        ]);
      const c = compareSummaries(mixed([100, 80, 120], 50), mixed([98, 78, 118], 40));
      expect(c.untested).toEqual(['naive']);
      expect(c.rows.find((r) => r.strategy === 'naive' && r.figure === 'orders_created')!.test).toBeNull();
      expect(regressions(c, 0.1).map((r) => `${r.strategy} ${r.figure}`)).toContain('naive orders_created');
      expect(renderCompareText(c)).toMatch(/^noise: paired t-test .*; not tested \(one replication\): naive$/m);
    });

    it('one replication: nothing to test, every difference counts (as before)', () => {
      const c = compareSummaries(replicated([100]), replicated([99]));
      expect(ordersRow(c).test).toBeNull();
      expect(regressions(c, 0.001).map((r) => r.figure)).toContain('orders_created');
      expect(renderCompareText(c)).toContain('noise: not tested');
    });

    it('same seed but different replication counts: the test covers every replication the table averages, not only the common ones', () => {
      // Replications 0-2 each gained one order, but the candidate's extra
      // replications 3 and 4 sold nothing: the table's mean is 39% worse. A
      // paired test on replications 0-2 alone found a significant change
      // (the other way: +1 every time) and gated that 39% on it.
      const c = compareSummaries(replicated([100, 80, 120]), replicated([101, 81, 121, 0, 0]));
      const row = ordersRow(c);
      expect(row.verdict).toBe('worse');
      expect(row.test).toMatchObject({ method: 'welch', n: 3, significant: false });
      expect(row.regression).toBe(0);
      expect(regressions(c, 0.1)).toEqual([]);
      expect(renderCompareText(c)).toContain('noise: Welch t-test (the runs measured different replications), 95% two-sided');
    });

    it('pairs by the seed each replication ran with, not by the first strategy\'s seed alone; 42 and "42" are the same seed', () => {
      const withRunSeed = (orders: number[], runSeed: number | string) => {
        const s = replicated(orders, 42);
        for (const run of s.strategies[0].runs) run.seed = runSeed;
        return s;
      };
      // The strategy ran with seed 1 in the baseline and 2 in the candidate (an overlay's seed):
      // its replications share no random numbers, so they are not paired.
      const unpaired = ordersRow(compareSummaries(withRunSeed([100, 80, 120], 1), withRunSeed([98, 78, 118], 2)));
      expect(unpaired.test).toMatchObject({ method: 'welch', significant: false });
      expect(unpaired.regression).toBe(0);
      // The streams are keyed by String(seed): 42 and "42" draw the same numbers.
      expect(ordersRow(compareSummaries(withRunSeed([100, 80, 120], 42), withRunSeed([98, 78, 118], '42'))).test).toMatchObject({
        method: 'paired',
        significant: true,
      });
    });

    it('a replication that did not measure a figure on one side: Welch over the measured ones, rather than pairs too few to test', () => {
      const base = replicated([100, 80, 120]);
      const cand = replicated([98, 78, 118]);
      // bot_share is null (unmeasured) when nothing sold: replication 0 of the baseline, 1 of the candidate.
      base.strategies[0].runs[0].metrics.bot_share = null;
      cand.strategies[0].runs[1].metrics.bot_share = null;
      base.strategies[0].runs.forEach((r, i) => r.metrics.bot_share !== null && (r.metrics.bot_share = [0, 0.1, 0.12][i]));
      cand.strategies[0].runs.forEach((r, i) => r.metrics.bot_share !== null && (r.metrics.bot_share = [0.5, 0, 0.52][i]));
      for (const s of [base, cand]) s.strategies[0].aggregate = aggregateStrategy(s.strategies[0].runs);
      const row = compareSummaries(base, cand).rows.find((r) => r.figure === 'bot_share')!;
      expect(row.verdict).toBe('worse');
      expect(row.test).toMatchObject({ method: 'welch', n: 2 });
    });

    it("latency percentiles: a pooled percentile that got worse while every replication's got better is not a confirmed regression", () => {
      // The table shows percentiles of all replications' samples pooled, the
      // test compares per-replication percentiles. Here each replication's p99
      // fell by 5-6 ms, but the candidate's samples sit mostly in its slowest
      // replication, so the pooled p99 rose from 10 ms to about 1 s.
      const many = (n: number, v: number) => Array.from({ length: n }, () => v);
      const runs = (perReplication: number[][]) =>
        makeSummary([
          makeStrategy({
            name: 'seed-design',
            results: perReplication.map((orderLatencies, replication) =>
              makeResult({ strategy: 'seed-design', replication, orderLatencies }),
            ),
          }),
        ]);
      const c = compareSummaries(runs([many(200, 10_000), many(200, 10_000), [1_000_000]]), runs([[5_000], [5_000], many(200, 994_000)]));
      const row = c.rows.find((r) => r.figure === 'order_latency p99')!;
      expect(row.verdict).toBe('worse');
      expect(row.delta!).toBeGreaterThan(900_000);
      expect(row.test).toMatchObject({ method: 'paired', n: 3, significant: true });
      expect(row.test!.difference).toBeLessThan(0);
      expect(row.regression).toBe(0);
      expect(regressions(c, 0.1).map((r) => r.figure)).not.toContain('order_latency p99');
      expect(renderCompareText(c, 0.1)).toMatch(/order_latency p99 .* worse \(noise\)/);
    });

    it('latency percentiles are tested on the per-replication percentiles', () => {
      const runs = (shift: number) =>
        makeSummary([
          makeStrategy({
            name: 'seed-design',
            results: [0, 1, 2].map((replication) =>
              makeResult({
                strategy: 'seed-design',
                replication,
                orderLatencies: [10_000, 20_000 + replication * 5_000 + shift, 30_000 + replication * 5_000 + shift],
              }),
            ),
          }),
        ]);
      const c = compareSummaries(runs(0), runs(1_000));
      const row = c.rows.find((r) => r.figure === 'order_latency p99')!;
      expect(row.verdict).toBe('worse');
      expect(row.test).toMatchObject({ method: 'paired', n: 3, significant: true });
    });
  });
});
