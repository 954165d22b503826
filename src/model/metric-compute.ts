import { VALUE_METRIC_NAMES, type ValueMetricName } from '../metrics/catalogue.js';
import type { LedgerRecord, RunResult } from '../results/result.js';
import { isEarlyOrder, ledgerWonMismatches, ordersBeyondLimit } from '../system/ledger.js';
import type { MeasuredModel } from './measured-model.js';
import { seriesIndex, type TimeSeriesColumn } from './series-columns.js';

/** What a metric is computed from: the run's other figures (built first) and the finished model's counters. */
export interface MeasuredRun {
  /** The result but its metrics. */
  readonly result: Readonly<Omit<RunResult, 'metrics'>>;
  /** The ledger in acceptance order, as the audit reads it (cancelled orders holding nothing), so that a metric and its invariant agree. */
  readonly accepted: readonly LedgerRecord[];
  /** The finished model, read only. */
  readonly model: MeasuredModel;
}

/**
 * How each non-latency catalogue metric (src/metrics/catalogue.ts) is
 * computed from a finished run. Keyed by every name, so that a metric added
 * to the catalogue without a computation does not compile; latency metrics
 * are the distributions of `RunResult.latency` (see build-result.ts).
 */
export const METRIC_COMPUTE: Record<ValueMetricName, (run: MeasuredRun) => number | null> = {
  orders_created: ({ result }) => result.ledger.length,
  oversell: ({ result }) => result.stock.oversell,
  undersell: ({ result }) => result.stock.undersell,
  duplicate_orders: ({ result, accepted }) => ordersBeyondLimit(accepted, result.config.sale.perUserLimit).extra.length,
  early_orders: ({ result }) => result.ledger.filter((r) => isEarlyOrder(r, result.config.sale.start)).length,
  lost_orders: ({ result }) =>
    ledgerWonMismatches(result.ledger, result.wonResponses).reduce((sum, m) => sum + Math.abs(m.orders - m.won), 0),
  orders_cancelled: ({ model }) => model.flow.ledger.cancelled,
  page_error_rate: ({ model: { users } }) =>
    users.pageViews > 0 ? (users.pageErrors + users.pageTimeouts) / (users.pageViews + users.scriptRequests) : 0,
  // Rates over order activity are unmeasured (null) when there was none, so
  // that a threshold on them fails, as documented, rather than passing on a
  // run in which nobody could order (they read 0%, 0% and 100%: the best figures).
  order_reject_rate: ({ model: { flow } }) => (flow.attempts > 0 ? flow.rejected / flow.attempts : null),
  order_wait_rate: ({ model: { flow } }) => (flow.servers.asked > 0 ? round(flow.servers.queued / flow.servers.asked) : null),
  order_queue_wait: ({ model: { flow } }) => (flow.servers.asked > 0 ? round(flow.queueWait / flow.servers.asked) : null),
  order_queue_length: ({ result, model: { flow } }) => round(flow.servers.linedArea / saleSpan(result)),
  order_slots_busy: ({ result, model: { flow } }) => round(flow.servers.heldArea / saleSpan(result)),
  main_site_error_rate: ({ result }) => result.mainSite.errorRate,
  // Page views only: script requests through the edges are counted apart (a
  // script that must not be cached would otherwise halve the ratio).
  cdn_hit_ratio: ({ result: { counters } }) => {
    const fetched = counters.cdnHits + counters.cdnMisses;
    return round(fetched > 0 ? counters.cdnHits / fetched : 0);
  },
  bot_share: ({ result }) => (result.bots.shareOfStock === null ? null : round(result.bots.shareOfStock)),
  answered_within_2s: ({ model: { users } }) => (users.orderAnswers > 0 ? round(users.ordersAnsweredWithin2s / users.orderAnswers) : null),
  decided_within_2s: ({ model: { users } }) => (users.clickers > 0 ? round(users.decidedWithin2s / users.clickers) : null),
  sell_out_time: ({ result }) => (result.stock.soldOutAtUs === null ? null : result.stock.soldOutAtUs - result.config.sale.start),
  origin_peak_rps: ({ result: { timeseries } }) => {
    const page = seriesIndex('origin_page_requests');
    const script = seriesIndex('origin_script_requests');
    const seconds = timeseries.intervalUs / 1e6;
    return round(timeseries.rows.reduce((m, row) => Math.max(m, (row[page] + row[script]) / seconds), 0));
  },
  origin_utilisation: ({ result }) => peak(result, 'origin_busy'),
  link_utilisation: ({ result }) => peak(result, 'link_busy'),
  stock_peak_ops: ({ result }) => round(peak(result, 'stock_ops') / (result.timeseries.intervalUs / 1e6)),
  // Only a serial store has a ceiling (1 / service): a parallel one's "utilisation" is not defined.
  stock_utilisation: ({ result, model }) => (model.flow.stock.serial ? peak(result, 'stock_busy') : null),
  attempts_per_order: ({ result }) => (result.ledger.length > 0 ? round(result.counters.orderAttempts / result.ledger.length) : null),
  amplification: ({ result: { counters }, model }) =>
    round((counters.pageViews + counters.scriptRequests + counters.orderAttempts) / model.users.count),
  fairness_click_order: ({ result }) => result.fairness.clickOrder,
};

/** Every non-latency metric of a run, in catalogue order. */
export function computeMetrics(run: MeasuredRun): RunResult['metrics'] {
  const metrics = {} as RunResult['metrics'];
  for (const name of VALUE_METRIC_NAMES) metrics[name] = METRIC_COMPUTE[name](run);
  return metrics;
}

/** The highest value of a column in any interval. */
function peak(result: MeasuredRun['result'], column: TimeSeriesColumn): number {
  const j = seriesIndex(column);
  return result.timeseries.rows.reduce((m, row) => Math.max(m, row[j]), 0);
}

/** The sale's span, T0 to duration, µs (at least 1: T0 is before the end). */
function saleSpan(result: MeasuredRun['result']): number {
  return Math.max(1, result.config.duration - result.config.sale.start);
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
