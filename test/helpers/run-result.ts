/**
 * Hand-made RunResults for the tests that need no simulator (reports,
 * aggregation, the audit, thresholds): one builder, {@link runResult}, that
 * gives a complete, type-checked result with overrides per section, and
 * presets built on it.
 */
import { LatencyHistogram } from '../../src/kernel/stats/latency-histogram.js';
import { acceptanceCurve, type LedgerRecord, type LatencySummary, type RunResult } from '../../src/results/result.js';
import { TIMESERIES_COLUMNS } from '../../src/model/series-columns.js';
import { BaseSchema, type ResolvedConfig } from '../../src/scenario/schema.js';

/** A parsed configuration: 10 s, 100 users, and the given settings. */
export function handMadeConfig(overrides: Record<string, unknown> = {}): ResolvedConfig {
  return BaseSchema.parse({ name: 'hand-made', duration: '10s', users: { count: 100 }, ...overrides });
}

/** A latency summary of the given samples (µs), with a real encoded histogram. */
export function latencyOf(samples: readonly number[]): LatencySummary {
  const h = new LatencyHistogram();
  for (const s of samples) h.record(s);
  const empty = h.count === 0;
  const at = (q: number): number => (empty ? 0 : h.percentile(q));
  return {
    count: h.count,
    mean: empty ? 0 : h.mean,
    min: empty ? 0 : h.min,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p999: at(99.9),
    max: empty ? 0 : h.max,
    histogram: h.encode(),
  };
}

/** A ledger order accepted at `acceptedUs` and created 5 ms later. */
export function ledgerOrder(orderId: number, user: number, acceptedUs: number, patch: Partial<LedgerRecord> = {}): LedgerRecord {
  return {
    orderId,
    user,
    timeUs: acceptedUs + 5_000,
    acceptedUs,
    token: `tok-${user}`,
    server: orderId % 2,
    strategy: 'seed-design',
    ...patch,
  };
}

/** `count` orders, order i to user i, accepted and created at 5 s + i µs on server 0. */
function simpleLedger(count: number, strategy: string): LedgerRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    orderId: i,
    user: i,
    timeUs: 5_000_000 + i,
    acceptedUs: 5_000_000 + i,
    token: `t${i}`,
    server: 0,
    strategy,
  }));
}

/** `rows` series rows over every column: row i, column j holds i·10 + j + `offset`. */
export function seriesRows(rows: number, offset = 0): number[][] {
  return Array.from({ length: rows }, (_, i) => TIMESERIES_COLUMNS.map((_, j) => i * 10 + j + offset));
}

/** Overrides of a RunResult: plain values replace, sections (objects) are merged one level deep. */
export type RunResultOverrides = {
  [K in keyof RunResult]?: K extends 'config'
    ? RunResult[K]
    : RunResult[K] extends readonly unknown[]
      ? RunResult[K]
      : RunResult[K] extends object
        ? Partial<RunResult[K]>
        : RunResult[K];
};

/**
 * A complete RunResult: by default strategy "base", 10 units sold to users
 * 0…9 (each told "won"), three series rows, every counter and metric set;
 * `o` replaces values and merges sections.
 */
