import { LatencyHistogram } from '../../src/kernel/stats/latency-histogram.js';
import type { LatencyName, LatencySummary, RunResult } from '../../src/results/result.js';
import { TIMESERIES_COLUMNS } from '../../src/model/series-columns.js';
import { BaseSchema, type ResolvedConfig } from '../../src/scenario/schema.js';
import type { RunSummary, StrategySummary } from '../../src/results/summary.js';
import { SUMMARY_SCHEMA_VERSION, verdictExitCode } from '../../src/results/summary.js';
import { aggregateStrategy } from '../../src/results/aggregate.js';

/** Hand-made results for report and aggregation tests (no simulator needed). */

export function config(overrides: Record<string, unknown> = {}): ResolvedConfig {
  return BaseSchema.parse({ name: 'hand-made', duration: '10s', users: { count: 100 }, ...overrides });
}

export function latency(values: number[]): LatencySummary {
  const h = new LatencyHistogram();
  for (const v of values) h.record(v);
  const p = (q: number): number => (h.count ? h.percentile(q) : 0);
  return {
    count: h.count,
    mean: h.count ? h.mean : 0,
    min: h.count ? h.min : 0,
    p50: p(50),
    p90: p(90),
    p99: p(99),
    p999: p(99.9),
    max: h.count ? h.max : 0,
    histogram: h.encode(),
  };
}

export interface ResultOptions {
  strategy?: string;
  replication?: number;
  orders?: number;
  oversell?: number;
  pageLatencies?: number[];
  orderLatencies?: number[];
  sellOutUs?: number | null;
  hitRatio?: number;
  rows?: number;
}

export function makeResult(o: ResultOptions = {}): RunResult {
  const strategy = o.strategy ?? 'base';
  const replication = o.replication ?? 0;
  const orders = o.orders ?? 10;
  const rows = o.rows ?? 3;
  const lat: Record<LatencyName, LatencySummary> = {
    page: latency(o.pageLatencies ?? [1000, 2000, 3000, 40_000]),
    script: latency([500, 600]),
    order: latency(o.orderLatencies ?? [10_000, 20_000, 30_000]),
    decision: latency([15_000, 25_000]),
    main_site: latency([]),
  };
  return {
    strategy,
    replication,
    seed: 42,
    config: config(),
    simulation: { events: 1234, endUs: 10_000_000 },
    timeseries: {
      intervalUs: 1_000_000,
      columns: [...TIMESERIES_COLUMNS],
      rows: Array.from({ length: rows }, (_, i) => TIMESERIES_COLUMNS.map((_, j) => i * 10 + j + replication)),
    },
    latency: lat,
    outcomes: { won: orders, soldOut: 5, saleEnded: 3, blocked: 0, gaveUp: 2, pending: 0 },
    counters: {
      pageViews: 500, cdnHits: 450, cdnMisses: 50, cdnScriptHits: 0, cdnScriptMisses: 0, cdnStaleHits: 0, cdnScriptStaleHits: 0, cdnCoalesced: 10, cdnOriginFetches: 40,
      originPageRequests: 40, originScriptRequests: 500, originErrors: 0, scriptRequests: 500,
      orderAttempts: 30, orderAdmitted: 20, orderRejected: 10, orderSoldOut: 5,
      tokenRejected: { forged: 0, expired: 0, foreign: 0, early: 0, missing: 0 },
      ordersFailed: 0, orderMessagesLost: 0, unitsLeaked: 0, orderMessagesDuplicated: 0, orderDuplicatesDropped: 0, userTimeouts: 1, bytesEdge: 1e6, bytesOriginLink: 1e5, stockOperations: 20, roomEntries: 0, roomPeak: 0, unitsInBuffers: 0, soldOutStranded: 0, ordersUnpaid: 0, ordersCancelled: 0, ordersAwaitingPayment: 0, unitsResold: 0,
    },
    stock: { initial: 10, remaining: 10 - orders + (o.oversell ?? 0), sold: orders, minLevel: -(o.oversell ?? 0), soldOutAtUs: 5_000_000, oversell: o.oversell ?? 0, undersell: 0, returned: 0 },
    fairness: { winRateByDecile: [1, 0.5, 0, 0, 0, 0, 0, 0, 0, 0], clickOrder: 0.8 },
    bots: { count: 1, won: 0, shareOfStock: 0, earlyAttempts: 0 },
    mainSite: { requests: 0, errors: 0, errorRate: 0 },
    ledger: Array.from({ length: orders }, (_, i) => ({ orderId: i, user: i, timeUs: 5_000_000 + i, acceptedUs: 5_000_000 + i, token: `t${i}`, server: 0, strategy })),
    wonResponses: Array.from({ length: orders }, (_, i) => i),
    metrics: {
      orders_created: orders,
      oversell: o.oversell ?? 0,
      undersell: 0,
      duplicate_orders: 0,
      early_orders: 0,
      lost_orders: 0,
      orders_cancelled: 0,
      page_error_rate: 0.01,
      order_reject_rate: 0.25,
      main_site_error_rate: 0,
      cdn_hit_ratio: o.hitRatio ?? 0.9,
      bot_share: 0,
      answered_within_2s: 1,
      decided_within_2s: 1,
      sell_out_time: o.sellOutUs === undefined ? 1_500_000 : o.sellOutUs,
      origin_peak_rps: 120,
      origin_utilisation: 0.3,
      link_utilisation: 0.1,
      stock_peak_ops: 20,
      stock_utilisation: null,
      attempts_per_order: 3,
      amplification: 11,
      fairness_click_order: 0.8,
    },
  };
}

