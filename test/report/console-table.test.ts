import { describe, expect, it } from 'vitest';
import {
  formatEstimate,
  formatMicros,
  formatNumber,
  formatPercent,
  renderConsoleSummary,
  renderTextTable,
} from '../../src/report/console-table.js';
import { renderSummaryMarkdown } from '../../src/report/summary-md.js';
import { twoStrategies } from '../helpers/summary.js';

describe('formatting', () => {
  it('formats numbers, times and percentages without locale', () => {
    expect(formatNumber(1234567)).toBe('1,234,567');
    expect(formatNumber(-1234.56)).toBe('-1,234.6');
    expect(formatMicros(850)).toBe('850µs');
    expect(formatMicros(12_345)).toBe('12.3ms');
    expect(formatMicros(1_234_567)).toBe('1.23s');
    expect(formatMicros(125_000_000)).toBe('2m05s');
    expect(formatPercent(0.98765)).toBe('98.8%');
    expect(formatPercent(0)).toBe('0%');
  });

  it('carries a time that rounds up to the next unit into that unit (999.7ms reads 1s, not 1000ms)', () => {
    // A p99 just under a second printed as "1000ms", next to "1s" for a value a µs later.
    expect(formatMicros(999.6)).toBe('1ms');
    expect(formatMicros(999_700)).toBe('1s');
    expect(formatMicros(-999_700)).toBe('-1s');
    expect(formatMicros(59_970_000)).toBe('1m00s');
    expect(formatMicros(999_400)).toBe('999ms');
    expect(formatMicros(59_940_000)).toBe('59.9s');
  });

  it('shows a confidence interval that reaches past 0 or 100% as the range the metric can take, not as mean ± half-width', () => {
    // 99.7% ± 0.444% would claim a hit ratio up to 100.1%; 0.0313% ± 0.0673% a reject rate down to -0.036%.
    const hits = { n: 3, mean: 0.996539, sd: 0.0018, halfWidth: 0.004441622251185043, low: 0.9920973777488149, high: 1.000980622251185 };
    expect(formatEstimate('cdn_hit_ratio', hits)).toBe('99.7% [99.2%, 100%]');
    const rejects = {
      n: 3,
      mean: 0.0003128168334191672,
      sd: 0.00027,
      halfWidth: 0.0006733,
      low: -0.000360545906304129,
      high: 0.0009861795731424634,
    };
    expect(formatEstimate('order_reject_rate', rejects)).toBe('0.0313% [0%, 0.0986%]');
    // Counts cannot go below 0 either.
    expect(formatEstimate('early_orders', { n: 3, mean: 0.333, sd: 0.58, halfWidth: 1.43, low: -1.1, high: 1.76 })).toBe('0.3 [0, 1.8]');
    // An interval inside the range stays mean ± half-width; sell_out_time may be negative.
    expect(formatEstimate('cdn_hit_ratio', { n: 3, mean: 0.9, sd: 0.01, halfWidth: 0.02, low: 0.88, high: 0.92 })).toBe('90% ± 2%');
    expect(formatEstimate('sell_out_time', { n: 3, mean: -100_000, sd: 1, halfWidth: 200_000, low: -300_000, high: 100_000 })).toBe(
      '-100ms ± 200ms',
    );
  });

  it('gives a half-width no more decimals than its mean, and never rounds a spread to zero', () => {
    // "1,007 ± 53.91": a mean to the unit beside a spread to the hundredth.
    expect(
      formatEstimate('origin_peak_rps', { n: 3, mean: 1007, sd: 21.7, halfWidth: 53.91208417890017, low: 953.09, high: 1060.91 }),
    ).toBe('1,007 ± 54');
    expect(formatEstimate('attempts_per_order', { n: 3, mean: 42.32, sd: 0.99, halfWidth: 2.453644, low: 39.87, high: 44.77 })).toBe(
      '42.32 ± 2.45',
    );
    // "1.000 ± 0.000" read as no spread at all.
    expect(
      formatEstimate('fairness_click_order', {
        n: 3,
        mean: 0.9998853,
        sd: 2.9e-5,
        halfWidth: 7.205426887991058e-5,
        low: 0.99981,
        high: 0.99996,
      }),
    ).toBe('1.000 ± 0.000072');
    // Cut at 1 and narrower than three decimals: "[1.000, 1.000]" said nothing.
    expect(formatEstimate('fairness_click_order', { n: 3, mean: 0.999995, sd: 1e-5, halfWidth: 2.5e-5, low: 0.99997, high: 1 })).toBe(
      '1.000 [0.99997, 1]',
    );
  });

  it('keeps percentages in percent when a cut interval needs more digits to tell its ends apart', () => {
    // Both ends read "100%" at three digits: the extra digits must stay in the metric's unit,
    // not turn into fractions beside a percentage ("100% [0.9996, 1]").
    const busy = { n: 3, mean: 0.9999, sd: 0.0001, halfWidth: 0.0003, low: 0.9996, high: 1 };
    expect(formatEstimate('origin_utilisation', busy)).toBe('100% [99.96%, 100%]');
    const hits = { n: 3, mean: 0.99999, sd: 0.00001, halfWidth: 0.00003, low: 0.99996, high: 1 };
    expect(formatEstimate('cdn_hit_ratio', hits)).toBe('100% [99.996%, 100%]');
    // Ends that already differ at three significant digits are left as they are.
    expect(formatEstimate('order_reject_rate', { n: 3, mean: 1e-7, sd: 1e-7, halfWidth: 3e-7, low: 0, high: 4e-7 })).toBe(
      '0.00001% [0%, 0.00004%]',
    );
  });

  it('aligns text tables', () => {
    expect(
      renderTextTable(
        ['', 'a'],
        [
          ['x', '1'],
          ['longer', '100'],
        ],
      ),
    ).toBe(['          a', '------  ---', 'x         1', 'longer  100'].join('\n'));
  });
});

describe('console summary', () => {
  it('shows the headline figures per strategy, the failures and the verdict', () => {
    const text = renderConsoleSummary(twoStrategies());
    expect(text).toContain('seed-design');
    expect(text).toContain('naive');
    expect(text).toMatch(/orders_created\s+9.5 ± 6.4\s+10\n/);
    expect(text).toMatch(/invariants\s+pass \(2\)\s+FAIL 1\/2\n/);
    expect(text).toContain('naive: invariant no-oversell: replication 0');
    expect(text).toContain('naive: threshold order_latency p(99)<500ms');
    expect(text.trimEnd().split('\n').at(-1)).toBe('hand-made: INVARIANT VIOLATED, THRESHOLD FAILED (exit 1)');
  });

  it('with replications, says that a latency percentile pools every sample and its ± is the per-replication spread', () => {
    const pooled =
      "latency percentiles: of all replications' samples together (as thresholds check them), ± the 95% CI of the per-replication percentile";
    const s = twoStrategies();
    expect(s.replications).toBe(2);
    expect(renderConsoleSummary(s)).toContain(`\n${pooled}\n`);
    expect(renderSummaryMarkdown(s)).toContain(pooled);
    expect(renderConsoleSummary({ ...s, replications: 1 })).not.toContain(pooled);
  });
});