export function runResult(o: RunResultOverrides = {}): RunResult {
  const strategy = o.strategy ?? 'base';
  const ledger = o.ledger ?? simpleLedger(10, strategy);
  return {
    strategy,
    replication: o.replication ?? 0,
    seed: o.seed ?? 42,
    config: o.config ?? handMadeConfig(),
    simulation: { events: 1234, endUs: 10_000_000, ...o.simulation },
    timeseries: { intervalUs: 1_000_000, columns: [...TIMESERIES_COLUMNS], rows: seriesRows(3), ...o.timeseries },
    latency: {
      page: latencyOf([1000, 2000, 3000, 40_000]),
      script: latencyOf([500, 600]),
      order: latencyOf([10_000, 20_000, 30_000]),
      decision: latencyOf([15_000, 25_000]),
      main_site: latencyOf([]),
      ...o.latency,
    },
    outcomes: { won: 10, soldOut: 5, saleEnded: 3, blocked: 0, gaveUp: 2, pending: 0, ...o.outcomes },
    counters: {
      pageViews: 500,
      cdnHits: 450,
      cdnMisses: 50,
      cdnScriptHits: 0,
      cdnScriptMisses: 0,
      cdnStaleHits: 0,
      cdnScriptStaleHits: 0,
      cdnCoalesced: 10,
      cdnOriginFetches: 40,
      originPageRequests: 40,
      originScriptRequests: 500,
      originErrors: 0,
      scriptRequests: 500,
      orderAttempts: 30,
      orderAdmitted: 20,
      orderRejected: 10,
      orderSoldOut: 5,
      tokenRejected: { forged: 0, expired: 0, foreign: 0, early: 0, missing: 0 },
      ordersFailed: 0,
      orderMessagesLost: 0,
      unitsLeaked: 0,
      orderMessagesDuplicated: 0,
      orderDuplicatesDropped: 0,
      userTimeouts: 1,
      bytesEdge: 1e6,
      bytesOriginLink: 1e5,
      stockOperations: 20,
      roomEntries: 0,
      roomPeak: 0,
      unitsInBuffers: 0,
      soldOutStranded: 0,
      ordersUnpaid: 0,
      ordersCancelled: 0,
      ordersAwaitingPayment: 0,
      unitsResold: 0,
      ...o.counters,
    },
    stock: { initial: 10, remaining: 0, sold: 10, minLevel: 0, soldOutAtUs: 5_000_000, oversell: 0, undersell: 0, returned: 0, ...o.stock },
    fairness: { winRateByDecile: [1, 0.5, 0, 0, 0, 0, 0, 0, 0, 0], clickOrder: 0.8, ...o.fairness },
    bots: { count: 1, won: 0, shareOfStock: 0, earlyAttempts: 0, ...o.bots },
    mainSite: { requests: 0, errors: 0, errorRate: 0, ...o.mainSite },
    ledger,
    wonResponses: o.wonResponses ?? Array.from({ length: 10 }, (_, i) => i),
    acceptance: { ...acceptanceCurve(ledger.map((r) => r.acceptedUs).sort((a, b) => a - b)), ...o.acceptance },
    metrics: {
      orders_created: 10,
      oversell: 0,
      undersell: 0,
      duplicate_orders: 0,
      early_orders: 0,
      lost_orders: 0,
      orders_cancelled: 0,
      page_error_rate: 0.01,
      order_reject_rate: 0.25,
      order_wait_rate: 0,
      order_queue_wait: 0,
      order_queue_length: 0,
      order_slots_busy: 0.5,
      main_site_error_rate: 0,
      cdn_hit_ratio: 0.9,
      bot_share: 0,
      answered_within_2s: 1,
      decided_within_2s: 1,
      sell_out_time: 1_500_000,
      origin_peak_rps: 120,
      origin_utilisation: 0.3,
      link_utilisation: 0.1,
      stock_peak_ops: 20,
      stock_utilisation: null,
      attempts_per_order: 3,
      amplification: 11,
      fairness_click_order: 0.8,
      ...o.metrics,
    },
  };
}

/** The knobs of {@link makeResult}. */
export interface ResultOptions {
  strategy?: string;
  replication?: number;
  /** Orders created (and users told "won"), of a stock of 10. */
  orders?: number;
  /** Units sold beyond the stock. */
  oversell?: number;
  pageLatencies?: number[];
  orderLatencies?: number[];
  sellOutUs?: number | null;
  hitRatio?: number;
  /** Series rows. */
  rows?: number;
}