export interface StrategyOptions {
  name: string;
  results: RunResult[];
  invariantFailures?: string[];
  thresholds?: Array<{ metric: string; expression: string; passed: boolean; actual?: number | null }>;
}

export function makeStrategy(o: StrategyOptions): StrategySummary {
  const invariants = ['no-oversell', 'one-per-user'].map((name) => {
    const passed = !(o.invariantFailures ?? []).includes(name);
    return {
      name,
      passed,
      message: passed ? 'holds in every replication' : `replication 0: 1 unit oversold <&> "quoted"`,
      replications: o.results.map((r) => ({ replication: r.replication, passed, message: passed ? 'ok' : 'oversold', offending: passed ? [] : [{ user: 1 }] })),
    };
  });
  const thresholds = (o.thresholds ?? []).map((t) => ({ metric: t.metric, expression: t.expression, passed: t.passed, actual: t.actual ?? 1, message: t.passed ? 'ok' : 'p(99)=600ms, wanted <500ms' }));
  return {
    name: o.name,
    config: o.results[0].config,
    invariantsPassed: invariants.every((i) => i.passed),
    thresholdsPassed: thresholds.every((t) => t.passed),
    invariants,
    thresholds,
    aggregate: aggregateStrategy(o.results),
    runs: o.results,
  };
}

export function makeSummary(strategies: StrategySummary[], name = 'hand-made'): RunSummary {
  const invariantsPassed = strategies.every((s) => s.invariantsPassed);
  const thresholdsPassed = strategies.every((s) => s.thresholdsPassed);
  return {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    tool: { name: 'flashsim', version: '0.0.0-test' },
    scenario: { name, file: 'scenarios/hand-made.yaml', description: 'A | hand-made <scenario>' },
    seed: 42,
    replications: strategies[0].runs.length,
    options: { strategies: null, seed: null, replications: null, users: null, set: ['sale.stock=10'] },
    invariants: ['no-oversell', 'one-per-user'],
    thresholds: {},
    verdict: { invariantsPassed, thresholdsPassed, exitCode: verdictExitCode(invariantsPassed, thresholdsPassed) },
    strategies,
  };
}

/** Two strategies of two replications: seed-design passes everything; naive oversells and fails its threshold. */
export function twoStrategies() {
  return makeSummary([
    makeStrategy({
      name: 'seed-design',
      results: [makeResult({ strategy: 'seed-design', replication: 0 }), makeResult({ strategy: 'seed-design', replication: 1, orders: 9 })],
      thresholds: [{ metric: 'order_latency', expression: 'p(99)<500ms', passed: true }],
    }),
    makeStrategy({
      name: 'naive',
      results: [makeResult({ strategy: 'naive', replication: 0, oversell: 2 }), makeResult({ strategy: 'naive', replication: 1, oversell: 1 })],
      invariantFailures: ['no-oversell'],
      thresholds: [{ metric: 'order_latency', expression: 'p(99)<500ms', passed: false, actual: 600_000 }],
    }),
  ]);
}
