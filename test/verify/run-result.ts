/**
 * Hand-made RunResults for the auditor and threshold tests: a minimal valid
 * run (5 units, 5 buyers after T0, everything consistent) and mutations of
 * it that break one invariant each.
 */
import { LatencyHistogram } from '../../src/kernel/stats/latency-histogram.js';
import type { LatencySummary, LedgerRecord, RunResult } from '../../src/results/result.js';
import { BaseSchema } from '../../src/scenario/schema.js';

export const T0 = 60_000_000;

/** A latency summary of the given samples (µs), with a real encoded histogram. */
export function latencyOf(samples: number[]): LatencySummary {
  const h = new LatencyHistogram();
  for (const s of samples) h.record(s);
  const empty = samples.length === 0;
  const v = (x: number) => (empty ? 0 : x);
  return {
    count: h.count,
    mean: v(h.mean),
    min: v(h.min),
    p50: v(h.percentile(50)),
    p90: v(h.percentile(90)),
    p99: v(h.percentile(99)),
    p999: v(h.percentile(99.9)),
    max: v(h.max),
    histogram: h.encode(),
  };
}

export function order(orderId: number, user: number, acceptedUs: number, patch: Partial<LedgerRecord> = {}): LedgerRecord {
  return { orderId, user, timeUs: acceptedUs + 5_000, acceptedUs, token: `tok-${user}`, server: orderId % 2, strategy: 'seed-design', ...patch };
}

/** A consistent run: stock 5, users 11..15 each bought one unit after T0 and were told "won". */
export function validResult(): RunResult {
  const config = BaseSchema.parse({ name: 'audit', duration: '2m', sale: { start: '1m', stock: 5 }, users: { count: 100 } });
  const ledger = [11, 12, 13, 14, 15].map((user, i) => order(i + 1, user, T0 + 100_000 * (i + 1)));
  return {
    strategy: 'seed-design',
    replication: 0,
    seed: 42,
    config,
    simulation: { events: 1000, endUs: 120_000_000 },
    timeseries: { intervalUs: 1_000_000, columns: [], rows: [] },
    latency: {
      page: latencyOf(Array.from({ length: 1000 }, (_, i) => 10_000 + i * 100)),
      script: latencyOf([2_000, 3_000]),
      order: latencyOf(Array.from({ length: 100 }, (_, i) => (i + 1) * 1_000)),
      decision: latencyOf(Array.from({ length: 100 }, (_, i) => (i + 1) * 1_000)),
      main_site: latencyOf([]),
    },
    outcomes: { won: 5, soldOut: 90, saleEnded: 5, blocked: 0, gaveUp: 0, pending: 0 },
    counters: {
      pageViews: 1000,
      cdnHits: 950,
      cdnMisses: 50,
      cdnScriptHits: 0,
      cdnScriptMisses: 0,
      cdnStaleHits: 0,
      cdnScriptStaleHits: 0,
      cdnCoalesced: 10,
      cdnOriginFetches: 40,
      originPageRequests: 40,
      originScriptRequests: 1000,
      originErrors: 0,
      scriptRequests: 1000,
      orderAttempts: 100,
      orderAdmitted: 95,
      orderRejected: 5,
      orderSoldOut: 90,
      tokenRejected: { forged: 0, expired: 0, foreign: 0, early: 0, missing: 0 },
      ordersFailed: 0,
      orderMessagesLost: 0,
      unitsLeaked: 0,
      orderMessagesDuplicated: 0,
      orderDuplicatesDropped: 0,
      userTimeouts: 0,
      bytesEdge: 0,
      bytesOriginLink: 0,
      stockOperations: 95,
      roomEntries: 0,
      roomPeak: 0,
      unitsInBuffers: 0,
      soldOutStranded: 0,
      ordersUnpaid: 0,
      ordersCancelled: 0,
      ordersAwaitingPayment: 0,
      unitsResold: 0,
    },
    stock: { initial: 5, remaining: 0, sold: 5, minLevel: 0, soldOutAtUs: T0 + 500_000, oversell: 0, undersell: 0, returned: 0 },
    fairness: { winRateByDecile: [0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0], clickOrder: 0.4 },
    bots: { count: 0, won: 0, shareOfStock: 0, earlyAttempts: 0 },
    mainSite: { requests: 0, errors: 0, errorRate: 0 },
    ledger,
    wonResponses: [11, 12, 13, 14, 15],
    metrics: {
      orders_created: 5,
      oversell: 0,
      undersell: 0,
      duplicate_orders: 0,
      early_orders: 0,
      lost_orders: 0,
      orders_cancelled: 0,
      page_error_rate: 0.002,
      order_reject_rate: 0.05,
      main_site_error_rate: 0,
      cdn_hit_ratio: 0.95,
      bot_share: 0,
      answered_within_2s: 0.99,
      decided_within_2s: 0.95,
      sell_out_time: 500_000,
      origin_peak_rps: 120,
      origin_utilisation: 0.4,
      link_utilisation: 0.1,
      stock_peak_ops: 95,
      stock_utilisation: null,
      attempts_per_order: 20,
      amplification: 21,
      fairness_click_order: 0.4,
    },
  };
}

/**
 * What a racy check-then-decrement does: `extra` more buyers (users 21, 22,
 * …) read a positive level together with the last buyers and all
 * decrement; each got an order and a "won".
 */
export function oversold(extra = 2): RunResult {
  const r = validResult();
  for (let i = 0; i < extra; i++) {
    const user = 21 + i;
    r.ledger.push(order(6 + i, user, T0 + 450_000 + i));
    r.wonResponses.push(user);
  }
  r.stock = { ...r.stock, sold: 5 + extra, remaining: -extra, minLevel: -extra, oversell: extra };
  return r;
}