/** A result for report and aggregation tests: {@link runResult} with its figures kept consistent with the knobs. */
export function makeResult(o: ResultOptions = {}): RunResult {
  const strategy = o.strategy ?? 'base';
  const replication = o.replication ?? 0;
  const orders = o.orders ?? 10;
  const oversell = o.oversell ?? 0;
  return runResult({
    strategy,
    replication,
    timeseries: { rows: seriesRows(o.rows ?? 3, replication) },
    latency: {
      page: latencyOf(o.pageLatencies ?? [1000, 2000, 3000, 40_000]),
      order: latencyOf(o.orderLatencies ?? [10_000, 20_000, 30_000]),
    },
    outcomes: { won: orders },
    stock: { remaining: 10 - orders + oversell, sold: orders, minLevel: -oversell, oversell },
    ledger: simpleLedger(orders, strategy),
    wonResponses: Array.from({ length: orders }, (_, i) => i),
    metrics: {
      orders_created: orders,
      oversell,
      cdn_hit_ratio: o.hitRatio ?? 0.9,
      sell_out_time: o.sellOutUs === undefined ? 1_500_000 : o.sellOutUs,
    },
  });
}

/** T0 of {@link validResult}, µs. */
export const T0 = 60_000_000;

/** For the audit and threshold tests, a consistent run: stock 5, users 11..15 each bought one unit after T0 and were told "won". */
export function validResult(): RunResult {
  return runResult({
    strategy: 'seed-design',
    config: BaseSchema.parse({ name: 'audit', duration: '2m', sale: { start: '1m', stock: 5 }, users: { count: 100 } }),
    simulation: { events: 1000, endUs: 120_000_000 },
    timeseries: { columns: [], rows: [] },
    latency: {
      page: latencyOf(Array.from({ length: 1000 }, (_, i) => 10_000 + i * 100)),
      script: latencyOf([2_000, 3_000]),
      order: latencyOf(Array.from({ length: 100 }, (_, i) => (i + 1) * 1_000)),
      decision: latencyOf(Array.from({ length: 100 }, (_, i) => (i + 1) * 1_000)),
    },
    outcomes: { won: 5, soldOut: 90, saleEnded: 5, gaveUp: 0 },
    counters: {
      pageViews: 1000,
      cdnHits: 950,
      originScriptRequests: 1000,
      scriptRequests: 1000,
      orderAttempts: 100,
      orderAdmitted: 95,
      orderRejected: 5,
      orderSoldOut: 90,
      userTimeouts: 0,
      bytesEdge: 0,
      bytesOriginLink: 0,
      stockOperations: 95,
    },
    stock: { initial: 5, remaining: 0, sold: 5, soldOutAtUs: T0 + 500_000 },
    fairness: { winRateByDecile: [0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0], clickOrder: 0.4 },
    bots: { count: 0 },
    ledger: [11, 12, 13, 14, 15].map((user, i) => ledgerOrder(i + 1, user, T0 + 100_000 * (i + 1))),
    wonResponses: [11, 12, 13, 14, 15],
    metrics: {
      orders_created: 5,
      page_error_rate: 0.002,
      order_reject_rate: 0.05,
      cdn_hit_ratio: 0.95,
      answered_within_2s: 0.99,
      decided_within_2s: 0.95,
      sell_out_time: 500_000,
      origin_utilisation: 0.4,
      stock_peak_ops: 95,
      attempts_per_order: 20,
      amplification: 21,
      fairness_click_order: 0.4,
    },
  });
}

/**
 * What a racy check-then-decrement does to {@link validResult}: `extra` more
 * buyers (users 21, 22, …) read a positive level together with the last
 * buyers and all decrement; each got an order and a "won".
 */
export function oversold(extra = 2): RunResult {
  const r = validResult();
  for (let i = 0; i < extra; i++) {
    const user = 21 + i;
    r.ledger.push(ledgerOrder(6 + i, user, T0 + 450_000 + i));
    r.wonResponses.push(user);
  }
  r.stock = { ...r.stock, sold: 5 + extra, remaining: -extra, minLevel: -extra, oversell: extra };
  return r;
}
